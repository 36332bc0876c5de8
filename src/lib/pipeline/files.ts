/**
 * Downloads the model files named in the manifest, with byte-level progress, checks each
 * one's size and sha256, and keeps verified copies in the Cache API so that a second visit
 * works offline. Nothing that fails a check is returned or cached.
 */
import type { FileInfo, Manifest } from './manifest';

export class ModelFileError extends Error {
	constructor(
		readonly file: string,
		message: string
	) {
		super(`${file}: ${message}`);
		this.name = 'ModelFileError';
	}
}

export interface DownloadProgress {
	file: string;
	/** Bytes of this file received so far, and its size. */
	loaded: number;
	total: number;
	/** All requested files together. */
	allLoaded: number;
	allTotal: number;
	fromCache: boolean;
}

/** The part of the Cache API we use (absent in Node, where nothing is cached). */
export interface ByteCache {
	match(url: string): Promise<Response | undefined>;
	put(url: string, response: Response): Promise<void>;
}

export interface LoadOptions {
	fetch?: typeof fetch;
	cache?: ByteCache | null;
	onProgress?: (p: DownloadProgress) => void;
	signal?: AbortSignal;
}

/** What a reader is told when a file was never saved and the network is gone. */
export const OFFLINE_MESSAGE = 'You are offline and this part was not saved.';

/** A failed download: said plainly when the browser is offline, not as a raw fetch error. */
function downloadError(file: string, e: unknown): ModelFileError {
	const error = new ModelFileError(file, `could not be downloaded (${(e as Error).message})`);
	if (globalThis.navigator?.onLine === false) error.message = OFFLINE_MESSAGE;
	return error;
}

const CACHE_NAME = 'emoji-diffusion-models';

export async function openCache(): Promise<ByteCache | null> {
	try {
		return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
	} catch {
		return null; // e.g. an insecure context or storage disabled: download every time
	}
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function fetchManifest(
	baseUrl: string,
	opts: Pick<LoadOptions, 'fetch' | 'signal'> = {}
): Promise<Manifest> {
	const doFetch = opts.fetch ?? fetch;
	let res: Response;
	try {
		res = await doFetch(new URL('manifest.json', baseUrl), {
			signal: opts.signal,
			cache: 'no-cache'
		});
	} catch (e) {
		throw downloadError('manifest.json', e);
	}
	if (!res.ok) throw new ModelFileError('manifest.json', `the server answered ${res.status}`);
	let manifest: Manifest;
	try {
		manifest = (await res.json()) as Manifest;
	} catch {
		throw new ModelFileError('manifest.json', 'is not valid JSON');
	}
	if (!manifest?.files || !manifest.schedule?.alphas_cumprod || !manifest.latent)
		throw new ModelFileError('manifest.json', 'lacks files, schedule or latent settings');
	return manifest;
}

async function readWithProgress(
	res: Response,
	total: number,
	onChunk: (loaded: number) => void
): Promise<Uint8Array> {
	if (!res.body) {
		const all = new Uint8Array(await res.arrayBuffer());
		onChunk(all.length);
		return all;
	}
	const reader = res.body.getReader();
	const chunks: Uint8Array[] = [];
	let loaded = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		loaded += value.length;
		if (loaded > total) break; // larger than the manifest says: stop reading, fail below
		onChunk(loaded);
	}
	const out = new Uint8Array(loaded);
	let at = 0;
	for (const c of chunks) {
		out.set(c.subarray(0, Math.min(c.length, loaded - at)), at);
		at += c.length;
	}
	return out;
}

/**
 * A file that comes with the site rather than the model folder (the runtime's .wasm), with
 * byte progress. Its size is given (`expected`, known at build time) or read from the
 * response when it is not compressed in transit; nothing is hashed, since no manifest lists it.
 */
