/**
 * A chart's frame, the one context LayerCake keeps for its layers: the chart's size in its own
 * units (its SVG's viewBox), its padding, and linear scales from the data's domains onto the
 * box inside the padding, y pointing up. The 2D charts take their scales from here instead of
 * each deriving them.
 */
import { extent, line, scaleLinear, type ScaleLinear } from 'd3';

export interface Padding {
	top: number;
	right: number;
	bottom: number;
	left: number;
}

export interface ChartFrame {
	width: number;
	height: number;
	pad: Padding;
	x: ScaleLinear<number, number>;
	y: ScaleLinear<number, number>;
	/** The SVG path through 2D points on these scales (null for none). */
	path(points: [number, number][]): string | null;
}

export function chartFrame(o: {
	width: number;
	height: number;
	/** The same on every side, or each side's. */
	pad: number | Padding;
	/** The domains; x runs left to right (a reversed domain runs right to left). */
	x: [number, number];
	y: [number, number];
	/** Round y's domain out to nice values (d3's `nice`). */
	niceY?: boolean;
}): ChartFrame {
	const pad =
		typeof o.pad === 'number' ? { top: o.pad, right: o.pad, bottom: o.pad, left: o.pad } : o.pad;
	const x = scaleLinear()
		.domain(o.x)
		.range([pad.left, o.width - pad.right]);
	const y = scaleLinear()
		.domain(o.y)
		.range([o.height - pad.bottom, pad.top]);
	if (o.niceY) y.nice();
	const path = line<[number, number]>(
		(p) => x(p[0]),
		(p) => y(p[1])
	);
	return { width: o.width, height: o.height, pad, x, y, path: (points) => path(points) };
}

/** The extent of 2D points along one axis (x: 0, y: 1). */
export const extentOf = (points: [number, number][], axis: 0 | 1) =>
	extent(points, (p) => p[axis]) as [number, number];
