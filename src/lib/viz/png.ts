/**
 * Pixels as a PNG data: URL, in plain TypeScript (no canvas), so that the server renders the
 * same pictures as the browser: figures are in the prerendered HTML and hydration changes no
 * pixel. Stored (uncompressed) deflate blocks keep it short; the images are 32 × 32 or so.
 */

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Uint8Array, from: number, to: number): number {
	let c = 0xffffffff;
	for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
	let a = 1;
	let b = 0;
	for (const v of bytes) {
		a = (a + v) % 65521;
		b = (b + a) % 65521;
	}
	return ((b << 16) | a) >>> 0;
}

/** The zlib stream of `raw` in stored blocks (at most 65,535 bytes each). */
function zlibStored(raw: Uint8Array): Uint8Array {
	const blocks = Math.max(1, Math.ceil(raw.length / 65535));
	const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
	const view = new DataView(out.buffer);
	out[0] = 0x78; // deflate, 32 KB window
	out[1] = 0x01; // no preset dictionary; (0x78 << 8 | 0x01) % 31 === 0
	let o = 2;
	for (let b = 0; b < blocks; b++) {
		const part = raw.subarray(b * 65535, Math.min(raw.length, (b + 1) * 65535));
		out[o] = b === blocks - 1 ? 1 : 0;
		view.setUint16(o + 1, part.length, true);
		view.setUint16(o + 3, ~part.length & 0xffff, true);
		out.set(part, o + 5);
		o += 5 + part.length;
	}
	view.setUint32(o, adler32(raw));
	return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
	return out;
}

function base64(bytes: Uint8Array): string {
	let s = '';
	for (let i = 0; i < bytes.length; i += 0x8000)
		s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(s);
}

/** An opaque RGB PNG of `rgba` (width × height × 4 bytes; alpha is dropped). */
export function pngBytes(rgba: ArrayLike<number>, width: number, height: number): Uint8Array {
	const raw = new Uint8Array(height * (1 + width * 3));
	for (let y = 0; y < height; y++) {
		let o = y * (1 + width * 3) + 1; // each row starts with filter type 0 (none)
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 4;
			raw[o++] = rgba[i]!;
			raw[o++] = rgba[i + 1]!;
			raw[o++] = rgba[i + 2]!;
		}
	}
	const header = new Uint8Array(13);
	const h = new DataView(header.buffer);
	h.setUint32(0, width);
	h.setUint32(4, height);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
	const parts = [
		new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', zlibStored(raw)),
		chunk('IEND', new Uint8Array(0))
	];
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

export function pngDataUrl(rgba: ArrayLike<number>, width: number, height: number): string {
	return `data:image/png;base64,${base64(pngBytes(rgba, width, height))}`;
}
