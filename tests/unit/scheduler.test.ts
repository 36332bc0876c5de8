import { describe, expect, it } from 'vitest';
import { createScheduler, guide, trailingTimesteps } from '../../src/lib/pipeline/scheduler';
import { hasModels, loadGolden, maxAbsDiff } from './golden';

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
