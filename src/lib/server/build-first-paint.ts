/**
 * The first paint, computed once per build by running the shipped model in Node for every
 * figure of every chapter at its default link. Each page fetches its own part of it
 * (first-paint/<page>.bin: the home page's generation, or what one chapter's figures show);
 * the server renders each chapter's HTML from the same packed numbers, so the page hydrates
 * with exactly the numbers it was rendered with.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeFirstPaint, type FirstPaint } from '$lib/pipeline/first-paint-file';
import { pack, unpack } from '$lib/pipeline/pack';
import { requestKey } from '$lib/pipeline/results';
import { parseSamples } from '$lib/pipeline/samples';
import { CHAPTERS } from '$lib/story/chapters';
import { firstPaintRequests } from '$lib/figures/first-paint-requests';
import { nodePipeline } from './node-model';

/** The pages with a first paint of their own: the home page and every chapter. */
export const FIRST_PAINT_PAGES = ['home', ...CHAPTERS.map((c) => c.slug)];

/** Fields holding pictures in [-1, 1], stored as 8-bit pixels. */
const IMAGE_FIELDS = ['image', 'x0Images', 'pixels', 'decoded', 'noisyImage', 'startImage'];

const packed = (fp: FirstPaint) =>
	pack(fp, { half: true, images: IMAGE_FIELDS }) as Uint8Array<ArrayBuffer>;

let built:
	| Promise<{ firstPaint: FirstPaint; bytesFor: (page: string) => Uint8Array<ArrayBuffer> }>
	| undefined;

export function builtFirstPaint() {
	built ??= (async () => {
		const root = process.cwd();
		const model = await nodePipeline(join(root, 'static', 'models'));
		const dir = join(root, 'static', 'samples');
		const samples = parseSamples(
			JSON.parse(await readFile(join(dir, 'samples.json'), 'utf8')),
			new Uint8Array(await readFile(join(dir, 'samples.rgb')))
		);
		const extras = async () => model;
		const computed = await computeFirstPaint(
			{ pipeline: model.pipeline, extras },
			model.manifest,
			samples,
			firstPaintRequests
		);
		// What the server renders with: the numbers as the browser unpacks them.
		const firstPaint = unpack<FirstPaint>(packed(computed).slice().buffer);
		const bytesFor = (page: string) => {
			const keys = new Set([
				computed.defaultGeneration,
				...firstPaintRequests(computed, page).map(requestKey)
			]);
			const results = Object.fromEntries(
				Object.entries(computed.results).filter(([k]) => keys.has(k))
			);
			return packed({ ...computed, results });
		};
		return { firstPaint, bytesFor };
	})();
	return built;
}
