/**
 * Every result a figure can ask of the model, each declared once: the key that names it (built
 * from every input it depends on, so two requests with one key are the same computation), how
 * it is computed (by the worker in the page, and by the build for the first paint: the same
 * function), and the longest the worker may take over it (the watchdog's deadline, in U-Net
 * steps). The page keeps results in one cache by key (live.svelte.ts); the first paint is that
 * cache filled at build time.
 */
import type { ImageEncoder } from './clip-encoders';
import { editPicture, encodeImages, encodeTexts, trainingExample } from './explainer';
import type { EditResult, ImageCodes, TextCodes, TrainingExample } from './explainer';
import type { DiffusionPipeline, StepTrace, Trace } from './generate';
import type { ModelName } from './manifest';
import type { ort } from './runtime';
import { settingsKey, type EditSettings, type GenerationSettings } from './settings';

/** What computes the results: the pipeline, and the parts only some results need, on first use. */
export interface ResultModel {
	pipeline: DiffusionPipeline;
	extras(): Promise<{ vaeEncoder: ort.InferenceSession; imageEncoder: ImageEncoder }>;
}

export interface RunContext {
	signal?: AbortSignal;
	/** A generation's steps as they come, some with their clean estimate decoded. */
	onStep?: (step: StepTrace, of: number, x0Image?: Float32Array) => void;
	/** A generation decodes a step's estimate at most this often (0: every step). */
	formingEveryMs?: number;
}

/** A generation as the figures show it: its trace and each step's clean estimate, decoded. */
export interface Generation {
	trace: Trace;
	/** Index i: step i's x0 decoded; a hole where it is not decoded yet. */
	x0Images: Float32Array[];
}

/** One cell of a grid of settings: the final picture, and prompt to pixels in this browser. */
export interface Cell {
	image: Float32Array;
	/** Null when precomputed at build time: its timing says nothing of the reader's browser. */
	ms: number | null;
}

interface Declaration<A, V> {
	key(args: A): string;
	run(m: ResultModel, args: A, ctx: RunContext): Promise<V>;
	/** The longest the worker may stay silent over it, in U-Net steps, given the model loaded first. */
	steps(args: A, first: ModelName): number;
	/** The value as the first-paint file keeps it (build-time timings dropped). */
	precomputed?(value: V): V;
}

const declare = <A, V>(d: Declaration<A, V>) => d;

/**
 * Creating a session for a part loaded on first use (the other U-Net, the image encoders), in
 * U-Net steps: tens of them in Node and in Chromium here.
 */
export const SESSION_STEPS = 40;

/**
 * While a generation runs in the page, a step's clean estimate is decoded at most this often:
 * enough to watch the picture form, without holding the final picture back by a decode for
 * every step (a third of a first generation's time on a slow machine). The page asks for the
 * rest afterwards ('decode').
 */
export const FORMING_EVERY_MS = 250;

/** A generation's longest silence: the text encoder and a cold first U-Net run, a decode, the other U-Net's session. */
const generationSteps = (s: GenerationSettings, first: ModelName) =>
	10 + (s.model !== first ? SESSION_STEPS : 0);

