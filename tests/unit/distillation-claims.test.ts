/**
 * Every comparison the distillation chapter makes between the student and the teacher is
 * decided again here, from static/models/metrics.json and bench.json read afresh, and must be
 * what the prose says: the text cannot drift from the model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GridRow } from '../../src/lib/pipeline/manifest';
import { CHAPTERS } from '../../src/lib/story/chapters';
import {
	ABOUT_ONE_RUN,
	ABOUT_TWO_RUNS,
	costSentence,
	equalRunSentences,
	equalTimeSentences,
	kidRelation,
	pathEndSentence,
	top1Relation,
	type Bench
} from '../../src/lib/story/distillation-claims';

const metrics = JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as {
	grid?: GridRow[];
};
const bench = JSON.parse(readFileSync('static/models/bench.json', 'utf8')) as Required<Bench>;
const rows = metrics.grid ?? [];
const prose = CHAPTERS.find((c) => c.slug === 'distillation')!
	.steps.flatMap((s) => s.paragraphs)
	.join('\n');
const row = (model: 'teacher' | 'student', steps: number) =>
	rows.find((r) => r.model === model && r.steps === steps)!;
const timing = (model: 'teacher' | 'student', steps: number) =>
	bench.grid.find((r) => r.model === model && r.steps === steps)!;
const fake = (top1: number, ci: [number, number], kid: number, se: number): GridRow => ({
	model: 'student',
	steps: 1,
	unet_runs: 1,
	images: 382,
	captions: 1911,
	top1_of_all: top1,
	top1_ci: ci,
	top5_of_all: 0,
	top5_ci: [0, 0],
	kid_x1000: kid,
	kid_se_x1000: se
});

/** Decided here from the intervals, independently of the module under test. */
function expected(a: GridRow, b: GridRow) {
	const top1 =
		a.top1_ci[0] > b.top1_ci[1] ? 'better' : a.top1_ci[1] < b.top1_ci[0] ? 'worse' : 'same';
	const se = Math.sqrt(a.kid_se_x1000 ** 2 + b.kid_se_x1000 ** 2);
	const d = a.kid_x1000 - b.kid_x1000;
	const kid = d < -2 * se ? 'better' : d > 2 * se ? 'worse' : 'same';
	const say = (r: string) => (r === 'same' ? 'not measurably different from' : `${r} than`);
	return { top1: `**${say(top1)}** the teacher`, kid: `**${say(kid)}** it by distance` };
}

function sentenceStarting(start: string): string {
	const i = prose.indexOf(start);
	expect(i, start).toBeGreaterThanOrEqual(0);
	return prose.slice(i, prose.indexOf(').', i) + 2);
}

