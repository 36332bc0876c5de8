/**
 * Generation settings: one cleaner for whatever a reader or a link gives (the link parser, the
 * prompt form and the worker all use it, so one input gives one result and one notice
 * everywhere), then defaults from the manifest and the chosen model's own limits.
 */
import { modelEntry, type Manifest, type ModelName, type SchedulerName } from './manifest';
import { SPACINGS, type TimestepSpacing } from './scheduler';

/** The pipeline's limits: not the model's (it takes any of these), but what a page offers. */
export const SETTING_LIMITS = {
	stepsMin: 1,
	stepsMax: 50,
	guidanceMin: 0,
	guidanceMax: 20,
	seedMax: 0xffffffff,
	promptChars: 200
} as const;
export type SettingLimits = { readonly [K in keyof typeof SETTING_LIMITS]: number };

export interface GenerationSettings {
	prompt: string;
	/**
	 * What fills guidance's unconditional slot instead of the empty prompt: guidance then pushes
	 * away from it. '' (the default) is the empty prompt, exactly as without one.
	 */
	negativePrompt: string;
	seed: number;
	guidance: number;
	steps: number;
	scheduler: SchedulerName;
	/**
	 * Which timesteps the scheduler visits: 'trailing' (ours, from t = 999; the default) or
	 * 'leading' (Stable Diffusion v1's shipped settings: steps_offset=1, set_alpha_to_one=False;
	 * 25 steps start at t = 961). See TimestepSpacing in scheduler.ts.
	 */
	spacing: TimestepSpacing;
	/** Which U-Net: the teacher, or the few-step student distilled from it. */
	model: ModelName;
	/** Image-to-image or inpainting: start from a picture instead of pure noise. */
	edit?: EditSettings;
}

/**
 * Image-to-image (SDEdit) and inpainting. The picture's latent is noised to the level of the
 * first step run and the loop runs only the rest: the last floor(steps × strength) steps, as
 * diffusers' img2img pipeline does. With a mask, after every step the kept cells are put back
 * as the picture noised to the next step's level (and at the end as the picture itself).
 */
export interface EditSettings {
	/** The picture's latent, [channels, size, size] in the U-Net's scale: the VAE encoder's mean × scale. */
	latent: Float32Array;
	/** 0: the picture unchanged (no step runs); 1: from pure noise, as text-to-image. */
	strength: number;
	/** One number per latent cell (size × size, row-major): 1 repaints the cell, 0 keeps it. */
	mask?: ArrayLike<number>;
}

/** The name of one generation's settings (an edit's picture is named separately: editing.ts). */
export function settingsKey(s: Omit<GenerationSettings, 'edit'>): string {
	return JSON.stringify([
		s.prompt,
		s.negativePrompt,
		s.seed,
		s.guidance,
		s.steps,
		s.scheduler,
		s.spacing,
		s.model
	]);
}

/** Index of the first step an edit runs (steps when none does): diffusers' img2img rule. */
export function editStart(steps: number, strength: number): number {
	return steps - Math.min(Math.floor(steps * strength), steps);
}

/** The settings the reader chooses (the rest follow from the model), each one optional. */
export type ReaderSettings = Partial<
	Pick<GenerationSettings, 'prompt' | 'negativePrompt' | 'seed' | 'guidance' | 'steps'>
>;

/**
 * Removes control, format, private-use and unassigned characters (bidi overrides included);
 * whitespace among them (tab, line breaks) becomes a space; the zero-width joiner stays, so
 * emoji sequences survive.
 */
export function stripControls(text: string): string {
	return text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu, (ch) =>
		ch === '\u200d' ? ch : ch !== '\ufeff' && /\s/.test(ch) ? ' ' : ''
	);
}

/**
 * A number brought into [lo, hi] (and to a whole number when `whole`), with a notice when
 * that changed it; undefined, with a notice, when it is not a number at all.
 */
