/**
 * Loads the model in a browser (or a worker): downloads and verifies its files (kept in the
 * Cache API), picks WebGPU or WASM, times the U-Net. build.ts assembles the pipeline, the
 * same builder Node's tests use.
 */
import { buildPipeline, type Extras } from './build';
import { fetchManifest, loadModelFiles, type DownloadProgress, type ModelFileError } from './files';
import type { DiffusionPipeline } from './generate';
import type { Manifest } from './manifest';
import {
	createSession,
	tensor,
	webgpuAdapter,
	type Backend,
	type RuntimeBuild,
	type ort
} from './runtime';

export type BackendChoice = Backend | 'auto';

export interface LoadOptions {
	/** URL of the folder holding manifest.json, ending in "/". */
	baseUrl: string;
	backend?: BackendChoice;
	/** Where onnxruntime-web's .wasm and .mjs files are served (our own origin). */
	wasmPaths?: string;
	threads?: number;
	onProgress?: (p: DownloadProgress) => void;
	signal?: AbortSignal;
	fetch?: typeof fetch;
}

export interface LoadReport {
	backend: Backend;
	/** Why that backend: e.g. "no WebGPU adapter", "forced", "WebGPU passed the parity check". */
	reason: string;
	/**
	 * Median ms of one U-Net call with a batch of 2, timed at start-up on WebGPU (after a
	 * warm-up that compiles its shaders); on WASM none: the first generation times it.
	 */
	unetMs?: number;
	/** Largest difference between WebGPU and WASM in the parity check, when it ran. */
	parity?: number;
	/** Which build of onnxruntime-web runs it (runtime.ts). */
	runtime: RuntimeBuild;
	loadMs: number;
}

export interface LoadedModel {
	pipeline: DiffusionPipeline;
	manifest: Manifest;
	report: LoadReport;
	/** The parts only some chapters need, loaded on first use. */
	extras(): Promise<Extras>;
}

export type { ModelFileError };

async function unetProbe(session: ort.InferenceSession, m: Manifest): Promise<Float32Array> {
	const { channels: C, size: S } = m.latent;
	const L = m.text.context_length;
	const H = m.text.hidden_size;
	const sample = Float32Array.from({ length: 2 * C * S * S }, (_, i) => Math.sin(i * 0.37));
	const ctx = Float32Array.from({ length: 2 * L * H }, (_, i) => Math.cos(i * 0.11) * 0.5);
	const out = await session.run({
		sample: tensor(sample, [2, C, S, S]),
		timestep: tensor(Float32Array.from([500, 500]), [2]),
		encoder_hidden_states: tensor(ctx, [2, L, H])
	});
	return (out.noise_pred!.data as Float32Array).slice();
}

async function medianMs(fn: () => Promise<unknown>, runs: number): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t0 = performance.now();
		await fn();
		times.push(performance.now() - t0);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)]!;
}

type Adapter = Awaited<ReturnType<typeof webgpuAdapter>>;

/**
 * The runtime build to load: the WebGPU build only where WebGPU may be picked (a hardware
 * adapter, or WebGPU forced); the plain WASM build otherwise, which starts and runs faster.
 */
export function runtimeFor(choice: BackendChoice, adapter: Adapter): RuntimeBuild {
	if (choice === 'webgpu') return 'webgpu';
	return choice === 'auto' && adapter && !adapter.software ? 'webgpu' : 'wasm';
}

/**
 * WebGPU where the browser has a real adapter and it matches WASM on a probe of the U-Net;
 * otherwise WASM. Returns the U-Net's session on the chosen backend.
 */
async function pickBackend(
	bytes: Uint8Array,
	manifest: Manifest,
	choice: BackendChoice,
	adapter: Adapter
) {
	const wasmUnet = await createSession(bytes, 'wasm');
	let backend: Backend = 'wasm';
	let reason = 'forced';
	let parity: number | undefined;
	let unet = wasmUnet;
	if (choice !== 'wasm') {
		if (!adapter) {
			reason = 'no WebGPU adapter in this browser';
			if (choice === 'webgpu')
				throw new Error('WebGPU was asked for, but this browser has no WebGPU adapter.');
		} else if (adapter.software && choice !== 'webgpu') {
			reason = 'only a software WebGPU adapter, slower than WASM';
		} else {
			try {
				const gpuUnet = await createSession(bytes, 'webgpu');
				const [a, b] = [await unetProbe(wasmUnet, manifest), await unetProbe(gpuUnet, manifest)];
				parity = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
				if (parity <= 1e-3 || choice === 'webgpu') {
					backend = 'webgpu';
					unet = gpuUnet;
					reason = choice === 'webgpu' ? 'forced' : 'WebGPU passed the parity check';
				} else {
					reason = `WebGPU differed from WASM by ${parity.toExponential(1)}; using WASM`;
					await gpuUnet.release();
				}
			} catch (e) {
				if (choice === 'webgpu') throw e;
				reason = `WebGPU failed to start (${(e as Error).message}); using WASM`;
			}
		}
	}
	if (unet !== wasmUnet) await wasmUnet.release();
	return { backend, unet, reason, parity };
}

/** Downloads the model's files, builds the pipeline on the backend it picks (on WebGPU: times the U-Net). */
export async function loadPipeline(opts: LoadOptions): Promise<LoadedModel> {
	const start = performance.now();
	const choice = opts.backend ?? 'auto';
	const adapter = choice === 'wasm' ? null : await webgpuAdapter();
	const manifest = await fetchManifest(opts.baseUrl, opts);
	let picked: Awaited<ReturnType<typeof pickBackend>> | undefined;
	const build = runtimeFor(choice, adapter);
	const built = await buildPipeline(
		{ manifest, files: (keys) => loadModelFiles(opts.baseUrl, manifest, keys, opts) },
		{
			backend: async (bytes) => (picked = await pickBackend(bytes, manifest, choice, adapter)),
			runtime: build,
			clipOnBackend: true,
			wasmPaths: opts.wasmPaths,
			threads: opts.threads,
			student: 'lazy'
		}
	);
	const { backend, unet, reason, parity } = picked!;
	let unetMs: number | undefined;
	// Timed runs before the first picture cost it half a second on a slow machine: only
	// WebGPU gets them, to compile its shaders before the first generation is timed.
	if (backend === 'webgpu') {
		await unetProbe(unet, manifest);
		unetMs = await medianMs(() => unetProbe(unet, manifest), 3);
	}
	return {
		pipeline: built.pipeline,
		manifest,
		report: { backend, reason, unetMs, parity, runtime: build, loadMs: performance.now() - start },
		extras: built.extras
	};
}
