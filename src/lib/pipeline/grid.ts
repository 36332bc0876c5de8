/**
 * The grids of pictures at several step counts, on one prompt and seed, each cell with its
 * U-Net runs, its time and the model card's quality for exactly that row: the distillation
 * chapter's (each model at each step count it offers: the teacher at 1, 2, 4, 8 and 25 steps,
 * the student at the step counts it was trained for) and the loop chapter's (the teacher with
 * each sampler at those step counts).
 */
import {
	modelEntry,
	type GridRow,
	type Manifest,
	type ModelName,
	type SamplerRow,
	type SchedulerName
} from './manifest';

export interface GridCellPlan {
	model: ModelName;
	steps: number;
	/** U-Net runs per image: two per step for the teacher (guidance), one for the student. */
	unetRuns: number;
}

export const TEACHER_GRID_STEPS = [1, 2, 4, 8, 25] as const;

/** Every cell, teacher first; none for a folder without a student that takes guidance. */
export function gridPlan(m: Manifest): GridCellPlan[] {
	const student = modelEntry(m, 'student');
	if (!student?.guidance_input || !student.step_counts?.length) return [];
	return [
		...TEACHER_GRID_STEPS.map((steps) => ({
			model: 'teacher' as const,
			steps,
			unetRuns: 2 * steps
		})),
		...student.step_counts.map((steps) => ({ model: 'student' as const, steps, unetRuns: steps }))
	];
}

/** The model card's measurement of one cell, if it has one. */
export function gridMetric(m: Manifest, cell: GridCellPlan): GridRow | undefined {
	return m.metrics?.grid?.find((r) => r.model === cell.model && r.steps === cell.steps);
}

export interface SamplerCellPlan {
	scheduler: SchedulerName;
	steps: number;
	/** U-Net runs per image: two per step (the teacher, with guidance). */
	unetRuns: number;
}

/** Every sampler the manifest offers at each of the teacher's grid step counts, sampler by sampler. */
export function samplerPlan(m: Manifest): SamplerCellPlan[] {
	return m.sampler.available.flatMap((scheduler) =>
		TEACHER_GRID_STEPS.map((steps) => ({ scheduler, steps, unetRuns: 2 * steps }))
	);
}

/** The model card's measurement of one sampler cell, if it has one. */
export function samplerMetric(m: Manifest, cell: SamplerCellPlan): SamplerRow | undefined {
	return m.metrics?.samplers?.find((r) => r.sampler === cell.scheduler && r.steps === cell.steps);
}
