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

/** Whether this browser offers a WebGPU adapter at all (Node and old browsers: no). */
export async function webgpuAdapter(): Promise<{ f16: boolean } | null> {
	const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)
		?.gpu;
	if (!gpu) return null;
	try {
		const adapter = (await gpu.requestAdapter()) as { features?: Set<string> } | null;
		return adapter ? { f16: !!adapter.features?.has('shader-f16') } : null;
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
