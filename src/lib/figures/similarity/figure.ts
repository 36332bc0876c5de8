/** CLIP's cosine similarity of the prompt and the sample labels against the sample images. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import type { ImageCodes, TextCodes } from '../../pipeline/explainer';
import type { Trace } from '../../pipeline/generate';
import { cosineMatrix } from '../../pipeline/similarity';
import { labelsRequest, samplesRequest } from '../requests';
import { closestImage, lastOf, LOADING, SHARED_CLIP_VAE } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		similarity: Props;
	}
}

/** Rows: the prompt, then each sample label; columns: the sample images. */
const similarityMatrix = lastOf((trace: Trace, images: ImageCodes, labels: TextCodes) =>
	cosineMatrix([trace.textEmbed, ...labels.embeds], images.embeds)
);

export const figure: Figure<Props> = {
	key: '.chart',
	needs: ({ fp }) => [samplesRequest(fp), labelsRequest(fp)],
	sameForStudent: SHARED_CLIP_VAE,
	show: ({ fp, trace, dims }, s) => {
		const images = s.results.get(samplesRequest(fp));
		const labels = s.results.get(labelsRequest(fp));
		if (!images || !labels) return LOADING;
		return {
			title: 'Similarity of texts and images',
			props: {
				texts: [trace.settings.prompt || '(empty prompt)', ...fp.samples.labels],
				images: fp.samples.pixels,
				size: dims.R,
				matrix: similarityMatrix(trace, images, labels)
			}
		};
	},
	notice: closestImage
};