export const RESULTS = {
	/**
	 * One generation (settings already resolved against the manifest), each step's estimate
	 * decoded, or in the page only some of them while the loop runs (`formingEveryMs`).
	 */
	generation: declare({
		key: (a: { settings: GenerationSettings }) => settingsKey(a.settings),
		steps: (a, first) => generationSteps(a.settings, first),
		async run(
			{ pipeline },
			{ settings },
			{ signal, onStep, formingEveryMs = 0 }
		): Promise<Generation> {
			const x0Images: Float32Array[] = [];
			let decodedAt = -Infinity;
			const trace = await pipeline.generate(settings, {
				signal,
				onStep: async (step, of) => {
					let x0Image: Float32Array | undefined;
					if (performance.now() - decodedAt >= formingEveryMs) {
						x0Image = await pipeline.decode(step.x0);
						x0Images[step.index] = x0Image;
						decodedAt = performance.now();
					}
					if (!signal?.aborted) onStep?.(step, of, x0Image);
				}
			});
			return { trace, x0Images };
		}
	}),
	/** Latents through the VAE decoder: the steps' estimates a generation did not decode. */
	decode: declare({
		key: (a: { latents: Float32Array[] }) => String(a.latents.length),
		steps: (a) => a.latents.length + 2,
		async run({ pipeline }, { latents }): Promise<Float32Array[]> {
			const images: Float32Array[] = [];
			for (const latent of latents) images.push(await pipeline.decode(latent));
			return images;
		}
	}),
	/** One cell of a grid: a generation's final picture only, timed. */
	cell: declare({
		key: (a: { settings: GenerationSettings }) => settingsKey(a.settings),
		steps: (a, first) => generationSteps(a.settings, first),
		async run({ pipeline }, { settings }, { signal }): Promise<Cell> {
			const { image, timings } = await pipeline.generate(settings, { signal });
			return { image, ms: timings.totalMs - timings.callbackMs };
		},
		precomputed: (v) => ({ ...v, ms: null })
	}),
	/** Pictures through the VAE (latents, spreads, round trip) and CLIP's image encoder. */
	images: declare({
		/** `source` names the pictures ('samples', or the reader's own by a hash of its pixels). */
		key: (a: { source: string; pixels: Float32Array[] }) => a.source,
		steps: (a) => 2 * a.pixels.length + 4 + SESSION_STEPS,
		async run(m, { pixels }): Promise<ImageCodes> {
			return encodeImages({ pipeline: m.pipeline, ...(await m.extras()) }, pixels);
		}
	}),
	/** Texts through the tokenizer and CLIP's text encoder. */
	texts: declare({
		key: (a: { texts: string[] }) => JSON.stringify(a.texts),
		steps: (a) => a.texts.length + 2 + SESSION_STEPS,
		async run(m, { texts }): Promise<TextCodes> {
			return encodeTexts({ pipeline: m.pipeline, ...(await m.extras()) }, texts);
		}
	}),
	/** One training example: a picture's latent (named by `source`) noised at t, scored by the U-Net. */
	example: declare({
		key: (a: { source: string; latent: Float32Array; caption: string; t: number; seed: number }) =>
			JSON.stringify([a.source, a.caption, a.t, a.seed]),
		steps: () => 6 + SESSION_STEPS,
		async run(m, a): Promise<TrainingExample> {
			const x = { pipeline: m.pipeline, ...(await m.extras()) };
			return trainingExample(x, a.latent, a.caption, a.t, a.seed);
		}
	}),
	/**
	 * A picture (named by `source`, its mask by `maskLink`) edited at one strength; `detailed`
	 * also decodes every step's estimate.
	 */
	edit: declare({
		key: (a: {
			settings: GenerationSettings;
			source: string;
			maskLink: string | null;
			edit: Omit<EditSettings, 'strength'>;
			strength: number;
			detailed: boolean;
		}) => JSON.stringify([settingsKey(a.settings), a.source, a.maskLink, a.strength, a.detailed]),
		steps: (a) => (a.detailed ? 2 : 1) * a.settings.steps + 8 + SESSION_STEPS,
		async run(m, a): Promise<EditResult> {
			const x = { pipeline: m.pipeline, ...(await m.extras()) };
			const detailed = a.detailed ? [a.strength] : [];
			const [result] = await editPicture(x, a.settings, a.edit, [a.strength], detailed);
			return result!;
		},
		precomputed: (v) => ({ ...v, ms: null })
	})
};

export type ResultName = keyof typeof RESULTS;
type Decl<N extends ResultName> = (typeof RESULTS)[N];
export type ResultArgs<N extends ResultName> = Parameters<Decl<N>['key']>[0];
export type ResultValue<N extends ResultName> = Awaited<ReturnType<Decl<N>['run']>>;

/** One result asked for: its name and arguments. */
export type Request = { [N in ResultName]: { name: N; args: ResultArgs<N> } }[ResultName];

/** The cache's name for a request: the result's name and its key. */
export const requestKey = (r: Request): string =>
	`${r.name}:${(RESULTS[r.name].key as (a: unknown) => string)(r.args)}`;

/** Computes a request's result (the worker's one operation, and the build's). */
export function runRequest(m: ResultModel, r: Request, ctx: RunContext = {}): Promise<unknown> {
	const d = RESULTS[r.name] as Declaration<unknown, unknown>;
	return d.run(m, r.args, ctx);
}

/** The watchdog's deadline for a request, in U-Net steps. */
export function requestSteps(r: Request, first: ModelName = 'teacher'): number {
	return (RESULTS[r.name] as Declaration<unknown, unknown>).steps(r.args, first);
}

/** A request's value as the first-paint file keeps it. */
export function precomputedValue(r: Request, value: unknown): unknown {
	const d = RESULTS[r.name] as Declaration<unknown, unknown>;
	return d.precomputed ? d.precomputed(value) : value;
}
