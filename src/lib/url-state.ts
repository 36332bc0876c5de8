/**
 * The state a shared link restores, read from and written to the URL's query string.
 *
 * The link is the only source of truth for what a page shows: a page reads its link here
 * (parseViewState), shows what it says, hands its generation settings to the live model
 * (generationSettings), and writes every change back into the link (serializeViewState).
 *
 * Every link parameter is validated and clamped here; the generation settings by the same
 * cleaner as the prompt form's and the worker's (cleanSettings). Values that cannot be used
 * are dropped with a notice for the reader; values are only ever shown as text.
 */
import { maskFromLink, maskToLink } from './pipeline/editing';
import {
	SCHEDULER_NAMES,
	modelEntry,
	type Manifest,
	type ModelName,
	type SchedulerName
} from './pipeline/manifest';
import { SPACINGS, type TimestepSpacing } from './pipeline/scheduler';
import {
	SETTING_LIMITS,
	clampNumber,
	cleanSettings,
	stripControls,
	type GenerationSettings,
	type ReaderSettings
} from './pipeline/settings';

/** The pipeline's limits on generation settings (the figures' own come from linkLimits). */
export const LIMITS = SETTING_LIMITS;

export interface ViewState {
	/** Prose step inside the chapter, counted from 1. */
	step?: number;
	prompt?: string;
	/** The negative prompt: what guidance pushes away from, in place of the empty prompt. */
	neg?: string;
	seed?: number;
	guidance?: number;
	/** Number of denoising steps. */
	steps?: number;
	/** The sampler (scheduler) of the loop: ddim, euler, euler_a, ddpm or dpmpp_2m. */
	sampler?: SchedulerName;
	/** Which timesteps it visits: trailing (ours) or leading (Stable Diffusion v1's). */
	spacing?: TimestepSpacing;
	/**
	 * Which step of the denoising loop the scrubber is on: an index counted from 0, not a
	 * timestep (figures show index 11 of 25 as "step 12 of 25 · t = 559", t being the timestep).
	 * Named `t` for the links already handed out.
	 */
	t?: number;
	/** Selected token of the prompt, counted from 0. */
	word?: number;
	/** Noise level of the training chapters: a timestep from 0 to 999. */
	level?: number;
	/** Which sample image the training chapters (and the editing chapter) use, counted from 0. */
	image?: number;
	/** Image-to-image's strength, 0 (the picture unchanged) to 1 (from pure noise). */
	strength?: number;
	/**
	 * Inpainting's mask on the latent grid: a preset's name (centre, top, bottom, left, right,
	 * border), 16 hex digits for a painted one (8 × 8 cells, row-major, 1 = repaint), or none.
	 */
	mask?: string;
	/** The teacher U-Net, or the few-step student distilled from it. */
	model?: ModelName;
	/**
	 * The comparison figure's second generation, as the settings that differ from this link's
	 * (`vs.seed=43`, `vs.prompt=...`); anything it does not set is the link's own.
	 */
	vs?: CompareWith;
	/** Show one figure alone (for slides and learning platforms). */
	embed?: boolean;
	/** Force the model's backend (for comparing them, and for tests). */
	backend?: 'auto' | 'webgpu' | 'wasm';
}

/** The generation settings a link can set, for its own generation or the comparison's (vs.*). */
export const GENERATION_KEYS = [
	'prompt',
	'neg',
	'seed',
	'guidance',
	'steps',
	'sampler',
	'spacing',
	'model'
] as const;
export type CompareWith = Pick<ViewState, (typeof GENERATION_KEYS)[number]>;
/** A step's own comparison: what B changes, given A's settings (the link's vs.* wins). */
export type CompareDefault = (a: GenerationSettings) => CompareWith;

export interface ParseResult {
	state: ViewState;
	notices: string[];
}

/** The highest value each of the figures' own link settings may take. */
export interface LinkLimits {
	/** The last token position the text encoder reads. */
	wordMax: number;
	/** The last timestep of the noise schedule. */
	levelMax: number;
	/** The last sample image. */
	imageMax: number;
	/** The latent's side: a mask has one cell per latent position. */
	latentSize: number;
}

/**
 * The figures' link limits, from the model's manifest (text length, schedule length) and
 * the number of sample images, so they change with the model instead of being typed in.
 * Every page gets them, read at build time, from src/routes/+layout.server.ts: a link is
 * read with the shipped model's own limits, with no fallback, before anything is fetched.
 */
export function linkLimits(
	manifest: {
		text: Pick<Manifest['text'], 'context_length'>;
		schedule: { num_train_timesteps: number };
		latent: { size: number };
	},
	samples: number
): LinkLimits {
	return {
		wordMax: Math.max(0, manifest.text.context_length - 1),
		levelMax: Math.max(0, manifest.schedule.num_train_timesteps - 1),
		imageMax: Math.max(0, samples - 1),
		latentSize: manifest.latent.size
	};
}

