/**
 * The shipped model files: each matches the manifest (size, sha256), and each ONNX graph
 * loads in onnxruntime-web's WASM backend and reproduces the PyTorch golden outputs.
 * MODELS_DIR points it at another export (the CI's training smoke run).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasModels, loadGolden, maxAbsDiff, modelsDir } from './golden';

const read = (rel: string) => readFileSync(join(modelsDir, rel));

describe.runIf(hasModels)(`model files in ${modelsDir}`, () => {
	const { manifest, golden, tensor } = hasModels
		? loadGolden()
		: ({} as ReturnType<typeof loadGolden>);
	const session = (key: string) =>
		ort.InferenceSession.create(read(manifest.files[key]!.path), { executionProviders: ['wasm'] });
	/** An output tensor equals the golden tensor `key` within 1e-4. */
	const expectGolden = (out: ort.Tensor | undefined, key: string | undefined) =>
		expect(maxAbsDiff(out!.data as Float32Array, tensor(key!))).toBeLessThan(1e-4);

	beforeAll(() => {
		ort.env.wasm.numThreads = 1;
	});

	it('every file matches its size and sha256', () => {
		expect(Object.keys(manifest.files).length).toBeGreaterThanOrEqual(11);
		for (const [key, f] of Object.entries(manifest.files)) {
			const bytes = read(f.path);
			expect(bytes.length, key).toBe(f.bytes);
			expect(createHash('sha256').update(bytes).digest('hex'), key).toBe(f.sha256);
		}
	});

	it('every ONNX graph has the inputs and outputs the manifest lists', async () => {
		for (const key of ['text_encoder', 'image_encoder', 'vae_encoder', 'vae_decoder', 'unet']) {
			const f = manifest.files[key]!;
			const s = await session(key);
			expect(s.inputNames, key).toEqual(f.inputs!.map((i) => i.name));
			expect(s.outputNames, key).toEqual(f.outputs!.map((o) => o.name));
			await s.release();
		}
	});

	it('text encoder reproduces the golden hidden states and embeddings', async () => {
		const s = await session('text_encoder');
		const empty = golden.cases.find((c) => c.prompt === '')!;
		for (const c of golden.cases) {
			const L = c.input_ids.length;
			const ids = BigInt64Array.from([...empty.input_ids, ...c.input_ids].map(BigInt));
			const mask = BigInt64Array.from([...empty.attention_mask, ...c.attention_mask].map(BigInt));
			const out = await s.run({
				input_ids: new ort.Tensor('int64', ids, [2, L]),
				attention_mask: new ort.Tensor('int64', mask, [2, L])
			});
			expectGolden(out.last_hidden_state, c.tensors.text_hidden);
			expectGolden(out.text_embeds, c.tensors.text_embeds);
		}
	});

	it('U-Net reproduces the golden noise predictions at every step of a case', async () => {
		const s = await session('unet');
		const c = golden.cases[0]!;
		const x = tensor(c.tensors.x!);
		const hidden = tensor(c.tensors.text_hidden!);
		const [eu, ec] = [tensor(c.tensors.eps_uncond!), tensor(c.tensors.eps_cond!)];
		const n = x.length / c.timesteps.length;
		const L = c.input_ids.length;
		for (let i = 0; i < c.timesteps.length; i += 6) {
			const xi = x.subarray(i * n, (i + 1) * n);
			const sample = new Float32Array(2 * n);
			sample.set(xi);
			sample.set(xi, n);
			const t = c.timesteps[i]!;
			const out = await s.run({
				sample: new ort.Tensor('float32', sample, [2, 4, Math.sqrt(n / 4), Math.sqrt(n / 4)]),
				timestep: new ort.Tensor('float32', Float32Array.from([t, t]), [2]),
				encoder_hidden_states: new ort.Tensor('float32', hidden, [2, L, hidden.length / 2 / L])
			});
			const pred = out.noise_pred!.data as Float32Array;
			expect(maxAbsDiff(pred.subarray(0, n), eu.subarray(i * n, (i + 1) * n))).toBeLessThan(1e-4);
			expect(maxAbsDiff(pred.subarray(n), ec.subarray(i * n, (i + 1) * n))).toBeLessThan(1e-4);
			// Cross-attention maps: one probability distribution over tokens per latent position.
			const maps = out.attention_maps!;
			expect(maps.dims).toEqual([2, L, Math.sqrt(n / 4), Math.sqrt(n / 4)]);
			const m = maps.data as Float32Array;
			const hw = n / 4;
			let sum = 0;
			for (let k = 0; k < L; k++) sum += m[k * hw]!;
			expect(sum).toBeCloseTo(1, 4);
		}
	});

	it.runIf(hasModels && manifest.models?.student)(
		'the student U-Net reproduces its golden noise at every step (batch 1, guidance input)',
		async () => {
			const gs = loadGolden('golden_student');
			const s = await session(manifest.models!.student!.unet);
			expect(s.inputNames).toEqual([
				'sample',
				'timestep',
				'guidance',
				'num_steps',
				'encoder_hidden_states'
			]);
			for (const c of gs.golden.cases) {
				const x = gs.tensor(c.tensors.x!);
				const eps = gs.tensor(c.tensors.eps!);
				const hidden = gs.tensor(c.tensors.text_hidden!);
				const n = x.length / c.timesteps.length;
				const side = Math.sqrt(n / 4);
				const L = c.input_ids.length;
				for (let i = 0; i < c.timesteps.length; i++) {
					const out = await s.run({
						sample: new ort.Tensor('float32', x.slice(i * n, (i + 1) * n), [1, 4, side, side]),
						timestep: new ort.Tensor('float32', Float32Array.of(c.timesteps[i]!), [1]),
						guidance: new ort.Tensor('float32', Float32Array.of(c.guidance), [1]),
						num_steps: new ort.Tensor('float32', Float32Array.of(c.steps), [1]),
						encoder_hidden_states: new ort.Tensor('float32', hidden, [1, L, hidden.length / L])
					});
					const pred = out.noise_pred!.data as Float32Array;
					expect(maxAbsDiff(pred, eps.subarray(i * n, (i + 1) * n))).toBeLessThan(1e-4);
				}
			}
			await s.release();
		}
	);

	it('VAE decoder turns the golden final latent into the golden image', async () => {
		const s = await session('vae_decoder');
		for (const c of golden.cases) {
			const z = tensor(c.tensors.final_latent!).map((v) => v / manifest.latent.scale_factor);
			const side = Math.sqrt(z.length / 4);
			const out = await s.run({ latent: new ort.Tensor('float32', z, [1, 4, side, side]) });
			expectGolden(out.image, c.tensors.image);
		}
	});

	it('VAE encoder and image encoder reproduce the golden probe', async () => {
		const image = tensor(golden.probe.image!);
		const side = Math.sqrt(image.length / 3);
		const pixels = new ort.Tensor('float32', image, [1, 3, side, side]);
		const enc = await (await session('vae_encoder')).run({ image: pixels });
		expectGolden(enc.latent_mean, golden.probe.latent_mean);
		expectGolden(enc.latent_logvar, golden.probe.latent_logvar);
		const vis = await (await session('image_encoder')).run({ pixel_values: pixels });
		expectGolden(vis.image_embeds, golden.probe.image_embeds);
	});
});

describe('model files are present', () => {
	it.runIf(!process.env.MODELS_DIR)('static/models has a manifest', () => {
		expect(hasModels).toBe(true);
	});
});
