/**
 * The figure registry: for each live figure a step can name (views.ts), what it asks of the
 * live model, and how its title, controls and component props follow from the shared state.
 * Pure (no DOM, no runes), so the derivations are unit-tested; ChapterFigure.svelte maps each
 * name to its component and renders what `showFigure` returns.
 */
import type { ComponentProps } from 'svelte';
import type { Shown } from '../live.svelte';
import {
	DEFAULT_MASK,
	EDIT_STRENGTHS,
	latentId,
	maskFromLink,
	maskToLink,
	presetMask
} from '../pipeline/editing';
import { distillationRows } from '../pipeline/distillation';
import type { ImageCodes, TextCodes } from '../pipeline/explainer';
import { editSample, type FirstPaint } from '../pipeline/first-paint-file';
import { timestepsFor } from '../pipeline/scheduler';
import { DEFAULT_STRENGTH } from '../pipeline/settings';
import type { Trace } from '../pipeline/generate';
import { gridMetric, gridPlan, samplerMetric, samplerPlan } from '../pipeline/grid';
import type { Manifest } from '../pipeline/manifest';
import { alignByT, divergence, newTokens } from '../pipeline/compare';
import { curveNotice, settingsChange, sideNotes } from './compare-text';
import type { Request, ResultName, ResultValue } from '../pipeline/results';
import { cosineMatrix, normalize, project2d } from '../pipeline/similarity';
import { noiseLatent } from '../pipeline/training-step';
import type { CompareDefault, ViewState } from '../url-state';
import {
	cell,
	compareRequests,
	exampleFor,
	exampleRequest,
	labelsRequest,
	linkSettings,
	pairRequests,
	precomputedSamples,
	samplerPatch,
	samplesRequest,
	type ExampleKey,
	type Of
} from './requests';
import { tokensMessage } from '../viz/tokens';
import type AttentionView from '../viz/AttentionView.svelte';
import type DecodeView from '../viz/DecodeView.svelte';
import type CompareView from '../viz/CompareView.svelte';
import type DistillGrid from '../viz/DistillGrid.svelte';
import type DistillPathFigure from '../viz/DistillPathFigure.svelte';
import type DistillLessons from '../viz/DistillLessons.svelte';
import type EditView from '../viz/EditView.svelte';
import type SamplerGrid from '../viz/SamplerGrid.svelte';
import type EmbeddingMap from '../viz/EmbeddingMap.svelte';
import type EmbeddingView from '../viz/EmbeddingView.svelte';
import type FilmstripFigure from '../viz/FilmstripFigure.svelte';
import type LoopView from '../viz/LoopView.svelte';
import type NoisingView from '../viz/NoisingView.svelte';
import type PathFigure from '../viz/PathFigure.svelte';
import type PredictionView from '../viz/PredictionView.svelte';
import type ScheduleChart from '../viz/ScheduleChart.svelte';
import type SimilarityView from '../viz/SimilarityView.svelte';
import type TokensView from '../viz/TokensView.svelte';
import type VaeView from '../viz/VaeView.svelte';
import { noticeFor } from './notices';
import type { StepFocus, ViewName } from './views';

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
			/** One line on what to notice in the figure as it is now (notices.ts). */
			notice?: string;
			/** The generation's guidance and seed, or the training example's timestep and image. */
			controls?: 'generation' | 'level';
	  };