export interface ParseLimits extends LinkLimits {
	/** How many prose steps the current chapter has. */
	maxStep: number;
}

/** Keys in the order they are written, so equal states give equal links. */
const ORDER = [
	'step',
	'prompt',
	'neg',
	'seed',
	'guidance',
	'steps',
	'sampler',
	'spacing',
	't',
	'word',
	'level',
	'image',
	'strength',
	'mask',
	'model',
	...GENERATION_KEYS.map((k) => `vs.${k}` as const),
	'embed',
	'backend'
] as const;
type Key = (typeof ORDER)[number];

/** Every sampler the pipeline implements (the manifest lists those its model offers). */

/** Parameters that other sites add to links; ignored without a notice. */
const FOREIGN = /^(utm_[a-z]+|fbclid|gclid|ref)$/;

/** A value as it may appear in a notice: short, and with control characters removed. */
function quote(value: string): string {
	const clean = stripControls(value);
	return clean.length > 40 ? `"${clean.slice(0, 40)}…"` : `"${clean}"`;
}

function integer(raw: string): number | undefined {
	if (!/^[+-]?\d{1,20}$/.test(raw.trim())) return undefined;
	const n = Number(raw);
	return Number.isSafeInteger(n) ? n : undefined;
}

function clampInt(
	key: string,
	raw: string,
	min: number,
	max: number,
	notices: string[]
): number | undefined {
	const n = integer(raw);
	if (n === undefined) {
		notices.push(`Ignored ${key}=${quote(raw)}: not a whole number.`);
		return undefined;
	}
	return clampNumber(key, n, min, max, true, notices);
}

/** A generation setting read from a link: its syntax checked here, its value by the shared cleaner. */
function cleanOne<K extends keyof ReaderSettings>(
	key: K,
	value: ReaderSettings[K],
	notices: string[]
): ReaderSettings[K] {
	const cleaned = cleanSettings({ [key]: value });
	notices.push(...cleaned.notices);
	return cleaned.settings[key];
}

const isBackend = (raw: string): raw is NonNullable<ViewState['backend']> =>
	raw === 'auto' || raw === 'webgpu' || raw === 'wasm';

/**
 * The backend a link asks for, read on its own: the model starts loading with it as the page
 * starts, before the page reads (and reports on) the whole link.
 */
export function linkBackend(params: URLSearchParams): NonNullable<ViewState['backend']> {
	const raw = params.get('backend');
	return raw !== null && isBackend(raw) ? raw : 'auto';
}

/**
 * The model a link shows, read on its own like the backend: the model loads its U-Net first.
 * Anything but "student" (the page reports it) is the teacher.
 */
export function linkModel(params: URLSearchParams): ModelName {
	return params.get('model') === 'student' ? 'student' : 'teacher';
}

/** One generation setting of a link (its own, or the comparison's), checked and cleaned into `into`. */
function readGeneration<S extends CompareWith>(
	key: string,
	raw: string,
	notices: string[],
	into: S
): S {
	const state: CompareWith = into;
	switch (key) {
		case 'prompt':
			state.prompt = cleanOne('prompt', raw, notices);
			break;
		case 'neg': {
			// Empty is no negative prompt: it stays out of the state and the rewritten link.
			const neg = cleanOne('negativePrompt', raw, notices);
			if (neg) state.neg = neg;
			break;
		}
		case 'seed': {
			const n = integer(raw);
			if (n === undefined) notices.push(`Ignored seed=${quote(raw)}: not a whole number.`);
			else state.seed = cleanOne('seed', n, notices);
			break;
		}
		case 'guidance': {
			const g = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(raw) ? Number(raw) : NaN;
			if (!Number.isFinite(g)) notices.push(`Ignored guidance=${quote(raw)}: not a number.`);
			else state.guidance = cleanOne('guidance', g, notices);
			break;
		}
		case 'steps': {
			const n = integer(raw);
			if (n === undefined) notices.push(`Ignored steps=${quote(raw)}: not a whole number.`);
			else state.steps = cleanOne('steps', n, notices);
			break;
		}
		case 'sampler':
			if ((SCHEDULER_NAMES as readonly string[]).includes(raw))
				state.sampler = raw as SchedulerName;
			else notices.push(`Ignored sampler=${quote(raw)}: expected ${SCHEDULER_NAMES.join(', ')}.`);
			break;
		case 'spacing':
			if ((SPACINGS as readonly string[]).includes(raw)) state.spacing = raw as TimestepSpacing;
			else notices.push(`Ignored spacing=${quote(raw)}: expected ${SPACINGS.join(' or ')}.`);
			break;
		case 'model':
			if (raw === 'teacher' || raw === 'student') state.model = raw;
			else notices.push(`Ignored model=${quote(raw)}: expected "teacher" or "student".`);
			break;
	}
	return into;
}

