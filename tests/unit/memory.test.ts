import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { nodePipeline } from '../../src/lib/server/node-model';
import { hasModels, modelsDir } from './golden';

// 500 generations in a row must not leak: the JS heap and the WebAssembly memory of
// onnxruntime-web may not grow by more than 5% after a warm-up. Short generations (one
// step; the text encoder, U-Net and VAE decoder each run) keep this quick.

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

// The runtime creates its WebAssembly.Memory itself; note each one so its size can be read.
const memories: WebAssembly.Memory[] = [];
const Memory = WebAssembly.Memory;
function TrackedMemory(descriptor: WebAssembly.MemoryDescriptor) {
	const m = new Memory(descriptor);
	memories.push(m);
	return m;
}
TrackedMemory.prototype = Memory.prototype;
(WebAssembly as { Memory: unknown }).Memory = TrackedMemory;

function measure() {
	gc();
	gc();
	return {
		heap: process.memoryUsage().heapUsed,
		wasm: memories.reduce((a, m) => a + m.buffer.byteLength, 0)
	};
}

describe.runIf(hasModels)('memory over many generations', () => {
	it('500 generations: JS heap and wasm memory grow less than 5% after warm-up', async () => {
		const { pipeline } = await nodePipeline(modelsDir);
		const run = (i: number) =>
			pipeline.generate({ prompt: `smiling cat ${i % 7}`, seed: i, steps: 1, guidance: 3 });
		for (let i = 0; i < 50; i++) await run(i);
		const before = measure();
		for (let i = 50; i < 500; i++) await run(i);
		const after = measure();
		const mb = (b: number) => (b / 1e6).toFixed(1);
		console.log(
			`generations 50 -> 500: JS heap ${mb(before.heap)} -> ${mb(after.heap)} MB, wasm memory ${mb(before.wasm)} -> ${mb(after.wasm)} MB`
		);
		expect(memories.length).toBeGreaterThan(0); // the runtime's memory was found
		expect(after.heap / before.heap - 1).toBeLessThan(0.05);
		expect(after.wasm / before.wasm - 1).toBeLessThan(0.05);
	}, 300_000);
});
