/**
 * Builds the pipeline in Node from a model folder, with the browser's own builder
 * (pipeline/build.ts): files read from disk and checked against the manifest,
 * onnxruntime-web's WASM backend for every network. For tests, and for the build, which
 * precomputes the first-paint file with it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPipeline } from '../pipeline/build';
import { fetchManifest, loadModelFiles } from '../pipeline/files';

/** fetch() for file:// URLs, which Node's fetch does not read. */
export const fileFetch = (async (url: string | URL) => {
	const path = new URL(url.toString()).pathname;
	try {
		return new Response(await readFile(path));
	} catch {
		return new Response('not found', { status: 404 });
	}
}) as typeof fetch;

export async function nodePipeline(dir: string) {
	const base = pathToFileURL(dir + '/').href;
	const manifest = await fetchManifest(base, { fetch: fileFetch });
	const built = await buildPipeline(
		{
			manifest,
			files: (keys) => loadModelFiles(base, manifest, keys, { fetch: fileFetch, cache: null })
		},
		// One thread: results that do not depend on the machine.
		{ backend: 'wasm', threads: 1, second: 'eager' }
	);
	const { vaeEncoder, imageEncoder } = await built.extras();
	return { pipeline: built.pipeline, manifest, vaeEncoder, imageEncoder, dir: join(dir) };
}
