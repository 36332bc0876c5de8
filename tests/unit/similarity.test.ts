import { describe, expect, it } from 'vitest';
import { cosineMatrix, project2d, rows } from '../../src/lib/pipeline/similarity';

describe('cosineMatrix', () => {
	it('is 1 for the same direction, 0 for orthogonal, -1 for opposite', () => {
		const a = [Float32Array.from([1, 0]), Float32Array.from([0, 2])];
		const b = [Float32Array.from([3, 0]), Float32Array.from([0, -1])];
		const m = cosineMatrix(a, b);
		expect(m[0]![0]).toBeCloseTo(1);
		expect(m[0]![1]).toBeCloseTo(0);
		expect(m[1]![1]).toBeCloseTo(-1);
	});
});

describe('project2d', () => {
	it('keeps the main spread and is deterministic', () => {
		// Points along a line in 3D: their map must spread along one axis in order.
		const pts = [0, 1, 2, 3, 4].map((s) => Float32Array.from([s, 2 * s, 0.01 * (s % 2)]));
		const p = project2d(pts);
		const xs = p.map(([x]) => x);
		const increasing = xs.every((x, i) => i === 0 || x > xs[i - 1]!);
		const decreasing = xs.every((x, i) => i === 0 || x < xs[i - 1]!);
		expect(increasing || decreasing).toBe(true);
		expect(Math.abs(xs[4]! - xs[0]!)).toBeCloseTo(Math.sqrt(80), 3);
		expect(project2d(pts)).toEqual(p);
	});

	it('splits a flat buffer into rows', () => {
		expect(rows(Float32Array.from([1, 2, 3, 4]), 2)).toEqual([
			Float32Array.from([1, 2]),
			Float32Array.from([3, 4])
		]);
	});
});
