import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	fetchManifest,
	loadModelFiles,
	ModelFileError,
	OFFLINE_MESSAGE,
	type ByteCache,
	type DownloadProgress
} from '../../src/lib/pipeline/files';
import { hasModels, modelsDir } from './golden';

const base = 'http://models.test/';

/** A fetch that serves the model folder, with one file optionally damaged. */
function serve(damage?: { path: string; how: 'truncate' | 'flip' | 'missing' }) {
	const requests: string[] = [];
	const f = (async (url: string | URL) => {
		const path = new URL(url.toString()).pathname.slice(1);
		requests.push(path);
		if (damage?.path === path && damage.how === 'missing')
			return new Response('no', { status: 404 });
		let bytes: Uint8Array<ArrayBuffer>;
		try {
			bytes = new Uint8Array(await readFile(join(modelsDir, path)));
		} catch {
			return new Response('no', { status: 404 });
		}
		if (damage?.path === path && damage.how === 'truncate')
			bytes = bytes.slice(0, bytes.length - 10);
		if (damage?.path === path && damage.how === 'flip') bytes[100] = bytes[100]! ^ 0xff;
		return new Response(bytes as Uint8Array<ArrayBuffer>);
	}) as typeof fetch;
	return { fetch: f, requests };
}

function memoryCache(): ByteCache & { store: Map<string, Uint8Array> } {
	const store = new Map<string, Uint8Array>();
	return {
		store,
		async match(url) {
			const b = store.get(url);
			return b ? new Response(b as Uint8Array<ArrayBuffer>) : undefined;
		},
		async put(url, res) {
			store.set(url, new Uint8Array(await res.arrayBuffer()));
		}
	};
}

describe.runIf(hasModels)('model file loading', () => {
	it('reports byte progress and returns verified files', async () => {
		const { fetch } = serve();
		const manifest = await fetchManifest(base, { fetch });
		const seen: DownloadProgress[] = [];
		const files = await loadModelFiles(base, manifest, ['unet', 'vae_decoder'], {
			fetch,
			cache: null,
			onProgress: (p) => seen.push(p)
		});
		expect(files.get('unet')!.length).toBe(manifest.files.unet!.bytes);
		const last = seen.at(-1)!;
		expect(last.allLoaded).toBe(last.allTotal);
		expect(last.allTotal).toBe(manifest.files.unet!.bytes + manifest.files.vae_decoder!.bytes);
	});

	for (const how of ['truncate', 'flip', 'missing'] as const) {
		it(`a ${how === 'flip' ? 'corrupted' : how === 'truncate' ? 'truncated' : 'missing'} file is refused, by name`, async () => {
			const { fetch } = serve({ path: 'unet.onnx', how });
			const manifest = await fetchManifest(base, { fetch });
			const cache = memoryCache();
			const run = loadModelFiles(base, manifest, ['unet', 'vae_decoder'], { fetch, cache });
			await expect(run).rejects.toBeInstanceOf(ModelFileError);
			await expect(run).rejects.toThrow(
				how === 'flip'
					? /unet\.onnx: is corrupted/
					: how === 'truncate'
						? /unet\.onnx: is truncated/
						: /unet\.onnx: is missing/
			);
			expect([...cache.store.keys()].some((k) => k.includes('unet.onnx'))).toBe(false);
		});
	}

	describe('a network failure', () => {
		afterEach(() => vi.unstubAllGlobals());
		const unreachable = (async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof fetch;

		it('offline, is said plainly (the file was never saved), still naming the file', async () => {
			const manifest = await fetchManifest(base, serve());
			vi.stubGlobal('navigator', { onLine: false });
			const run = loadModelFiles(base, manifest, ['vae_encoder'], {
				fetch: unreachable,
				cache: null
			});
			await expect(run).rejects.toThrow(OFFLINE_MESSAGE);
			await expect(run).rejects.toMatchObject({ file: 'vae_encoder.onnx' });
			await expect(fetchManifest(base, { fetch: unreachable })).rejects.toThrow(OFFLINE_MESSAGE);
		});

		it('online, keeps its cause', async () => {
			const manifest = await fetchManifest(base, serve());
			vi.stubGlobal('navigator', { onLine: true });
			await expect(
				loadModelFiles(base, manifest, ['vae_encoder'], { fetch: unreachable, cache: null })
			).rejects.toThrow('vae_encoder.onnx: could not be downloaded (Failed to fetch)');
		});
	});

	it('a broken manifest is named', async () => {
		const broken = (async () => new Response('{"files": 1')) as unknown as typeof fetch;
		await expect(fetchManifest(base, { fetch: broken })).rejects.toThrow(
			/manifest\.json: is not valid JSON/
		);
	});

	it('a second visit reads from the cache, and a damaged cached copy is downloaded again', async () => {
		const cache = memoryCache();
		const first = serve();
		const manifest = await fetchManifest(base, { fetch: first.fetch });
		await loadModelFiles(base, manifest, ['vae_decoder'], { fetch: first.fetch, cache });
		const second = serve();
		const seen: DownloadProgress[] = [];
		await loadModelFiles(base, manifest, ['vae_decoder'], {
			fetch: second.fetch,
			cache,
			onProgress: (p) => seen.push(p)
		});
		expect(second.requests).toEqual([]);
		expect(seen.at(-1)!.fromCache).toBe(true);
		for (const [k, v] of cache.store) cache.store.set(k, v.slice(1));
		const third = serve();
		const files = await loadModelFiles(base, manifest, ['vae_decoder'], {
			fetch: third.fetch,
			cache
		});
		expect(third.requests).toEqual(['vae_decoder.onnx']);
		expect(files.get('vae_decoder')!.length).toBe(manifest.files.vae_decoder!.bytes);
	});
});
