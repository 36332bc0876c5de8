import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngBytes, pngDataUrl } from '../../src/lib/viz/png';

/** Reads a PNG's chunks with Node's own zlib and CRC, independent of the encoder. */
function decode(png: Uint8Array) {
	const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
	expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const chunks: Record<string, Uint8Array> = {};
	for (let o = 8; o < png.length;) {
		const len = view.getUint32(o);
		const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
		expect(view.getUint32(o + 8 + len), `${type} CRC`).toBe(
			crc32(png.subarray(o + 4, o + 8 + len))
		);
		chunks[type] = png.subarray(o + 8, o + 8 + len);
		o += 12 + len;
	}
	const h = new DataView(chunks.IHDR!.buffer, chunks.IHDR!.byteOffset);
	return {
		width: h.getUint32(0),
		height: h.getUint32(4),
		format: [...chunks.IHDR!.subarray(8)],
		raw: inflateSync(chunks.IDAT!), // checks the zlib header and the Adler-32 sum
		end: 'IEND' in chunks
	};
}

function randomRGBA(n: number, seed: number) {
	const out = new Uint8Array(n * 4);
	let s = seed;
	for (let i = 0; i < out.length; i++) {
		s = (s * 1103515245 + 12345) >>> 0;
		out[i] = i % 4 === 3 ? 255 : s >>> 24;
	}
	return out;
}

describe('PNG encoder', () => {
	it('writes a valid RGB PNG whose rows hold the pixels', () => {
		const [w, h] = [5, 3];
		const rgba = randomRGBA(w * h, 1);
		const png = decode(pngBytes(rgba, w, h));
		expect(png).toMatchObject({ width: w, height: h, format: [8, 2, 0, 0, 0], end: true });
		for (let y = 0; y < h; y++) {
			const row = png.raw.subarray(y * (1 + 3 * w), (y + 1) * (1 + 3 * w));
			expect(row[0]).toBe(0);
			for (let x = 0; x < w; x++)
				for (let c = 0; c < 3; c++) expect(row[1 + 3 * x + c]).toBe(rgba[(y * w + x) * 4 + c]);
		}
	});

	it('splits data over 65,535 bytes into several stored blocks', () => {
		const [w, h] = [200, 120]; // 72,120 bytes of rows
		const rgba = randomRGBA(w * h, 2);
		const png = decode(pngBytes(rgba, w, h));
		expect(png.raw.length).toBe(h * (1 + 3 * w));
		expect(png.raw[png.raw.length - 1]).toBe(rgba[rgba.length - 2]);
	});

	it('gives a base64 data URL of those bytes', () => {
		const rgba = randomRGBA(4, 3);
		const url = pngDataUrl(rgba, 2, 2);
		expect(url.startsWith('data:image/png;base64,')).toBe(true);
		expect(new Uint8Array(Buffer.from(url.split(',')[1]!, 'base64'))).toEqual(pngBytes(rgba, 2, 2));
	});
});
