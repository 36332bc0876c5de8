/**
 * What a figure is: what it reads (FigureState), what it asks of the live model (needs), and
 * what it shows (a title, controls and its component's props). Each folder of src/lib/figures
 * is one figure: its `figure.ts` (pure, unit-tested) and its `Figure.svelte`; the folder's
 * figure.ts adds its component's props to `FigureProps` under the folder's name, so the
 * figures' names and prop types come from the folders.
 */
import type { FirstPaint } from '../pipeline/first-paint-file';
import type { Trace } from '../pipeline/generate';
import type { Manifest } from '../pipeline/manifest';
import type { Request, ResultName, ResultValue } from '../pipeline/results';
import type { Of } from './requests';
import type { CompareDefault, ViewState } from '../url-state';

/**
 * Each figure's component props, by the figure's name: empty here, filled by the folders
 * (`declare module '../types'` in each figure.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FigureProps {}

/** The live figures a prose step can show beside its text: one per folder. */
export type FigureName = keyof FigureProps;

/** Which part of its figure a step is about: the loop's (start, guidance, scheduler) or the editing figure's mask (inpaint). */
export type StepFocus = 'all' | 'start' | 'guidance' | 'scheduler' | 'inpaint';

/** Reads the result cache (live.svelte.ts): the live model's results, else the first paint's. */
export interface ResultReader {
	get<N extends ResultName>(r: Of<N>): ResultValue<N> | undefined;
	/**
	 * The request's result; while it has none, the last one this place of the figure (`slot`)
	 * showed, else `fallback`'s (the first paint's default), so a figure keeps its picture.
	 */
	latest<N extends ResultName>(
		slot: string,
		r: Of<N>,
		fallback?: Of<N>
	): ResultValue<N> | undefined;
	/** Whether the live model computed it (not the build). */
	isLive(r: Request): boolean;
}

/** The reader's own picture for the VAE figure (upload or drawing), encoded once the model is ready. */
export interface OwnImage {
	pixels: Float32Array;
	latent?: Float32Array;
	decoded?: Float32Array;
}

/** Where the figures' events go: changes into the link, the reader's own pictures to the VAE. */
export interface FigureEvents {
	change(patch: Partial<ViewState>): void;
	upload(file: File): void;
	draw(pixels: Float32Array): void;
}

/**
 * Everything a figure reads. ChapterFigure passes getters over the live state, so a figure
 * depends only on the fields it reads: read the fields you need, never spread the object.
 */
export interface FigureState {
	firstPaint: FirstPaint | null;
	firstPaintError: string;
	/** The main generation on show and each step's clean estimate, decoded. */
	trace: Trace | null;
	x0Images: Float32Array[];
	/** Every other result a figure shows, by the request that names it. */
	results: ResultReader;
	modelReady: boolean;
	link: ViewState;
	focus: StepFocus;
	/** The comparison the step shows when the link names none (the link's vs.* wins). */
	compare: CompareDefault;
	own: OwnImage | null;
	ownNote: string;
	on: FigureEvents;
}

/** Latent channels and side, image side, text hidden size. */
export interface Dims {
	C: number;
	S: number;
	R: number;
	H: number;
}

/** What every figure has once the precomputed file is in. */
export interface Base {
	fp: FirstPaint;
	trace: Trace;
	manifest: Manifest;
	dims: Dims;
}

/** A step scrubber over a generation, above the figure unless `below`. */
export interface Scrub {
	value: number;
	count: number;
	timesteps: number[];
	below?: boolean;
}

/** A paragraph under the figure: an equation-like line, or a muted remark. */
export interface FigureNote {
	kind: 'eq' | 'muted';
	text: string;
}

/** What the figure column shows: a figure, or one line saying what it waits for. */
export type FigureContent<P> =
	| { wait: string }
	| {
			title: string;
			/** Undefined while `waiting` says why; title and controls stay (a dragged slider too). */
			props: P | undefined;
			waiting?: string;
			scrubber?: Scrub;
			notes?: FigureNote[];
			/** One line on what to notice in the figure as it is now (`Figure.notice`). */
			notice?: string;
			/** The generation's guidance and seed, or the training example's timestep and image. */
			controls?: 'generation' | 'level';
	  };

/** Where the figure is: the loop step on show, and the training example's level and image. */
export interface NoticeAt {
	step: number;
	level: number;
	sample: number;
}

/** One figure (a folder's figure.ts): what it asks of the live model, and what it shows. */
export interface Figure<P> {
	/**
	 * The part of the figure a step is about (CSS selectors inside the figure): on a phone the
	 * pinned figure column scrolls to it, since the whole figure does not fit beside the text.
	 */
	key: string | ((focus: StepFocus) => string);
	/** What it asks of the model for the link on show (beyond the main generation). */
	needs?(base: Base, s: FigureState): Request[];
	/** Whether the chapter asks for its needs from its first step on (they take long). */
	chapterWide?: boolean;
	/** Said above the figure when the student is chosen: the figure does not change with it. */
	sameForStudent?: string;
	/** Each call returns the same prop keys (ChapterFigure keeps one derived per key). */
	show(base: Base, s: FigureState): FigureContent<P>;
	/** One line on what to notice in the figure as it is now, unless `show` gave one. */
	notice?(base: Base, s: FigureState, at: NoticeAt): string | undefined;
}
