/**
 * Two generations compared (pipeline/compare.ts, story/compare-text.ts): steps aligned by t,
 * the divergence curve (zero for a generation against itself), what differs, and the line
 * under the figure read off the curve. The last test runs the shipped model: B's generation
 * for a vs.* link is the generation of B's own settings, bit for bit.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	alignByT,
	divergence,
	newTokens,
	relativeDifference,
	settledStep,
	type DivergencePoint
} from '../../src/lib/pipeline/compare';
import type { Trace } from '../../src/lib/pipeline/generate';
import { requestKey, runRequest } from '../../src/lib/pipeline/results';
import { resolveSettings, type GenerationSettings } from '../../src/lib/pipeline/settings';
import { nodePipeline } from '../../src/lib/server/node-model';
import {
	curveNotice,
	promptChange,
	settingsChange,
	sideNotes
} from '../../src/lib/story/compare-text';
import { compareRequests, generation } from '../../src/lib/figures/requests';
import { parseViewState, linkLimits } from '../../src/lib/url-state';

/** A trace whose steps visit `ts`, each step's latent and estimate given by `at(i)`. */
function trace(ts: number[], at: (i: number) => { x: number[]; x0: number[] }): Trace {
	return {
		steps: ts.map((t, i) => ({ t, x: Float32Array.from(at(i).x), x0: Float32Array.from(at(i).x0) }))
	} as unknown as Trace;
}

describe('the divergence of two generations', () => {
	const ts25 = Array.from({ length: 25 }, (_, i) => 999 - 40 * i);
	const a = trace(ts25, (i) => ({ x: [1, i, -1], x0: [i, 2, 3] }));

	it('is zero at every step for a generation against itself', () => {
		const curve = divergence(a, a);
		expect(curve).toHaveLength(25);
		for (const p of curve) expect([p.latent, p.estimate, p.other - p.step]).toEqual([0, 0, 0]);
		expect(curveNotice(curve)).toBe(
			'A and B are the same generation: both differences are 0 at every step.'
		);
	});

	it('starts at its largest for two seeds: unrelated noise that both runs turn into pictures', () => {
		// B starts from the opposite noise and meets A halfway through.
		const b = trace(ts25, (i) => ({ x: [-1 * (1 - i / 24) + (i / 24) * 1, i, -1], x0: [i, 2, 3] }));
		const curve = divergence(a, b);
		const first = curve[0]!.latent;
		expect(first).toBe(Math.max(...curve.map((p) => p.latent)));
		expect(curve.at(-1)!.latent).toBe(0);
		expect(curveNotice(curve)).toMatch(
			/^They start from different noise \(latents \d\.\d\d apart\)/
		);
	});

	it('aligns by t when the step counts differ: the scrubbed point is on B’s step at or before it', () => {
		const b = trace([999, 759, 519, 279], (i) => ({ x: [i, 0, 0], x0: [i, 0, 0] }));
		expect(a.steps.map((_, i) => alignByT(a, b, i))).toEqual(
			ts25.map((t) => [999, 759, 519, 279].findLastIndex((s) => s >= t))
		);
		const curve = divergence(a, b);
		expect(curve[7]).toMatchObject({ step: 7, t: 719, other: 1 });
		expect(curve[7]!.estimate).toBeCloseTo(relativeDifference(a.steps[7]!.x0, b.steps[1]!.x0), 9);
	});

	it('measures difference without a unit: 0 the same, √2 unrelated, 2 opposite', () => {
		const x = Float32Array.of(1, -1, 1, -1);
		expect(relativeDifference(x, x)).toBe(0);
		expect(relativeDifference(x, Float32Array.of(1, 1, -1, -1))).toBeCloseTo(Math.SQRT2, 9);
		expect(
			relativeDifference(
				x,
				x.map((v) => -v)
			)
		).toBeCloseTo(2, 9);
		// Scale-free: both ten times larger, the same difference.
		expect(
			relativeDifference(
				x.map((v) => 10 * v),
				Float32Array.of(10, 10, -10, -10)
			)
		).toBeCloseTo(Math.SQRT2, 6);
	});

	it('says when the estimates stop moving apart, read off the curve', () => {
		const point = (step: number, estimate: number, latent = 0): DivergencePoint => ({
			step,
			t: 999 - 40 * step,
			other: step,
			latent,
			estimate
		});
		const rises = [0.5, 0.7, 0.89, 0.88, 0.86, 0.85].map((e, i) => point(i, e));
		expect(settledStep(rises)).toBe(2);
		expect(curveNotice(rises)).toBe(
			'They start from the same noise; their clean estimates differ most at step 3 of 6 (t = 919, 0.89) and end 0.85 apart; from step 3 (t = 919) on, that difference stays within 0.05 of its final size: later steps still change each picture, but not how far apart the two are.'
		);
		const moving = [0.1, 0.2, 0.3].map((e, i) => point(i, e, 1));
		expect(curveNotice(moving)).toMatch(/the difference is still moving at the last step\.$/);
	});
});

