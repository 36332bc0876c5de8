/**
 * The page's one live model: a worker started on first use (and again if it dies), its loading
 * progress and what it reports (backend, ms per U-Net step), as reactive state for any component.
 */
import { base } from '$app/paths';
import { ModelClient } from './pipeline/client';
import type { BackendChoice, LoadReport } from './pipeline/load';
import type { Manifest } from './pipeline/manifest';
import { plainError, RESTARTED, type Trouble } from './model-messages';

export const model = $state({
	status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
	loadedBytes: 0,
	totalBytes: 0,
	report: null as LoadReport | null,
	manifest: null as Manifest | null,
	/** Why the model is not running, as a sentence a reader can act on. */
	error: '' as string,
	/** The runtime's own words behind `error` (a "Details" toggle). */
	errorDetails: '' as string,
	/** A fault the page recovered from by itself (a worker restarted), said in one line. */
	notice: '' as string
});

/** How the status lines name things: the backend, and byte counts in MB. */
export const backendName = (b: string) => (b === 'webgpu' ? 'WebGPU' : 'WebAssembly');
export const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

let client: ModelClient | undefined;

function fail(t: Trouble) {
	model.status = 'error';
	model.notice = ''; // the error says what happened since
	model.error = t.text;
	model.errorDetails = t.details;
}

export function modelClient(): ModelClient {
	if (!client) {
		client = new ModelClient(
			// Vite bundles the worker only when it sees exactly `new URL(path, import.meta.url)`.
			// eslint-disable-next-line svelte/prefer-svelte-reactivity
			() => new Worker(new URL('./pipeline/worker.ts', import.meta.url), { type: 'module' })
		);
		client.onProgress((p) => {
			model.loadedBytes = p.allLoaded;
			model.totalBytes = p.allTotal;
		});
		client.onFault((f) => {
			if (f.kind === 'restarted') model.notice = RESTARTED;
			else fail(plainError(f.error, 'load'));
		});
	}
	return client;
}

/**
 * The model client once its worker has loaded the model: the first call starts the load, later
 * calls wait for the same one (a failed load is retried, on a new worker). Keeps `model`'s
 * status up to date.
 */
export async function readyClient(backend: BackendChoice = 'auto') {
	const c = modelClient();
	if (model.status === 'idle' || model.status === 'error') {
		model.status = 'loading';
		model.error = '';
		model.errorDetails = '';
		// The progress of this attempt, not what the failed one had reached.
		model.loadedBytes = 0;
		model.totalBytes = 0;
	}
	try {
		const origin = window.location.origin;
		const { report, manifest } = await c.load({
			baseUrl: `${origin}${base}/models/`,
			wasmPaths: `${origin}${base}/ort/`,
			backend,
			threads: window.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1
		});
		model.report = report;
		model.manifest = manifest;
		model.status = 'ready';
		return c;
	} catch (e) {
		fail(plainError(e, 'load'));
		throw e;
	}
}