/** Each figure's component props (ChapterFigure.svelte maps each name to its component). */
export interface FigureProps {
	embedding: ComponentProps<typeof EmbeddingView>;
	tokens: ComponentProps<typeof TokensView>;
	similarity: ComponentProps<typeof SimilarityView>;
	'clip-map': ComponentProps<typeof EmbeddingMap>;
	vae: ComponentProps<typeof VaeView>;
	schedule: ComponentProps<typeof ScheduleChart>;
	noising: ComponentProps<typeof NoisingView>;
	prediction: ComponentProps<typeof PredictionView>;
	attention: ComponentProps<typeof AttentionView>;
	loop: ComponentProps<typeof LoopView>;
	path: ComponentProps<typeof PathFigure>;
	filmstrip: ComponentProps<typeof FilmstripFigure>;
	decode: ComponentProps<typeof DecodeView>;
	'decode-compare': ComponentProps<typeof DecodeView>;
	'distill-compare': ComponentProps<typeof CompareView>;
	compare: ComponentProps<typeof CompareView>;
	'distill-path': ComponentProps<typeof DistillPathFigure>;
	'distill-lessons': ComponentProps<typeof DistillLessons>;
	'distill-grid': ComponentProps<typeof DistillGrid>;
	'sampler-grid': ComponentProps<typeof SamplerGrid>;
	edit: ComponentProps<typeof EditView>;
}

/** One registry entry: what the figure asks of the live model, and what it shows. */
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
}

const LOADING = { wait: 'Loading the figure…' };
const SHARED_CLIP_VAE =
	'The student shares CLIP and the VAE with the teacher, so the model switch does not change this figure.';

/**
 * The last result for the same arguments (compared by identity): figures are recomputed on
 * every change they read, and this keeps the heavy derivations, and the identity of what the
 * components get, as they were.
 */
function lastOf<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
	let last: { args: A; result: R } | undefined;
	return (...args) => {
		if (!last || args.some((a, i) => a !== last!.args[i])) last = { args, result: fn(...args) };
		return last.result;
	};
}

const dimsOf = (m: Manifest): Dims => ({
	C: m.latent.channels,
	S: m.latent.size,
	R: m.image.size,
	H: m.text.hidden_size
});

/** The main generation's step on show: the link's, else the one the prose is about. */
export function stepIndex(trace: Trace, link: ViewState, focus: StepFocus): number {
	const n = trace.steps.length;
	const fallback = focus === 'start' ? 0 : focus === 'all' ? n - 1 : Math.floor(n / 2);
	return Math.min(link.t ?? fallback, n - 1);
}

/** The student's latest step at or before the teacher's t: both distillation views pair these. */
export function studentStep(teacher: Trace, student: Trace, teacherIndex: number): number {
	return alignByT(teacher, student, teacherIndex);
}

/** Each trace's timesteps, made once per trace: the components get the same array every time. */
const timestepsOf = new WeakMap<Trace, number[]>();
function timesteps(trace: Trace): number[] {
	let ts = timestepsOf.get(trace);
	if (!ts) timestepsOf.set(trace, (ts = trace.steps.map((s) => s.t)));
	return ts;
}

/** What the loop draws: at guidance 0 the teacher ignores the prompt (and, with a negative
 * prompt, draws that one's picture), so the title must not name the prompt alone. */
export function loopSubject(s: Trace['settings']): string {
	if (s.model === 'student' || s.guidance !== 0) return `The loop for “${s.prompt}”`;
	return s.negativePrompt
		? `The loop at guidance 0: the picture of “${s.negativePrompt}”`
		: `The loop at guidance 0: no prompt (“${s.prompt}” ignored)`;
}

/** min(SNR, γ) / SNR at timestep t: how much our training counted that timestep's loss. */
export function minSnrAt(m: Manifest, t: number): { gamma: number; weight: number } | undefined {
	const gamma = m.training.min_snr_gamma;
	const abar = m.schedule.alphas_cumprod[t];
	if (gamma === undefined || abar === undefined) return undefined;
	const snr = abar / (1 - abar);
	return { gamma, weight: Math.min(snr, gamma) / snr };
}

/** The main generation's step on show, its number of steps (0 while it has none) and timesteps. */
function atStep(trace: Trace, s: FigureState) {
	return { i: stepIndex(trace, s.link, s.focus), count: trace.steps.length, ts: timesteps(trace) };
}

/** Rows: the prompt, then each sample label; columns: the sample images. */
const similarityMatrix = lastOf((trace: Trace, images: ImageCodes, labels: TextCodes) =>
	cosineMatrix([trace.textEmbed, ...labels.embeds], images.embeds)
);

