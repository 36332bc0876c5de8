/**
 * Every comparison the distillation chapter makes between the student and the teacher is
 * decided again here, from static/models/metrics.json read afresh, and must be what the
 * prose says: the text cannot drift from the model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GridRow } from '../../src/lib/pipeline/manifest';
import { CHAPTERS } from '../../src/lib/story/chapters';
import {
	comparisonSentences,
	kidRelation,
	speedSentences,
	top1Relation,
	type BenchRow
} from '../../src/lib/story/distillation-claims';

const metrics = JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as {
	grid?: GridRow[];
};
const rows = metrics.grid ?? [];
const prose = CHAPTERS.find((c) => c.slug === 'distillation')!
	.steps.flatMap((s) => s.paragraphs)
	.join('\n');
const row = (model: 'teacher' | 'student', steps: number) =>
	rows.find((r) => r.model === model && r.steps === steps);
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

describe('what the distillation chapter says', () => {
	it('has the grid of measurements it is written from', () => {
		expect(rows.length).toBeGreaterThanOrEqual(9);
		for (const steps of [1, 2, 4, 8, 25]) expect(row('teacher', steps)).toBeDefined();
		for (const steps of [1, 2, 4, 8]) expect(row('student', steps)).toBeDefined();
	});

	for (const [s, t] of [
		[1, 2],
		[2, 4],
		[4, 4]
	] as const) {
		it(`says what metrics.json says of the student in ${s} against the teacher in ${t}`, () => {
			const a = row('student', s)!;
			const b = row('teacher', t)!;
			// Decided here from the intervals, independently of the module under test.
			const top1 =
				a.top1_ci[0] > b.top1_ci[1] ? 'better' : a.top1_ci[1] < b.top1_ci[0] ? 'worse' : 'as good';
			const se = Math.sqrt(a.kid_se_x1000 ** 2 + b.kid_se_x1000 ** 2);
			const d = a.kid_x1000 - b.kid_x1000;
			const kid = d < -2 * se ? 'better' : d > 2 * se ? 'worse' : 'as good';
			const say = (r: string) => (r === 'as good' ? 'as good as' : `${r} than`);
			const sentence = prose
				.split('\n')
				.find((p) => p.startsWith(`In ${s} step${s === 1 ? '' : 's'} (`))!;
			expect(sentence).toBeDefined();
			expect(sentence).toContain(`teacher in ${t} steps (${b.unet_runs} U-Net runs)`);
			expect(sentence).toContain(`**${say(top1)}** the teacher`);
			expect(sentence).toContain(`are **${say(kid)}** the teacher's`);
			expect(sentence).toContain(`first ${a.top1_of_all.toFixed(0)}% of the time`);
			expect(sentence).toContain(`against ${b.top1_of_all.toFixed(0)}%`);
		});
	}

	it('says which targets are met and which are missed, by how much', () => {
		for (const [s, t] of [
			[1, 2],
			[2, 4]
		] as const) {
			const a = row('student', s)!;
			const b = row('teacher', t)!;
			const goal = `target for the student in ${s} step${s === 1 ? '' : 's'}: at least as good as the teacher in ${t} steps`;
			expect(prose).toContain(goal);
			const part = prose.slice(prose.indexOf(goal), prose.indexOf(goal) + 400);
			const met = a.top1_of_all >= b.top1_of_all && a.kid_x1000 <= b.kid_x1000;
			if (met) expect(part).toMatch(/^[^.]*\. \*\*Met\.\*\*/);
			else {
				expect(part).toMatch(/\*\*Missed\*\*/);
				if (a.top1_of_all < b.top1_of_all)
					expect(part).toContain(`${(b.top1_of_all - a.top1_of_all).toFixed(1)} points of top 1`);
				if (a.kid_x1000 > b.kid_x1000)
					expect(part).toContain(`${(a.kid_x1000 - b.kid_x1000).toFixed(1)} of KID`);
			}
		}
	});

	it('counts a difference only outside the intervals', () => {
		const base = fake(50, [45, 55], 5, 0.5);
		expect(top1Relation(fake(54, [49, 59], 5, 0.5), base)).toBe('as good');
		expect(top1Relation(fake(70, [65, 75], 5, 0.5), base)).toBe('better');
		expect(top1Relation(fake(30, [25, 35], 5, 0.5), base)).toBe('worse');
		expect(kidRelation(fake(50, [45, 55], 6, 0.5), base)).toBe('as good');
		expect(kidRelation(fake(50, [45, 55], 2, 0.5), base)).toBe('better');
		expect(kidRelation(fake(50, [45, 55], 9, 0.5), base)).toBe('worse');
	});

	it('makes no comparison without measurements', () => {
		expect(comparisonSentences([])).toEqual([]);
	});

	it('types no model number into the prose', () => {
		// The old chapter's typed-in claims must not come back.
		expect(prose).not.toMatch(/the price is some quality/i);
		expect(prose).not.toMatch(/in 4 steps what it does in 25/);
	});

	it('says whether the speed target is met, with the time npm run bench measured', () => {
		const bench = JSON.parse(readFileSync('static/models/bench.json', 'utf8')) as {
			grid: BenchRow[];
		};
		const one = bench.grid.find((r) => r.model === 'student' && r.steps === 1)!;
		const [sentence] = speedSentences(bench);
		expect(prose).toContain(sentence!);
		if (one.ms <= 30) expect(sentence).toContain('**Met**');
		else expect(sentence).toContain(`**Missed**: ${Math.round(one.ms)} ms`);
		expect(speedSentences({ grid: [{ ...one, ms: 25 }] })[0]).toContain('**Met**, 25 ms');
		expect(speedSentences(null)).toEqual([]);
	});
});
