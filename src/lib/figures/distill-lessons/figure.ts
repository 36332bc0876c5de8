/** The distillation recipe, grid by grid: which teacher points each student jump learned from. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { distillationRows } from '../../pipeline/distillation';
import { lastOf, LOADING, pairNeeds, withPair } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'distill-lessons': Props;
	}
}

const recipe = lastOf(distillationRows);

export const figure: Figure<Props> = {
	key: '.lessons',
	needs: pairNeeds,
	chapterWide: true,
	show: (base, s) =>
		withPair(base, s, () => {
			const rows = recipe(base.manifest);
			if (!rows.length) return LOADING;
			return {
				title: 'Distillation, grid by grid',
				props: { rows, T: base.manifest.schedule.num_train_timesteps },
				notes: [
					{
						kind: 'muted',
						text: "Every student jump ends on a point of the teacher's own guided paths (the grids are nested). A first jump starts from the path's noise; a later one, in half of the training batches, starts where the student's own earlier jumps led."
					}
				]
			};
		})
};
