/** The teacher with every sampler at every step count, with the card's quality. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { samplerMetric, samplerPlan } from '../../pipeline/grid';
import type { Manifest } from '../../pipeline/manifest';
import { cell, samplerPatch } from '../requests';
import { LOADING } from '../shared';
import type { Figure, FigureState } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'sampler-grid': Props;
	}
}

const samplerCells = (manifest: Manifest, s: FigureState) =>
	samplerPlan(manifest).map((plan) => {
		const c = s.results.get(cell(manifest, s.link, samplerPatch(plan)));
		return { ...plan, image: c?.image, ms: c?.ms ?? null, metric: samplerMetric(manifest, plan) };
	});

export const figure: Figure<Props> = {
	key: '.sampler-table',
	needs: ({ manifest }, s) =>
		samplerPlan(manifest).map((p) => cell(manifest, s.link, samplerPatch(p))),
	show: ({ manifest, dims, trace }, s) => {
		const cells = samplerCells(manifest, s);
		if (!cells.length) return LOADING;
		return {
			title: 'Every sampler at every step count',
			props: {
				cells,
				size: dims.R,
				chosen: { scheduler: trace.settings.scheduler, steps: trace.settings.steps },
				spacing: trace.settings.spacing
			},
			controls: 'generation'
		};
	}
};
