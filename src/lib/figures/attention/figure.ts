/** Cross-attention: where the U-Net looks for each word at the step on show. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { atStep, LOADING } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		attention: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.map',
	show: ({ trace, dims }, s) => {
		const { i, count, ts } = atStep(trace, s);
		if (!count) return LOADING;
		const on = s.on;
		return {
			title: 'Where the U-Net looks for each word',
			props: {
				tokens: trace.tokens.tokens,
				unknown: trace.tokens.unknown,
				attention: trace.steps[i]!.attention,
				latentSize: dims.S,
				image: s.x0Images[i],
				imageSize: dims.R,
				selected: s.link.word ?? Math.min(1, trace.tokens.tokens.length - 1),
				onselect: (w) => on.change({ word: w }),
				where: `Maps from the prompted U-Net run at step ${i + 1} of ${count} (t = ${ts[i] ?? ''}), over that step's clean estimate`
			},
			scrubber: { value: i, count, timesteps: ts, below: true }
		};
	}
};
