/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline after one visit (a classroom whose wifi fails): every page, the app's code, the
 * samples and the model's manifest are cached when the page registers this (after the live
 * model's first picture: src/lib/offline.ts); pages and manifest stay fresh while online. Of
 * onnxruntime-web's two builds, only the one the page ran on is kept: the page names it in a
 * message, and any later fetch of a runtime file is kept too. The model files themselves are
 * kept by the page (pipeline/files.ts) under their sha256, so a new model replaces the old
 * without any help from here; this cache is named by the build, and a new build drops the old one.
 */
import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `site-${version}`;
/** The model files are cached by the page, verified; only their manifest is cached here. */
const MODELS = '/models/';
const MANIFEST = '/models/manifest.json';
/** onnxruntime-web's files (both builds: 41 MB), cached only as used. */
const RUNTIME = '/ort/';
const PRECACHE = [
	...build,
	...prerendered,
	...files.filter((f) => !f.startsWith(MODELS) && !f.startsWith(RUNTIME)),
	MANIFEST
];
const RUNTIME_FILES = new Set(files.filter((f) => f.startsWith(RUNTIME)));
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
	// Model files go straight to the page's own verified cache (files.ts).
	if (path.startsWith(MODELS) && path !== MANIFEST) return;
	if (RUNTIME_FILES.has(path)) {
		event.respondWith(runtimeFile(path, request));
		return;
	}
	if (IMMUTABLE.has(path)) {
		event.respondWith(caches.match(path).then((hit) => hit ?? fetch(request)));
		return;
	}
	event.respondWith(fresh(request, path));
});
