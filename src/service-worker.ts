/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline after one visit (a classroom whose wifi fails): every page, the app's code, the
 * runtime's wasm, the samples and the model's manifest are cached when the site is first
 * opened (pages and manifest stay fresh while online). The model files themselves are kept by the page
 * (pipeline/files.ts) under their sha256, so a new model replaces the old without any help
 * from here; this cache is named by the build, and a new build drops the old one.
 */
import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `site-${version}`;
/** The model files are cached by the page, verified; only their manifest is cached here. */
const MODELS = '/models/';
const MANIFEST = '/models/manifest.json';
const PRECACHE = [
	...build,
	...prerendered,
	...files.filter((f) => !f.startsWith(MODELS)),
	MANIFEST
];
/** Named by their content's hash: never changes, so the cached copy is always right. */
const IMMUTABLE = new Set(build);

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then((cache) => cache.addAll(PRECACHE))
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

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== sw.location.origin) return;
	const path = url.pathname;
	// Model files go straight to the page's own verified cache (files.ts).
	if (path.startsWith(MODELS) && path !== MANIFEST) return;
	if (IMMUTABLE.has(path)) {
		event.respondWith(caches.match(path).then((hit) => hit ?? fetch(request)));
		return;
	}
	event.respondWith(fresh(request, path));
});