export function parseViewState(params: URLSearchParams, limits: ParseLimits): ParseResult {
	const state: ViewState = {};
	const notices: string[] = [];
	const seen = new Set<string>();
	for (const [key, raw] of params) {
		if (seen.has(key)) {
			notices.push(`Ignored a repeated ${quote(key)} in the link.`);
			continue;
		}
		seen.add(key);
		if (!(ORDER as readonly string[]).includes(key)) {
			if (!FOREIGN.test(key)) notices.push(`Ignored unknown link setting ${quote(key)}.`);
			continue;
		}
		if (key.startsWith('vs.')) {
			// The comparison's settings: read as the link's own, their notices named as theirs.
			const said: string[] = [];
			const vs = readGeneration(key.slice(3), raw, said, state.vs ?? {});
			notices.push(...said.map((n) => `Comparison: ${n}`));
			if (Object.values(vs).some((v) => v !== undefined)) state.vs = vs;
			continue;
		}
		if ((GENERATION_KEYS as readonly string[]).includes(key)) {
			readGeneration(key, raw, notices, state);
			continue;
		}
		switch (key as Key) {
			case 'step':
				state.step = clampInt('step', raw, 1, Math.max(1, limits.maxStep), notices);
				break;
			case 't':
				// Clamped against the number of steps once both are known, below.
				state.t = clampInt('t', raw, 0, LIMITS.stepsMax - 1, notices);
				break;
			case 'word':
				state.word = clampInt('word', raw, 0, limits.wordMax, notices);
				break;
			case 'level':
				state.level = clampInt('level', raw, 0, limits.levelMax, notices);
				break;
			case 'image':
				state.image = clampInt('image', raw, 0, limits.imageMax, notices);
				break;
			case 'strength': {
				const v = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(raw) ? Number(raw) : NaN;
				if (!Number.isFinite(v)) notices.push(`Ignored strength=${quote(raw)}: not a number.`);
				else {
					const c = clampNumber('strength', v, 0, 1, false, notices);
					if (c !== undefined) state.strength = Math.round(c * 100) / 100;
				}
				break;
			}
			case 'mask': {
				const cells = raw === 'none' ? null : maskFromLink(raw, limits.latentSize);
				if (cells === undefined)
					notices.push(
						`Ignored mask=${quote(raw)}: expected none, a preset (centre, top, bottom, left, right, border) or ${limits.latentSize ** 2 / 4} hex digits.`
					);
				else state.mask = cells ? maskToLink(cells, limits.latentSize) : 'none';
				break;
			}
			case 'backend':
				if (isBackend(raw)) state.backend = raw;
				else notices.push(`Ignored backend=${quote(raw)}: expected auto, webgpu or wasm.`);
				break;
			case 'embed':
				if (raw === '' || raw === '1' || raw === 'true') state.embed = true;
				else if (raw !== '0' && raw !== 'false')
					notices.push(`Ignored embed=${quote(raw)}: expected 1 or 0.`);
				break;
		}
	}
	if (state.t !== undefined && state.steps !== undefined && state.t > state.steps - 1) {
		notices.push(`t ${state.t} is past the last step; using ${state.steps - 1}.`);
		state.t = state.steps - 1;
	}
	return { state, notices };
}

/** The query string (with its "?", or "" when empty) for a state, keys in a fixed order. */
export function serializeViewState(state: ViewState): string {
	const params = new URLSearchParams();
	for (const key of ORDER) {
		const value = key.startsWith('vs.')
			? state.vs?.[key.slice(3) as keyof CompareWith]
			: state[key as keyof ViewState];
		if (value === undefined || value === false || typeof value === 'object') continue;
		params.set(key, value === true ? '1' : String(value));
	}
	const s = params.toString();
	return s ? `?${s}` : '';
}

/** The generation settings a link gives the live model; the rest are the figures' own. */
export function generationSettings(state: CompareWith): Partial<GenerationSettings> {
	const { prompt, neg, seed, guidance, steps, model, sampler, spacing } = state;
	return {
		prompt,
		negativePrompt: neg,
		seed,
		guidance,
		steps,
		model,
		scheduler: sampler,
		spacing
	};
}

type FormSettings = Pick<ViewState, 'prompt' | 'seed' | 'guidance'>;

/**
 * The prompt form's settings with those equal to the model's defaults left undefined: the form
 * hands back every field, and a default written into the link would pin it there (a link
 * without it follows the model's). Guidance's default is the chosen model's own.
 */
export function withoutDefaults<T extends FormSettings>(
	s: T,
	manifest: Manifest,
	model: ModelName = 'teacher'
): T {
	const d = manifest.sampler;
	const guidance = modelEntry(manifest, model)?.guidance ?? d.guidance;
	return {
		...s,
		prompt: s.prompt === d.prompt ? undefined : s.prompt,
		seed: s.seed === d.seed ? undefined : s.seed,
		guidance: s.guidance === guidance ? undefined : s.guidance
	};
}
