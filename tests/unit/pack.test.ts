import { describe, expect, it } from 'vitest';
import { pack, unpack } from '../../src/lib/pipeline/pack';

describe('packed files', () => {
	const value = {
		name: 'trace',
		steps: [{ x: Float32Array.from([0.1, -2.5, 3e-3]) }, { x: new Float32Array(5) }],
		image: Float32Array.from([-1, 0, 0.5, 1, 1.7]),
		bytes: Uint8Array.from([1, 2, 3])
	};

	it('round-trips float32 arrays bit for bit', () => {
		const back = unpack<typeof value>(pack(value));
		expect(back.name).toBe('trace');
		expect(back.steps[0]!.x).toEqual(value.steps[0]!.x);
		expect(back.steps[1]!.x.length).toBe(5);
		expect(back.bytes).toEqual(value.bytes);
	});

	it('stores halves and 8-bit images within their precision', () => {
		const bytes = pack(value, { half: true, images: ['image'] });
		const back = unpack<typeof value>(bytes);
		value.steps[0]!.x.forEach((v, i) =>
			expect(Math.abs(back.steps[0]!.x[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 1e-7)
		);
		// Images are clipped to [-1, 1] and kept to 1/255 of the range, like pixels.
		expect(Array.from(back.image, (v) => Math.round((v + 1) * 127.5))).toEqual([
			0, 128, 191, 255, 255
		]);
		expect(bytes.byteLength).toBeLessThan(pack(value).byteLength);
	});

	it('refuses a truncated or foreign file with a message', () => {
		const bytes = pack(value);
		expect(() => unpack(bytes.slice(0, bytes.length - 8))).toThrow(/truncated/);
		expect(() => unpack(new TextEncoder().encode('<html>not found</html>'))).toThrow(
			/Not a packed/
		);
	});
});
