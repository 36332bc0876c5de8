/**
 * The state a figure reads (figures/types.ts FigureState), as getters over the shared live
 * state and the component's own: a figure's derivation then depends only on the fields it
 * reads.
 */
import { live } from '$lib/live.svelte';
import { model } from '$lib/model.svelte';
import type { FigureEvents, FigureState } from '$lib/figures/types';

type Local = Pick<FigureState, 'link' | 'focus' | 'compare' | 'own' | 'ownNote'>;

export function figureState(local: () => Local, on: FigureEvents): FigureState {
	return {
		get firstPaint() {
			return live.firstPaint;
		},
		get firstPaintError() {
			return live.firstPaintError;
		},
		get trace() {
			return live.trace;
		},
		get x0Images() {
			return live.x0Images;
		},
		results: {
			get: (r) => live.get(r),
			latest: (slot, r, fallback) => live.latest(slot, r, fallback),
			isLive: (r) => live.isLive(r)
		},
		get modelReady() {
			return model.status === 'ready';
		},
		get link() {
			return local().link;
		},
		get focus() {
			return local().focus;
		},
		get compare() {
			return local().compare;
		},
		get own() {
			return local().own;
		},
		get ownNote() {
			return local().ownNote;
		},
		on
	};
}
