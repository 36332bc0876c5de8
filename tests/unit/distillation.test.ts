import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distillationRows } from '../../src/lib/pipeline/distillation';
import type { Manifest, ModelEntry } from '../../src/lib/pipeline/manifest';

const shipped = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const withStudent = (student: Partial<ModelEntry> | undefined): Manifest => ({
	...shipped,
	models: {
		teacher: shipped.models!.teacher!,
		...(student && {
			student: { unet: 'unet_student', steps: 2, guidance: 4, channels: 64, params: 1, ...student }
		})
	}
});

describe('distillationRows', () => {
	it("puts the teacher's grid first, then the student at each step count, finest first", () => {
		const rows = distillationRows(
			withStudent({ teacher_steps: 16, step_counts: [1, 2, 4, 8], paths: 12800 })
		);
		expect(rows.map((r) => r.label)).toEqual([
			'Teacher: 16 steps',
			'Student: 8 steps',
			'Student: 4 steps',
			'Student: 2 steps',
			'Student: 1 step'
		]);
		expect(rows.map((r) => r.timesteps.length)).toEqual([16, 8, 4, 2, 1]);
		expect(rows[3]!.timesteps).toEqual([999, 499]);
		expect(rows[0]!.note).toContain('12,800 paths');
		expect(rows[4]!.note).toBe('1 jump = 16 teacher steps');
	});

	it("nests every student grid in the teacher's: each jump starts on a teacher step", () => {
		const rows = distillationRows(withStudent({ teacher_steps: 16, step_counts: [1, 2, 4, 8] }));
		// The teacher's grid and one per step count: the check below cannot pass on no rows.
		expect(rows).toHaveLength(5);
		const teacher = new Set(rows[0]!.timesteps);
		for (const r of rows.slice(1)) for (const t of r.timesteps) expect(teacher.has(t)).toBe(true);
	});

	it('draws the shipped student’s recipe: the teacher’s grid, then each step count it learned', () => {
		const student = shipped.models?.student;
		// The shipped folder has a distilled student with its recipe; without one the chapter's
		// figure would be empty, and the checks below would pass on nothing.
		expect(student?.teacher_steps).toBeGreaterThan(0);
		expect(student?.step_counts?.length).toBeGreaterThan(0);
		const rows = distillationRows(shipped);
		expect(rows).toHaveLength(1 + student!.step_counts!.length);
		expect(rows[0]!.timesteps).toHaveLength(student!.teacher_steps!);
		const counts = [...student!.step_counts!].sort((a, b) => b - a);
		expect(rows.slice(1).map((r) => r.timesteps.length)).toEqual(counts);
		const teacher = new Set(rows[0]!.timesteps);
		for (const r of rows.slice(1)) for (const t of r.timesteps) expect(teacher.has(t)).toBe(true);
	});

	it('draws nothing for a manifest without a distilled student, or one without its recipe', () => {
		expect(distillationRows({ ...shipped, models: undefined })).toEqual([]);
		expect(distillationRows(withStudent(undefined))).toEqual([]);
		expect(distillationRows(withStudent({}))).toEqual([]);
	});
});
