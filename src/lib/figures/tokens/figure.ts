/** The prompt as the tokenizer cuts it: its tokens, ids and padding. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { tokensMessage } from '../../viz/tokens';
import { SHARED_CLIP_VAE } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		tokens: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.tokens',
	sameForStudent: SHARED_CLIP_VAE,
	show: ({ trace }) => {
		const { tokens, ids, unknown, dropped } = trace.tokens;
		const shown = ids.slice(0, tokens.length).join(', ');
		return {
			title: `“${trace.settings.prompt}” as tokens`,
			props: { tokens, unknown },
			notes: [
				{ kind: 'eq', text: `ids: [${shown}] + ${ids.length - tokens.length} × [PAD]` },
				{
					kind: 'muted',
					text: `${tokensMessage(tokens, dropped)} Try a word the emoji never used.`
				}
			]
		};
	}
};
