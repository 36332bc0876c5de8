/** The generation's path through latent space, projected to 2D. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import type { Trace } from '../../pipeline/generate';
import { project2d } from '../../pipeline/similarity';
import { atStep, lastOf, LOADING, phaseLine } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		path: Props;
	}
}

/** Each step's latent, then the final latent, in 2D. */
const pathPoints = lastOf((trace: Trace) =>
	project2d([...trace.steps.map((s) => s.x), trace.finalLatent])
);

export const figure: Figure<Props> = {
	key: '.viz-row',
	show: ({ trace, dims }, s) => {
		const { i, count, ts } = atStep(trace, s);
		if (!count) return LOADING;
		return {
			title: `From noise to “${trace.settings.prompt}”`,
			scrubber: { value: i, count, timesteps: ts },
			props: {
				points: pathPoints(trace),
				current: i,
				timesteps: ts,
				image: s.x0Images[i],
				imageSize: dims.R
			}
		};
	},
	notice: ({ manifest, trace }, _s, { step }) => phaseLine(manifest, trace, step)
};
