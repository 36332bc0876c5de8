import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/lib/pipeline/settings';
import { encodeImage, noiseLatent, predictNoise } from '../../src/lib/pipeline/training-step';
import { hasModels, hasSamplerGolden, loadGolden, maxAbsDiff, modelsDir } from './golden';
import { nodePipeline } from '../../src/lib/server/node-model';

describe.runIf(hasModels)('the pipeline reproduces the PyTorch reference (WASM, Node)', () => {
	let built: Awaited<ReturnType<typeof nodePipeline>>;
	const g = hasModels ? loadGolden() : ({} as ReturnType<typeof loadGolden>);
	// The distilled student has its own golden cases, in folders that ship one.
	const hasStudent = hasModels && g.manifest.models?.student !== undefined;
	const gs = hasStudent ? loadGolden('golden_student') : undefined;
	// The other samplers and SD v1's leading spacing: short runs of the teacher.
	const gm = hasSamplerGolden ? loadGolden('golden_samplers') : undefined;
	const cases = hasModels
		? [
				...g.golden.cases.map((c) => ({ c, g })),
				...(gs?.golden.cases ?? []).map((c) => ({ c, g: gs! })),
				...(gm?.golden.cases ?? []).map((c) => ({ c, g: gm! }))
			]
		: [];

	beforeAll(async () => {
		built = await nodePipeline(modelsDir);
	}, 60_000);

	for (const { c, g } of cases) {
		const edit =
			c.strength === undefined
				? ''
				: `, ${c.mask ? 'inpainting' : 'image-to-image'} at strength ${c.strength}`;
		it(`${c.model ?? 'teacher'}: "${c.prompt}", seed ${c.seed}, ${c.scheduler}${c.spacing ? ` (${c.spacing})` : ''} ${c.steps} steps, guidance ${c.guidance}${edit}`, async () => {
			const trace = await built.pipeline.generate({
				model: c.model,
				prompt: c.prompt,
				seed: c.seed,
				steps: c.steps,
				guidance: c.guidance,
				scheduler: c.scheduler,
				spacing: c.spacing,
				edit:
					c.strength === undefined
						? undefined
						: { latent: g.tensor(c.tensors.source_latent!), strength: c.strength, mask: c.mask }
			});
			expect(trace.tokens.ids).toEqual(c.input_ids);
			expect(Array.from(trace.noise)).toEqual(Array.from(g.tensor(c.tensors.noise!)));
			expect(trace.steps.map((s) => s.t)).toEqual(c.timesteps);
			for (const s of trace.steps) {
				// The teacher's prompted prediction; the student's single, guided one.
				if (c.tensors.eps_cond)
					expect(maxAbsDiff(s.epsCond!, g.at(c.tensors.eps_cond, s.index))).toBeLessThan(1e-4);
				else expect(maxAbsDiff(s.eps, g.at(c.tensors.eps!, s.index))).toBeLessThan(1e-4);
				// x0 divides by sqrt(abar_t) (down to 0.07 at t = 999), which scales float noise up.
				const abar = built.manifest.schedule.alphas_cumprod[s.t]!;
				expect(maxAbsDiff(s.x0, g.at(c.tensors.x0!, s.index))).toBeLessThan(1e-4 / Math.sqrt(abar));
				// Inpainting's blend: the kept cells put back, noised to the next step's level.
				if (c.tensors.next)
					expect(maxAbsDiff(s.next, g.at(c.tensors.next, s.index))).toBeLessThan(1e-4);
			}
			expect(maxAbsDiff(trace.finalLatent, g.tensor(c.tensors.final_latent!))).toBeLessThanOrEqual(
				1e-4
			);
			expect(maxAbsDiff(trace.image, g.tensor(c.tensors.image!))).toBeLessThan(1e-3);
			// Attention maps of the prompted run: a distribution over tokens at each position.
			const L = c.input_ids.length;
			const hw = trace.steps[0]!.attention.length / L;
			let sum = 0;
			for (let k = 0; k < L; k++) sum += trace.steps[0]!.attention[k * hw]!;
			expect(sum).toBeCloseTo(1, 4);
		});
	}

	it.runIf(hasStudent)('gives each model its own default steps and guidance', async () => {
		const m = built.manifest;
		const student = await built.pipeline.generate({ model: 'student', prompt: 'cat' });
		expect(student.settings).toMatchObject({
			model: 'student',
			steps: m.models!.student!.steps,
			guidance: m.models!.student!.guidance
		});
		expect(student.steps.length).toBe(m.models!.student!.steps);
		expect(student.steps.length).toBeLessThan(m.sampler.steps);
		const teacher = resolveSettings({ prompt: 'cat' }, m).settings;
		expect(teacher).toMatchObject({ model: 'teacher', steps: m.sampler.steps });
		// A folder exported before the student existed: said, and the teacher runs.
		const old = resolveSettings({ model: 'student' }, { ...m, models: undefined });
		expect(old.settings.model).toBe('teacher');
		expect(old.notices.join(' ')).toMatch(/no student/);
	});

	it('clamps settings and says so', async () => {
		const trace = await built.pipeline.generate({
			prompt: '  ',
			steps: 500,
			guidance: -3,
			seed: 2 ** 40
		});
		expect(trace.settings).toMatchObject({ prompt: '', steps: 50, guidance: 0, seed: 0xffffffff });
		expect(trace.notices.join(' ')).toMatch(/empty/);
		expect(trace.notices.join(' ')).toMatch(/steps 500/);
		expect(trace.notices.join(' ')).toMatch(/guidance -3/);
		expect(trace.notices.join(' ')).toMatch(/seed/);
	}, 60_000);

	it('reports truncation and unknown words', async () => {
		const trace = await built.pipeline.generate({ prompt: '🦄 ' + 'cat '.repeat(40), steps: 1 });
		expect(trace.tokens.dropped).toBeGreaterThan(0);
		expect(trace.notices.join(' ')).toMatch(/dropped/);
		expect(trace.notices.join(' ')).toMatch(/unknown/);
	});

	it('stops a cancelled generation before it finishes', async () => {
		const ctrl = new AbortController();
		let seen = 0;
		const run = built.pipeline.generate(
			{ prompt: 'cat', steps: 25 },
			{
				signal: ctrl.signal,
				onStep: () => {
					if (++seen === 3) ctrl.abort();
				}
			}
		);
		await expect(run).rejects.toThrow(/cancelled/);
		expect(seen).toBe(3);
	});

	it('one training example: encode, noise at t, predict the noise, score it', async () => {
		const m = built.manifest;
		const enc = await encodeImage(built.vaeEncoder, m, g.tensor(g.golden.probe.image!));
		expect(maxAbsDiff(enc.mean, g.tensor(g.golden.probe.latent_mean!))).toBeLessThan(1e-4);
		const noised = noiseLatent(m, enc.latent, 500, 3);
		const a = m.schedule.alphas_cumprod[500]!;
		expect(noised.noisy[5]).toBeCloseTo(
			Math.sqrt(a) * enc.latent[5]! + Math.sqrt(1 - a) * noised.noise[5]!,
			5
		);
		expect(() => noiseLatent(m, enc.latent, 1000, 3)).toThrow(RangeError);
		const text = await built.pipeline.parts.text.encode([
			built.pipeline.parts.tokenize(g.golden.probe_label)
		]);
		const p = await predictNoise(await built.pipeline.parts.unet(), m, noised, text.hidden);
		// Predicting zero would score about 1; a trained U-Net does much better.
		expect(p.loss).toBeGreaterThan(0);
		expect(p.loss).toBeLessThan(0.6);
		expect(p.attention.length).toBe(m.text.context_length * m.latent.size ** 2);
	});

	describe('negative prompt', () => {
		const base = { prompt: 'smiling cat', seed: 5, steps: 3 };

		it("is no separate mechanism: it fills the empty prompt's slot in guidance", async () => {
			const neg = 'red heart';
			const trace = await built.pipeline.generate({ ...base, negativePrompt: neg });
			expect(trace.settings.negativePrompt).toBe(neg);
			const { parts } = built.pipeline;
			const encoded = await parts.text.encode([parts.tokenize(neg)]);
			expect(Array.from(trace.textHiddenUncond!)).toEqual(Array.from(encoded.hidden));
			// At guidance 0 only that half counts: the picture of the negative prompt itself, as if
			// it were the prompt at guidance 1 (where only the prompted half counts).
			const zero = await built.pipeline.generate({ ...base, negativePrompt: neg, guidance: 0 });
			const asPrompt = await built.pipeline.generate({ ...base, prompt: neg, guidance: 1 });
			expect(maxAbsDiff(zero.finalLatent, asPrompt.finalLatent)).toBeLessThan(1e-4);
			// And it changes the picture at the usual guidance.
			const plain = await built.pipeline.generate(base);
			expect(maxAbsDiff(trace.finalLatent, plain.finalLatent)).toBeGreaterThan(1e-2);
		});

		it("left empty, gives exactly today's picture", async () => {
			const plain = await built.pipeline.generate(base);
			const empty = await built.pipeline.generate({ ...base, negativePrompt: '' });
			const spaces = await built.pipeline.generate({ ...base, negativePrompt: ' \t ' });
			expect(Array.from(empty.finalLatent)).toEqual(Array.from(plain.finalLatent));
			expect(Array.from(spaces.finalLatent)).toEqual(Array.from(plain.finalLatent));
		});
	});

	describe('image-to-image and inpainting', () => {
		const base = { prompt: 'red heart', seed: 5, steps: 8 };
		let latent: Float32Array;
		beforeAll(async () => {
			const pixels = Float32Array.from(g.tensor(g.golden.probe.image!));
			latent = (await encodeImage(built.vaeEncoder, built.manifest, pixels)).latent;
		});

		it('strength 0 runs no step and returns the picture latent itself (with a notice)', async () => {
			const trace = await built.pipeline.generate({ ...base, edit: { latent, strength: 0 } });
			expect(trace.steps).toHaveLength(0);
			expect(Array.from(trace.finalLatent)).toEqual(Array.from(latent));
			expect(trace.notices.join(' ')).toMatch(/no step of 8 runs/);
			expect(trace.edit?.start).toBe(8);
		});

		it('strength 1 is text-to-image, bit for bit, with every sampler', async () => {
			for (const scheduler of ['ddim', 'euler_a', 'dpmpp_2m'] as const) {
				const plain = await built.pipeline.generate({ ...base, scheduler, steps: 4 });
				const edit = await built.pipeline.generate({
					...base,
					scheduler,
					steps: 4,
					edit: { latent, strength: 1 }
				});
				expect(Array.from(edit.finalLatent)).toEqual(Array.from(plain.finalLatent));
			}
		});

		it('runs the last floor(steps × strength) steps, from the picture noised to the first', async () => {
			const trace = await built.pipeline.generate({ ...base, edit: { latent, strength: 0.3 } });
			const all = await built.pipeline.generate(base);
			expect(trace.steps.map((s) => s.t)).toEqual(all.steps.slice(6).map((s) => s.t));
			const a = built.manifest.schedule.alphas_cumprod[trace.steps[0]!.t]!;
			const expected = latent.map((v, k) => Math.sqrt(a) * v + Math.sqrt(1 - a) * trace.noise[k]!);
			expect(maxAbsDiff(trace.edit!.startLatent, expected)).toBeLessThan(1e-5);
		});

		it('an empty mask keeps the picture; a full one is image-to-image', async () => {
			const n = built.manifest.latent.size ** 2;
			const empty = await built.pipeline.generate({
				...base,
				edit: { latent, strength: 0.75, mask: new Array(n).fill(0) }
			});
			expect(Array.from(empty.finalLatent)).toEqual(Array.from(latent));
			expect(empty.notices.join(' ')).toMatch(/mask is empty/);
			const full = await built.pipeline.generate({
				...base,
				edit: { latent, strength: 0.75, mask: new Array(n).fill(1) }
			});
			const img2img = await built.pipeline.generate({ ...base, edit: { latent, strength: 0.75 } });
			expect(Array.from(full.finalLatent)).toEqual(Array.from(img2img.finalLatent));
		});

		it('keeps the unmasked cells exactly and repaints the masked ones', async () => {
			const S = built.manifest.latent.size;
			const mask = Array.from({ length: S * S }, (_, k) => (k % S < S / 2 ? 1 : 0));
			const trace = await built.pipeline.generate({ ...base, edit: { latent, strength: 1, mask } });
			let kept = 0;
			let changed = 0;
			trace.finalLatent.forEach((v, k) => {
				if (mask[k % (S * S)]) changed = Math.max(changed, Math.abs(v - latent[k]!));
				else kept = Math.max(kept, Math.abs(v - latent[k]!));
			});
			expect(kept).toBe(0);
			expect(changed).toBeGreaterThan(0.1);
		});

		it('refuses a malformed picture or mask, and clamps the strength with a notice', async () => {
			await expect(
				built.pipeline.generate({ ...base, edit: { latent: latent.slice(1), strength: 0.5 } })
			).rejects.toThrow(/latent of 4 × 8 × 8/);
			await expect(
				built.pipeline.generate({ ...base, edit: { latent, strength: 0.5, mask: [1, 0, 1] } })
			).rejects.toThrow(/mask must be 8 × 8/);
			const t = await built.pipeline.generate({ ...base, edit: { latent, strength: 7 } });
			expect(t.settings.edit!.strength).toBe(1);
			expect(t.notices.join(' ')).toMatch(/strength 7 is out of range/);
		});
	});
});