export function clampNumber(
	name: string,
	v: number,
	lo: number,
	hi: number,
	whole: boolean,
	notices: string[]
): number | undefined {
	if (typeof v !== 'number' || !Number.isFinite(v)) {
		notices.push(`Ignored ${name} ${String(v)}: not a number.`);
		return undefined;
	}
	const inRange = Math.min(hi, Math.max(lo, v));
	const c = whole ? Math.round(inRange) : inRange;
	if (inRange !== v) notices.push(`${name} ${v} is out of range (${lo} to ${hi}); using ${c}.`);
	else if (c !== v) notices.push(`${name} ${v} is not a whole number; using ${c}.`);
	return c;
}

/**
 * The one cleaner of what a reader or a link gives, used by the link parser, the prompt form
 * and (through resolveSettings) the worker:
 * - prompt: control and format characters removed (whitespace ones become spaces), NFC,
 *   whitespace collapsed and trimmed, cut to `promptChars` characters (code points);
 * - seed and steps: whole numbers, clamped; guidance: clamped, to two decimals (what a link
 *   can say; a finer difference is never shown);
 * - a value that is not a number is dropped, so the caller's default or current one stands.
 * Only the keys given come back. Every change is said, in the same words wherever it happens.
 */
export function cleanSettings(
	input: ReaderSettings,
	limits: SettingLimits = SETTING_LIMITS
): { settings: ReaderSettings; notices: string[] } {
	const notices: string[] = [];
	const settings: ReaderSettings = {};
	const cleanText = (text: string, name: string) => {
		let out = stripControls(String(text)).normalize('NFC').replace(/\s+/g, ' ').trim();
		const chars = [...out];
		if (chars.length > limits.promptChars) {
			// Cut, then trimmed again: cleaning a cleaned prompt changes nothing.
			out = chars.slice(0, limits.promptChars).join('').trimEnd();
			notices.push(`The ${name} was longer than ${limits.promptChars} characters; cut short.`);
		}
		return out;
	};
	if (input.prompt !== undefined) settings.prompt = cleanText(input.prompt, 'prompt');
	if (input.negativePrompt !== undefined)
		settings.negativePrompt = cleanText(input.negativePrompt, 'negative prompt');
	if (input.seed !== undefined) {
		const seed = clampNumber('seed', input.seed, 0, limits.seedMax, true, notices);
		if (seed !== undefined) settings.seed = seed;
	}
	if (input.guidance !== undefined) {
		const g = clampNumber(
			'guidance',
			input.guidance,
			limits.guidanceMin,
			limits.guidanceMax,
			false,
			notices
		);
		if (g !== undefined) settings.guidance = Math.round(g * 100) / 100;
	}
	if (input.steps !== undefined) {
		const steps = clampNumber(
			'steps',
			input.steps,
			limits.stepsMin,
			limits.stepsMax,
			true,
			notices
		);
		if (steps !== undefined) settings.steps = steps;
	}
	return { settings, notices };
}