/** The CLIP map: the images, then the labels, then the prompt, in one 2D projection. */
const clipMapPoints = lastOf(
	(trace: Trace, images: ImageCodes, labels: TextCodes | null): [number, number][] =>
		labels ? project2d([...images.embeds, ...labels.embeds, trace.textEmbed].map(normalize)) : []
);

/** Each step's latent, then the final latent, in 2D. */
const pathPoints = lastOf((trace: Trace) =>
	project2d([...trace.steps.map((s) => s.x), trace.finalLatent])
);

/** Both generations' paths in one projection, so they can be drawn on the same axes. */
const distillPaths = lastOf((a: Trace, b: Trace) => {
	const points = project2d([
		...[...a.steps.map((s) => s.x), a.finalLatent],
		...[...b.steps.map((s) => s.x), b.finalLatent]
	]);
	return {
		teacher: points.slice(0, a.steps.length + 1),
		student: points.slice(a.steps.length + 1)
	};
});

/** The comparison's two paths, as its component names them. */
const comparePaths = lastOf((a: Trace, b: Trace) => {
	const p = distillPaths(a, b);
	return { a: p.teacher, b: p.student };
});

const noised = lastOf(noiseLatent);
const curveOf = lastOf(divergence);
const recipe = lastOf(distillationRows);

/** Each generation's shown form, made once: the components get the same object every time. */
const shownForms = new WeakMap<object, Partial<Record<Shown['source'], Shown>>>();

/** A generation as shown, held per slot while the next one is computed (ResultReader.latest). */
function shown(
	s: FigureState,
	slot: string,
	r: Of<'generation'>,
	fallback: Of<'generation'>
): Shown | null {
	const g = s.results.latest(slot, r, fallback);
	if (!g) return null;
	const source = s.results.isLive(r) ? 'live' : 'precomputed';
	const forms = shownForms.get(g) ?? {};
	shownForms.set(g, forms);
	return (forms[source] ??= { ...g, source });
}

/** Every model at every step count: live cells where the page has run them, the card's quality. */
const gridCells = (manifest: Manifest, s: FigureState) =>
	gridPlan(manifest).map((plan) => {
		const c = s.results.get(cell(manifest, s.link, { model: plan.model, steps: plan.steps }));
		return { ...plan, image: c?.image, ms: c?.ms ?? null, metric: gridMetric(manifest, plan) };
	});

const samplerCells = (manifest: Manifest, s: FigureState) =>
	samplerPlan(manifest).map((plan) => {
		const c = s.results.get(cell(manifest, s.link, samplerPatch(plan)));
		return { ...plan, image: c?.image, ms: c?.ms ?? null, metric: samplerMetric(manifest, plan) };
	});

/** The training example the link asks for, if computed. */
function exampleResult(fp: FirstPaint, s: FigureState, key: ExampleKey) {
	const r = exampleRequest(fp, key);
	return r && s.results.get(r);
}

const exampleNeeds = (fp: FirstPaint, s: FigureState): Request[] => {
	const r = exampleRequest(fp, exampleFor(s.link));
	return r ? [samplesRequest(fp), r] : [];
};

/** The distillation figures wait for both models' generations. */
function withPair<P>(
	{ manifest }: Base,
	s: FigureState,
	show: (teacher: Shown, student: Shown) => FigureContent<P>
): FigureContent<P> {
	const pair = pairRequests(manifest, s.link);
	const defaults = pairRequests(manifest, {});
	const teacher = shown(s, 'teacher', pair.teacher, defaults.teacher);
	const student = manifest.models?.student
		? shown(s, 'student', pair.student, defaults.student)
		: null;
	if (teacher && student) return show(teacher, student);
	return {
		wait: manifest.models?.student
			? 'Running the other model…'
			: 'This model folder has no distilled student.'
	};
}

const decode =
	(compare: boolean) =>
	({ trace, manifest, dims }: Base, s: FigureState): FigureContent<FigureProps['decode']> => ({
		title: 'Decoding the final latent',
		props: {
			finalLatent: trace.finalLatent,
			image: trace.image,
			x0Images: s.x0Images,
			timesteps: timesteps(trace),
			channels: dims.C,
			latentSize: dims.S,
			imageSize: dims.R,
			scale: manifest.latent.scale_factor,
			prompt: trace.settings.prompt,
			compare
		}
	});

