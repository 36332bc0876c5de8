/** The sample images, their labels and the prompt in one 2D projection of CLIP's space. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import type { ImageCodes, TextCodes } from '../../pipeline/explainer';
import type { Trace } from '../../pipeline/generate';
import { normalize, project2d } from '../../pipeline/similarity';
import { labelsRequest, samplesRequest } from '../requests';
import { closestImage, lastOf, LOADING, SHARED_CLIP_VAE } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'clip-map': Props;
	}
}

/** The CLIP map: the images, then the labels, then the prompt, in one 2D projection. */
const clipMapPoints = lastOf(
	(trace: Trace, images: ImageCodes, labels: TextCodes | null): [number, number][] =>
		labels ? project2d([...images.embeds, ...labels.embeds, trace.textEmbed].map(normalize)) : []
);

export const figure: Figure<Props> = {
	key: '.chart',
	needs: ({ fp }) => [samplesRequest(fp), labelsRequest(fp)],
	sameForStudent: SHARED_CLIP_VAE,
	show: ({ fp, trace, dims }, s) => {
		const images = s.results.get(samplesRequest(fp));
		const labels = s.results.get(labelsRequest(fp)) ?? null;
		if (!images) return LOADING;
		return {
			title: 'Texts and images in one space',
			props: {
				texts: fp.samples.labels,
				images: fp.samples.pixels,
				size: dims.R,
				points: clipMapPoints(trace, images, labels),
				prompt: trace.settings.prompt || '(empty prompt)'
			}
		};
	},
	notice: closestImage
};
