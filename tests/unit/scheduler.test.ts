import { describe, expect, it } from 'vitest';
import { seededNoise } from '../../src/lib/pipeline/gaussian';
import {
	SCHEDULER_NAMES,
	type NoiseSchedule,
	type SchedulerName
} from '../../src/lib/pipeline/manifest';
import {
	createScheduler,
	SAMPLER_NAMES,
	SCHEDULERS,
	guide,
	leadingTimesteps,
	stepNoiseSeed,
	timestepsFor,
	trailingTimesteps,
	type Scheduler
} from '../../src/lib/pipeline/scheduler';
import { editStart } from '../../src/lib/pipeline/settings';
import { hasModels, hasSamplerGolden, loadGolden, maxAbsDiff } from './golden';

/** A noise schedule of T timesteps with the given abar values, for hand-checkable cases. */
function schedule(alphas_cumprod: number[]): NoiseSchedule {
	return {
		num_train_timesteps: alphas_cumprod.length,
		beta_schedule: 'test',
		beta_start: 0,
		beta_end: 0,
		prediction_type: 'epsilon',
		timestep_spacing: 'trailing',
		alphas_cumprod
	};
}

/** Stable Diffusion v1's schedule: scaled-linear betas from 0.00085 to 0.012 over 1000 steps. */
function sdSchedule(): NoiseSchedule {
	const T = 1000;
	const [lo, hi] = [Math.sqrt(0.00085), Math.sqrt(0.012)];
	let abar = 1;
	const out: number[] = [];
	for (let t = 0; t < T; t++) {
		abar *= 1 - (lo + ((hi - lo) * t) / (T - 1)) ** 2;
		out.push(abar);
	}
	return schedule(out);
}

const fill = (n: number, v: number) => new Float32Array(n).fill(v);

/** A whole run with a made-up noise prediction (eps = 0.1 x + 0.2): every step's result. */
function run(s: Scheduler, steps: number, seed: number) {
	s.setTimesteps(steps);
	let x: Float32Array = seededNoise(seed, 16).map((v) => v * s.initNoiseSigma);
	const out = [];
	for (let i = 0; i < steps; i++) {
		const eps = s.scaleModelInput(x, i).map((v) => 0.1 * v + 0.2);
		const r = s.step(eps, i, x);
		out.push(r);
		x = r.next;
	}
	return out;
}

describe('the sampler registry', () => {
	it('has one class per name of the manifest schema’s enum, each named and labelled', () => {
		expect(Object.keys(SCHEDULERS)).toEqual([...SCHEDULER_NAMES]);
		for (const name of SCHEDULER_NAMES) {
			const S = SCHEDULERS[name];
			expect(createScheduler(name, sdSchedule()).name).toBe(name);
			expect(S.label.length, name).toBeGreaterThan(2);
			expect(S.short.length, name).toBeLessThanOrEqual(S.label.length);
			expect(SAMPLER_NAMES[name]).toBe(S.label);
		}
		expect(() => createScheduler('plms' as SchedulerName, sdSchedule())).toThrow('plms');
		expect(() => createScheduler('toString' as SchedulerName, sdSchedule())).toThrow('unknown');
	});
});

describe('trailingTimesteps', () => {
	it('starts at T - 1 and spaces evenly', () => {
		expect(trailingTimesteps(1000, 4)).toEqual([999, 749, 499, 249]);
		expect(trailingTimesteps(1000, 25)[0]).toBe(999);
		expect(trailingTimesteps(1000, 25).at(-1)).toBe(39);
		expect(trailingTimesteps(1000, 1)).toEqual([999]);
		// 1000 / 16 = 62.5: halves round to even, as Python's round() in training/schedule.py.
		expect(trailingTimesteps(1000, 16)).toEqual([
			999, 937, 874, 811, 749, 687, 624, 561, 499, 437, 374, 311, 249, 187, 124, 61
		]);
	});
});

