/** The live figures a prose step can show beside its text (see figures.ts, the registry). */
export type ViewName =
	| 'embedding'
	| 'tokens'
	| 'similarity'
	| 'clip-map'
	| 'vae'
	| 'schedule'
	| 'noising'
	| 'prediction'
	| 'attention'
	| 'loop'
	| 'path'
	| 'filmstrip'
	| 'decode'
	| 'decode-compare'
	| 'distill-compare'
	| 'compare'
	| 'distill-path'
	| 'distill-lessons'
	| 'distill-grid'
	| 'sampler-grid'
	| 'edit';

/** Which part of the loop figure a step points at ('inpaint': the editing figure's mask). */
export type LoopFocus = 'all' | 'start' | 'guidance' | 'scheduler' | 'inpaint';