/**
 * What the editing figure shows and asks of the model: the link's picture (a sample, or the
 * reader's own), its strength and, on the inpainting step, its mask (the default preset when
 * the link names none; 'none' turns it off), and one edit per strength of the strip, the
 * chosen one first. Undefined while the picture has no latent.
 */
export function editPlan(
	{ fp, manifest }: Pick<Base, 'fp' | 'manifest'>,
	s: Pick<FigureState, 'link' | 'focus' | 'own'>
) {
	const S = manifest.latent.size;
	const inpaint = s.focus === 'inpaint';
	const own = s.link.image === undefined ? s.own : null;
	const sample = own ? -1 : (s.link.image ?? editSample(fp.samples));
	const latent = own ? own.latent : precomputedSamples(fp)?.latents[sample];
	if (!latent) return undefined;
	const link = inpaint ? (s.link.mask ?? DEFAULT_MASK) : 'none';
	const mask = link === 'none' ? null : (maskFromLink(link, S) ?? presetMask(DEFAULT_MASK, S));
	const strength = s.link.strength ?? (inpaint ? 1 : DEFAULT_STRENGTH);
	const settings = linkSettings(manifest, s.link);
	const strengths = [...new Set([...EDIT_STRENGTHS, strength])].sort((a, b) => a - b);
	const request = (st: number, detailed = st === strength): Of<'edit'> => ({
		name: 'edit',
		args: {
			settings,
			source: own ? `own:${latentId(latent)}` : `sample:${sample}`,
			maskLink: mask && maskToLink(mask, S),
			edit: mask ? { latent, mask } : { latent },
			strength: st,
			detailed
		}
	});
	return { settings, strengths, strength, mask, sample, request };
}

