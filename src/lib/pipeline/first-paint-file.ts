/**
 * The first-paint file: the results the chapters show for the default link, computed by this
 * same pipeline at build time (src/routes/first-paint.bin), so the page is complete before,
 * and without, the live model. It is the page's result cache (live.svelte.ts) filled ahead:
 * the same requests, the same keys.
 */
import { EDIT_SAMPLE_LABEL } from './editing';
import type { Manifest } from './manifest';
import {
	precomputedValue,
	requestKey,
	runRequest,
	type Request,
	type ResultModel
} from './results';
import type { SampleSet } from './samples';
import { resolveSettings } from './settings';

/** The training example the U-Net and noise chapters open on. */
export const EXAMPLE_DEFAULTS = { sample: 0, t: 400, seed: 1 } as const;

export interface FirstPaint {
	manifest: Manifest;
	samples: SampleSet;
	/** Each result by its request's key (results.ts requestKey). */
	results: Record<string, unknown>;
	/** The key of the default settings' generation: what the page shows while the model loads. */
	defaultGeneration: string;
}

/** The sample the editing chapter starts from. */
export function editSample(samples: { labels: string[] }): number {
	return Math.max(0, samples.labels.indexOf(EDIT_SAMPLE_LABEL));
}

/**
 * Computes every request the figures make for the default link. `requests` lists them given
 * what is computed so far (some need others' results: an edit needs the picture's latent), so
 * this runs rounds until a round asks for nothing new.
 */
export async function computeFirstPaint(
	m: ResultModel,
	manifest: Manifest,
	samples: SampleSet,
	requests: (fp: FirstPaint) => Request[]
): Promise<FirstPaint> {
	const main: Request = {
		name: 'generation',
		args: { settings: resolveSettings({}, manifest).settings }
	};
	const fp: FirstPaint = { manifest, samples, results: {}, defaultGeneration: requestKey(main) };
	for (let round = 0; round < 8; round++) {
		const todo = [main, ...requests(fp)].filter((r) => !(requestKey(r) in fp.results));
		if (!todo.length) return fp;
		for (const r of todo) {
			const key = requestKey(r);
			if (key in fp.results) continue;
			fp.results[key] = precomputedValue(r, await runRequest(m, r));
		}
	}
	throw new Error('The first paint kept asking for new results after 8 rounds.');
}
