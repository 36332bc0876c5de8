/**
 * Colour scales for every figure, from d3, chosen to stay readable with colour-blindness:
 * a blue-white-red diverging scale for signed values (latents, noise) and viridis for
 * magnitudes (similarity, attention).
 */
import { interpolateRdBu, interpolateViridis, rgb, scaleDiverging, scaleSequential } from 'd3';

export type ColorScale = (v: number) => string;

/** Signed values: blue below zero, white at zero, red above; symmetric around zero. */
export function signedScale(maxAbs: number): ColorScale {
	const m = maxAbs > 0 ? maxAbs : 1;
	return scaleDiverging((t: number) => interpolateRdBu(1 - t))
		.domain([-m, 0, m])
		.clamp(true);
}

export function magnitudeScale(lo: number, hi: number): ColorScale {
	return scaleSequential(interpolateViridis)
		.domain([lo, hi > lo ? hi : lo + 1])
		.clamp(true);
}

/** The largest absolute value, for a symmetric scale shared by several panels. */
export function maxAbs(...arrays: ArrayLike<number>[]): number {
	let m = 0;
	for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
	return m;
}

/** A colour as bytes, for writing pixels. */
export function rgbBytes(color: string): [number, number, number] {
	const c = rgb(color);
	return [c.r, c.g, c.b];
}
