/**
 * Text in a chart drawn in its own units (an SVG viewBox) shrinks with the chart: on a phone a
 * 330-unit chart is about 310 px wide, and 7-unit labels render at 6.6 px. On phones (the
 * page's pinned-figure layout) this grows a chart's text so that its smallest size renders at
 * MIN_TEXT_PX at least; wide screens, the server and the first paint keep the drawn sizes, so
 * hydration changes no pixel there.
 */

/** The smallest text a phone shows, in CSS px. */
export const MIN_TEXT_PX = 11;
const PHONE = '(max-width: 52rem)';

export class ChartText {
	/** Rendered CSS px per chart unit, on phones; 0 elsewhere and until measured. */
	#scale = $state(0);

	/** What to multiply a chart's text sizes by, for its smallest size (chart units). */
	grow(smallest: number): number {
		return this.#scale > 0 ? Math.max(1, MIN_TEXT_PX / (smallest * this.#scale)) : 1;
	}

	/** An attachment for the chart's <svg>: follows its rendered size. */
	measure = (svg: SVGSVGElement) => {
		const update = () => {
			const scale = window.matchMedia(PHONE).matches ? (svg.getScreenCTM()?.a ?? 0) : 0;
			// Ignore sub-percent changes: a chart whose height follows its text would otherwise
			// chase its own rounding.
			if (Math.abs(scale - this.#scale) > 0.01 * Math.max(scale, this.#scale)) this.#scale = scale;
		};
		const sizes = new ResizeObserver(update);
		sizes.observe(svg);
		// A box held at its max-height keeps its size while a taller viewBox shrinks the drawing.
		const box = new MutationObserver(update);
		box.observe(svg, { attributes: true, attributeFilter: ['viewBox'] });
		return () => {
			sizes.disconnect();
			box.disconnect();
		};
	};
}