export async function fetchBytes(
	url: string,
	expected: number | undefined,
	onProgress: (loaded: number, total: number) => void,
	opts: Pick<LoadOptions, 'fetch' | 'signal'> = {}
): Promise<Uint8Array> {
	const doFetch = opts.fetch ?? fetch;
	const name = url.slice(url.lastIndexOf('/') + 1);
	const failed = (why: string) => new Error(`${name} could not be downloaded (${why})`);
	let res: Response;
	try {
		res = await doFetch(url, { signal: opts.signal, credentials: 'same-origin' });
	} catch (e) {
		if (opts.signal?.aborted) throw e;
		throw failed((e as Error).message);
	}
	if (!res.ok) throw failed(`the server answered ${res.status}`);
	const length = Number(res.headers.get('content-length'));
	const sent = !res.headers.get('content-encoding') && length > 0 ? length : undefined;
	const total = expected ?? sent;
	try {
		const bytes = await readWithProgress(res, Infinity, (n) =>
			onProgress(n, Math.max(n, total ?? n))
		);
		onProgress(bytes.length, bytes.length);
		return bytes;
	} catch (e) {
		if (opts.signal?.aborted) throw e;
		throw failed((e as Error).message);
	}
}

async function verify(name: string, info: FileInfo, bytes: Uint8Array): Promise<void> {
	if (bytes.length !== info.bytes)
		throw new ModelFileError(
			name,
			bytes.length < info.bytes
				? `is truncated (${bytes.length} of ${info.bytes} bytes)`
				: `is larger than expected (${bytes.length} instead of ${info.bytes} bytes)`
		);
	if ((await sha256Hex(bytes)) !== info.sha256)
		throw new ModelFileError(name, 'is corrupted (its sha256 does not match the manifest)');
}

/** Downloads (or reads from the cache) and verifies the files with these manifest keys. */
export async function loadModelFiles(
	baseUrl: string,
	manifest: Manifest,
	keys: string[],
	opts: LoadOptions = {}
): Promise<Map<string, Uint8Array>> {
	const doFetch = opts.fetch ?? fetch;
	const cache = opts.cache === undefined ? await openCache() : opts.cache;
	const infos = keys.map((k) => {
		const info = manifest.files[k];
		if (!info) throw new ModelFileError(k, 'is not listed in manifest.json');
		return [k, info] as const;
	});
	const allTotal = infos.reduce((a, [, f]) => a + f.bytes, 0);
	const done = new Map<string, number>();
	const report = (file: string, loaded: number, total: number, fromCache: boolean) => {
		done.set(file, loaded);
		const allLoaded = [...done.values()].reduce((a, b) => a + b, 0);
		opts.onProgress?.({ file, loaded, total, allLoaded, allTotal, fromCache });
	};

	const out = new Map<string, Uint8Array>();
	await Promise.all(
		infos.map(async ([key, info]) => {
			// The hash in the cache key means a new model version never meets an old file.
			const url = new URL(info.path, baseUrl).href;
			const cacheKey = `${url}?sha256=${info.sha256}`;
			const cached = await cache?.match(cacheKey);
			if (cached) {
				const bytes = new Uint8Array(await cached.arrayBuffer());
				try {
					await verify(info.path, info, bytes);
					report(info.path, bytes.length, info.bytes, true);
					out.set(key, bytes);
					return;
				} catch {
					// A damaged cached copy: fall through and download it again.
				}
			}
			let res: Response;
			try {
				res = await doFetch(url, { signal: opts.signal });
			} catch (e) {
				if (opts.signal?.aborted) throw e;
				throw downloadError(info.path, e);
			}
			if (!res.ok)
				throw new ModelFileError(info.path, `is missing (the server answered ${res.status})`);
			let bytes: Uint8Array;
			try {
				bytes = await readWithProgress(res, info.bytes, (n) =>
					report(info.path, Math.min(n, info.bytes), info.bytes, false)
				);
			} catch (e) {
				// The connection dropped mid-file: the same failure as one that never started.
				if (opts.signal?.aborted) throw e;
				throw new ModelFileError(info.path, `could not be downloaded (${(e as Error).message})`);
			}
			await verify(info.path, info, bytes);
			await cache
				?.put(cacheKey, new Response(bytes as Uint8Array<ArrayBuffer>))
				.catch(() => undefined);
			out.set(key, bytes);
		})
	);
	return out;
}
