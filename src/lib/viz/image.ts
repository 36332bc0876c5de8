/** Turns the model's images ([3, H, W] floats in [-1, 1]) into pixels and pictures, and back. */
import { rgbToPlanar } from '$lib/pipeline/samples';
import { pngDataUrl } from './png';

export function toRGBA(image: Float32Array, size: number): Uint8ClampedArray<ArrayBuffer> {
	const n = size * size;
	const out = new Uint8ClampedArray(n * 4);
	for (let i = 0; i < n; i++) {
		out[i * 4] = (image[i]! + 1) * 127.5;
		out[i * 4 + 1] = (image[n + i]! + 1) * 127.5;
		out[i * 4 + 2] = (image[2 * n + i]! + 1) * 127.5;
		out[i * 4 + 3] = 255;
	}
	return out;
}

export function drawImage(canvas: HTMLCanvasElement, image: Float32Array, size: number) {
	canvas.width = size;
	canvas.height = size;
	const ctx = canvas.getContext('2d');
	if (!ctx) return;
	ctx.putImageData(new ImageData(toRGBA(image, size), size, size), 0, 0);
}

/** A model image as a PNG data: URL; no DOM, so the server renders it too. */
export function imageDataUrl(image: Float32Array, size: number): string {
	return pngDataUrl(toRGBA(image, size), size, size);
}

/** A picture file as a model image: its middle square, shrunk to `size`, on white. */
export async function fileToModelImage(file: File, size: number): Promise<Float32Array> {
	const bitmap = await createImageBitmap(file);
	const canvas = document.createElement('canvas');
	canvas.width = canvas.height = size;
	const ctx = canvas.getContext('2d')!;
	ctx.fillStyle = '#fff';
	ctx.fillRect(0, 0, size, size);
	const s = Math.min(bitmap.width, bitmap.height);
	ctx.drawImage(bitmap, (bitmap.width - s) / 2, (bitmap.height - s) / 2, s, s, 0, 0, size, size);
	bitmap.close();
	return rgbToPlanar(ctx.getImageData(0, 0, size, size).data, size, 4);
}
