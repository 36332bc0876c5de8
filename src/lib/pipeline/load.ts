/**
 * Assembles the pipeline in a browser (or a worker): verified files, transformers.js for
 * CLIP served from those verified bytes, onnxruntime-web sessions on the chosen backend.
 */
import { fetchManifest, loadModelFiles, type DownloadProgress, type ModelFileError } from './files';
import { DiffusionPipeline } from './generate';
import { modelEntry, type Manifest } from './manifest';
import {
	createSession,
	ort,
	tensor,
	useOwnRuntimeFiles,
	webgpuAdapter,
	type Backend
} from './runtime';
import { clipImageEncoder, clipTextEncoder, type ImageEncoder } from './text-encoder';
import { tokenizePrompt } from './tokenizer';

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
	/** Median ms of one U-Net call with a batch of 2 (measured after a warm-up). */
	unetMs: number;
	/** Largest difference between WebGPU and WASM in the parity check, when it ran. */
	parity?: number;
	loadMs: number;
}

export interface LoadedModel {
	pipeline: DiffusionPipeline;
	manifest: Manifest;
	report: LoadReport;
	/** The parts only some chapters need, loaded on first use. */
	extras(): Promise<{ vaeEncoder: ort.InferenceSession; imageEncoder: ImageEncoder }>;
}

export type { ModelFileError };

const CORE = [
	'unet',
	'vae_decoder',
	'text_encoder',
	'tokenizer',
	'tokenizer_config',
	'clip_config'
];
const EXTRA = ['vae_encoder', 'image_encoder', 'preprocessor_config'];

/** Serves transformers.js the bytes we downloaded and verified, by path under the model folder. */
function verifiedFileCache(baseUrl: string, manifest: Manifest, files: Map<string, Uint8Array>) {
	const keyOf = new Map(Object.entries(manifest.files).map(([key, f]) => [f.path, key]));
	return {
		async match(request: string) {
			const path = (request.startsWith(baseUrl) ? request.slice(baseUrl.length) : request).replace(
				/^\/+/,
				''
			);
			const key = keyOf.get(path);
			const bytes = key ? files.get(key) : undefined;
			return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>) : undefined;
		},
		async put() {}
	};
}

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

export async function loadModel(opts: LoadOptions): Promise<LoadedModel> {
	const start = performance.now();
	useOwnRuntimeFiles(opts.wasmPaths, opts.threads);
	const manifest = await fetchManifest(opts.baseUrl, opts);
	const files = await loadModelFiles(opts.baseUrl, manifest, CORE, opts);

	const transformers = await import('@huggingface/transformers');
	const { env } = transformers;
	env.allowRemoteModels = false;
	env.allowLocalModels = true;
	env.localModelPath = opts.baseUrl;
	env.useBrowserCache = false;
	env.useCustomCache = true;
	env.customCache = verifiedFileCache(opts.baseUrl, manifest, files);
	env.logLevel = transformers.LogLevel?.ERROR ?? env.logLevel;
	// transformers.js points the shared runtime at a CDN when imported: point it back.
	useOwnRuntimeFiles(opts.wasmPaths, opts.threads);

	const wasmUnet = await createSession(files.get('unet')!, 'wasm');
	let backend: Backend = 'wasm';
	let reason = 'forced';
	let parity: number | undefined;
	let unet = wasmUnet;
	if (opts.backend !== 'wasm') {
		const adapter = await webgpuAdapter();
		if (!adapter) {
			reason = 'no WebGPU adapter in this browser';
			if (opts.backend === 'webgpu')
				throw new Error('WebGPU was asked for, but this browser has no WebGPU adapter.');
		} else if (adapter.software && opts.backend !== 'webgpu') {
			reason = 'only a software WebGPU adapter, slower than WASM';
		} else {
			try {
				const gpuUnet = await createSession(files.get('unet')!, 'webgpu');
				const [a, b] = [await unetProbe(wasmUnet, manifest), await unetProbe(gpuUnet, manifest)];
				parity = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
				if (parity <= 1e-3 || opts.backend === 'webgpu') {
					backend = 'webgpu';
					unet = gpuUnet;
					reason = opts.backend === 'webgpu' ? 'forced' : 'WebGPU passed the parity check';
				} else {
					reason = `WebGPU differed from WASM by ${parity.toExponential(1)}; using WASM`;
					await gpuUnet.release();
				}
			} catch (e) {
				if (opts.backend === 'webgpu') throw e;
				reason = `WebGPU failed to start (${(e as Error).message}); using WASM`;
			}
		}
	}
	if (unet !== wasmUnet) await wasmUnet.release();

	const device = backend === 'webgpu' ? 'webgpu' : 'wasm';
	const tokenizer = await transformers.AutoTokenizer.from_pretrained('clip');
	const textModel = await transformers.CLIPTextModelWithProjection.from_pretrained('clip', {
		dtype: 'fp32',
		device
	});
	const L = manifest.text.context_length;
	const studentKey = modelEntry(manifest, 'student')?.unet;
	let student: Promise<ort.InferenceSession> | undefined;
	const pipeline = new DiffusionPipeline({
		manifest,
		backend,
		tokenize: (t) => tokenizePrompt(tokenizer, t, L),
		text: clipTextEncoder(textModel as never, transformers.Tensor as never),
		unet,
		// Fetched (and verified) only when a reader first asks for the student.
		student: studentKey
			? () =>
					(student ??= (async () => {
						const more = await loadModelFiles(opts.baseUrl, manifest, [studentKey], opts);
						return createSession(more.get(studentKey)!, backend);
					})().catch((e) => {
						student = undefined; // a later call may retry
						throw e;
					}))
			: undefined,
		vaeDecoder: await createSession(files.get('vae_decoder')!, backend)
	});
	await unetProbe(unet, manifest); // warm-up: first runs compile shaders / allocate
	const unetMs = await medianMs(() => unetProbe(unet, manifest), 3);

	let extras: ReturnType<LoadedModel['extras']> | undefined;
	return {
		pipeline,
		manifest,
		report: { backend, reason, unetMs, parity, loadMs: performance.now() - start },
		extras() {
			extras ??= (async () => {
				const more = await loadModelFiles(opts.baseUrl, manifest, EXTRA, opts);
				for (const [k, v] of more) files.set(k, v);
				const vision = await transformers.CLIPVisionModelWithProjection.from_pretrained('clip', {
					dtype: 'fp32',
					device
				});
				return {
					vaeEncoder: await createSession(more.get('vae_encoder')!, backend),
					imageEncoder: clipImageEncoder(vision as never, transformers.Tensor as never)
				};
			})();
			return extras;
		}
	};
}