export function resolveSettings(
	input: Partial<GenerationSettings>,
	manifest: Manifest
): { settings: GenerationSettings; notices: string[] } {
	const d = manifest.sampler;
	const L = SETTING_LIMITS;
	// The same cleaning as a link's or the prompt form's: values that already went through it
	// (every page's do) come out as they are, with no notice.
	const cleaned = cleanSettings({
		prompt: input.prompt ?? d.prompt,
		negativePrompt: input.negativePrompt ?? '',
		seed: input.seed,
		guidance: input.guidance,
		steps: input.steps
	});
	const notices = cleaned.notices;
	const prompt = cleaned.settings.prompt!;
	let model = input.model ?? 'teacher';
	if (!modelEntry(manifest, model)) {
		notices.push(`This model folder has no ${model}; using the teacher.`);
		model = 'teacher';
	}
	// Steps and guidance default to what the chosen model was made for.
	const entry = modelEntry(manifest, model)!;
	let scheduler = input.scheduler ?? d.default;
	if (!manifest.sampler.available.includes(scheduler))
		throw new Error(
			`unknown scheduler ${scheduler}; the model offers ${manifest.sampler.available.join(', ')}`
		);
	let spacing = input.spacing ?? manifest.schedule.timestep_spacing;
	if (!SPACINGS.includes(spacing))
		throw new Error(`unknown timestep spacing ${spacing}; use ${SPACINGS.join(' or ')}`);
	// The student learned DDIM's jumps between the teacher's trailing timesteps: no other way.
	if (
		model === 'student' &&
		(scheduler !== d.default || spacing !== manifest.schedule.timestep_spacing)
	) {
		notices.push(
			`The student learned ${d.default} steps on ${manifest.schedule.timestep_spacing} timesteps; using those instead of ${scheduler} on ${spacing}.`
		);
		scheduler = d.default;
		spacing = manifest.schedule.timestep_spacing;
	}
	let negativePrompt = cleaned.settings.negativePrompt!;
	// The student guides inside its U-Net (the scale is an input): no slot for another prompt.
	if (negativePrompt && entry.guidance_input) {
		notices.push(
			`The ${model} guides inside its U-Net and has no unconditional half: the negative prompt is not used.`
		);
		negativePrompt = '';
	}
	if (prompt === '')
		notices.push(
			negativePrompt
				? 'The prompt is empty: the picture is pushed away from the negative prompt, toward what the model draws with no prompt.'
				: 'The prompt is empty: this is the unconditional image, guided by nothing.'
		);
	let guidance = cleaned.settings.guidance ?? entry.guidance;
	let steps = cleaned.settings.steps ?? entry.steps;
	// The student learned some guidance scales and step counts only (both are its inputs).
	const [gLo, gHi] = entry.guidance_range ?? [L.guidanceMin, L.guidanceMax];
	if (guidance < gLo || guidance > gHi) {
		const g = Math.min(gHi, Math.max(gLo, guidance));
		notices.push(
			`The ${model} learned guidance ${gLo} to ${gHi}; using ${g} instead of ${guidance}.`
		);
		guidance = g;
	}
	const counts = entry.step_counts;
	if (counts?.length && !counts.includes(steps)) {
		const near = counts.reduce((a, b) => (Math.abs(b - steps) < Math.abs(a - steps) ? b : a));
		notices.push(
			`The ${model} draws in ${counts.join(', ')} steps; using ${near} instead of ${steps}.`
		);
		steps = near;
	}
	const edit = input.edit ? resolveEdit(input.edit, manifest, steps, notices) : undefined;
	return {
		settings: {
			prompt,
			negativePrompt,
			seed: cleaned.settings.seed ?? d.seed,
			guidance,
			steps,
			scheduler,
			spacing,
			model,
			...(edit ? { edit } : {})
		},
		notices
	};
}

function resolveEdit(
	edit: EditSettings,
	manifest: Manifest,
	steps: number,
	notices: string[]
): EditSettings {
	const { channels: C, size: S } = manifest.latent;
	if (!(edit.latent instanceof Float32Array) || edit.latent.length !== C * S * S)
		throw new Error(`an edit's picture must be a latent of ${C} × ${S} × ${S} numbers`);
	const strength = clampNumber('strength', edit.strength, 0, 1, false, notices) ?? DEFAULT_STRENGTH;
	const out: EditSettings = { latent: edit.latent, strength };
	if (editStart(steps, strength) === steps)
		notices.push(
			`At strength ${strength} no step of ${steps} runs: the picture comes back unchanged (as the VAE redraws it).`
		);
	if (edit.mask !== undefined) {
		const m = Array.from(edit.mask);
		if (m.length !== S * S || m.some((v) => v !== 0 && v !== 1))
			throw new Error(`a mask must be ${S} × ${S} cells of 0 (keep) or 1 (repaint)`);
		if (!m.includes(1))
			notices.push(
				'The mask is empty: nothing is repainted, the picture comes back as the VAE redraws it.'
			);
		out.mask = Uint8Array.from(m);
	}
	return out;
}

/** Image-to-image's default strength: AUTOMATIC1111's default denoising strength. */
export const DEFAULT_STRENGTH = 0.75;
