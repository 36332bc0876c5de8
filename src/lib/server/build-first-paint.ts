/**
 * The first paint, computed once per build by running the shipped model in Node for every
 * figure of every chapter at its default link. The file the browser fetches (first-paint.bin)
 * and the figures the server renders into each chapter's HTML come from the same packed bytes,
 * so the page hydrates with exactly the numbers it was rendered with.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeFirstPaint, type FirstPaint } from '$lib/pipeline/first-paint-file';
import { pack, unpack } from '$lib/pipeline/pack';
import { parseSamples } from '$lib/pipeline/samples';
import { firstPaintRequests } from '$lib/story/first-paint-requests';
import { nodePipeline } from './node-model';

let built: Promise<{ bytes: Uint8Array<ArrayBuffer>; firstPaint: FirstPaint }> | undefined;

/** Fields holding pictures in [-1, 1], stored as 8-bit pixels. */
const IMAGE_FIELDS = ['image', 'x0Images', 'pixels', 'decoded', 'noisyImage', 'startImage'];

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
		const fp = await computeFirstPaint(
			{ pipeline: model.pipeline, extras },
			model.manifest,
			samples,
			firstPaintRequests
		);
		const bytes = pack(fp, { half: true, images: IMAGE_FIELDS }) as Uint8Array<ArrayBuffer>;
		return { bytes, firstPaint: unpack<FirstPaint>(bytes.slice().buffer) };
	})();
	return built;
}