describe('leading spacing (Stable Diffusion v1: steps_offset 1)', () => {
	it('starts at t = 961 for 25 steps, steps down by 40 and ends at t = 1', () => {
		const ts = leadingTimesteps(1000, 25);
		expect(ts[0]).toBe(961);
		expect(ts.at(-1)).toBe(1);
		expect(ts.slice(0, 3)).toEqual([961, 921, 881]);
		expect(leadingTimesteps(1000, 4)).toEqual([751, 501, 251, 1]);
		// 1000 / 16 = 62.5, rounded down.
		expect(leadingTimesteps(1000, 16)[0]).toBe(15 * 62 + 1);
		expect(timestepsFor('leading', 1000, 25)).toEqual(ts);
		expect(timestepsFor('trailing', 1000, 25)).toEqual(trailingTimesteps(1000, 25));
	});

	it('is what every scheduler visits when asked for it; trailing stays the default', () => {
		for (const name of SCHEDULER_NAMES) {
			const lead = createScheduler(name, sdSchedule(), { spacing: 'leading' });
			lead.setTimesteps(25);
			expect(lead.timesteps[0], name).toBe(961);
			const trail = createScheduler(name, sdSchedule());
			trail.setTimesteps(25);
			expect(trail.timesteps[0], name).toBe(999);
		}
	});

	it("DDIM's last step stops at abar_0 (set_alpha_to_one=False), trailing's at 1", () => {
		const sd = sdSchedule();
		const lead = createScheduler('ddim', sd, { spacing: 'leading' });
		const last = run(lead, 4, 1).at(-1)!;
		expect(last.coefficients.alpha_bar_next).toBe(sd.alphas_cumprod[0]);
		expect(run(createScheduler('ddim', sd), 4, 1).at(-1)!.coefficients.alpha_bar_next).toBe(1);
	});
});

describe('the stochastic samplers (Euler ancestral, DDPM) and their seeded noise', () => {
	it('step i draws the seeded Gaussian with seed + 1 + i, modulo 2^32', () => {
		expect(stepNoiseSeed(42, 0)).toBe(43);
		expect(stepNoiseSeed(42, 24)).toBe(67);
		expect(stepNoiseSeed(0xffffffff, 0)).toBe(0);
		expect(stepNoiseSeed(0xfffffffe, 3)).toBe(2);
		for (const name of ['euler_a', 'ddpm'] as SchedulerName[]) {
			const steps = run(createScheduler(name, sdSchedule(), { seed: 42 }), 3, 42);
			steps.forEach((r, i) => {
				expect(r.coefficients.noise_seed).toBe(43 + i);
				expect(Array.from(r.noise!)).toEqual(Array.from(seededNoise(43 + i, 16)));
			});
		}
	});

	it('are reproducible: the same seed gives the same numbers, another seed others', () => {
		for (const name of ['euler_a', 'ddpm'] as SchedulerName[]) {
			const a = run(createScheduler(name, sdSchedule(), { seed: 7 }), 6, 7);
			const b = run(createScheduler(name, sdSchedule(), { seed: 7 }), 6, 7);
			const c = run(createScheduler(name, sdSchedule(), { seed: 8 }), 6, 7);
			for (let i = 0; i < 6; i++) {
				expect(Array.from(b[i]!.next), name).toEqual(Array.from(a[i]!.next));
				expect(b[i]!.coefficients).toEqual(a[i]!.coefficients);
			}
			// Same starting noise, other fresh noise: only the added noise differs.
			expect(maxAbsDiff(c[0]!.x0, a[0]!.x0)).toBe(0);
			expect(maxAbsDiff(c[0]!.next, a[0]!.next)).toBeGreaterThan(0.01);
		}
	});
});

