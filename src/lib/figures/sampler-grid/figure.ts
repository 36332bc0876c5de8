/** The teacher with every sampler at every step count, with the card's quality. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { samplerGrid } from '../../pipeline/grid';
import type { Manifest } from '../../pipeline/manifest';
import { cell } from '../requests';
import { LOADING } from '../shared';
import type { Figure, FigureState } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'sampler-grid': Props;
	}
}

const samplerCells = (manifest: Manifest, s: FigureState) =>
	samplerGrid(manifest).cells.map((plan) => {
		const c = s.results.get(cell(manifest, s.link, plan.patch));
		return { ...plan, image: c?.image, ms: c?.ms ?? null };
	});

export const figure: Figure<Props> = {
	key: '.sampler-table',
	needs: ({ manifest }, s) =>
		samplerGrid(manifest).cells.map((p) => cell(manifest, s.link, p.patch)),
	show: ({ manifest, dims, trace }, s) => {
		const cells = samplerCells(manifest, s);
		if (!cells.length) return LOADING;
		return {
			title: 'Every sampler at every step count',
			props: {
				cells,
				rows: samplerGrid(manifest).rows,
				columns: manifest.sampler.available,
				size: dims.R,
				chosen: { scheduler: trace.settings.scheduler, steps: trace.settings.steps },
				spacing: trace.settings.spacing
			},
			controls: 'generation'
		};
	}
};
