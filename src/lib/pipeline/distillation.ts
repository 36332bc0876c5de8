/** How the student was distilled, as the distillation chapter draws it, read from the manifest. */
import { modelEntry, type Manifest } from './manifest';
import { trailingTimesteps } from './scheduler';

/** One model sampled on one DDIM grid; `note` says how it came to be. */
export interface RecipeRow {
	label: string;
	timesteps: number[];
	note: string;
}

/**
 * The teacher's grid whose paths the student learned from, then the student at each step
 * count it was trained for, finest first: each of its jumps spans 16 / N of the teacher's
 * steps (the grids are nested, so every jump starts and ends on a teacher step).
 */
export function distillationRows(m: Manifest): RecipeRow[] {
	const e = modelEntry(m, 'student');
	if (!e?.teacher_steps || !e.step_counts?.length) return [];
	const T = m.schedule.num_train_timesteps;
	const K = e.teacher_steps;
	const paths = e.paths ? `${e.paths.toLocaleString('en-US')} paths` : 'its paths';
	return [
		{
			label: `Teacher: ${K} steps`,
			timesteps: trailingTimesteps(T, K),
			note: `guided, 2 runs a step: ${paths}`
		},
		...[...e.step_counts]
			.sort((a, b) => b - a)
			.map((n) => ({
				label: `Student: ${n} step${n === 1 ? '' : 's'}`,
				timesteps: trailingTimesteps(T, n),
				note: `1 jump = ${K / n} teacher steps`
			}))
	];
}
