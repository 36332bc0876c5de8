/** The text encoder's output for the prompt: its tokens' hidden states and the pooled embedding. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { SHARED_CLIP_VAE } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		embedding: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.embedding',
	sameForStudent: SHARED_CLIP_VAE,
	show: ({ trace, dims }) => ({
		title: `What the text encoder makes of “${trace.settings.prompt}”`,
		props: {
			tokens: trace.tokens.tokens,
			hidden: trace.textHidden,
			embed: trace.textEmbed,
			hiddenSize: dims.H
		}
	}),
	notice: ({ trace, manifest }) => {
		const L = manifest.text.context_length;
		const n = trace.tokens.tokens.length;
		return trace.settings.prompt
			? `“${trace.settings.prompt}” fills ${n} of the ${L} rows ([CLS], its tokens, [SEP]); the other ${L - n} are padding, and the U-Net reads all ${L}.`
			: `An empty prompt still makes ${L} vectors ([CLS], [SEP], padding): this is what the “without the prompt” half of guidance reads.`;
	}
};
