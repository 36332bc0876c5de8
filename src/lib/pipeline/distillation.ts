/** How the student was distilled, as the distillation chapter draws it, read from the manifest. */
import { modelEntry, type Manifest, type ModelName } from './manifest';
import { trailingTimesteps } from './scheduler';

/** One model sampled on one DDIM grid; `note` says how it came to be. */
export interface RecipeRow {
	label: string;
	timesteps: number[];
	note: string;
}

const who = (m: ModelName) => (m === 'teacher' ? 'Teacher' : 'Student');

/** The teacher's grid, then each round of the student under the grid it learned from. */
export function distillationRows(m: Manifest): RecipeRow[] {
	const rounds = modelEntry(m, 'student')?.rounds ?? [];
	if (!rounds.length) return [];
	const T = m.schedule.num_train_timesteps;
	const rows: RecipeRow[] = [
		{
			label: `Teacher: ${m.sampler.steps} steps`,
			timesteps: trailingTimesteps(T, m.sampler.steps),
			note: 'trained on the images'
		}
	];
	for (const r of rounds) {
		const from = `${who(r.from)}: ${r.from_steps} steps`;
		if (rows.at(-1)!.label !== from)
			rows.push({
				label: from,
				timesteps: trailingTimesteps(T, r.from_steps),
				note: 'the same model, fewer steps'
			});
		rows.push({
			label: `Student: ${r.steps} steps`,
			timesteps: trailingTimesteps(T, r.steps),
			note: `1 jump = 2 of the row above (${r.minutes.toFixed(0)} min)`
		});
	}
	return rows;
}

/** Minutes the student spent copying the teacher's noise at every t, before any round. */
export function copyMinutes(m: Manifest): number {
	const e = modelEntry(m, 'student');
	return (e?.minutes ?? 0) - (e?.rounds ?? []).reduce((sum, r) => sum + r.minutes, 0);
}
