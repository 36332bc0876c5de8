import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSamples, rgbToPlanar } from '../../src/lib/pipeline/samples';
import { load } from '../../src/routes/+layout.server';
import { parseViewState } from '../../src/lib/url-state';

describe('sample images', () => {
	const json = JSON.parse(readFileSync('static/samples/samples.json', 'utf8'));
	const rgb = new Uint8Array(readFileSync('static/samples/samples.rgb'));

	it('the shipped samples parse into labelled planar images in [-1, 1]', () => {
		const s = parseSamples(json, rgb);
		expect(s.labels).toHaveLength(16);
		expect(s.labels[0]).toBe('grinning cat');
		expect(s.pixels[0]).toHaveLength(3 * 32 * 32);
		const all = s.pixels.flatMap((p) => Array.from(p));
		expect(Math.min(...all)).toBeGreaterThanOrEqual(-1);
		expect(Math.max(...all)).toBeLessThanOrEqual(1);
		// Emoji sit on white: the corner pixel of each is white.
		for (const p of s.pixels) expect(p[0]).toBe(1);
	});

	it('links can pick every sample and no more', async () => {
		// The limits every page reads its link with, derived at build time from these files.
		const { linkLimits } = await load();
		expect(linkLimits.imageMax).toBe(json.images.length - 1);
		const limits = { maxStep: 1, ...linkLimits };
		const last = json.images.length - 1;
		const image = (q: string) => parseViewState(new URLSearchParams(q), limits);
		expect(image(`image=${last}`)).toEqual({ state: { image: last }, notices: [] });
		expect(image(`image=${last + 1}`).state.image).toBe(last);
		expect(image(`image=${last + 1}`).notices).toHaveLength(1);
	});

	it('a samples file of the wrong length is refused', () => {
		expect(() => parseSamples(json, rgb.subarray(0, rgb.length - 3))).toThrow(/expected/);
	});

	it('interleaved RGBA becomes planar RGB', () => {
		const px = rgbToPlanar(Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255]), 1, 4);
		expect(Array.from(px)).toEqual([1, -1, -1]);
	});
});
