/**
 * The sample images the figures start from (static/samples, written by
 * `python3 -m training samples`): raw RGB bytes plus their labels.
 */

export interface SampleSet {
	size: number;
	labels: string[];
	/** Whether CLIP and the VAE never trained on this very image. */
	heldout: boolean[];
	/** One [3, size, size] image per sample, in [-1, 1]. */
	pixels: Float32Array[];
}

interface SamplesJson {
	size: number;
	images: { label: string; heldout: boolean }[];
}

/** rgb: N x H x W x 3 uint8, as the Python side writes it. */
export function parseSamples(json: SamplesJson, rgb: Uint8Array): SampleSet {
	const R = json.size;
	const n = R * R;
	if (rgb.length !== json.images.length * n * 3)
		throw new Error(`samples.rgb has ${rgb.length} bytes, expected ${json.images.length * n * 3}`);
	return {
		size: R,
		labels: json.images.map((i) => i.label),
		heldout: json.images.map((i) => i.heldout),
		pixels: json.images.map((_, k) => rgbToPlanar(rgb.subarray(k * n * 3, (k + 1) * n * 3), R))
	};
}

/** Interleaved RGB(A) bytes -> planar [3, size, size] in [-1, 1]. */
export function rgbToPlanar(bytes: ArrayLike<number>, size: number, stride = 3): Float32Array {
	const n = size * size;
	const out = new Float32Array(3 * n);
	for (let i = 0; i < n; i++)
		for (let c = 0; c < 3; c++) out[c * n + i] = bytes[i * stride + c]! / 127.5 - 1;
	return out;
}
