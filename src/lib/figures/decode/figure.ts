/** The VAE decoder turning the final latent into the picture. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { timesteps } from '../shared';
import type { Base, Figure, FigureContent, FigureState } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		decode: Props;
	}
}

/** The decoding figure, alone or beside every step's decoded estimate (`compare`). */
export const showDecode =
	(compare: boolean) =>
	({ trace, manifest, dims }: Base, s: FigureState): FigureContent<Props> => ({
		title: 'Decoding the final latent',
		props: {
			finalLatent: trace.finalLatent,
			image: trace.image,
			x0Images: s.x0Images,
			timesteps: timesteps(trace),
			channels: dims.C,
			latentSize: dims.S,
			imageSize: dims.R,
			scale: manifest.latent.scale_factor,
			prompt: trace.settings.prompt,
			compare
		}
	});

export const figure: Figure<Props> = {
	key: '.decode .flow',
	show: showDecode(false),
	notice: ({ dims }) =>
		`The decoder turns ${dims.C} × ${dims.S} × ${dims.S} = ${dims.C * dims.S * dims.S} numbers into 3 × ${dims.R} × ${dims.R} = ${(3 * dims.R * dims.R).toLocaleString('en-US')} pixel values, ${(3 * dims.R * dims.R) / (dims.C * dims.S * dims.S)} times more.`
};
