/** The VAE's round trip: a picture (a sample or the reader's own), its latent, and back. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { exampleFor, samplesRequest } from '../requests';
import { LOADING, psnr, SHARED_CLIP_VAE } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		vae: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.chain',
	needs: ({ fp }) => [samplesRequest(fp)],
	sameForStudent: SHARED_CLIP_VAE,
	show: ({ fp, dims }, s) => {
		const images = s.results.get(samplesRequest(fp));
		if (!images) return LOADING;
		const { sample } = exampleFor(s.link);
		// The reader's own picture until they pick a sample again.
		const own = s.link.image === undefined ? s.own : null;
		const on = s.on;
		return {
			title: "The VAE's round trip",
			props: {
				labels: fp.samples.labels,
				thumbs: fp.samples.pixels,
				selected: own ? -1 : sample,
				onselect: (i) => on.change({ image: i }),
				pixels: own ? own.pixels : fp.samples.pixels[sample]!,
				latent: own ? own.latent : images.latents[sample],
				decoded: own ? own.decoded : images.decoded[sample],
				imageSize: dims.R,
				channels: dims.C,
				latentSize: dims.S,
				onupload: on.upload,
				ondraw: on.draw,
				uploadNote: s.ownNote
			}
		};
	},
	notice: ({ fp, dims }, s, { sample }) => {
		const own = s.link.image === undefined ? s.own : null;
		const original = own ? own.pixels : fp.samples.pixels[sample];
		const decoded = own ? own.decoded : s.results.get(samplesRequest(fp))?.decoded[sample];
		if (!original || !decoded) return undefined;
		return `The round trip keeps ${psnr(original, decoded).toFixed(1)} dB PSNR: shapes and colours survive ${dims.C * dims.S * dims.S} numbers, the finest detail does not.`;
	}
};
