/**
 * Loads the model in a browser (or a worker): downloads and verifies its files (kept in the
 * Cache API), picks WebGPU or WASM, times the U-Net. build.ts assembles the pipeline, the
 * same builder Node's tests use.
 */
import { buildPipeline, type Extras } from './build';
import {
	fetchBytes,
	fetchManifest,
	loadModelFiles,
	type DownloadProgress,
	type ModelFileError
} from './files';
import type { DiffusionPipeline } from './generate';
import type { Manifest, ModelName } from './manifest';
import {
	createSession,
	runtimeFiles,
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
	/** The size of each build's .wasm (known at build time), so the total is right at once. */
	runtimeBytes?: Partial<Record<RuntimeBuild, number>>;
	threads?: number;
	/** The model the page shows first (its link's): its U-Net loads first, the other on use. */
	first?: ModelName;
	onProgress?: (p: LoadProgress) => void;
	signal?: AbortSignal;
	fetch?: typeof fetch;
}

export interface LoadReport {
	backend: Backend;
	/** Why that backend: e.g. "no WebGPU adapter", "forced", "WebGPU passed the parity check". */
	reason: string;
	/**
	 * Median ms of one U-Net call of the model loaded first (the teacher's at batch 2), timed at start-up on WebGPU (after a
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

/**
 * Where a load stands. 'download': the model's files and the runtime's .wasm arriving, their
 * bytes counted together; 'start': all arrived, the runtime compiling and the model's
 * sessions starting (no bytes move); 'more': a part loaded on first use after the load
 * (the other model's U-Net, the extras), counted on its own.
 */
export interface LoadProgress {
	phase: 'download' | 'start' | 'more';
	loaded: number;
	total: number;
	/** The runtime's share of loaded and total. */
	runtimeLoaded: number;
	runtimeTotal: number;
}

/**
 * Adds up the model's files and the runtime, which download side by side, into one
 * progress: reported once the model's total is known (so the total never jumps), and
 * 'start' once both have arrived.
 */
export class LoadMeter {
	private model = { loaded: 0, total: undefined as number | undefined, done: false };
	private runtime = { loaded: 0, total: 0, done: false };
	private started = false;

	constructor(
		private readonly emit: (p: LoadProgress) => void,
		/** Whether the loader fetches the runtime's .wasm (Node: onnxruntime-web reads its own). */
		withRuntime: boolean
	) {
		this.runtime.done = !withRuntime;
	}

	modelFiles(p: Pick<DownloadProgress, 'allLoaded' | 'allTotal'>) {
		this.model.loaded = p.allLoaded;
		this.model.total = p.allTotal;
		this.report();
	}

	modelDone(bytes: number) {
		Object.assign(this.model, { loaded: bytes, total: bytes, done: true });
		this.report();
	}

	runtimeBytes(loaded: number, total: number) {
		this.runtime.loaded = loaded;
		this.runtime.total = total;
		this.report();
	}

	runtimeDone() {
		this.runtime.done = true;
		this.report();
	}

	/** A part loaded on first use, after the load. */
	more(p: Pick<DownloadProgress, 'allLoaded' | 'allTotal'>) {
		this.emit({
			phase: 'more',
			loaded: p.allLoaded,
			total: p.allTotal,
			runtimeLoaded: 0,
			runtimeTotal: 0
		});
	}

	private report() {
		if (this.started || this.model.total === undefined) return;
		const done = this.model.done && this.runtime.done;
		this.started = done;
		this.emit({
			phase: done ? 'start' : 'download',
			loaded: this.model.loaded + this.runtime.loaded,
			total: this.model.total + this.runtime.total,
			runtimeLoaded: this.runtime.loaded,
			runtimeTotal: this.runtime.total
		});
	}
}

async function unetProbe(session: ort.InferenceSession, m: Manifest): Promise<Float32Array> {
	const { channels: C, size: S } = m.latent;
	const L = m.text.context_length;
	const H = m.text.hidden_size;
	// The student guides inside (guidance and step count are inputs): one run at batch 1.
	const folded = session.inputNames.includes('guidance');
	const B = folded ? 1 : 2;
	const sample = Float32Array.from({ length: B * C * S * S }, (_, i) => Math.sin(i * 0.37));
	const ctx = Float32Array.from({ length: B * L * H }, (_, i) => Math.cos(i * 0.11) * 0.5);
	const out = await session.run({
		sample: tensor(sample, [B, C, S, S]),
		timestep: tensor(new Float32Array(B).fill(500), [B]),
		encoder_hidden_states: tensor(ctx, [B, L, H]),
		...(folded
			? {
					guidance: tensor(Float32Array.of(4), [1]),
					num_steps: tensor(Float32Array.of(2), [1])
				}
			: {})
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

/**
 * Downloads the model's files and the runtime's .wasm side by side, builds the pipeline on the
 * backend it picks (on WebGPU: times the U-Net).
 */
export async function loadPipeline(opts: LoadOptions): Promise<LoadedModel> {
	const start = performance.now();
	const choice = opts.backend ?? 'auto';
	const adapter = choice === 'wasm' ? null : await webgpuAdapter();
	const build = runtimeFor(choice, adapter);
	const meter = new LoadMeter((p) => opts.onProgress?.(p), !!opts.wasmPaths);
	if (opts.wasmPaths) meter.runtimeBytes(0, opts.runtimeBytes?.[build] ?? 0);
	// Fetched here rather than by onnxruntime-web, so that its 14 MB (27 MB for WebGPU) count
	// in the progress and download while the model's files do, not after them.
	const wasmBinary = opts.wasmPaths
		? fetchBytes(
				`${opts.wasmPaths}${runtimeFiles(build)[1]}`,
				opts.runtimeBytes?.[build],
				(loaded, total) => meter.runtimeBytes(loaded, total),
				opts
			).then((bytes) => {
				meter.runtimeDone();
				return bytes;
			})
		: undefined;
	wasmBinary?.catch(() => undefined); // a failure is thrown where the build awaits it
	const manifest = await fetchManifest(opts.baseUrl, opts);
	let picked: Awaited<ReturnType<typeof pickBackend>> | undefined;
	let core = true;
	const built = await buildPipeline(
		{
			manifest,
			// The builder's first request is the core files; later ones are parts used later.
			files: async (keys) => {
				const first = core;
				core = false;
				const files = await loadModelFiles(opts.baseUrl, manifest, keys, {
					...opts,
					onProgress: (p) => (first ? meter.modelFiles(p) : meter.more(p))
				});
				if (first) meter.modelDone([...files.values()].reduce((a, f) => a + f.length, 0));
				return files;
			}
		},
		{
			backend: async (bytes) => (picked = await pickBackend(bytes, manifest, choice, adapter)),
			runtime: build,
			clipOnBackend: true,
			wasmPaths: opts.wasmPaths,
			wasmBinary,
			threads: opts.threads,
			first: opts.first,
			second: 'lazy'
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
