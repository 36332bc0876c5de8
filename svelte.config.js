import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// A site served under a sub-path, such as a GitHub Pages project site
// (https://user.github.io/repo/): `BASE_PATH=/repo npm run build`.
const base = process.env.BASE_PATH ?? '';
if (base !== '' && !/^(\/[\w.~-]+)+$/.test(base))
	throw new Error(`BASE_PATH must look like /repo (no trailing slash), not "${base}"`);
// Where the site and Kit's own files are written: the end-to-end tests build a second,
// sub-path copy beside the first (playwright.config.ts), which must not overwrite it.
const out = process.env.BUILD_DIR ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Every page is prerendered, so the site deploys to any static host.
		adapter: adapter({ pages: out, assets: out, strict: true }),
		outDir: process.env.KIT_OUT_DIR ?? '.svelte-kit',
		paths: { base },
		prerender: { handleHttpError: 'fail', handleMissingId: 'fail' },
		// Registered by the page once the live model has drawn (src/lib/offline.ts).
		serviceWorker: { register: false },
		// Only our own origin. SvelteKit hashes the prerendered pages' inline scripts into a
		// <meta> policy; static/_headers repeats what a meta tag cannot carry. The runtime
		// compiles its .wasm ('wasm-unsafe-eval'); figures draw on canvases and hand images
		// around as data: and blob: URLs; uploads are read as blob: URLs.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'worker-src': ['self', 'blob:'],
				'connect-src': ['self', 'data:', 'blob:'],
				'img-src': ['self', 'data:', 'blob:'],
				'style-src': ['self', 'unsafe-inline'],
				'font-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
