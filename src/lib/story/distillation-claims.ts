/**
 * What the distillation chapter may say about the student against the teacher, decided from
 * the model card's measurements (static/models/metrics.json, read at build time), never
 * typed in: each comparison at equal or lower cost, with the intervals deciding whether a
 * difference counts. tests/unit/distillation-claims.test.ts checks every phrase against the
 * file.
 */
import type { GridRow, ModelName } from '$lib/pipeline/manifest';

export type Relation = 'better' | 'as good' | 'worse';

/** Caption top 1: a difference counts only where the 95% intervals do not overlap. */
export function top1Relation(a: Pick<GridRow, 'top1_ci'>, b: Pick<GridRow, 'top1_ci'>): Relation {
	if (a.top1_ci[0] > b.top1_ci[1]) return 'better';
	if (a.top1_ci[1] < b.top1_ci[0]) return 'worse';
	return 'as good';
}

/** KID (lower is better): a difference counts only beyond two combined standard errors. */
type Kid = Pick<GridRow, 'kid_x1000' | 'kid_se_x1000'>;
export function kidRelation(a: Kid, b: Kid): Relation {
	const se = Math.hypot(a.kid_se_x1000, b.kid_se_x1000);
	if (a.kid_x1000 < b.kid_x1000 - 2 * se) return 'better';
	if (a.kid_x1000 > b.kid_x1000 + 2 * se) return 'worse';
	return 'as good';
}

export interface Matchup {
	student: GridRow;
	teacher: GridRow;
	top1: Relation;
	kid: Relation;
}

/** The student at `s` steps against the teacher at `t` steps, if both were measured. */
export function matchup(rows: GridRow[], s: number, t: number): Matchup | undefined {
	const find = (model: ModelName, steps: number) =>
		rows.find((r) => r.model === model && r.steps === steps);
	const student = find('student', s);
	const teacher = find('teacher', t);
	if (!student || !teacher) return undefined;
	return {
		student,
		teacher,
		top1: top1Relation(student, teacher),
		kid: kidRelation(student, teacher)
	};
}

const runs = (r: GridRow) => `${r.unet_runs} U-Net run${r.unet_runs === 1 ? '' : 's'}`;
const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;
const pct = (v: number) => `${v.toFixed(0)}%`;

/** "better than" / "as good as" / "worse than", as the prose says it. */
export function phrase(r: Relation): string {
	return r === 'as good' ? 'as good as' : `${r} than`;
}

/** One sentence per comparison: the student at N steps against the teacher at 2N (twice
 * the steps, four times the U-Net runs) and at N (the same steps). */
export function comparisonSentences(rows: GridRow[]): string[] {
	const out: string[] = [];
	for (const [s, t] of [
		[1, 2],
		[2, 4],
		[4, 4]
	] as const) {
		const m = matchup(rows, s, t);
		if (!m) continue;
		out.push(
			`In ${steps(s)} (${runs(m.student)}) the student is **${phrase(m.top1)}** the teacher in ${steps(t)} (${runs(m.teacher)}) at naming its picture: our CLIP ranks the right caption first ${pct(m.student.top1_of_all)} of the time against ${pct(m.teacher.top1_of_all)}; its pictures are **${phrase(m.kid)}** the teacher's by their distance to real emoji (KID ${m.student.kid_x1000.toFixed(1)} against ${m.teacher.kid_x1000.toFixed(1)}).`
		);
	}
	return out;
}

/** The project's targets for the student, said as met or missed (and by how much), from the
 * point estimates: N steps at least as good as the teacher in 2N, on top 1 and on KID. */
export function targetSentences(rows: GridRow[]): string[] {
	const out: string[] = [];
	for (const [s, t] of [
		[1, 2],
		[2, 4]
	] as const) {
		const m = matchup(rows, s, t);
		if (!m) continue;
		const top1Gap = m.teacher.top1_of_all - m.student.top1_of_all;
		const kidGap = m.student.kid_x1000 - m.teacher.kid_x1000;
		const goal = `Our target for the student in ${steps(s)}: at least as good as the teacher in ${steps(t)} on both numbers.`;
		if (top1Gap <= 0 && kidGap <= 0) out.push(`${goal} **Met.**`);
		else {
			const misses = [
				top1Gap > 0 ? `${top1Gap.toFixed(1)} points of top 1` : '',
				kidGap > 0 ? `${kidGap.toFixed(1)} of KID` : ''
			].filter(Boolean);
			out.push(
				`${goal} **Missed**, by ${misses.join(' and ')}${m.top1 === 'as good' && m.kid === 'as good' ? ', inside the intervals' : ''}.`
			);
		}
	}
	return out;
}

/** One row of `npm run bench`'s timings (static/models/bench.json). */
export interface BenchRow {
	model: ModelName;
	steps: number;
	ms: number;
	unet_ms_per_step: number;
}

/**
 * The speed target, from the bench's own file: the student's 1-step picture (text encoder, one
 * U-Net run, decoder) in at most 30 ms in headless Chromium on the development machine.
 */
export function speedSentences(bench: { grid?: BenchRow[]; cores?: number } | null): string[] {
	const one = bench?.grid?.find((r) => r.model === 'student' && r.steps === 1);
	if (!one) return [];
	const ms = Math.round(one.ms);
	const verdict = one.ms <= 30 ? '**Met**' : `**Missed**: ${ms} ms`;
	return [
		`And for speed, a 1-step picture (text encoder, one U-Net run, decoder) in at most 30 ms in headless Chromium on our ${bench?.cores ?? 2}-core test machine: ${verdict}${one.ms <= 30 ? `, ${ms} ms` : ''}. Each of those three runs is the first of its generation there, and a first run costs several times a warm one.`
	];
}
