import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sveltekit } from '@sveltejs/kit/vite';
import { defaultClientConditions, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Cross-origin isolation (COOP + COEP) lets onnxruntime-web use SharedArrayBuffer and
 * threads. Kit's `server.headers` does not reach its own pages, so a middleware sets them
 * for dev and preview; static hosts read static/_headers instead.
 */
function crossOriginIsolation(): Plugin {
	const set = (_req: unknown, res: { setHeader(k: string, v: string): void }, next: () => void) => {
		res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
		res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
		next();
	};
	return {
		name: 'cross-origin-isolation',
		configureServer: (server) => void server.middlewares.use(set),
		configurePreviewServer: (server) => void server.middlewares.use(set)
	};
}

/** Where the list below is written, under Kit's app folder (its default, `_app`). */
const WORKER_FILES = '_app/worker-files.json';

/**
 * Lists the inference worker's files (Vite bundles a worker apart, and Kit's `build` list for
 * the service worker leaves them out), so the service worker saves them for offline use too:
 * a host that sends no caching headers would otherwise have the browser fetch them again.
 */
function workerFileList(): Plugin {
	return {
		name: 'worker-file-list',
		apply: 'build',
		enforce: 'post', // after Vite's worker plugin has added the worker's files to the bundle
		generateBundle(_options, bundle) {
			if (this.environment.config.consumer !== 'client') return;
			const files = Object.keys(bundle).filter((f) => f.startsWith('_app/immutable/workers/'));
			if (files.length)
				this.emitFile({ type: 'asset', fileName: WORKER_FILES, source: JSON.stringify(files) });
		}
	};
}

/**
 * The size of each runtime build's .wasm, as scripts/copy-ort.js copies it into static/ort/:
 * the page counts it in the loading progress from the start, before its download answers.
 */
function runtimeBytes() {
	const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
	const size = (f: string) => statSync(join(dist, f)).size;
	return {
		wasm: size('ort-wasm-simd-threaded.wasm'),
		webgpu: size('ort-wasm-simd-threaded.asyncify.wasm')
	};
}

export default defineConfig({
	define: { __RUNTIME_BYTES__: JSON.stringify(runtimeBytes()) },
	plugins: [crossOriginIsolation(), sveltekit(), workerFileList()],
	// The inference worker imports onnxruntime-web lazily, which needs ES module workers.
	worker: { format: 'es' },
	// onnxruntime-web's builds without its glue code inlined: the runtime imports that glue
	// and its .wasm from static/ort/ (runtime.ts). The inlined builds make Vite emit 55 MB of
	// .wasm files that nothing loads, which the service worker would then precache.
	resolve: { conditions: [...defaultClientConditions, 'onnxruntime-web-use-extern-wasm'] },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		env: { VITE_TEST_HOOKS: '1' },
		// The golden tests run the real models for 25 steps: a busy 2-core machine can take
		// longer than the default 5 s, which would make them timing tests.
		testTimeout: 60_000
	}
});
