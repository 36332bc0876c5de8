/**
 * The page's one live model: a worker started on first use (and again if it dies), its loading
 * progress and what it reports (backend, ms per U-Net step), as reactive state for any component.
 */
import { base } from '$app/paths';
import { ModelClient } from './pipeline/client';
import type { BackendChoice, LoadReport } from './pipeline/load';
import type { Manifest, ModelName } from './pipeline/manifest';
import { plainError, RESTARTED, type Trouble } from './model-messages';

export const model = $state({
	status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
	/**
	 * While loading: 'download' (the model's files and the runtime arriving, counted together
	 * in the bytes below), then 'start' (the runtime compiling, the model's sessions starting).
	 */
	phase: 'download' as 'download' | 'start',
	loadedBytes: 0,
	totalBytes: 0,
	/** The runtime's share of the bytes (its .wasm), the rest being the model's files. */
	runtimeLoadedBytes: 0,
	runtimeTotalBytes: 0,
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
/** How the page names each model. */
export const modelLabel = (name: ModelName) =>
	name === 'teacher' ? 'Teacher' : 'Distilled student';
export const stepsText = (n: number) => `${n} step${n === 1 ? '' : 's'}`;

/**
 * Where the live model stands on its way to the first picture, as the status lines name it:
 * downloading (the model's files and the runtime), starting (the runtime compiling, the
 * sessions starting), drawing its first picture; none once it has drawn (or failed).
 */
export function loadPhase(liveShown: boolean): 'download' | 'start' | 'first-picture' | null {
	if (model.status === 'loading') return model.phase;
	return model.status === 'ready' && !liveShown ? 'first-picture' : null;
}

/** The download's bytes, the model's files and the runtime named apart. */
export function downloadText(): string {
	const files = model.totalBytes - model.runtimeTotalBytes;
	const parts = model.runtimeTotalBytes
		? ` (model files ${mb(files)} MB, runtime ${mb(model.runtimeTotalBytes)} MB)`
		: '';
	return `${mb(model.loadedBytes)} of ${mb(model.totalBytes)} MB${parts}`;
}

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
			// A part loaded on first use later (the other model's U-Net) is no part of the load.
			if (p.phase === 'more' || model.status !== 'loading') return;
			model.phase = p.phase;
			model.loadedBytes = p.loaded;
			model.totalBytes = p.total;
			model.runtimeLoadedBytes = p.runtimeLoaded;
			model.runtimeTotalBytes = p.runtimeTotal;
		});
		client.onFault((f) => {
			if (f.kind === 'restarted') model.notice = RESTARTED;
			else fail(plainError(f.error, 'load'));
		});
	}
	return client;
}

/** The size of each runtime build's .wasm, read from onnxruntime-web at build time. */
const RUNTIME_BYTES = __RUNTIME_BYTES__;

/**
 * The model client once its worker has loaded the model: the first call starts the load, later
 * calls wait for the same one (a failed load is retried, on a new worker). Keeps `model`'s
 * status up to date. `first`: the model the page shows first, whose U-Net loads first.
 */
export async function readyClient(backend: BackendChoice = 'auto', first?: ModelName) {
	const c = modelClient();
	if (model.status === 'idle' || model.status === 'error') {
		model.status = 'loading';
		model.error = '';
		model.errorDetails = '';
		// The progress of this attempt, not what the failed one had reached.
		model.phase = 'download';
		model.loadedBytes = 0;
		model.totalBytes = 0;
		model.runtimeLoadedBytes = 0;
		model.runtimeTotalBytes = 0;
	}
	try {
		const origin = window.location.origin;
		const { report, manifest } = await c.load({
			baseUrl: `${origin}${base}/models/`,
			wasmPaths: `${origin}${base}/ort/`,
			runtimeBytes: RUNTIME_BYTES,
			backend,
			first,
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
