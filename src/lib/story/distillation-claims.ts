/**
 * What the distillation chapter may say about the student against the teacher, decided from
 * the model card's measurements (static/models/metrics.json) and the bench's timings
 * (static/models/bench.json), both read at build time, never typed in: the intervals decide
 * whether a difference counts, and every comparison says which cost it holds equal.
 * tests/unit/distillation-claims.test.ts checks every phrase against the files.
 */
import type { GridRow, ModelName } from '$lib/pipeline/manifest';

/** Overlapping intervals say "not measurably different at this sample size", never "equal". */
export type Relation = 'better' | 'not measurably different' | 'worse';

/** Caption top 1: a difference counts only where the 95% intervals do not overlap. */
export function top1Relation(a: Pick<GridRow, 'top1_ci'>, b: Pick<GridRow, 'top1_ci'>): Relation {
	if (a.top1_ci[0] > b.top1_ci[1]) return 'better';
	if (a.top1_ci[1] < b.top1_ci[0]) return 'worse';
	return 'not measurably different';
}

/** KID (lower is better): a difference counts only beyond two combined standard errors. */
type Kid = Pick<GridRow, 'kid_x1000' | 'kid_se_x1000'>;
export function kidRelation(a: Kid, b: Kid): Relation {
	const se = Math.hypot(a.kid_se_x1000, b.kid_se_x1000);
	if (a.kid_x1000 < b.kid_x1000 - 2 * se) return 'better';
	if (a.kid_x1000 > b.kid_x1000 + 2 * se) return 'worse';
	return 'not measurably different';
}

/** Closeness to a reference picture (median PSNR): counts only where the 95% intervals part. */
export function psnrRelation(
	a: { psnr_ci?: [number, number] },
	b: { psnr_ci?: [number, number] }
): Relation | undefined {
	if (!a.psnr_ci || !b.psnr_ci) return undefined;
	if (a.psnr_ci[0] > b.psnr_ci[1]) return 'better';
	if (a.psnr_ci[1] < b.psnr_ci[0]) return 'worse';
	return 'not measurably different';
}

/** "better than" / "not measurably different from" / "worse than", as the prose says it. */
export function phrase(r: Relation): string {
	return r === 'not measurably different' ? 'not measurably different from' : `${r} than`;
}

export interface Matchup {
	student: GridRow;
	teacher: GridRow;
	top1: Relation;
	kid: Relation;
}

const find = (rows: GridRow[], model: ModelName, steps: number) =>
	rows.find((r) => r.model === model && r.steps === steps);

/** The student at `s` steps against the teacher at `t` steps, if both were measured. */
export function matchup(rows: GridRow[], s: number, t: number): Matchup | undefined {
	const student = find(rows, 'student', s);
	const teacher = find(rows, 'teacher', t);
	if (!student || !teacher) return undefined;
	return {
		student,
		teacher,
		top1: top1Relation(student, teacher),
		kid: kidRelation(student, teacher)
	};
}

/** One row of `npm run bench`'s timings (static/models/bench.json). */
export interface BenchRow {
	model: ModelName;
	steps: number;
	ms: number;
	unet_ms_per_step: number;
}

export interface Bench {
	date?: string;
	browser?: string;
	cores?: number;
	grid?: BenchRow[];
	samplers?: { sampler: string; steps: number; ms: number }[];
}

const timing = (bench: Bench | null, model: ModelName, steps: number) =>
	bench?.grid?.find((r) => r.model === model && r.steps === steps);

const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;
const pct = (v: number) => `${v.toFixed(0)}%`;
const ms = (v: number) => `${Math.round(v)} ms`;
const where = (bench: Bench) =>
	`our bench (${bench.browser ?? 'headless Chromium'}, ${bench.cores ?? 2} cores, ${bench.date ?? 'undated'})`;

/** What a comparison found, on both measures, as one clause. */
const verdicts = (m: Matchup) =>
	`the student is **${phrase(m.top1)}** the teacher at naming its picture (our CLIP ranks the right caption first ${pct(m.student.top1_of_all)} of the time against ${pct(m.teacher.top1_of_all)}) and **${phrase(m.kid)}** it by distance to real emoji (KID ${m.student.kid_x1000.toFixed(1)} against ${m.teacher.kid_x1000.toFixed(1)})`;

/** A student step's time over a teacher step's at the same step count, across step counts. */
export function stepCostRatios(bench: Bench | null): number[] {
	const out: number[] = [];
	for (const s of bench?.grid ?? []) {
		if (s.model !== 'student') continue;
		const t = timing(bench, 'teacher', s.steps);
		if (t) out.push(s.unet_ms_per_step / t.unet_ms_per_step);
	}
	return out.sort((a, b) => a - b);
}

const median = (xs: number[]) =>
	xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2;

/** How far one generation's time varied within the bench's run: its rows are single runs. */
function noiseNote(bench: Bench): string {
	const a = timing(bench, 'teacher', 25);
	const b = bench.samplers?.find((r) => r.sampler === 'ddim' && r.steps === 25);
	if (!a || !b) return '';
	const [lo, hi] = [Math.min(a.ms, b.ms), Math.max(a.ms, b.ms)];
	return `; each row is one page's median of a few warm generations, and rows vary from page to page, so these ratios are rough: the same 25-step generation took ${ms(lo)} in one row and ${ms(hi)} in another`;
}

/** Above this median ratio a student step costs about a teacher step; below the next, about half. */
export const ABOUT_ONE_RUN = 0.8;
export const ABOUT_TWO_RUNS = 0.55;