export const FIGURES: { [V in ViewName]: Figure<FigureProps[V]> } = {
	embedding: {
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
		})
	},
	tokens: {
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
	},
	similarity: {
		key: '.chart',
		needs: ({ fp }) => [samplesRequest(fp), labelsRequest(fp)],
		sameForStudent: SHARED_CLIP_VAE,
		show: ({ fp, trace, dims }, s) => {
			const images = s.results.get(samplesRequest(fp));
			const labels = s.results.get(labelsRequest(fp));
			if (!images || !labels) return LOADING;
			return {
				title: 'Similarity of texts and images',
				props: {
					texts: [trace.settings.prompt || '(empty prompt)', ...fp.samples.labels],
					images: fp.samples.pixels,
					size: dims.R,
					matrix: similarityMatrix(trace, images, labels)
				}
			};
		}
	},
	'clip-map': {
		key: '.chart',
		needs: ({ fp }) => [samplesRequest(fp), labelsRequest(fp)],
		sameForStudent: SHARED_CLIP_VAE,
		show: ({ fp, trace, dims }, s) => {
			const images = s.results.get(samplesRequest(fp));
			const labels = s.results.get(labelsRequest(fp)) ?? null;
			if (!images) return LOADING;
			return {
				title: 'Texts and images in one space',
				props: {
					texts: fp.samples.labels,
					images: fp.samples.pixels,
					size: dims.R,
					points: clipMapPoints(trace, images, labels),
					prompt: trace.settings.prompt || '(empty prompt)'
				}
			};
		}
	},
	vae: {
		key: '.chain',
		needs: ({ fp }) => [samplesRequest(fp)],
		sameForStudent: SHARED_CLIP_VAE,
		show: ({ fp, dims }, s) => {
			const images = s.results.get(samplesRequest(fp));
			if (!images) return LOADING;
			const { sample } = exampleFor(s.link);
			// The reader's own picture until they pick a sample again.
			const own = s.link.image === undefined ? s.own : null;
			const on = s.on;
			return {
				title: "The VAE's round trip",
				props: {
					labels: fp.samples.labels,
					thumbs: fp.samples.pixels,
					selected: own ? -1 : sample,
					onselect: (i) => on.change({ image: i }),
					pixels: own ? own.pixels : fp.samples.pixels[sample]!,
					latent: own ? own.latent : images.latents[sample],
					decoded: own ? own.decoded : images.decoded[sample],
					imageSize: dims.R,
					channels: dims.C,
					latentSize: dims.S,
					onupload: on.upload,
					ondraw: on.draw,
					uploadNote: s.ownNote
				}
			};
		}
	},
	schedule: {
		key: '.chart',
		show: ({ manifest }, s) => {
			const on = s.on;
			return {
				title: 'The noise schedule',
				props: {
					alphasCumprod: manifest.schedule.alphas_cumprod,
					t: exampleFor(s.link).t,
					onchange: (t) => on.change({ level: t })
				}
			};
		}
	},
	noising: {
		key: '.noising .viz-row',
		needs: ({ fp }, s) => exampleNeeds(fp, s),
		show: ({ fp, manifest, dims }, s) => {
			const key = exampleFor(s.link);
			const latent = s.results.get(samplesRequest(fp))?.latents[key.sample];
			if (!latent) return LOADING;
			const n = noised(manifest, latent, key.t, key.seed);
			return {
				title: `Noising “${fp.samples.labels[key.sample] ?? ''}” at t = ${key.t}`,
				props: {
					x0: latent,
					noise: n.noise,
					noisy: n.noisy,
					t: key.t,
					signal: n.signal,
					noiseLevel: n.noiseLevel,
					channels: dims.C,
					latentSize: dims.S,
					image: fp.samples.pixels[key.sample]!,
					noisyImage: exampleResult(fp, s, key)?.noisyImage,
					imageSize: dims.R,
					label: fp.samples.labels[key.sample]!
				},
				controls: 'level'
			};
		}
	},
	prediction: {
		key: '.prediction .viz-row',
		needs: ({ fp }, s) => exampleNeeds(fp, s),
		sameForStudent:
			"This training example is the teacher's U-Net at work: the student learned from the teacher, not from it, so the model switch does not change this figure.",
		show: ({ fp, dims, manifest }, s) => {
			const key = exampleFor(s.link);
			if (!s.results.get(samplesRequest(fp))?.latents[key.sample]) return LOADING;
			const example = exampleResult(fp, s, key);
			return {
				title: "The U-Net's guess of the noise",
				props: example && {
					noise: example.noised.noise,
					predicted: example.predicted,
					loss: example.loss,
					t: key.t,
					channels: dims.C,
					latentSize: dims.S,
					caption: fp.samples.labels[key.sample]!,
					signal: Math.sqrt(manifest.schedule.alphas_cumprod[key.t] ?? 0),
					minSnr: minSnrAt(manifest, key.t)
				},
				waiting: s.modelReady
					? 'Asking the U-Net…'
					: 'This example needs the live model: it is loading.',
				controls: 'level'
			};
		}
	},
	attention: {
		key: '.map',
		show: ({ trace, dims }, s) => {
			const { i, count, ts } = atStep(trace, s);
			if (!count) return LOADING;
			const on = s.on;
			return {
				title: 'Where the U-Net looks for each word',
				props: {
					tokens: trace.tokens.tokens,
					unknown: trace.tokens.unknown,
					attention: trace.steps[i]!.attention,
					latentSize: dims.S,
					image: s.x0Images[i],
					imageSize: dims.R,
					selected: s.link.word ?? Math.min(1, trace.tokens.tokens.length - 1),
					onselect: (w) => on.change({ word: w }),
					where: `Maps from the prompted U-Net run at step ${i + 1} of ${count} (t = ${ts[i] ?? ''}), over that step's clean estimate`
				},
				scrubber: { value: i, count, timesteps: ts, below: true }
			};
		}
	},
	loop: {
		key: (focus) => (focus === 'all' ? '.loop' : '.focus'),
		show: ({ trace, dims }, s) => {
			const { i, count } = atStep(trace, s);
			if (!count) return LOADING;
			return {
				title: `${loopSubject(trace.settings)}, step ${i + 1} of ${count}`,
				scrubber: { value: i, count, timesteps: timesteps(trace) },
				props: {
					step: trace.steps[i]!,
					of: count,
					x0Image: s.x0Images[i],
					channels: dims.C,
					latentSize: dims.S,
					imageSize: dims.R,
					prompt: trace.settings.prompt,
					negativePrompt: trace.settings.negativePrompt ?? '',
					focus: s.focus
				},
				controls: 'generation'
			};
		}
	},
	path: {
		key: '.viz-row',
		show: ({ trace, dims }, s) => {
			const { i, count, ts } = atStep(trace, s);
			if (!count) return LOADING;
			return {
				title: `From noise to “${trace.settings.prompt}”`,
				scrubber: { value: i, count, timesteps: ts },
				props: {
					points: pathPoints(trace),
					current: i,
					timesteps: ts,
					image: s.x0Images[i],
					imageSize: dims.R
				}
			};
		}
	},
	filmstrip: {
		key: '.viz-row',
		show: ({ trace, dims }, s) => {
			const { i, count, ts } = atStep(trace, s);
			if (!count) return LOADING;
			const on = s.on;
			return {
				title: 'The image forming, step by step',
				scrubber: { value: i, count, timesteps: ts },
				props: {
					images: s.x0Images,
					size: dims.R,
					current: i,
					count,
					timesteps: ts,
					onselect: (j) => on.change({ t: j })
				}
			};
		}
	},
	decode: { key: '.decode .flow', show: decode(false) },
	'decode-compare': { key: '.earlier', show: decode(true) },
	'distill-compare': {
		key: '.compare',
		needs: ({ manifest }, s) => Object.values(pairRequests(manifest, s.link)),
		chapterWide: true,
		show: (base, s) =>
			withPair(base, s, (teacher, student) => {
				const count = teacher.trace.steps.length;
				const i = Math.min(s.link.t ?? Math.floor(count / 3), count - 1);
				const on = s.on;
				return {
					title: `“${teacher.trace.settings.prompt}”: ${count} steps or ${student.trace.steps.length}, scrubbed together`,
					scrubber: { value: i, count, timesteps: timesteps(teacher.trace) },
					props: {
						a: { shown: teacher, name: 'teacher', note: `${count} steps`, cls: 'teacher' },
						b: {
							shown: student,
							name: 'student',
							note: `${student.trace.steps.length} steps`,
							cls: 'student'
						},
						current: i,
						other: alignByT(teacher.trace, student.trace, i),
						size: base.dims.R,
						channels: base.dims.C,
						latentSize: base.dims.S,
						T: base.manifest.schedule.num_train_timesteps,
						curve: curveOf(teacher.trace, student.trace),
						attention: undefined,
						paths: undefined,
						onselect: (k) => on.change({ t: k })
					},
					controls: 'generation'
				};
			})
	},
	compare: {
		key: '.compare-key',
		needs: ({ manifest }, s) => {
			const { a, b } = compareRequests(manifest, s.link, s.compare);
			return [a, b];
		},
		show: (base, s) => {
			const { manifest, dims } = base;
			const r = compareRequests(manifest, s.link, s.compare);
			const d = compareRequests(manifest, {}, s.compare);
			const a = shown(s, 'compare-a', r.a, d.a);
			const b = shown(s, 'compare-b', r.b, d.b);
			const change = settingsChange(r.a.args.settings, r.b.args.settings);
			const title = change.length
				? `Two generations, scrubbed together: ${change.join('; ')}`
				: 'Two generations with the same settings';
			if (!a || !b) return { title, props: undefined, waiting: 'Running the second generation…' };
			const count = a.trace.steps.length;
			const i = Math.min(s.link.t ?? Math.floor(count / 3), count - 1);
			const j = alignByT(a.trace, b.trace, i);
			const [noteA, noteB] = sideNotes(a.trace.settings, b.trace.settings);
			const word = newTokens(a.trace.tokens.tokens, b.trace.tokens.tokens)[0];
			const n = dims.S * dims.S;
			const attention = b.trace.steps[j]?.attention;
			const curve = curveOf(a.trace, b.trace);
			const on = s.on;
			return {
				title,
				notice: curveNotice(curve),
				scrubber: { value: i, count, timesteps: timesteps(a.trace) },
				props: {
					a: { shown: a, name: 'A', note: noteA, cls: 'gen-a' },
					b: { shown: b, name: 'B', note: noteB, cls: 'gen-b' },
					current: i,
					other: j,
					size: dims.R,
					channels: dims.C,
					latentSize: dims.S,
					T: manifest.schedule.num_train_timesteps,
					curve,
					attention:
						word !== undefined && attention
							? {
									word: b.trace.tokens.tokens[word]!,
									map: attention.subarray(word * n, (word + 1) * n)
								}
							: undefined,
					paths: comparePaths(a.trace, b.trace),
					onselect: (k) => on.change({ t: k })
				},
				controls: 'generation'
			};
		}
	},
	'distill-path': {
		key: '.pair',
		needs: ({ manifest }, s) => Object.values(pairRequests(manifest, s.link)),
		chapterWide: true,
		show: (base, s) =>
			withPair(base, s, (teacher, student) => {
				const count = teacher.trace.steps.length;
				const i = Math.min(s.link.t ?? count - 1, count - 1);
				const j = studentStep(teacher.trace, student.trace, i);
				const ts = timesteps(teacher.trace);
				const paths = distillPaths(teacher.trace, student.trace);
				return {
					title: 'What the student learned to skip',
					scrubber: { value: i, count, timesteps: ts },
					props: {
						teacher: paths.teacher,
						student: paths.student,
						teacherSteps: ts,
						studentSteps: timesteps(student.trace),
						current: i,
						studentCurrent: j,
						teacherImage: teacher.x0Images[i],
						studentImage: student.x0Images[j],
						imageSize: base.dims.R
					}
				};
			})
	},
	'distill-lessons': {
		key: '.lessons',
		needs: ({ manifest }, s) => Object.values(pairRequests(manifest, s.link)),
		chapterWide: true,
		show: (base, s) =>
			withPair(base, s, () => {
				const rows = recipe(base.manifest);
				if (!rows.length) return LOADING;
				return {
					title: 'Distillation, grid by grid',
					props: { rows, T: base.manifest.schedule.num_train_timesteps },
					notes: [
						{
							kind: 'muted',
							text: "Every student jump ends on a point of the teacher's own guided paths (the grids are nested). A first jump starts from the path's noise; a later one, in half of the training batches, starts where the student's own earlier jumps led."
						}
					]
				};
			})
	},
	'distill-grid': {
		key: '.grid-table',
		needs: ({ manifest }, s) => [
			...Object.values(pairRequests(manifest, s.link)),
			...gridPlan(manifest).map((p) => cell(manifest, s.link, { model: p.model, steps: p.steps }))
		],
		chapterWide: true,
		show: (base, s) => {
			const cells = gridCells(base.manifest, s);
			if (!cells.length) return withPair(base, s, () => LOADING);
			return {
				title: 'Every model at every step count',
				props: { cells, size: base.dims.R },
				controls: 'generation'
			};
		}
	},
	'sampler-grid': {
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
	},
	edit: {
		key: (focus) => (focus === 'inpaint' ? '.edit .row' : '.edit .strip'),
		needs: (base, s) => {
			const plan = editPlan(base, s);
			if (!plan) return [samplesRequest(base.fp)];
			const { strength, strengths, request } = plan;
			const edits = [strength, ...strengths.filter((st) => st !== strength)];
			// The samples' codes too: the edits start from their latents.
			return [samplesRequest(base.fp), ...edits.map((st) => request(st))];
		},
		show: (base, s) => {
			const req = editPlan(base, s);
			const title =
				s.focus === 'inpaint'
					? 'Inpainting: repaint part of a picture'
					: 'Image-to-image: start from a picture';
			if (!req) return { title, props: undefined, waiting: 'Encoding your picture…' };
			const chosen = s.results.get(req.request(req.strength));
			const { manifest, fp, dims } = base;
			const timesteps = timestepsFor(
				req.settings.spacing!,
				manifest.schedule.num_train_timesteps,
				req.settings.steps!
			);
			const first = chosen && chosen.start < chosen.steps ? chosen.timesteps[0]! : undefined;
			const on = s.on;
			const own = s.link.image === undefined ? s.own : null;
			return {
				title,
				props: {
					labels: fp.samples.labels,
					thumbs: fp.samples.pixels,
					selected: req.sample,
					onselect: (i) => on.change({ image: i }),
					onupload: on.upload,
					ondraw: on.draw,
					uploadNote: s.ownNote,
					source: own ? own.pixels : fp.samples.pixels[req.sample]!,
					imageSize: dims.R,
					latentSize: dims.S,
					inpaint: s.focus === 'inpaint',
					mask: req.mask,
					onmask: (cells) =>
						on.change({ mask: cells.includes(1) ? maskToLink(cells, dims.S) : 'none' }),
					strength: req.strength,
					onstrength: (v) => on.change({ strength: v }),
					chosen,
					strip: req.strengths.map((st) => ({
						strength: st,
						image: (
							s.results.get(req.request(st)) ??
							s.results.get(req.request(st, !(st === req.strength)))
						)?.image
					})),
					timesteps,
					T: manifest.schedule.num_train_timesteps,
					signal: first === undefined ? null : Math.sqrt(manifest.schedule.alphas_cumprod[first]!)
				},
				controls: 'generation'
			};
		}
	}
};

