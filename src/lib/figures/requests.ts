/**
 * What the figures ask of the model, as requests of declared results (pipeline/results.ts):
 * built from the link on show, so that a request's key names every setting it depends on.
 */
import type { ImageCodes } from '../pipeline/explainer';
import { EXAMPLE_DEFAULTS, type FirstPaint } from '../pipeline/first-paint-file';
import type { Manifest, ModelName } from '../pipeline/manifest';
import { requestKey, type Request, type ResultName } from '../pipeline/results';
import { resolveSettings, type GenerationSettings } from '../pipeline/settings';
import { generationSettings, type CompareDefault, type ViewState } from '../url-state';

/** One request of a given result. */
export type Of<N extends ResultName> = Extract<Request, { name: N }>;

/** A training example: which sample picture, noised at which timestep with which noise seed. */
export interface ExampleKey {
	sample: number;
	t: number;
	seed: number;
}

/** The training example the link asks for (the noise and U-Net chapters). */
export const exampleFor = (link: ViewState): ExampleKey => ({
	sample: link.image ?? EXAMPLE_DEFAULTS.sample,
	t: link.level ?? EXAMPLE_DEFAULTS.t,
	seed: EXAMPLE_DEFAULTS.seed
});

/** The link's settings, resolved: what its generation runs with. */
export const linkSettings = (manifest: Manifest, link: ViewState): GenerationSettings =>
	resolveSettings(generationSettings(link), manifest).settings;

export const generation = (settings: GenerationSettings): Of<'generation'> => ({
	name: 'generation',
	args: { settings }
});

/** A grid cell: the link's settings with the cell's own changes. */
export const cell = (
	manifest: Manifest,
	link: ViewState,
	patch: Partial<GenerationSettings>
): Of<'cell'> => ({
	name: 'cell',
	args: { settings: resolveSettings({ ...generationSettings(link), ...patch }, manifest).settings }
});

/** The sample pictures through the VAE and CLIP's image encoder. */
export const samplesRequest = (fp: FirstPaint): Of<'images'> => ({
	name: 'images',
	args: { source: 'samples', pixels: fp.samples.pixels }
});

/** The sample labels through CLIP's text encoder. */
export const labelsRequest = (fp: FirstPaint): Of<'texts'> => ({
	name: 'texts',
	args: { texts: fp.samples.labels }
});

/**
 * The training example for a key. A sample's latent is always the precomputed one, never the
 * live re-encoding: the same link gives the same numbers whether or not that has finished.
 */
export function exampleRequest(fp: FirstPaint, key: ExampleKey): Of<'example'> | undefined {
	const latent = precomputedSamples(fp)?.latents[key.sample];
	const caption = fp.samples.labels[key.sample];
	if (!latent || caption === undefined) return undefined;
	return {
		name: 'example',
		args: { source: `sample:${key.sample}`, latent, caption, t: key.t, seed: key.seed }
	};
}

/** The first paint's codes of the sample pictures (the examples and edits start from these). */
export const precomputedSamples = (fp: FirstPaint) =>
	fp.results[requestKey(samplesRequest(fp))] as ImageCodes | undefined;

export const other = (m: ModelName): ModelName => (m === 'teacher' ? 'student' : 'teacher');

/**
 * The distillation figures' two generations: the link's, and the other model's with the same
 * settings at that model's own number of steps.
 */
export function pairRequests(
	manifest: Manifest,
	link: ViewState
): Record<ModelName, Of<'generation'>> {
	const main = linkSettings(manifest, link);
	const pair = resolveSettings(
		{ ...generationSettings(link), model: other(main.model), steps: undefined },
		manifest
	).settings;
	const [teacher, student] = main.model === 'teacher' ? [main, pair] : [pair, main];
	return { teacher: generation(teacher), student: generation(student) };
}

/** The settings a link sets, without the ones it leaves to the defaults. */
const setOnly = (s: Partial<GenerationSettings>) =>
	Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));

/**
 * The comparison's two generations: A, the link's own; B, the link's with the settings its
 * vs.* parameters change, or the step's own comparison (`fallback`) when it has none.
 */
export function compareRequests(manifest: Manifest, link: ViewState, fallback: CompareDefault) {
	const a = linkSettings(manifest, link);
	const vs = link.vs ?? fallback(a);
	const b = resolveSettings(
		{ ...generationSettings(link), ...setOnly(generationSettings(vs)) },
		manifest
	).settings;
	return { a: generation(a), b: generation(b) };
}
