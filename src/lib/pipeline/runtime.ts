/**
 * onnxruntime-web, one copy for the whole app (transformers.js shares it through the npm
 * `overrides` entry), always imported from its WebGPU build: one runtime, one wasm file.
 */
import * as ort from 'onnxruntime-web/webgpu';

export { ort };

export type Backend = 'webgpu' | 'wasm';

/**
 * Where the runtime's .wasm/.mjs files are served from: our own origin, never a CDN. Call
 * it again after importing transformers.js, which points the shared runtime at a CDN.
 */
export function useOwnRuntimeFiles(wasmPaths: string | undefined, threads?: number) {
	// Both files named, so transformers.js also preloads them from here, not from its CDN.
	if (wasmPaths)
		ort.env.wasm.wasmPaths = {
			mjs: `${wasmPaths}ort-wasm-simd-threaded.asyncify.mjs`,
			wasm: `${wasmPaths}ort-wasm-simd-threaded.asyncify.wasm`
		};
	if (threads !== undefined) ort.env.wasm.numThreads = threads;
	ort.env.logLevel = 'error';
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
	return ort.InferenceSession.create(bytes, {
		executionProviders: [backend],
		graphOptimizationLevel: 'all',
		// Warnings (e.g. "shape ops assigned to CPU") are expected and would read as errors.
		logSeverityLevel: 3
	});
}

export function tensor(data: Float32Array, dims: number[]): ort.Tensor {
	return new ort.Tensor('float32', data, dims);
}
