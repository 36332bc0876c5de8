/**
 * Packs a plain object holding typed arrays into one binary file and back: a JSON header
 * (arrays replaced by references) followed by the raw bytes. To keep the file small, Float32
 * arrays may be stored as float16, and images (values in [-1, 1]) as 8 bits, like the
 * pixels they become; they come back as Float32Array either way.
 */

type Ref = { $t: 'f32' | 'f16' | 'u8' | 'q8'; o: number; n: number };

export interface PackOptions {
	half?: boolean;
	/** Property names holding images in [-1, 1] (a Float32Array or an array of them). */
	images?: string[];
}
const MAGIC = 0x4b434150; // "PACK"

function f32ToF16(v: number): number {
	const f = new Float32Array(1);
	const u = new Uint32Array(f.buffer);
	f[0] = v;
	const x = u[0]!;
	const sign = (x >>> 16) & 0x8000;
	const exp = ((x >>> 23) & 0xff) - 127 + 15;
	const mant = x & 0x7fffff;
	if (exp >= 31) return sign | 0x7c00 | (((x >>> 23) & 0xff) === 0xff && mant ? 0x200 : 0);
	if (exp <= 0) {
		if (exp < -10) return sign;
		const m = (mant | 0x800000) >>> (1 - exp);
		return sign | ((m + 0x1000) >>> 13);
	}
	// Round to nearest; a carry into the exponent is the correct result.
	return (sign | (exp << 10) | (mant >>> 13)) + ((mant >>> 12) & 1);
}

function f16ToF32(h: number): number {
	const sign = h & 0x8000 ? -1 : 1;
	const exp = (h >>> 10) & 0x1f;
	const mant = h & 0x3ff;
	if (exp === 0) return sign * mant * 2 ** -24;
	if (exp === 31) return mant ? NaN : sign * Infinity;
	return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function pack(value: unknown, opts: PackOptions = {}): Uint8Array {
	const chunks: Uint8Array[] = [];
	let offset = 0;
	const add = (bytes: Uint8Array) => {
		chunks.push(bytes);
		const at = offset;
		offset += bytes.byteLength;
		// Keep every chunk 4-byte aligned so views can be made without copying.
		const pad = (4 - (offset % 4)) % 4;
		if (pad) {
			chunks.push(new Uint8Array(pad));
			offset += pad;
		}
		return at;
	};
	const images = new Set(opts.images ?? []);
	const q8 = (v: Float32Array): Ref => ({
		$t: 'q8',
		o: add(Uint8Array.from(v, (x) => Math.round((Math.min(1, Math.max(-1, x)) + 1) * 127.5))),
		n: v.length
	});
	const header = JSON.stringify(value, (key, v: unknown) => {
		if (images.has(key)) {
			if (v instanceof Float32Array) return q8(v);
			if (Array.isArray(v) && v.every((x) => x instanceof Float32Array)) return v.map(q8);
		}
		if (v instanceof Float32Array) {
			if (opts.half) {
				const h = Uint16Array.from(v, f32ToF16);
				return { $t: 'f16', o: add(new Uint8Array(h.buffer)), n: v.length } satisfies Ref;
			}
			return { $t: 'f32', o: add(new Uint8Array(v.slice().buffer)), n: v.length } satisfies Ref;
		}
		if (v instanceof Uint8Array || v instanceof Uint8ClampedArray)
			return { $t: 'u8', o: add(Uint8Array.from(v)), n: v.length } satisfies Ref;
		return v;
	});
	const head = new TextEncoder().encode(header);
	const headLen = head.byteLength + ((4 - (head.byteLength % 4)) % 4);
	const out = new Uint8Array(8 + headLen + offset);
	const dv = new DataView(out.buffer);
	dv.setUint32(0, MAGIC, true);
	dv.setUint32(4, headLen, true);
	out.set(head, 8);
	out.fill(0x20, 8 + head.byteLength, 8 + headLen); // spaces: still valid JSON
	let at = 8 + headLen;
	for (const c of chunks) {
		out.set(c, at);
		at += c.byteLength;
	}
	return out;
}

export function unpack<T>(bytes: ArrayBuffer | Uint8Array): T {
	const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
	if (u8.byteLength < 8 || dv.getUint32(0, true) !== MAGIC)
		throw new Error('Not a packed trace file.');
	const headLen = dv.getUint32(4, true);
	if (8 + headLen > u8.byteLength) throw new Error('The packed file is truncated.');
	const body = u8.byteOffset + 8 + headLen;
	const bodyLen = u8.byteLength - 8 - headLen;
	const header = new TextDecoder().decode(u8.subarray(8, 8 + headLen));
	return JSON.parse(header, (_key, v: unknown) => {
		if (!v || typeof v !== 'object' || !('$t' in v)) return v;
		const r = v as Ref;
		const size = r.$t === 'f32' ? 4 : r.$t === 'f16' ? 2 : 1;
		if (r.o < 0 || r.n < 0 || r.o + r.n * size > bodyLen)
			throw new Error('The packed file is truncated.');
		const buf = u8.buffer.slice(body + r.o, body + r.o + r.n * size);
		if (r.$t === 'f32') return new Float32Array(buf);
		if (r.$t === 'u8') return new Uint8Array(buf);
		if (r.$t === 'q8') return Float32Array.from(new Uint8Array(buf), (q) => q / 127.5 - 1);
		return Float32Array.from(new Uint16Array(buf), f16ToF32);
	}) as T;
}
