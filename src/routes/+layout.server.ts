/**
 * Read once at build time (every page is prerendered, see +layout.ts): the limits of the
 * figures' link settings, from the shipped manifest and sample set, so each page reads its
 * link with the model's own limits before anything is fetched, and none is typed in.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '$lib/pipeline/manifest';
import { linkLimits, type LinkLimits } from '$lib/url-state';

export async function load(): Promise<{ linkLimits: LinkLimits }> {
	const root = process.cwd();
	const read = async (...path: string[]) =>
		JSON.parse(await readFile(join(root, 'static', ...path), 'utf8')) as unknown;
	const manifest = (await read('models', 'manifest.json')) as Manifest;
	const samples = (await read('samples', 'samples.json')) as { images: unknown[] };
	return { linkLimits: linkLimits(manifest, samples.images.length) };
}
