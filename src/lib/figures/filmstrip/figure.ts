/** Every step's clean estimate in a row: the image forming. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { atStep, LOADING, phaseLine } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		filmstrip: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.viz-row',
	show: ({ trace, dims }, s) => {
		const { i, count, ts } = atStep(trace, s);
		if (!count) return LOADING;
		const on = s.on;
		return {
			title: 'The image forming, step by step',
			scrubber: { value: i, count, timesteps: ts },
			props: {
				images: s.x0Images,
				size: dims.R,
				current: i,
				count,
				timesteps: ts,
				onselect: (j) => on.change({ t: j })
			}
		};
	},
	notice: ({ manifest, trace }, _s, { step }) => phaseLine(manifest, trace, step)
};
