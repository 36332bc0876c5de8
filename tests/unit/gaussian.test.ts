import { describe, expect, it } from 'vitest';
import { Gaussian, portableLog, seededNoise } from '../../src/lib/pipeline/gaussian';
import { hasModels, loadGolden } from './golden';

describe('portableLog', () => {
	it('agrees with Math.log to within a few ulps', () => {
		for (const x of [1e-300, 1e-10, 0.001, 0.3, 0.5, 0.9999999, 1, 1.5, 2, 3, 1e10]) {
			const want = Math.log(x);
			expect(Math.abs(portableLog(x) - want)).toBeLessThanOrEqual(Math.abs(want) * 4e-15 + 4e-16);
		}
	});
});

describe('Gaussian', () => {
	it('is deterministic and seed-dependent', () => {
		expect(seededNoise(42, 64)).toEqual(seededNoise(42, 64));
		expect(seededNoise(42, 64)).not.toEqual(seededNoise(43, 64));
	});

	it('looks like a standard normal', () => {
		const x = seededNoise(7, 200_000);
		const mean = x.reduce((a, b) => a + b, 0) / x.length;
		const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
		expect(Math.abs(mean)).toBeLessThan(0.01);
		expect(Math.abs(variance - 1)).toBeLessThan(0.01);
		const within1 = x.filter((v) => Math.abs(v) < 1).length / x.length;
		expect(within1).toBeCloseTo(0.6827, 2);
	});

	it('rejects seeds that are not 32-bit unsigned integers', () => {
		for (const bad of [-1, 1.5, 2 ** 32, NaN]) expect(() => new Gaussian(bad)).toThrow(RangeError);
	});

	it.runIf(hasModels)('matches the Python generator bit for bit', () => {
		const { golden, tensor } = loadGolden();
		const seeds = Object.keys(golden.gaussian);
		expect(seeds.length).toBeGreaterThanOrEqual(4);
		for (const seed of seeds) {
			const want = new Uint32Array(tensor(golden.gaussian[seed]!).buffer);
			const got = new Uint32Array(seededNoise(Number(seed), want.length).buffer);
			expect(got, `seed ${seed}`).toEqual(want);
		}
	});
});
