/** A training example: the U-Net's guess of the noise in it, and the loss. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import type { Manifest } from '../../pipeline/manifest';
import { exampleFor, samplesRequest } from '../requests';
import {
	BARELY_NOISY,
	exampleNeeds,
	exampleResult,
	LOADING,
	MOSTLY_NOISE,
	signalAt
} from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		prediction: Props;
	}
}

/** min(SNR, γ) / SNR at timestep t: how much our training counted that timestep's loss. */
export function minSnrAt(m: Manifest, t: number): { gamma: number; weight: number } | undefined {
	const gamma = m.training.min_snr_gamma;
	const abar = m.schedule.alphas_cumprod[t];
	if (gamma === undefined || abar === undefined) return undefined;
	const snr = abar / (1 - abar);
	return { gamma, weight: Math.min(snr, gamma) / snr };
}

export const figure: Figure<Props> = {
	key: '.prediction .viz-row',
	needs: exampleNeeds,
	sameForStudent:
		"This training example is the teacher's U-Net at work: the student learned from the teacher, not from it, so the model switch does not change this figure.",
	show: ({ fp, dims, manifest }, s) => {
		const key = exampleFor(s.link);
		if (!s.results.get(samplesRequest(fp))?.latents[key.sample]) return LOADING;
		const example = exampleResult(fp, s, key);
		return {
			title: "The U-Net's guess of the noise",
			props: example && {
				noise: example.noised.noise,
				predicted: example.predicted,
				loss: example.loss,
				t: key.t,
				channels: dims.C,
				latentSize: dims.S,
				caption: fp.samples.labels[key.sample]!,
				signal: Math.sqrt(manifest.schedule.alphas_cumprod[key.t] ?? 0),
				minSnr: minSnrAt(manifest, key.t)
			},
			waiting: s.modelReady
				? 'Asking the U-Net…'
				: 'This example needs the live model: it is loading.',
			controls: 'level'
		};
	},
	notice: ({ manifest }, _s, { level: t }) =>
		signalAt(manifest, t) < MOSTLY_NOISE
			? `At t = ${t} x_t is almost all noise, so the noise is easy to read off it: a low loss that says little about the image.`
			: signalAt(manifest, t) > BARELY_NOISY
				? `At t = ${t} the noise is faint and hard to tell from the image: a high loss on noise that barely changes x₀.`
				: `At t = ${t} image and noise are both visible: the U-Net must tell which is which.`
};
