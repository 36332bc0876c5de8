/**
 * Assembles the pipeline from verified model files: one onnxruntime-web session per network
 * (CLIP's two encoders included), the WordPiece tokenizer read from tokenizer.json, the
 * DiffusionPipeline. One code path for the browser (load.ts wraps it in downloads, the WebGPU
 * probe and timings) and for Node (server/node-model.ts: the tests and the build's first
 * paint), so the golden tests check the assembly that readers run.
 */
import { DiffusionPipeline } from './generate';
import { modelEntry, type Manifest, type ModelName } from './manifest';
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

/** Files the pipeline needs up front (the teacher first); the extras only some chapters need. */
export const CORE_FILES = ['unet', 'vae_decoder', 'text_encoder', 'tokenizer'];
export const EXTRA_FILES = ['vae_encoder', 'image_encoder'];

/** The model a page asked for, if the folder has it; else the teacher. */
function firstModel(manifest: Manifest, first: ModelName | undefined): ModelName {
	return first && modelEntry(manifest, first) ? first : 'teacher';
}

/** The files needed up front when `first` draws the first picture: its U-Net first. */
export function coreFiles(manifest: Manifest, first?: ModelName): string[] {
	const unet = modelEntry(manifest, firstModel(manifest, first))?.unet ?? 'unet';
	return [unet, ...CORE_FILES.filter((k) => k !== 'unet')];
}

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
	 * The backend of the U-Nets and the VAE, or a function that picks one given the first
	 * U-Net's bytes and returns the session it made on it (the browser's WebGPU probe).
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
	/**
	 * The model whose U-Net loads with the core files (the one the page's link asks for):
	 * its first picture never waits for the other's download. The teacher unless said.
	 */
	first?: ModelName;
	/** 'lazy': the other model's U-Net is fetched when a reader first asks for it; 'eager': now. */
	second: 'lazy' | 'eager';
	/**
	 * The runtime's .wasm, fetched by the caller (with byte progress) while the model's files
	 * download; without it onnxruntime-web fetches its .wasm itself.
	 */
	wasmBinary?: Promise<Uint8Array>;
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
	const first = firstModel(manifest, opts.first);
	const [files, wasmBinary] = await Promise.all([
		src.files(coreFiles(manifest, first)),
		opts.wasmBinary
	]);
	useOwnRuntimeFiles(opts.wasmPaths, opts.threads, wasmBinary);
	const tokenizer = loadTokenizer(JSON.parse(new TextDecoder().decode(files.get('tokenizer'))));

	const firstKey = modelEntry(manifest, first)?.unet ?? 'unet';
	const { backend, unet } =
		typeof opts.backend === 'function'
			? await opts.backend(files.get(firstKey)!)
			: { backend: opts.backend, unet: await createSession(files.get(firstKey)!, opts.backend) };
	const clipBackend = opts.clipOnBackend ? backend : 'wasm';
	const textModel = await createSession(files.get('text_encoder')!, clipBackend);
	const L = manifest.text.context_length;

	/** A U-Net's session: the first one's now, the other's fetched on first use. */
	const unetOf = (name: ModelName) => {
		const key = modelEntry(manifest, name)?.unet;
		if (!key) return undefined;
		if (name === first) return () => Promise.resolve(unet);
		let session: Promise<ort.InferenceSession> | undefined;
		return () =>
			(session ??= (async () => {
				const more = await src.files([key]);
				return createSession(more.get(key)!, backend);
			})().catch((e) => {
				session = undefined; // a later call may retry
				throw e;
			}));
	};
	const pipeline = new DiffusionPipeline({
		manifest,
		backend,
		tokenize: (t) => tokenizePrompt(tokenizer, t, L),
		text: clipTextEncoder(textModel, runtime().Tensor),
		unet: unetOf('teacher')!,
		student: unetOf('student'),
		vaeDecoder: await createSession(files.get('vae_decoder')!, backend)
	});
	if (opts.second === 'eager')
		await Promise.all([pipeline.parts.unet(), pipeline.parts.student?.()]);

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
