/** The decoding figure beside every step's decoded clean estimate. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { showDecode } from '../decode/figure';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'decode-compare': Props;
	}
}

export const figure: Figure<Props> = {
	key: '.earlier',
	show: showDecode(true),
	notice: () =>
		'Early estimates are soft averages; each step commits to more of one picture, and the last estimate is the picture itself.'
};
