/** The noise schedule: how much of the clean latent survives at each timestep. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { exampleFor } from '../requests';
import { noiseLine } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		schedule: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.chart',
	show: ({ manifest }, s) => {
		const on = s.on;
		return {
			title: 'The noise schedule',
			props: {
				alphasCumprod: manifest.schedule.alphas_cumprod,
				t: exampleFor(s.link).t,
				onchange: (t) => on.change({ level: t })
			}
		};
	},
	notice: ({ manifest }, _s, { level }) => noiseLine(manifest, level)
};
