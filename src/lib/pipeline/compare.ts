/**
 * Two generations side by side: their steps aligned on the schedule's t, how far apart their
 * clean-latent estimates are at each step, and which prompt tokens are new. Pure functions of the two traces, for the comparison figure and its "what to notice".
 */
import type { Trace } from './generate';

/**
 * B's step paired with A's step i: B's latest step at or before A's t in the loop (the step
 * whose t is the smallest still >= A's t). When both visit the same timesteps this is the same
 * step; a coarser B holds each of its steps until its next one.
 */
export function alignByT(a: Trace, b: Trace, i: number): number {
	const t = a.steps[i]?.t ?? 0;
	return Math.max(
		0,
		b.steps.findLastIndex((s) => s.t >= t)
	);
}

/**
 * How different two equal-length arrays are, as a ratio with no unit: the RMS of their
 * difference over the RMS of the two arrays' values. 0: identical; √2 ≈ 1.41: two independent
 * zero-mean arrays of the same spread, such as two noises; 2: opposite. Scale-free, so early estimates (large numbers, the
 * noise divided by a small √ᾱ) and late ones compare on one axis.
 */
export function relativeDifference(x: Float32Array, y: Float32Array): number {
	let diff = 0;
	let size = 0;
	for (let k = 0; k < x.length; k++) {
		diff += (x[k]! - y[k]!) ** 2;
		size += (x[k]! ** 2 + y[k]! ** 2) / 2;
	}
	return size > 0 ? Math.sqrt(diff / size) : 0;
}

export interface DivergencePoint {
	/** A's step index and its timestep. */
	step: number;
	t: number;
	/** B's step paired with it (alignByT). */
	other: number;
	/** How different the two latents entering the step (x_t) are (relativeDifference). */
	latent: number;
	/** How different the two clean-latent estimates (x0) of the step are. */
	estimate: number;
}

/** How far apart A's and B's latents and clean estimates are at each of A's steps. */
export function divergence(a: Trace, b: Trace): DivergencePoint[] {
	if (!b.steps.length) return [];
	return a.steps.map((s, step) => {
		const other = alignByT(a, b, step);
		const o = b.steps[other]!;
		return {
			step,
			t: s.t,
			other,
			latent: relativeDifference(s.x, o.x),
			estimate: relativeDifference(s.x0, o.x0)
		};
	});
}

/**
 * The first step from which the estimates' difference stays within `band` of its final value
 * (both estimates may still change; how different they are no longer does, much).
 */
export function settledStep(curve: DivergencePoint[], band = 0.05): number {
	const end = curve.at(-1)?.estimate ?? 0;
	let settled = Math.max(0, curve.length - 1);
	for (let i = curve.length - 1; i >= 0; i--) {
		if (Math.abs(curve[i]!.estimate - end) > band) break;
		settled = i;
	}
	return settled;
}

/** Function words: a map of where one is read says little about the picture. */
const FUNCTION_WORDS = new Set(['a', 'an', 'the', 'with', 'of', 'and', 'in', 'on', 'at', 'to']);

/**
 * Positions of B's prompt tokens that A's prompt does not have: words, not special tokens,
 * punctuation, word pieces (##) or function words.
 */
export function newTokens(a: string[], b: string[]): number[] {
	const word = (t: string) => /^[a-z]+$/i.test(t) && !FUNCTION_WORDS.has(t.toLowerCase());
	return b.flatMap((t, i) => (word(t) && !a.includes(t) ? [i] : []));
}
