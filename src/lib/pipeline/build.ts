/**
 * Assembles the pipeline from verified model files: one onnxruntime-web session per network
 * (CLIP's two encoders included), transformers.js's tokenizer served from those same bytes,
 * the DiffusionPipeline. One code path for the browser
 * (load.ts wraps it in downloads, the WebGPU probe and timings) and for Node
 * (server/node-model.ts: the tests and the build's first paint), so the golden tests check
 * the assembly that readers run.
 */
import type * as Transformers from '@huggingface/transformers';
import { DiffusionPipeline } from './generate';
import { modelEntry, type Manifest } from './manifest';
import {
	createSession,
	loadRuntime,
	runtime,
	useOwnRuntimeFiles,
	type Backend,
	type RuntimeBuild,
	type ort
} from './runtime';
import { clipImageEncoder, clipTextEncoder, type ImageEncoder } from './clip-encoders';
import { tokenizePrompt } from './tokenizer';

/** Files the pipeline needs up front; the extras only some chapters need. */
export const CORE_FILES = [
	'unet',
	'vae_decoder',
	'text_encoder',
	'tokenizer',
	'tokenizer_config',
	'clip_config'
];
export const EXTRA_FILES = ['vae_encoder', 'image_encoder'];

export interface ModelSource {
	manifest: Manifest;
	/** The model folder's URL, ending in "/": transformers.js asks for CLIP's files under it. */
	baseUrl: string;
	/** The files with these manifest keys, their size and sha256 checked against the manifest. */
	files(keys: string[]): Promise<Map<string, Uint8Array>>;
	/** transformers.js, imported once the core files are in (the browser imports it lazily). */
	transformers(): Promise<typeof Transformers>;
}

export interface BuildOptions {
	/**
	 * The backend of the U-Nets and the VAE, or a function that picks one given the teacher's
	 * U-Net bytes and returns the session it made on it (the browser's WebGPU probe).
	 */
	backend:
		Backend | ((unet: Uint8Array) => Promise<{ backend: Backend; unet: ort.InferenceSession }>);
	/** CLIP on that backend too (the browser); off: on WASM. */
	clipOnBackend?: boolean;
	/** Which build of onnxruntime-web to load (runtime.ts); 'wasm' unless WebGPU may be used. */
	runtime?: RuntimeBuild;
	/** Where onnxruntime-web's .wasm and .mjs files are served, and its thread count. */
	wasmPaths?: string;
	threads?: number;
	/** 'lazy': the student's file is fetched when a reader first asks for it; 'eager': now. */
	student: 'lazy' | 'eager';
}

export interface Extras {
	vaeEncoder: ort.InferenceSession;
	imageEncoder: ImageEncoder;
}

export interface BuiltPipeline {
	pipeline: DiffusionPipeline;
	backend: Backend;
	/** The VAE encoder and CLIP's image encoder, loaded on the first call. */
	extras(): Promise<Extras>;
}

/** Serves transformers.js the verified bytes, by path under the model folder. */
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

export async function buildPipeline(src: ModelSource, opts: BuildOptions): Promise<BuiltPipeline> {
	const { manifest } = src;
	await loadRuntime(opts.runtime ?? 'wasm');
	useOwnRuntimeFiles(opts.wasmPaths, opts.threads);
	const files = await src.files(CORE_FILES);
	const transformers = await src.transformers();
	const { env } = transformers;
	env.allowRemoteModels = false;
	env.allowLocalModels = true;
	env.localModelPath = src.baseUrl;
	// transformers.js also names each file by its hub address, and in Node looks it up again
	// by that name: make the hub our folder too, so both names find the verified bytes.
	// Nothing is downloaded from it (allowRemoteModels is off).
	env.remoteHost = src.baseUrl;
	env.remotePathTemplate = '{model}/';
	env.useBrowserCache = false;
	// Otherwise it fetches the runtime's 27 MB .wasm a second time (as bytes, for its own
	// cache) although the runtime has already compiled it: seconds on a slow machine.
	env.useWasmCache = false;
	env.useCustomCache = true;
	env.customCache = verifiedFileCache(src.baseUrl, manifest, files);
	env.logLevel = transformers.LogLevel?.ERROR ?? env.logLevel;
	// transformers.js points the WebGPU build at a CDN when imported: point it back.
	useOwnRuntimeFiles(opts.wasmPaths, opts.threads);

	const { backend, unet } =
		typeof opts.backend === 'function'
			? await opts.backend(files.get('unet')!)
			: { backend: opts.backend, unet: await createSession(files.get('unet')!, opts.backend) };
	const clipBackend = opts.clipOnBackend ? backend : 'wasm';
	const tokenizer = await transformers.AutoTokenizer.from_pretrained('clip');
	const textModel = await createSession(files.get('text_encoder')!, clipBackend);
	const L = manifest.text.context_length;
	const studentKey = modelEntry(manifest, 'student')?.unet;
	let student: Promise<ort.InferenceSession> | undefined;
	const pipeline = new DiffusionPipeline({
		manifest,
		backend,
		tokenize: (t) => tokenizePrompt(tokenizer, t, L),
		text: clipTextEncoder(textModel, runtime().Tensor),
		unet,
		student: studentKey
			? () =>
					(student ??= (async () => {
						const more = await src.files([studentKey]);
						return createSession(more.get(studentKey)!, backend);
					})().catch((e) => {
						student = undefined; // a later call may retry
						throw e;
					}))
			: undefined,
		vaeDecoder: await createSession(files.get('vae_decoder')!, backend)
	});
	if (opts.student === 'eager') await pipeline.parts.student?.();

	let extras: Promise<Extras> | undefined;
	return {
		pipeline,
		backend,
		extras() {
			extras ??= (async () => {
				const more = await src.files(EXTRA_FILES);
				// The cache above serves transformers.js from this same map.
				for (const [k, v] of more) files.set(k, v);
				const vision = await createSession(more.get('image_encoder')!, clipBackend);
				return {
					vaeEncoder: await createSession(more.get('vae_encoder')!, backend),
					imageEncoder: clipImageEncoder(vision, runtime().Tensor)
				};
			})();
			return extras;
		}
	};
}
