import { describe, expect, it } from 'vitest';
import { labelWidth, placeLabels, type PlacedLabel } from '../../src/lib/viz/labels';

type Box = PlacedLabel['box'];
const overlap = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

describe('scatter labels', () => {
	it('puts a lone label to the right of its point', () => {
		const [p] = placeLabels([{ x: 10, y: 50, text: 'sun', size: 7, gap: 4 }], 200, 100);
		expect(p).toMatchObject({ x: 14, y: 50, anchor: 'start' });
	});

	it('moves a label left when the right would run off the chart', () => {
		const [p] = placeLabels([{ x: 195, y: 50, text: 'rainbow', size: 7, gap: 4 }], 200, 100);
		expect(p?.anchor).toBe('end');
		expect(p!.box[0]).toBeGreaterThanOrEqual(0);
	});

	it('never lets two shown labels overlap, and leaves out what does not fit', () => {
		// Twenty names piled on nearly one point: most cannot be shown.
		const labels = Array.from({ length: 20 }, (_, i) => ({
			x: 100 + (i % 3),
			y: 50 + (i % 2),
			text: `name ${i}`,
			size: 7,
			gap: 4
		}));
		const placed = placeLabels(labels, 200, 100);
		const shown = placed.filter((p) => p !== null);
		expect(shown.length).toBeGreaterThan(1);
		expect(shown.length).toBeLessThan(20);
		for (const [i, a] of shown.entries())
			for (const b of shown.slice(i + 1)) expect(overlap(a.box, b.box)).toBe(false);
	});

	it('keeps labels off obstacles, except a required one with nowhere else to go', () => {
		const everywhere: [number, number, number, number] = [0, 0, 200, 100];
		const [optional, required] = placeLabels(
			[
				{ x: 50, y: 50, text: 'dog', size: 7, gap: 4 },
				{ x: 50, y: 50, text: 'your prompt', size: 9, gap: 7, required: true }
			],
			200,
			100,
			[everywhere]
		);
		expect(optional).toBeNull();
		expect(required?.anchor).toBe('start');
	});

	it('estimates width from characters, not UTF-16 units', () => {
		expect(labelWidth('🐱a', 10)).toBe(labelWidth('ba', 10));
	});
});
