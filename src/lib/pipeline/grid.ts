/**
 * Grids of generations on one prompt and seed: every cell is the link's settings with a few of
 * its own (the model or the sampler, and the step count), with its U-Net runs and the model
 * card's measurement of exactly that row. The distillation chapter's grid (each model at each
 * step count it offers) and the loop chapter's (the teacher with each sampler) are two plans
 * of this one kind.
 */
import {
	modelEntry,
	type GridRow,
	type Manifest,
	type ModelName,
	type SamplerRow,
	type SchedulerName
} from './manifest';
import type { GenerationSettings } from './settings';

export interface GridCellPlan<M> {
	/** Its column (a model or a sampler) and its row (the step count). */
	column: string;
	steps: number;
	/** What the cell changes in the link's settings. */
	patch: Partial<GenerationSettings>;
	/** U-Net runs per image: two per step for the teacher (guidance), one for the student. */
	unetRuns: number;
	/** The model card's measurement of this cell, if it has one. */
	metric: M | undefined;
}

export interface GridPlan<M> {
	columns: string[];
	rows: number[];
	cells: GridCellPlan<M>[];
}

export const TEACHER_GRID_STEPS = [1, 2, 4, 8, 25] as const;

/** Each column's cells at its step counts, in the rows of every step count used. */
function plan<M>(cells: GridCellPlan<M>[]): GridPlan<M> {
	return {
		columns: [...new Set(cells.map((c) => c.column))],
		rows: [...new Set(cells.map((c) => c.steps))].sort((a, b) => a - b),
		cells
	};
}

/**
 * Both models at each step count they offer: the teacher at 1, 2, 4, 8 and 25 steps, the
 * student at those it was trained for. Empty for a folder without a student that takes guidance.
 */
export function modelGrid(m: Manifest): GridPlan<GridRow> {
	const student = modelEntry(m, 'student');
	if (!student?.guidance_input || !student.step_counts?.length) return plan([]);
	const cell = (model: ModelName, steps: number): GridCellPlan<GridRow> => ({
		column: model,
		steps,
		patch: { model, steps },
		unetRuns: model === 'teacher' ? 2 * steps : steps,
		metric: m.metrics?.grid?.find((r) => r.model === model && r.steps === steps)
	});
	return plan([
		...TEACHER_GRID_STEPS.map((steps) => cell('teacher', steps)),
		...student.step_counts.map((steps) => cell('student', steps))
	]);
}

/** The teacher with every sampler the manifest offers at each of the grid's step counts. */
export function samplerGrid(m: Manifest): GridPlan<SamplerRow> {
	const cell = (scheduler: SchedulerName, steps: number): GridCellPlan<SamplerRow> => ({
		column: scheduler,
		steps,
		patch: { model: 'teacher', scheduler, steps },
		unetRuns: 2 * steps,
		metric: m.metrics?.samplers?.find((r) => r.sampler === scheduler && r.steps === steps)
	});
	return plan(
		m.sampler.available.flatMap((scheduler) =>
			TEACHER_GRID_STEPS.map((steps) => cell(scheduler, steps))
		)
	);
}
