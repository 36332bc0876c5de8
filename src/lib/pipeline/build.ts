/**
 * Assembles the pipeline from verified model files: one onnxruntime-web session per network
 * (CLIP's two encoders included), the WordPiece tokenizer read from tokenizer.json, the
 * DiffusionPipeline. One code path for the browser (load.ts wraps it in downloads, the WebGPU
 * probe and timings) and for Node (server/node-model.ts: the tests and the build's first
 * paint), so the golden tests check the assembly that readers run.
 */
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
import { loadTokenizer, tokenizePrompt } from './tokenizer';

/** Files the pipeline needs up front; the extras only some chapters need. */
export const CORE_FILES = ['unet', 'vae_decoder', 'text_encoder', 'tokenizer'];
export const EXTRA_FILES = ['vae_encoder', 'image_encoder'];

/**
 * Every file the pipeline may ask for: the core, the extras and each model's U-Net (the
 * student's included). The service worker saves these for offline use; never test goldens.
 */
export function pipelineFileKeys(manifest: Manifest): string[] {
	const unets = Object.values(manifest.models ?? {}).map((m) => m.unet);
	return [...new Set([...CORE_FILES, ...EXTRA_FILES, ...unets])];
}

export interface ModelSource {
	manifest: Manifest;
	/** The files with these manifest keys, their size and sha256 checked against the manifest. */
	files(keys: string[]): Promise<Map<string, Uint8Array>>;
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

export async function buildPipeline(src: ModelSource, opts: BuildOptions): Promise<BuiltPipeline> {
	const { manifest } = src;
	await loadRuntime(opts.runtime ?? 'wasm');
	useOwnRuntimeFiles(opts.wasmPaths, opts.threads);
	const files = await src.files(CORE_FILES);
	const tokenizer = loadTokenizer(JSON.parse(new TextDecoder().decode(files.get('tokenizer'))));

	const { backend, unet } =
		typeof opts.backend === 'function'
			? await opts.backend(files.get('unet')!)
			: { backend: opts.backend, unet: await createSession(files.get('unet')!, opts.backend) };
	const clipBackend = opts.clipOnBackend ? backend : 'wasm';
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
