import { describe, expect, it } from 'vitest';
import { chartFrame, extentOf } from '../../src/lib/viz/chart-frame';

describe('a chart’s frame', () => {
	it('maps the domains onto the box inside the padding, y pointing up', () => {
		const f = chartFrame({ width: 200, height: 100, pad: 10, x: [0, 4], y: [-1, 1] });
		expect([f.x(0), f.x(4)]).toEqual([10, 190]);
		expect([f.y(-1), f.y(1)]).toEqual([90, 10]);
		expect(
			f.path([
				[0, -1],
				[4, 1]
			])
		).toBe('M10,90L190,10');
	});

	it('takes each side’s padding, a reversed x domain, and rounds y out when asked', () => {
		const pad = { top: 8, right: 8, bottom: 18, left: 34 };
		const f = chartFrame({ width: 330, height: 96, pad, x: [999, 0], y: [0, 0.87], niceY: true });
		expect([f.x(999), f.x(0)]).toEqual([34, 322]);
		expect(f.y.domain()).toEqual([0, 0.9]);
		expect(f.pad).toEqual(pad);
	});

	it('takes the extent of 2D points along either axis', () => {
		const points: [number, number][] = [
			[1, 5],
			[-2, 3],
			[4, -1]
		];
		expect(extentOf(points, 0)).toEqual([-2, 4]);
		expect(extentOf(points, 1)).toEqual([-1, 5]);
	});
});
