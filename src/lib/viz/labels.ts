/**
 * Labels for a scatter plot that do not overlap each other or run off the chart: each label
 * takes the first of right, left, above or below its point that is free, in the order given
 * (put the most important first); a label with no free place is left out (its point keeps
 * its title). Text width is estimated from the character count, not measured, so the server's
 * first paint and the browser's hydration place the same labels.
 */

export interface LabelInput {
	x: number;
	y: number;
	text: string;
	/** Font size in chart units. */
	size: number;
	/** Gap between the point and the label. */
	gap: number;
	/** Always shown: where no place is free, the first that stays inside the chart. */
	required?: boolean;
}

/** [left, top, right, bottom], in chart units. */
export type Box = [number, number, number, number];

export interface PlacedLabel {
	x: number;
	y: number;
	anchor: 'start' | 'end' | 'middle';
	/** The label's box, for tests. */
	box: Box;
}

/** Average advance of a character, as a share of the font size (sans-serif, mixed case). */
const CHAR_WIDTH = 0.56;

export function labelWidth(text: string, size: number): number {
	return [...text].length * CHAR_WIDTH * size;
}

const overlaps = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

export function placeLabels(
	labels: LabelInput[],
	width: number,
	height: number,
	/** Boxes that labels must not cover (the prompt's ring, pictures...). */
	obstacles: Box[] = []
): (PlacedLabel | null)[] {
	const taken: Box[] = [];
	return labels.map(({ x, y, text, size, gap, required }) => {
		const w = labelWidth(text, size);
		// Text is drawn at its vertical middle (dy 0.32em); a box is its em square and a little
		// leading, so that labels one above the other do not touch.
		const h = size * 1.25;
		const candidates: PlacedLabel[] = [
			{ x: x + gap, y, anchor: 'start', box: [x + gap, y - h / 2, x + gap + w, y + h / 2] },
			{ x: x - gap, y, anchor: 'end', box: [x - gap - w, y - h / 2, x - gap, y + h / 2] },
			{
				x,
				y: y - gap - h / 2,
				anchor: 'middle',
				box: [x - w / 2, y - gap - h, x + w / 2, y - gap]
			},
			{
				x,
				y: y + gap + h / 2,
				anchor: 'middle',
				box: [x - w / 2, y + gap, x + w / 2, y + gap + h]
			}
		];
		const inside = candidates.filter(
			({ box }) => box[0] >= 0 && box[1] >= 0 && box[2] <= width && box[3] <= height
		);
		const free =
			inside.find(
				({ box }) =>
					!taken.some((t) => overlaps(t, box)) && !obstacles.some((o) => overlaps(o, box))
			) ?? (required ? (inside[0] ?? candidates[0]) : undefined);
		if (free) taken.push(free.box);
		return free ?? null;
	});
}
