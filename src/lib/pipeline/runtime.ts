/**
 * onnxruntime-web, loaded once per worker (or Node process) in one of its two builds: the
 * plain WASM build (a 14 MB .wasm), or the WebGPU build (a 27 MB asyncify .wasm that runs
 * both the webgpu and the wasm providers, and whose WASM kernels start and run several
 * times slower). The WebGPU build is loaded only where WebGPU may be used; CLIP, the U-Net
 * and the VAE all run on our own sessions of the one loaded runtime.
 */
import type * as ort from 'onnxruntime-web';

export type { ort };
type Ort = typeof ort;

export type Backend = 'webgpu' | 'wasm';
/** Which build: 'wasm' runs the wasm provider only; 'webgpu' runs both. */
export type RuntimeBuild = Backend;

let loaded: { build: RuntimeBuild; ort: Ort } | undefined;

/** Loads the runtime's JavaScript (its .wasm comes with the first session); once per worker. */
export async function loadRuntime(build: RuntimeBuild): Promise<Ort> {
	if (loaded) {
		if (loaded.build !== build && build === 'webgpu')
			throw new Error('The WebGPU runtime was asked for after the WASM runtime was loaded.');
		return loaded.ort;
	}
	const mod = (
		build === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web')
	) as Ort;
	loaded = { build, ort: mod };
	return mod;
}

/** The loaded runtime; loadRuntime must have been awaited first. */
export function runtime(): Ort {
	if (!loaded) throw new Error('onnxruntime-web is not loaded yet (loadRuntime).');
	return loaded.ort;
}

/** The runtime's files, as scripts/copy-ort.js copies them into static/ort/. */
const RUNTIME_FILES: Record<RuntimeBuild, string> = {
	wasm: 'ort-wasm-simd-threaded',
	webgpu: 'ort-wasm-simd-threaded.asyncify'
};

/** The names of a build's files, as served under static/ort/ (the service worker caches them). */
export function runtimeFiles(build: RuntimeBuild): string[] {
	return [`${RUNTIME_FILES[build]}.mjs`, `${RUNTIME_FILES[build]}.wasm`];
}

/**
 * Where the loaded runtime's .wasm/.mjs files are served from: our own origin, never a CDN.
 * With `wasmBinary` (the .wasm, already fetched by the loader, which counts its bytes in the
 * progress) onnxruntime-web compiles those bytes instead of fetching the .wasm itself.
 */
export function useOwnRuntimeFiles(
	wasmPaths: string | undefined,
	threads?: number,
	wasmBinary?: Uint8Array
) {
	const { ort: o, build } = loaded ?? {};
	if (!o || !build) return;
	if (wasmPaths)
		o.env.wasm.wasmPaths = {
			mjs: `${wasmPaths}${runtimeFiles(build)[0]}`,
			wasm: `${wasmPaths}${runtimeFiles(build)[1]}`
		};
	if (wasmBinary) o.env.wasm.wasmBinary = wasmBinary;
	if (threads !== undefined) o.env.wasm.numThreads = threads;
	o.env.logLevel = 'error';
}

interface AdapterLike {
	features?: Set<string>;
	isFallbackAdapter?: boolean;
	info?: {
		vendor?: string;
		architecture?: string;
		description?: string;
		isFallbackAdapter?: boolean;
	};
}

/**
 * The browser's WebGPU adapter, if any (Node and old browsers: none). `software` marks a
 * CPU emulation such as SwiftShader: correct, but far slower than WASM.
 */
export async function webgpuAdapter(): Promise<{ f16: boolean; software: boolean } | null> {
	const nav = globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined;
	if (!nav?.gpu) return null;
	try {
		const adapter = (await nav.gpu.requestAdapter()) as AdapterLike | null;
		if (!adapter) return null;
		const info = adapter.info ?? {};
		const name = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`;
		return {
			f16: !!adapter.features?.has('shader-f16'),
			software: !!(adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader/i.test(name))
		};
	} catch {
		return null;
	}
}

export async function createSession(
	bytes: Uint8Array,
	backend: Backend
): Promise<ort.InferenceSession> {
	return runtime().InferenceSession.create(bytes, {
		executionProviders: [backend],
		// 'basic' (constant folding, redundant nodes): a third of 'all''s session start-up, and
		// U-Net steps as fast or faster on the WASM backend (measured in Node: README).
		graphOptimizationLevel: 'basic',
		// Warnings (e.g. "shape ops assigned to CPU") are expected and would read as errors.
		logSeverityLevel: 3
	});
}

export function tensor(data: Float32Array, dims: number[]): ort.Tensor {
	return new (runtime().Tensor)('float32', data, dims);
}
