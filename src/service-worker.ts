/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline after one visit (a classroom whose wifi fails): the page registers this once the
 * live model has drawn its first picture (src/lib/offline.ts), and it then saves every file the
 * site can ask for: every page, the app, the samples, the model's manifest, and every model file
 * the pipeline may load (the student's U-Net and the VAE encoder included; never the test
 * goldens). Pages and manifest stay fresh while online. Of onnxruntime-web's two builds, only
 * the one the page ran on is kept: the page names it in a message, and any later fetch of a
 * runtime file is kept too. The model files are kept where the page's loader keeps them
 * (pipeline/files.ts: verified, under their sha256), so a new model replaces the old without
 * any help from here; this cache is named by the build, and a new build drops the old one.
 * Every path is under `base`, so the site works offline under a sub-path too.
 */
import { base, build, files, prerendered, version } from '$service-worker';
import { pipelineFileKeys } from '$lib/pipeline/build';
import { fetchManifest, loadModelFiles } from '$lib/pipeline/files';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `site-${version}`;
/** The model files are cached by the loader; here only their manifest and the card's pictures. */
const MODELS = `${base}/models/`;
const MANIFEST = `${MODELS}manifest.json`;
/** onnxruntime-web's files (both builds: 41 MB), cached only as used. */
const RUNTIME = `${base}/ort/`;
/** Read by Netlify and Cloudflare Pages, which never serve it: asking would fail the install. */
const HEADERS = `${base}/_headers`;
const PRECACHE = [
	...build,
	...prerendered,
	// The model card's pictures are <img>s on /model, not files the loader fetches.
	...files.filter(
		(f) => f !== HEADERS && !f.startsWith(RUNTIME) && (!f.startsWith(MODELS) || f.endsWith('.png'))
	),
	MANIFEST
];
const PAGES = new Set(prerendered.filter((p) => p.endsWith('/')));
const RUNTIME_FILES = new Set(files.filter((f) => f.startsWith(RUNTIME)));
/** Named by their content's hash (the inference worker's files too): the cached copy is right. */
const IMMUTABLE = `${base}/_app/immutable/`;
/** The inference worker's files, which `build` leaves out (listed by vite.config.ts). */
const WORKER_FILES = `${base}/_app/worker-files.json`;

async function workerFiles(): Promise<string[]> {
	const res = await fetch(WORKER_FILES, { cache: 'no-cache' });
	return res.ok ? ((await res.json()) as string[]).map((f) => `${base}/${f}`) : [];
}

/** Every model file the pages may load, into the loader's own cache (files.ts checks each). */
async function saveModelFiles(): Promise<void> {
	const baseUrl = new URL(MODELS, sw.location.origin).href;
	const manifest = await fetchManifest(baseUrl);
	await loadModelFiles(baseUrl, manifest, pipelineFileKeys(manifest));
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then(async (cache) => cache.addAll([...PRECACHE, ...(await workerFiles())]))
			// A model file that cannot be saved now leaves that part online-only, not the site.
			.then(() => saveModelFiles().catch(() => undefined))
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(
					keys.filter((k) => k.startsWith('site-') && k !== CACHE).map((k) => caches.delete(k))
				)
			)
			.then(() => sw.clients.claim())
	);
});

/** The network first (pages and the manifest stay fresh online), the cache when offline. */
async function fresh(request: Request, path: string): Promise<Response> {
	const cache = await caches.open(CACHE);
	try {
		const response = await fetch(request);
		if (response.ok && PRECACHE.includes(path)) await cache.put(path, response.clone());
		return response;
	} catch (error) {
		// Links carry their state in the query: the cached page is the same for every query.
		const cached = await cache.match(path, { ignoreSearch: true });
		if (cached) return cached;
		throw error;
	}
}

/** A runtime file from the cache, else fetched and kept (a build's files never change). */
async function runtimeFile(path: string, request: Request | string = path): Promise<Response> {
	const cache = await caches.open(CACHE);
	const hit = await cache.match(path);
	if (hit) return hit;
	const response = await fetch(request);
	if (response.ok) await cache.put(path, response.clone());
	return response;
}

sw.addEventListener('message', (event) => {
	const { kind, paths } = (event.data ?? {}) as { kind?: string; paths?: unknown };
	if (kind !== 'cache-runtime' || !Array.isArray(paths)) return;
	const known = paths.filter((p): p is string => typeof p === 'string' && RUNTIME_FILES.has(p));
	event.waitUntil(Promise.all(known.map((p) => runtimeFile(p).catch(() => undefined))));
});

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== sw.location.origin) return;
	const path = url.pathname;
	// Links handed out before pages were folders (/clip?step=2): what a static host answers,
	// here too when offline.
	if (PAGES.has(`${path}/`)) {
		event.respondWith(Response.redirect(`${url.origin}${path}/${url.search}`, 301));
		return;
	}
	// Model files go straight to the loader's own verified cache (files.ts).
	if (path.startsWith(MODELS) && path !== MANIFEST && !PRECACHE.includes(path)) return;
	if (RUNTIME_FILES.has(path)) {
		event.respondWith(runtimeFile(path, request));
		return;
	}
	if (path.startsWith(IMMUTABLE)) {
		event.respondWith(caches.match(path).then((hit) => hit ?? fetch(request)));
		return;
	}
	event.respondWith(fresh(request, path));
});
