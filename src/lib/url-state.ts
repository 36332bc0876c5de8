/**
 * The state a shared link restores, read from and written to the URL's query string.
 *
 * Every link parameter is validated and clamped here. Values that cannot be
 * used are dropped with a notice for the reader; values are only ever shown as text.
 */
import type { ModelName } from './pipeline/manifest';
import { SETTING_LIMITS } from './pipeline/settings';

/** The pipeline's own limits on generation settings, plus the link-only ones. */
export const LIMITS = { ...SETTING_LIMITS, wordMax: 23, levelMax: 999, imageMax: 15 } as const;

export interface ViewState {
	/** Prose step inside the chapter, counted from 1. */
	step?: number;
	prompt?: string;
	seed?: number;
	guidance?: number;
	/** Number of denoising steps. */
	steps?: number;
	/** Scrubber position in the denoising loop, counted from 0. */
	t?: number;
	/** Selected token of the prompt, counted from 0. */
	word?: number;
	/** Noise level of the training chapters: a timestep from 0 to 999. */
	level?: number;
	/** Which sample image the training chapters use, counted from 0. */
	image?: number;
	/** The teacher U-Net, or the few-step student distilled from it. */
	model?: ModelName;
	/** Show one figure alone (for slides and learning platforms). */
	embed?: boolean;
	/** Force the model's backend (for comparing them, and for tests). */
	backend?: 'auto' | 'webgpu' | 'wasm';
}

export interface ParseResult {
	state: ViewState;
	notices: string[];
}

export interface ParseLimits {
	/** How many prose steps the current chapter has. */
	maxStep: number;
}

/** Keys in the order they are written, so equal states give equal links. */
const ORDER = [
	'step',
	'prompt',
	'seed',
	'guidance',
	'steps',
	't',
	'word',
	'level',
	'image',
	'model',
	'embed',
	'backend'
] as const;
type Key = (typeof ORDER)[number];

/** Parameters that other sites add to links; ignored without a notice. */
const FOREIGN = /^(utm_[a-z]+|fbclid|gclid|ref)$/;

/** A value as it may appear in a notice: short, and with control characters removed. */
function quote(value: string): string {
	const clean = stripControls(value);
	return clean.length > 40 ? `"${clean.slice(0, 40)}…"` : `"${clean}"`;
}

/** Removes control and format characters (bidi overrides included), keeps everything else. */
export function stripControls(text: string): string {
	return text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu, (ch) => (ch === '\u200d' ? ch : ''));
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
	if (n < min || n > max) {
		const c = Math.min(max, Math.max(min, n));
		notices.push(`${key} ${n} is out of range (${min} to ${max}); using ${c}.`);
		return c;
	}
	return n;
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
		switch (key as Key) {
			case 'step':
				state.step = clampInt('step', raw, 1, Math.max(1, limits.maxStep), notices);
				break;
			case 'prompt': {
				let text = stripControls(raw.normalize('NFC')).replace(/\s+/g, ' ').trim();
				if ([...text].length > LIMITS.promptChars) {
					text = [...text].slice(0, LIMITS.promptChars).join('');
					notices.push(`The prompt was longer than ${LIMITS.promptChars} characters; cut short.`);
				}
				state.prompt = text;
				break;
			}
			case 'seed':
				state.seed = clampInt('seed', raw, 0, LIMITS.seedMax, notices);
				break;
			case 'guidance': {
				const g = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(raw) ? Number(raw) : NaN;
				if (!Number.isFinite(g)) {
					notices.push(`Ignored guidance=${quote(raw)}: not a number.`);
				} else if (g < LIMITS.guidanceMin || g > LIMITS.guidanceMax) {
					const c = Math.min(LIMITS.guidanceMax, Math.max(LIMITS.guidanceMin, g));
					notices.push(
						`guidance ${g} is out of range (${LIMITS.guidanceMin} to ${LIMITS.guidanceMax}); using ${c}.`
					);
					state.guidance = c;
				} else {
					state.guidance = Math.round(g * 100) / 100;
				}
				break;
			}
			case 'steps':
				state.steps = clampInt('steps', raw, LIMITS.stepsMin, LIMITS.stepsMax, notices);
				break;
			case 't':
				// Clamped against the number of steps once both are known, below.
				state.t = clampInt('t', raw, 0, LIMITS.stepsMax - 1, notices);
				break;
			case 'word':
				state.word = clampInt('word', raw, 0, LIMITS.wordMax, notices);
				break;
			case 'level':
				state.level = clampInt('level', raw, 0, LIMITS.levelMax, notices);
				break;
			case 'image':
				state.image = clampInt('image', raw, 0, LIMITS.imageMax, notices);
				break;
			case 'model':
				if (raw === 'teacher' || raw === 'student') state.model = raw;
				else notices.push(`Ignored model=${quote(raw)}: expected "teacher" or "student".`);
				break;
			case 'backend':
				if (raw === 'auto' || raw === 'webgpu' || raw === 'wasm') state.backend = raw;
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
		const value = state[key];
		if (value === undefined || value === false) continue;
		params.set(key, value === true ? '1' : String(value));
	}
	const s = params.toString();
	return s ? `?${s}` : '';
}