describe('what differs, in words', () => {
	const a: GenerationSettings = {
		prompt: 'smiling cat',
		negativePrompt: '',
		seed: 42,
		guidance: 4,
		steps: 25,
		scheduler: 'ddim',
		spacing: 'trailing',
		model: 'teacher'
	};

	it('names each setting that differs, and each side by its own values', () => {
		expect(settingsChange(a, { ...a, seed: 43 })).toEqual(['seed 42 vs 43']);
		expect(settingsChange(a, { ...a, prompt: 'smiling cat wearing a hat' })).toEqual([
			'prompt: + wearing a hat'
		]);
		expect(settingsChange(a, { ...a, scheduler: 'euler_a', steps: 8 })).toEqual([
			'DDIM vs Euler ancestral',
			'25 steps vs 8'
		]);
		expect(settingsChange(a, a)).toEqual([]);
		expect(sideNotes(a, { ...a, seed: 43, guidance: 1 })).toEqual([
			'seed 42, guidance 4',
			'seed 43, guidance 1'
		]);
		expect(promptChange('smiling cat', 'crying cat')).toBe('− smiling, + crying');
		expect(promptChange('a b', 'b a')).toBe('“a b” vs “b a”');
	});

	it('finds the word tokens only B has: no special tokens, punctuation, pieces or function words', () => {
		const a = ['[CLS]', 'smiling', 'cat', '[SEP]'];
		expect(
			newTokens(a, ['[CLS]', 'smiling', 'cat', 'with', 'heart', '-', 'eyes', '[SEP]'])
		).toEqual([4, 6]);
		expect(newTokens(a, ['[CLS]', 'cat', '##s', '[UNK]', '[SEP]'])).toEqual([]);
		expect(newTokens(a, a)).toEqual([]);
	});
});

describe('a vs.* link on the shipped model', () => {
	it('gives B the generation of B’s own settings, bit for bit, through the worker’s path', async () => {
		const m = await nodePipeline(join(process.cwd(), 'static', 'models'));
		const model = { pipeline: m.pipeline, extras: async () => m };
		const limits = { maxStep: 9, ...linkLimits(m.manifest, 16) };
		const link = parseViewState(
			new URLSearchParams('prompt=red+heart&seed=7&vs.prompt=red+heart+with+sparkles&vs.steps=4'),
			limits
		).state;
		const { a, b } = compareRequests(m.manifest, link, () => ({}));
		expect(a.args.settings).toMatchObject({ prompt: 'red heart', seed: 7, steps: 25 });
		const direct = generation(
			resolveSettings({ prompt: 'red heart with sparkles', seed: 7, steps: 4 }, m.manifest).settings
		);
		expect(requestKey(b)).toBe(requestKey(direct));
		const [viaLink, alone] = await Promise.all([runRequest(model, b), runRequest(model, direct)]);
		const image = (g: unknown) => (g as { trace: Trace }).trace.image;
		expect(image(viaLink)).toEqual(image(alone));
		expect((viaLink as { trace: Trace }).trace.steps).toHaveLength(4);
	}, 60_000);
});
