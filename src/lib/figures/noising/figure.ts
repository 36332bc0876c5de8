/** A training example: a sample's latent noised to the link's timestep. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { noiseLatent } from '../../pipeline/training-step';
import { exampleFor, samplesRequest } from '../requests';
import { exampleNeeds, exampleResult, lastOf, LOADING, noiseLine } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		noising: Props;
	}
}

const noised = lastOf(noiseLatent);

export const figure: Figure<Props> = {
	key: '.noising .viz-row',
	needs: exampleNeeds,
	show: ({ fp, manifest, dims }, s) => {
		const key = exampleFor(s.link);
		const latent = s.results.get(samplesRequest(fp))?.latents[key.sample];
		if (!latent) return LOADING;
		const n = noised(manifest, latent, key.t, key.seed);
		return {
			title: `Noising “${fp.samples.labels[key.sample] ?? ''}” at t = ${key.t}`,
			props: {
				x0: latent,
				noise: n.noise,
				noisy: n.noisy,
				t: key.t,
				signal: n.signal,
				noiseLevel: n.noiseLevel,
				channels: dims.C,
				latentSize: dims.S,
				image: fp.samples.pixels[key.sample]!,
				noisyImage: exampleResult(fp, s, key)?.noisyImage,
				imageSize: dims.R,
				label: fp.samples.labels[key.sample]!
			},
			controls: 'level'
		};
	},
	notice: ({ manifest }, _s, { level }) => noiseLine(manifest, level)
};
