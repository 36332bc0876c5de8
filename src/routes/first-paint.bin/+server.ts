/**
 * Prerendered at build time: runs the shipped model in Node over the default prompt and
 * the sample images, and writes the result as one packed file for the page's first paint.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeFirstPaint } from '$lib/pipeline/first-paint';
import { pack } from '$lib/pipeline/pack';
import { parseSamples } from '$lib/pipeline/samples';
import { nodePipeline } from '$lib/server/node-model';

export const prerender = true;

export async function GET() {
	const root = process.cwd();
	const built = await nodePipeline(join(root, 'static', 'models'));
	const dir = join(root, 'static', 'samples');
	const samples = parseSamples(
		JSON.parse(await readFile(join(dir, 'samples.json'), 'utf8')),
		new Uint8Array(await readFile(join(dir, 'samples.rgb')))
	);
	const bytes = pack(await computeFirstPaint(built, samples), {
		half: true,
		images: ['image', 'x0Images', 'pixels', 'decoded', 'noisyImage']
	});
	return new Response(bytes as Uint8Array<ArrayBuffer>, {
		headers: { 'content-type': 'application/octet-stream' }
	});
}
