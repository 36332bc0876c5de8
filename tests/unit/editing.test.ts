import { describe, expect, it } from 'vitest';
import {
	MASK_PRESETS,
	latentId,
	maskFromLink,
	maskToLink,
	presetMask
} from '../../src/lib/pipeline/editing';
import { requestKey } from '../../src/lib/pipeline/results';

const S = 8;
const count = (m: number[]) => m.reduce((a, b) => a + b, 0);

describe('mask presets', () => {
	it('cover the named part of the 8 × 8 latent grid', () => {
		expect(count(presetMask('centre', S))).toBe(16);
		expect(count(presetMask('border', S))).toBe(48);
		for (const p of ['top', 'bottom', 'left', 'right'] as const)
			expect(count(presetMask(p, S))).toBe(32);
		// centre and border are each other's complement, so are top and bottom.
		const c = presetMask('centre', S);
		presetMask('border', S).forEach((v, k) => expect(v + c[k]!).toBe(1));
		expect(
			presetMask('top', S)
				.slice(0, 32)
				.every((v) => v === 1)
		).toBe(true);
		expect(
			presetMask('left', S)
				.filter((_, k) => k % S < 4)
				.every((v) => v === 1)
		).toBe(true);
	});
});

describe('masks in links', () => {
	it('name a preset by its name and anything else by 16 hex digits, both ways', () => {
		for (const p of MASK_PRESETS) {
			expect(maskToLink(presetMask(p, S), S)).toBe(p);
			expect(maskFromLink(p, S)).toEqual(presetMask(p, S));
		}
		const painted = new Array<number>(S * S).fill(0);
		painted[0] = 1; // first cell in the highest bit
		painted[63] = 1;
		expect(maskToLink(painted, S)).toBe('8000000000000001');
		expect(maskFromLink('8000000000000001', S)).toEqual(painted);
		expect(maskFromLink('8000000000000001'.toUpperCase(), S)).toEqual(painted);
	});

	it('refuse what is neither', () => {
		for (const raw of ['', 'middle', '123', '80000000000000011', 'zz00000000000000', '<svg>'])
			expect(maskFromLink(raw, S), raw).toBeUndefined();
	});
});

describe('edit keys', () => {
	const settings = {
		prompt: 'red apple',
		negativePrompt: '',
		seed: 0,
		guidance: 4,
		steps: 25,
		scheduler: 'ddim' as const,
		spacing: 'trailing' as const,
		model: 'teacher' as const
	};
	it('tell pictures, masks and settings apart', () => {
		const a = new Float32Array([1, 2, 3]);
		const b = new Float32Array([1, 2, 3.0001]);
		expect(latentId(a)).toBe(latentId(new Float32Array([1, 2, 3])));
		expect(latentId(a)).not.toBe(latentId(b));
		// An edit's cache key (results.ts) names the picture by its id, the mask and every setting.
		const key = (s: typeof settings, latent: Float32Array, maskLink: string | null) =>
			requestKey({
				name: 'edit',
				args: {
					settings: s,
					source: `own:${latentId(latent)}`,
					maskLink,
					edit: { latent },
					strength: 0.5,
					detailed: false
				}
			});
		const k = key(settings, a, 'centre');
		expect(key(settings, b, 'centre')).not.toBe(k);
		expect(key(settings, a, null)).not.toBe(k);
		expect(key({ ...settings, seed: 1 }, a, 'centre')).not.toBe(k);
	});
});
