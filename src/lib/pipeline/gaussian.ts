/**
 * Seeded Gaussian noise, bit-identical to training/schedule.py's `Gaussian`.
 *
 * xoshiro128** seeded by splitmix32 gives 32-bit integers; two of them make a 53-bit
 * uniform double; Marsaglia's polar method turns pairs of uniforms into normals. Its
 * logarithm is computed with + - * / only, because libm logarithms (V8's, glibc's) may
 * differ in the last bit, and we want the same float32 noise on every machine.
 */

const LN2 = 0.6931471805599453;

/** Natural logarithm of a positive number from basic arithmetic (error < 1e-15). */
export function portableLog(value: number): number {
	let x = value;
	let e = 0;
	while (x >= 2.0) {
		x /= 2.0;
		e += 1;
	}
	while (x < 1.0) {
		x *= 2.0;
		e -= 1;
	}
	const y = (x - 1.0) / (x + 1.0); // ln x = 2 atanh(y), y in [0, 1/3)
	const y2 = y * y;
	let term = y;
	let total = 0.0;
	for (let k = 1; k < 60; k += 2) {
		total += term / k;
		term *= y2;
	}
	return 2.0 * total + e * LN2;
}

export class Gaussian {
	private s: Uint32Array;

	constructor(seed: number) {
		if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
			throw new RangeError(`seed must be an integer from 0 to ${0xffffffff}, got ${seed}`);
		this.s = new Uint32Array(4);
		let state = seed >>> 0;
		for (let i = 0; i < 4; i++) {
			state = (state + 0x9e3779b9) >>> 0;
			let z = state;
			z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
			z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
			this.s[i] = (z ^ (z >>> 16)) >>> 0;
		}
	}

	nextU32(): number {
		const s = this.s;
		const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
		const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
		const t = (s[1]! << 9) >>> 0;
		s[2]! ^= s[0]!;
		s[3]! ^= s[1]!;
		s[1]! ^= s[2]!;
		s[0]! ^= s[3]!;
		s[2]! ^= t;
		s[3] = rotl(s[3]!, 11);
		return result;
	}

	/** A double in [0, 1) with 53 random bits. */
	uniform(): number {
		const a = this.nextU32() >>> 5;
		const b = this.nextU32() >>> 6;
		return (a * 67108864.0 + b) / 9007199254740992.0;
	}

	normals(n: number): Float32Array {
		const out = new Float32Array(n);
		let i = 0;
		while (i < n) {
			const u = 2.0 * this.uniform() - 1.0;
			const v = 2.0 * this.uniform() - 1.0;
			const s = u * u + v * v;
			if (s >= 1.0 || s === 0.0) continue;
			const f = Math.sqrt((-2.0 * portableLog(s)) / s);
			out[i] = u * f;
			if (i + 1 < n) out[i + 1] = v * f;
			i += 2;
		}
		return out;
	}
}

/** `n` standard normal float32 values for a seed. */
export function seededNoise(seed: number, n: number): Float32Array {
	return new Gaussian(seed).normals(n);
}
