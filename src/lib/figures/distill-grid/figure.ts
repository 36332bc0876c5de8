/** Every model at every step count, on the reader's prompt and seed, with the card's quality. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { modelGrid } from '../../pipeline/grid';
import type { Manifest } from '../../pipeline/manifest';
import { cell } from '../requests';
import { LOADING, pairNeeds, withPair } from '../shared';
import type { Figure, FigureState } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'distill-grid': Props;
	}
}

/** Every model at every step count: live cells where the page has run them, the card's quality. */
const gridCells = (manifest: Manifest, s: FigureState) =>
	modelGrid(manifest).cells.map((plan) => {
		const c = s.results.get(cell(manifest, s.link, plan.patch));
		return { ...plan, image: c?.image, ms: c?.ms ?? null };
	});

export const figure: Figure<Props> = {
	key: '.grid-table',
	needs: (base, s) => [
		...pairNeeds(base, s),
		...modelGrid(base.manifest).cells.map((p) => cell(base.manifest, s.link, p.patch))
	],
	chapterWide: true,
	show: (base, s) => {
		const cells = gridCells(base.manifest, s);
		if (!cells.length) return withPair(base, s, () => LOADING);
		return {
			title: 'Every model at every step count',
			props: { cells, rows: modelGrid(base.manifest).rows, size: base.dims.R },
			controls: 'generation'
		};
	}
};