describe('each scheduler on hand-checkable cases', () => {
	// abar at t = 0..3; 2 trailing steps visit t = 3, then t = 1.
	const tiny = schedule([0.9, 0.5, 0.3, 0.2]);

	it('Euler ancestral: sigma 2 -> 1 splits into sigma_down 1/2 and sigma_up sqrt(3)/2', () => {
		const s = createScheduler('euler_a', tiny, { seed: 5 });
		s.setTimesteps(2);
		expect(s.timesteps).toEqual([3, 1]);
		// sigma = sqrt((1 - abar) / abar): 2 at abar 0.2, 1 at abar 0.5.
		expect(s.initNoiseSigma).toBeCloseTo(Math.sqrt(5), 12);
		const x = fill(4, 3);
		const r = s.step(fill(4, 1), 0, x);
		const c = r.coefficients;
		expect(c.sigma).toBeCloseTo(2, 12);
		expect(c.sigma_next).toBeCloseTo(1, 12);
		expect(c.sigma_down).toBeCloseTo(0.5, 12);
		expect(c.sigma_up).toBeCloseTo(Math.sqrt(3) / 2, 12);
		expect(Array.from(r.x0)).toEqual([1, 1, 1, 1]); // x - sigma eps
		// An Euler step to sigma_down (3 + 1 * (0.5 - 2) = 1.5), then fresh noise of sigma_up.
		r.next.forEach((v, k) => expect(v).toBeCloseTo(1.5 + (Math.sqrt(3) / 2) * r.noise![k]!, 5));
		// The last step goes to sigma 0 with no noise: the clean estimate.
		const end = s.step(fill(4, 1), 1, r.next);
		expect(end.coefficients.sigma_up).toBe(0);
		expect(maxAbsDiff(end.next, end.x0)).toBeLessThan(1e-6);
	});

	it('DDPM: the posterior mean is sqrt(abar_prev) x0 + sqrt(1 - abar_prev - sigma^2) eps', () => {
		const s = createScheduler('ddpm', tiny, { seed: 5 });
		s.setTimesteps(2);
		// x_t made of x0 = 1 and eps = 0.5 at t = 3 (abar 0.2).
		const x = fill(4, Math.sqrt(0.2) + Math.sqrt(0.8) * 0.5);
		const r = s.step(fill(4, 0.5), 0, x);
		const c = r.coefficients;
		expect(r.x0[0]).toBeCloseTo(1, 6);
		// beta = 1 - 0.2 / 0.5 = 0.6; sigma^2 = (1 - 0.5) / (1 - 0.2) * 0.6 = 0.375.
		expect(c.beta).toBeCloseTo(0.6, 12);
		expect(c.sigma).toBeCloseTo(Math.sqrt(0.375), 12);
		expect(c.c_x0).toBeCloseTo((Math.sqrt(0.5) * 0.6) / 0.8, 12);
		expect(c.c_x).toBeCloseTo((Math.sqrt(0.4) * 0.5) / 0.8, 12);
		const mean = Math.sqrt(0.5) + Math.sqrt(1 - 0.5 - 0.375) * 0.5;
		r.next.forEach((v, k) => expect(v - c.sigma! * r.noise![k]!).toBeCloseTo(mean, 5));
		// The last step goes to abar = 1 with no noise: the clean estimate.
		const end = s.step(fill(4, 0.5), 1, r.next);
		expect(end.coefficients).toMatchObject({ t_next: -1, alpha_bar_prev: 1, sigma: 0 });
		expect(maxAbsDiff(end.next, end.x0)).toBeLessThan(1e-6);
	});

	it('DPM-Solver++ (2M): first order is DDIM; on a straight path it stays on x_t = alpha x0 + sigma eps', () => {
		const sd = sdSchedule();
		const dpm = createScheduler('dpmpp_2m', sd);
		const ddim = createScheduler('ddim', sd);
		dpm.setTimesteps(5);
		ddim.setTimesteps(5);
		const noise = seededNoise(3, 16);
		const eps = noise.map((v) => 0.3 * v);
		const first = dpm.step(eps, 0, noise);
		expect(maxAbsDiff(first.next, ddim.step(eps, 0, noise).next)).toBeLessThan(1e-6);
		expect(first.coefficients.order).toBe(1);

		// x0 = 1 and eps = 0.5 at every step: x0_prev = x0, so the second-order term is 0
		// and every step lands exactly on the path, the last on x0.
		dpm.setTimesteps(5);
		const abar = (t: number) => sd.alphas_cumprod[t]!;
		let x: Float32Array = fill(16, Math.sqrt(abar(999)) + Math.sqrt(1 - abar(999)) * 0.5);
		const orders = [];
		for (let i = 0; i < 5; i++) {
			const r = dpm.step(fill(16, 0.5), i, x);
			orders.push(r.coefficients.order);
			expect(r.x0[0]).toBeCloseTo(1, 4);
			const tn = dpm.timesteps[i + 1];
			const want = tn === undefined ? 1 : Math.sqrt(abar(tn)) + Math.sqrt(1 - abar(tn)) * 0.5;
			expect(r.next[0]).toBeCloseTo(want, 4);
			x = r.next;
		}
		expect(orders).toEqual([1, 2, 2, 2, 1]);
	});

	it('DPM-Solver++ (2M): a second-order step adds (x0 - x0_prev) / (2 r) to x0', () => {
		const s = createScheduler('dpmpp_2m', sdSchedule());
		s.setTimesteps(3);
		const x = seededNoise(4, 16);
		const a = s.step(fill(16, 0.2), 0, x);
		const b = s.step(fill(16, -0.1), 1, a.next);
		const c = b.coefficients;
		expect(c.order).toBe(2);
		// r = h_prev / h, from the lambdas of three consecutive steps.
		expect(c.r).toBeCloseTo((c.lambda! - a.coefficients.lambda!) / c.h!, 12);
		expect(c.exp_neg_h).toBeCloseTo(Math.exp(-c.h!), 12);
		expect(c.c_sample).toBeCloseTo(c.sigma_next! / c.sigma!, 12);
		expect(c.c_x0).toBeCloseTo(c.alpha_next! * (1 - Math.exp(-c.h!)), 12);
		for (let k = 0; k < 16; k++) {
			const d = b.x0[k]! + (b.x0[k]! - a.x0[k]!) / (2 * c.r!);
			expect(b.next[k]).toBeCloseTo(c.c_sample! * a.next[k]! + c.c_x0! * d, 4);
		}
		// The last step is first order and lands on its x0 (sigma 0): no lambda after it.
		const end = s.step(fill(16, 0), 2, b.next);
		expect(end.coefficients).toMatchObject({ order: 1, t_next: -1, exp_neg_h: 0 });
		expect(end.coefficients.h).toBeUndefined();
		expect(maxAbsDiff(end.next, end.x0)).toBe(0);
	});

	it('every coefficient is a finite number', () => {
		for (const name of SCHEDULER_NAMES)
			for (const spacing of ['trailing', 'leading'] as const)
				for (const steps of [1, 2, 25])
					for (const r of run(createScheduler(name, sdSchedule(), { spacing, seed: 1 }), steps, 1))
						for (const [k, v] of Object.entries(r.coefficients))
							expect(Number.isFinite(v), `${name} ${spacing} ${steps}: ${k}`).toBe(true);
	});
});

