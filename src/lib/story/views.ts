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

/** Which part of its figure a step is about: the loop's (start, guidance, scheduler) or the editing figure's mask (inpaint). */
export type StepFocus = 'all' | 'start' | 'guidance' | 'scheduler' | 'inpaint';