/**
 * Why U-Net runs and the reader's time are two different costs, from the bench: what the
 * teacher's batch of two costs against the student's one run, as this bench measured it.
 */
export function costSentence(bench: Bench | null): string | undefined {
	const ratios = stepCostRatios(bench);
	if (!bench || !ratios.length) return undefined;
	const m = median(ratios);
	const measured = `in ${where(bench)} a student step took ${ratios[0]!.toFixed(2)} to ${ratios[ratios.length - 1]!.toFixed(2)} times as long as a teacher step at the same step count (median ${m.toFixed(2)})${noiseNote(bench)}`;
	const batch = "the teacher's two runs go as one call on a batch of two";
	if (m >= ABOUT_ONE_RUN)
		return `Counted in U-Net runs, a student step costs half a teacher step. For our tiny U-Net in a browser it does not: ${batch}, which our small, overhead-bound network runs in about the time of one (a large network, or a GPU, would pay more for the second), and ${measured}. So in the reader's time the student gains by needing fewer steps, not by cheaper ones, and a fair match in time is the same number of steps.`;
	if (m <= ABOUT_TWO_RUNS)
		return `Counted in U-Net runs, a student step costs half a teacher step, and in a browser about that too: ${batch}, which costs our network about as much as two runs, and ${measured}. The times of whole generations, at equal steps and at equal U-Net runs, follow.`;
	return `Counted in U-Net runs, a student step costs half a teacher step. In a browser it costs more than half: ${batch}, which costs our small network less than two runs, and ${measured}. The times of whole generations, at equal steps and at equal U-Net runs, follow.`;
}

/** The student against the teacher at the same number of steps, with each one's time in the bench. */
export function equalTimeSentences(rows: GridRow[], bench: Bench | null): string[] {
	const out: string[] = [];
	for (const n of [1, 2, 4, 8]) {
		const m = matchup(rows, n, n);
		const [s, t] = [timing(bench, 'student', n), timing(bench, 'teacher', n)];
		if (!m || !s || !t) continue;
		out.push(
			`In ${steps(n)} each (${ms(s.ms)} for the student and ${ms(t.ms)} for the teacher in our bench), ${verdicts(m)}.`
		);
	}
	return out;
}

/** The student against the teacher at the same number of U-Net runs (twice its steps). */
export function equalRunSentences(rows: GridRow[]): string[] {
	const out: string[] = [];
	for (const n of [1, 2, 4]) {
		const m = matchup(rows, 2 * n, n);
		if (!m) continue;
		out.push(
			`At ${m.student.unet_runs} U-Net runs each (the student in ${steps(2 * n)}, the teacher in ${steps(n)}), ${verdicts(m)}.`
		);
	}
	return out;
}

/** A picture measured against the same reference, with its interval. */
type Psnr = { psnr_vs_teacher25_db?: number; psnr_ci?: [number, number] };

/**
 * How close the student's picture comes to the teacher's 25-step one, against the teacher's own
 * few-step picture and, if given, a different picture of the same prompt from the same noise
 * (an ancestral sampler's): near the teacher's picture, but a picture of its own.
 */
export function pathEndSentence(
	rows: GridRow[],
	different?: Psnr & { label: string },
	teacherSteps = 4
): string | undefined {
	const students = rows
		.filter((r) => r.model === 'student' && r.psnr_vs_teacher25_db !== undefined)
		.sort((a, b) => a.steps - b.steps);
	const teacher = find(rows, 'teacher', teacherSteps);
	if (students.length < 2 || teacher?.psnr_vs_teacher25_db === undefined) return undefined;
	const best = students.reduce((a, b) =>
		b.psnr_vs_teacher25_db! > a.psnr_vs_teacher25_db! ? b : a
	);
	const vsTeacher = psnrRelation(best, teacher);
	const [secondLast, last] = students.slice(-2) as [GridRow, GridRow];
	const tail = psnrRelation(last, secondLast);
	const closer =
		vsTeacher === 'worse'
			? `farther from it than the teacher's own ${teacherSteps}-step picture`
			: vsTeacher === 'better'
				? `closer to it than the teacher's own ${teacherSteps}-step picture`
				: `not measurably closer to it or farther from it than the teacher's own ${teacherSteps}-step picture`;
	const trend =
		tail === 'better'
			? `closer at ${last.steps} steps than at ${secondLast.steps}`
			: tail === 'worse'
				? `farther at ${last.steps} steps than at ${secondLast.steps}`
				: `not measurably closer at ${last.steps} steps than at ${secondLast.steps}`;
	const worst = students.reduce((a, b) =>
		b.psnr_vs_teacher25_db! < a.psnr_vs_teacher25_db! ? b : a
	);
	const nearer =
		different?.psnr_vs_teacher25_db !== undefined && psnrRelation(worst, different) === 'better';
	const ending = nearer
		? ` It stays nearer to it than a different picture of the same prompt from the same noise does (${different.label}: ${different.psnr_vs_teacher25_db!.toFixed(1)} dB). The student draws a picture of its own that resembles the teacher's, not the teacher's exactly.`
		: " The student draws its own picture of the prompt, not the teacher's.";
	return `Measured against the teacher's 25-step picture for the same prompt and seed, the student's pictures come to ${students.map((r) => r.psnr_vs_teacher25_db!.toFixed(1)).join(' / ')} dB at ${students.map((r) => r.steps).join(' / ')} steps (median PSNR; higher is closer): ${closer} (${teacher.psnr_vs_teacher25_db.toFixed(1)} dB), and ${trend}.${ending}`;
}