describe('guide', () => {
	it('is the unconditional prediction at scale 0 and the conditional at scale 1', () => {
		const u = Float32Array.from([1, 2, 3]);
		const c = Float32Array.from([2, 0, 3]);
		expect(guide(u, c, 0)).toEqual(u);
		expect(guide(u, c, 1)).toEqual(c);
		expect(guide(u, c, 3)).toEqual(Float32Array.from([4, -4, 3]));
	});
});

describe.runIf(hasModels)('schedulers against the Python reference', () => {
	const { manifest, golden, tensor, at } = hasModels
		? loadGolden()
		: ({} as ReturnType<typeof loadGolden>);

	for (const c of hasModels ? golden.cases : []) {
		it(`${c.scheduler}, ${c.steps} steps, "${c.prompt}": same timesteps, x0 and latents`, () => {
			const s = createScheduler(c.scheduler, manifest.schedule);
			s.setTimesteps(c.steps);
			expect(s.timesteps).toEqual(c.timesteps);
			let x: Float32Array = tensor(c.tensors.noise!).map((v) => v * s.initNoiseSigma);
			for (let i = 0; i < c.steps; i++) {
				// The golden "x" is what the U-Net saw; feed the golden guided noise back in.
				expect(maxAbsDiff(s.scaleModelInput(x, i), at(c.tensors.x!, i)), `step ${i}`).toBeLessThan(
					1e-4
				);
				const eps = guide(at(c.tensors.eps_uncond!, i), at(c.tensors.eps_cond!, i), c.guidance);
				expect(maxAbsDiff(eps, at(c.tensors.eps!, i))).toBeLessThan(1e-5);
				const r = s.step(eps, i, x);
				expect(maxAbsDiff(r.x0, at(c.tensors.x0!, i)), `x0 at step ${i}`).toBeLessThan(1e-4);
				x = r.next;
			}
			expect(maxAbsDiff(x, tensor(c.tensors.final_latent!))).toBeLessThan(1e-4);
		});
	}
});

