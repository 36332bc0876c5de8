import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyMinutes, distillationRows } from '../../src/lib/pipeline/distillation';
import type { Manifest, ModelEntry } from '../../src/lib/pipeline/manifest';

const shipped = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const withRounds = (rounds: ModelEntry['rounds'], minutes = 100): Manifest => ({
	...shipped,
	models: { ...shipped.models!, student: { ...shipped.models!.student!, minutes, rounds } }
});
const round = (steps: number, from: 'teacher' | 'student', minutes = 20) => ({
	steps,
	from,
	from_steps: 2 * steps,
	train_steps: 1000,
	minutes
});

describe('distillationRows', () => {
	it('puts a round from the teacher under the teacher at twice its steps', () => {
		const rows = distillationRows(withRounds([round(4, 'teacher', 45)]));
		expect(rows.map((r) => r.label)).toEqual([
			'Teacher: 25 steps',
			'Teacher: 8 steps',
			'Student: 4 steps'
		]);
		expect(rows.map((r) => r.timesteps.length)).toEqual([25, 8, 4]);
		expect(rows[2]!.timesteps).toEqual([999, 749, 499, 249]);
		expect(rows[2]!.note).toContain('45 min');
	});

	it('chains later rounds under the round before, with no extra row', () => {
		const rows = distillationRows(withRounds([round(8, 'teacher'), round(4, 'student')]));
		expect(rows.map((r) => r.label)).toEqual([
			'Teacher: 25 steps',
			'Teacher: 16 steps',
			'Student: 8 steps',
			'Student: 4 steps'
		]);
	});

	it('draws nothing for a manifest without a distilled student', () => {
		expect(distillationRows({ ...shipped, models: undefined })).toEqual([]);
	});

	it("counts the copying stage as the student's minutes before its rounds", () => {
		expect(copyMinutes(withRounds([round(8, 'teacher', 20), round(4, 'student', 25)], 160))).toBe(
			115
		);
	});

	it('reads the shipped manifest: every round says what it learned from', () => {
		const rounds = shipped.models?.student?.rounds ?? [];
		for (const r of rounds) {
			expect(['teacher', 'student']).toContain(r.from);
			expect(r.from_steps).toBe(2 * r.steps);
		}
		if (rounds.length) expect(distillationRows(shipped).at(-1)!.label).toMatch(/^Student/);
	});
});