/** What the figure column shows for a figure: waits for the precomputed file, then the figure. */
export function showFigure<V extends ViewName>(
	view: V,
	s: FigureState
): FigureContent<FigureProps[V]> {
	const fp = s.firstPaint;
	const trace = s.trace;
	if (!fp || !trace) return { wait: s.firstPaintError || 'Loading the figure…' };
	const base = { fp, trace, manifest: fp.manifest, dims: dimsOf(fp.manifest) };
	const content = FIGURES[view].show(base, s);
	if ('wait' in content || !content.props) return content;
	const { t: level, sample } = exampleFor(s.link);
	const at = { step: trace.steps.length ? stepIndex(trace, s.link, s.focus) : 0, level, sample };
	return { ...content, notice: content.notice ?? noticeFor(view, base, s, at) };
}

/** The line above a figure that stays the same when the reader switches to the student. */
export function sharedNote(view: ViewName, link: ViewState): string {
	return link.model === 'student' ? (FIGURES[view].sameForStudent ?? '') : '';
}

/** The selector of a figure's key part for a step (see Figure.key). */
export function figureKey(view: ViewName, focus: StepFocus = 'all'): string {
	const key = FIGURES[view].key;
	return typeof key === 'string' ? key : key(focus);
}

/** What a figure asks of the model for the state on show (beyond the main generation). */
export function figureNeeds(view: ViewName, s: FigureState): Request[] {
	const fp = s.firstPaint;
	const trace = s.trace;
	const needs = FIGURES[view].needs;
	if (!fp || !trace || !needs) return [];
	return needs({ fp, trace, manifest: fp.manifest, dims: dimsOf(fp.manifest) }, s);
}

/** What a chapter asks for from its first step on: the needs of its chapter-wide figures. */
export function chapterRequests(
	views: readonly (ViewName | undefined)[],
	s: FigureState
): Request[] {
	return views.flatMap((v) => (v && FIGURES[v].chapterWide ? figureNeeds(v, s) : []));
}

/** The distillation figures' two generations, as shown (for the notices). */
export function pairShown(base: Base, s: FigureState) {
	let pair: { teacher: Shown; student: Shown } | undefined;
	withPair(base, s, (teacher, student) => {
		pair = { teacher, student };
		return LOADING;
	});
	return pair;
}