describe.runIf(hasSamplerGolden)('the other samplers against the Python reference', () => {
	const { manifest, golden, tensor, at } = hasSamplerGolden
		? loadGolden('golden_samplers')
		: ({} as ReturnType<typeof loadGolden>);

	for (const c of hasSamplerGolden ? golden.cases : []) {
		const edit =
			c.strength === undefined
				? ''
				: `, edit at strength ${c.strength}${c.mask ? ' with a mask' : ''}`;
		it(`${c.scheduler}, ${c.spacing ?? 'trailing'} spacing, ${c.steps} steps, "${c.prompt}"${edit}: same timesteps, coefficients, x0 and latents`, () => {
			const s = createScheduler(c.scheduler, manifest.schedule, {
				spacing: c.spacing,
				seed: c.seed
			});
			s.setTimesteps(c.steps);
			// Image-to-image and inpainting run the last steps only, from the noised picture.
			const first = c.strength === undefined ? 0 : editStart(c.steps, c.strength);
			expect(s.timesteps.slice(first)).toEqual(c.timesteps);
			const noise = tensor(c.tensors.noise!);
			const source = c.tensors.source_latent ? tensor(c.tensors.source_latent) : null;
			let x: Float32Array =
				source && c.strength! < 1
					? s.addNoise(source, noise, first)
					: noise.map((v) => v * s.initNoiseSigma);
			for (let i = first; i < c.steps; i++) {
				const j = i - first; // the golden trace's index: steps that ran
				expect(maxAbsDiff(s.scaleModelInput(x, i), at(c.tensors.x!, j)), `step ${i}`).toBeLessThan(
					1e-4
				);
				const eps = guide(at(c.tensors.eps_uncond!, j), at(c.tensors.eps_cond!, j), c.guidance);
				expect(maxAbsDiff(eps, at(c.tensors.eps!, j))).toBeLessThan(1e-5);
				const r = s.step(eps, i, x);
				expect(maxAbsDiff(r.x0, at(c.tensors.x0!, j)), `x0 at step ${i}`).toBeLessThan(1e-4);
				if (source && c.mask) {
					// Kept cells: the picture noised to the next step's level (clean after the last).
					const known = s.addNoise(source, noise, i + 1);
					r.next.forEach((_, k) => {
						if (c.mask![k % 64] === 0) r.next[k] = known[k]!;
					});
					expect(maxAbsDiff(r.next, at(c.tensors.next!, j)), `blend at step ${i}`).toBeLessThan(
						1e-4
					);
				}
				// The same numbers under the same names (DDIM's golden run records none).
				const want = c.coefficients?.[j];
				if (want) {
					expect(Object.keys(r.coefficients).sort()).toEqual(Object.keys(want).sort());
					for (const [k, v] of Object.entries(want))
						expect(r.coefficients[k], `${k} at step ${i}`).toBeCloseTo(v, 9);
				}
				x = r.next;
			}
			expect(maxAbsDiff(x, tensor(c.tensors.final_latent!))).toBeLessThan(1e-4);
		});
	}
});
