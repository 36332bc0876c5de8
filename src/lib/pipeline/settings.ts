/** Generation settings: defaults from the manifest, every value clamped, each change said. */
import { modelEntry, type Manifest, type ModelName, type SchedulerName } from './manifest';

export const SETTING_LIMITS = {
	stepsMin: 1,
	stepsMax: 50,
	guidanceMin: 0,
	guidanceMax: 20,
	seedMax: 0xffffffff,
	promptChars: 200
} as const;

export interface GenerationSettings {
	prompt: string;
	seed: number;
	guidance: number;
	steps: number;
	scheduler: SchedulerName;
	/** Which U-Net: the teacher, or the few-step student distilled from it. */
	model: ModelName;
}

export function resolveSettings(
	input: Partial<GenerationSettings>,
	manifest: Manifest
): { settings: GenerationSettings; notices: string[] } {
	const notices: string[] = [];
	const d = manifest.sampler;
	const L = SETTING_LIMITS;
	const clamp = (
		name: string,
		v: number | undefined,
		fallback: number,
		lo: number,
		hi: number,
		int: boolean
	) => {
		if (v === undefined) return fallback;
		if (!Number.isFinite(v)) {
			notices.push(`${name} ${v} is not a number; using ${fallback}.`);
			return fallback;
		}
		let c = Math.min(hi, Math.max(lo, v));
		if (int) c = Math.round(c);
		if (c !== v)
			notices.push(
				`${name} ${v} is outside ${lo} to ${hi}${int ? ' (whole numbers)' : ''}; using ${c}.`
			);
		return c;
	};
	let prompt = (input.prompt ?? d.prompt).normalize('NFC').replace(/\s+/g, ' ').trim();
	if ([...prompt].length > L.promptChars) {
		prompt = [...prompt].slice(0, L.promptChars).join('');
		notices.push(`The prompt was cut to ${L.promptChars} characters.`);
	}
	if (prompt === '')
		notices.push('The prompt is empty: this is the unconditional image, guided by nothing.');
	let model = input.model ?? 'teacher';
	if (!modelEntry(manifest, model)) {
		notices.push(`This model folder has no ${model}; using the teacher.`);
		model = 'teacher';
	}
	// Steps and guidance default to what the chosen model was made for.
	const entry = modelEntry(manifest, model)!;
	const scheduler = input.scheduler ?? d.default;
	if (!manifest.sampler.available.includes(scheduler))
		throw new Error(
			`unknown scheduler ${scheduler}; the model offers ${manifest.sampler.available.join(', ')}`
		);
	let guidance = clamp(
		'guidance',
		input.guidance,
		entry.guidance,
		L.guidanceMin,
		L.guidanceMax,
		false
	);
	let steps = clamp('steps', input.steps, entry.steps, L.stepsMin, L.stepsMax, true);
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
	return {
		settings: {
			prompt,
			seed: clamp('seed', input.seed, d.seed, 0, L.seedMax, true),
			guidance,
			steps,
			scheduler,
			model
		},
		notices
	};
}