describe('what the distillation chapter says', () => {
	it('has the grid of measurements and timings it is written from', () => {
		expect(rows.length).toBeGreaterThanOrEqual(9);
		for (const steps of [1, 2, 4, 8, 25]) expect(row('teacher', steps)).toBeDefined();
		for (const steps of [1, 2, 4, 8]) expect(row('student', steps)).toBeDefined();
		for (const steps of [1, 2, 4, 8]) expect(timing('student', steps)).toBeDefined();
	});

	for (const n of [1, 2, 4, 8]) {
		it(`compares the student and the teacher at ${n} step${n === 1 ? '' : 's'} each, with their times`, () => {
			const a = row('student', n);
			const b = row('teacher', n);
			const s = sentenceStarting(`In ${n} step${n === 1 ? '' : 's'} each (`);
			expect(s).toContain(`(${Math.round(timing('student', n).ms)} ms for the student and`);
			expect(s).toContain(
				`${Math.round(timing('teacher', n).ms)} ms for the teacher in our bench)`
			);
			const want = expected(a, b);
			expect(s).toContain(want.top1);
			expect(s).toContain(want.kid);
			expect(s).toContain(`first ${a.top1_of_all.toFixed(0)}% of the time`);
			expect(s).toContain(`against ${b.top1_of_all.toFixed(0)}%`);
			expect(s).toContain(`KID ${a.kid_x1000.toFixed(1)} against ${b.kid_x1000.toFixed(1)}`);
		});
	}

	for (const n of [1, 2, 4]) {
		it(`compares them at ${2 * n} U-Net runs each (student ${2 * n} steps, teacher ${n})`, () => {
			const a = row('student', 2 * n);
			const b = row('teacher', n);
			expect(a.unet_runs).toBe(b.unet_runs);
			const s = sentenceStarting(`At ${a.unet_runs} U-Net runs each (`);
			expect(s).toContain(`the student in ${2 * n} steps, the teacher in ${n} step`);
			const want = expected(a, b);
			expect(s).toContain(want.top1);
			expect(s).toContain(want.kid);
		});
	}

	it('says what a step costs in the browser, from the bench', () => {
		const ratios = [1, 2, 4, 8]
			.map((n) => timing('student', n).unet_ms_per_step / timing('teacher', n).unet_ms_per_step)
			.sort((a, b) => a - b);
		const s = costSentence(bench)!;
		expect(prose).toContain(s);
		expect(s).toContain(
			`${ratios[0]!.toFixed(2)} to ${ratios[3]!.toFixed(2)} times as long as a teacher step`
		);
		expect(s).toContain(`median ${((ratios[1]! + ratios[2]!) / 2).toFixed(2)}`);
		expect(s).toContain(`${bench.cores} cores, ${bench.date}`);
		// What it says the batch of two costs follows the measured median.
		const m = (ratios[1]! + ratios[2]!) / 2;
		const says =
			m >= ABOUT_ONE_RUN
				? 'in about the time of one'
				: m <= ABOUT_TWO_RUNS
					? 'about as much as two runs'
					: 'less than two runs';
		expect(s).toContain(says);
		// Each branch, on made-up benches whose student steps cost 1, 0.5 and 0.65 of the teacher's.
		const scaled = (f: number): typeof bench => ({
			...bench,
			grid: bench.grid.map((r) =>
				r.model === 'student'
					? { ...r, unet_ms_per_step: f * timing('teacher', r.steps).unet_ms_per_step }
					: r
			)
		});
		expect(costSentence(scaled(1))).toContain('in about the time of one');
		expect(costSentence(scaled(0.5))).toContain('about as much as two runs');
		expect(costSentence(scaled(0.65))).toContain('costs our small network less than two runs');
		expect(costSentence(null)).toBeUndefined();
	});

	it('says the student draws its own picture, with the PSNR the card measured', () => {
		const samplers = (
			JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as {
				samplers: {
					sampler: string;
					steps: number;
					psnr_vs_teacher25_db?: number;
					psnr_ci?: [number, number];
				}[];
			}
		).samplers;
		const anc = samplers.find((r) => r.sampler === 'euler_a' && r.steps === 25)!;
		const s = pathEndSentence(rows, { ...anc, label: 'Euler ancestral at 25 steps' })!;
		expect(prose).toContain(s);
		const students = [1, 2, 4, 8].map((n) => row('student', n));
		expect(s).toContain(
			`${students.map((r) => r.psnr_vs_teacher25_db!.toFixed(1)).join(' / ')} dB at 1 / 2 / 4 / 8 steps`
		);
		const t4 = row('teacher', 4);
		const best = Math.max(...students.map((r) => r.psnr_vs_teacher25_db!));
		const bestRow = students.find((r) => r.psnr_vs_teacher25_db === best)!;
		if (bestRow.psnr_ci![1] < t4.psnr_ci![0])
			expect(s).toContain(`farther from it than the teacher's own 4-step picture`);
		else expect(s).not.toContain('farther from it');
		const [s4, s8] = [row('student', 4), row('student', 8)];
		const apart = s8.psnr_ci![0] > s4.psnr_ci![1] || s8.psnr_ci![1] < s4.psnr_ci![0];
		expect(s.includes('not measurably closer at 8 steps than at 4')).toBe(!apart);
		expect(prose).not.toMatch(/ends close to where the teacher ends/);
		// Nearer than a different picture of the prompt from the same noise, where the card says so.
		const worst = students.reduce((a, b) =>
			b.psnr_vs_teacher25_db! < a.psnr_vs_teacher25_db! ? b : a
		);
		expect(s.includes('a picture of its own that resembles the teacher')).toBe(
			worst.psnr_ci![0] > anc.psnr_ci![1]
		);
		expect(pathEndSentence(rows)).toContain("its own picture of the prompt, not the teacher's");
	});

	it('states measurements, not the project’s targets', () => {
		expect(prose).not.toMatch(/target|\*\*Met|\*\*Missed/i);
	});

	it('counts a difference only outside the intervals', () => {
		const base = fake(50, [45, 55], 5, 0.5);
		expect(top1Relation(fake(54, [49, 59], 5, 0.5), base)).toBe('not measurably different');
		expect(top1Relation(fake(70, [65, 75], 5, 0.5), base)).toBe('better');
		expect(top1Relation(fake(30, [25, 35], 5, 0.5), base)).toBe('worse');
		expect(kidRelation(fake(50, [45, 55], 6, 0.5), base)).toBe('not measurably different');
		expect(kidRelation(fake(50, [45, 55], 2, 0.5), base)).toBe('better');
		expect(kidRelation(fake(50, [45, 55], 9, 0.5), base)).toBe('worse');
	});

	it('makes no comparison without measurements', () => {
		expect(equalTimeSentences([], bench)).toEqual([]);
		expect(equalTimeSentences(rows, null)).toEqual([]);
		expect(equalRunSentences([])).toEqual([]);
		expect(pathEndSentence([])).toBeUndefined();
	});

	it('never calls overlapping intervals equal', () => {
		expect(prose).not.toMatch(/\bas good as\b|\bno difference\b|\bequally good\b/);
	});
});
