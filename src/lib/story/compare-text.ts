/** The comparison figure's words for what differs between two generations. */
import { settledStep, type DivergencePoint } from '../pipeline/compare';
import type { GenerationSettings } from '../pipeline/settings';
import { SAMPLER_NAMES } from './sampler-claims';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** The prompt's change in words: "+ wearing a hat", "− smiling", or both. */
export function promptChange(a: string, b: string): string {
	const aw = words(a);
	const bw = words(b);
	const added = bw.filter((w) => !aw.includes(w));
	const removed = aw.filter((w) => !bw.includes(w));
	if (!added.length && !removed.length) return `“${a}” vs “${b}”`;
	return [
		removed.length ? `− ${removed.join(' ')}` : '',
		added.length ? `+ ${added.join(' ')}` : ''
	]
		.filter(Boolean)
		.join(', ');
}

/** Each setting that differs, said short: "seed 42 vs 43", "prompt: + wearing a hat". */
export function settingsChange(a: GenerationSettings, b: GenerationSettings): string[] {
	const out: string[] = [];
	if (a.prompt !== b.prompt) out.push(`prompt: ${promptChange(a.prompt, b.prompt)}`);
	if (a.negativePrompt !== b.negativePrompt)
		out.push(
			`negative prompt “${a.negativePrompt || '(none)'}” vs “${b.negativePrompt || '(none)'}”`
		);
	if (a.seed !== b.seed) out.push(`seed ${a.seed} vs ${b.seed}`);
	if (a.guidance !== b.guidance) out.push(`guidance ${a.guidance} vs ${b.guidance}`);
	if (a.model !== b.model) out.push(`${a.model} vs ${b.model}`);
	if (a.scheduler !== b.scheduler)
		out.push(`${SAMPLER_NAMES[a.scheduler]} vs ${SAMPLER_NAMES[b.scheduler]}`);
	if (a.steps !== b.steps) out.push(`${a.steps} steps vs ${b.steps}`);
	if (a.spacing !== b.spacing) out.push(`${a.spacing} vs ${b.spacing} spacing`);
	return out;
}

/** What sets each side apart, for its caption: "seed 42" and "seed 43". */
export function sideNotes(a: GenerationSettings, b: GenerationSettings): [string, string] {
	const sides = ([a, b] as const).map((x, k) => {
		const y = k ? a : b;
		const out: string[] = [];
		if (x.prompt !== y.prompt) out.push(`“${x.prompt}”`);
		if (x.negativePrompt !== y.negativePrompt)
			out.push(x.negativePrompt ? `negative “${x.negativePrompt}”` : 'no negative prompt');
		if (x.seed !== y.seed) out.push(`seed ${x.seed}`);
		if (x.guidance !== y.guidance) out.push(`guidance ${x.guidance}`);
		if (x.model !== y.model) out.push(x.model);
		if (x.scheduler !== y.scheduler) out.push(SAMPLER_NAMES[x.scheduler]);
		if (x.steps !== y.steps) out.push(`${x.steps} steps`);
		if (x.spacing !== y.spacing) out.push(`${x.spacing} spacing`);
		return out.length ? out.join(', ') : 'the same settings';
	});
	return [sides[0]!, sides[1]!];
}

/**
 * What the comparison's curve shows, read off it: where the two start, when their clean
 * estimates differ most, and from which step the difference stays near where it ends.
 */
export function curveNotice(curve: DivergencePoint[]): string | undefined {
	const n = curve.length;
	if (!n) return undefined;
	const first = curve[0]!;
	const last = curve[n - 1]!;
	if (curve.every((p) => p.latent < 1e-6 && p.estimate < 1e-6))
		return 'A and B are the same generation: both differences are 0 at every step.';
	const start =
		first.latent < 0.01
			? 'They start from the same noise'
			: `They start from different noise (latents ${first.latent.toFixed(2)} apart)`;
	const peak = curve.reduce((m, p) => (p.estimate > m.estimate ? p : m), first);
	const settled = curve[settledStep(curve)]!;
	const most =
		peak.step === 0
			? `their clean estimates differ most at the first step (${peak.estimate.toFixed(2)})`
			: `their clean estimates differ most at step ${peak.step + 1} of ${n} (t = ${peak.t}, ${peak.estimate.toFixed(2)})`;
	const end = `end ${last.estimate.toFixed(2)} apart`;
	const after =
		settled.step < n - 1
			? `from step ${settled.step + 1} (t = ${settled.t}) on, that difference stays within 0.05 of its final size: later steps still change each picture, but not how far apart the two are.`
			: 'the difference is still moving at the last step.';
	return `${start}; ${most} and ${end}; ${after}`;
}
