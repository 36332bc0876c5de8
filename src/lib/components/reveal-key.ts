/**
 * On a phone the figure column is pinned above the text and shorter than most figures, so it
 * scrolls, with the figure's controls pinned inside it (the "Change" bar and the figure's
 * title and scrubber at its top, the figure's controls at its foot; the page's CSS): this
 * action scrolls it to the part the active step is about (the registry's key, figures.ts),
 * between those pinned rows, when the step changes and while that part is still being drawn.
 * It stops as soon as the reader scrolls the figure themselves. Wide screens show the whole
 * figure.
 */
export interface RevealKey {
	/** CSS selectors of the key part, inside the column. */
	selector: string;
	/** The active step: a new step reveals its key part again. */
	step: number;
}

const PHONE = '(max-width: 52rem)';
/** How long after a step change late content (the live model's results) may move the key. */
const SETTLE_MS = 15_000;
/** Rows the CSS pins to the column's top, stacked in this order, and to its foot. */
export const PINNED_TOP =
	'.model-bar > details:first-child, .model-bar > details.compare-with, .viz-head';
export const PINNED_BOTTOM = '.viz .controls, .viz .pin-bottom';

const pinned = (el: HTMLElement) => getComputedStyle(el).position === 'sticky';

export function revealKey(column: HTMLElement, params: RevealKey) {
	let current = params;
	let until = 0;

	/** Stacks the rows pinned to the top, each under the one before; returns their height. */
	function stack(): number {
		let top = 0;
		for (const row of column.querySelectorAll<HTMLElement>(PINNED_TOP)) {
			const want = pinned(row) ? `${top}px` : '';
			if (row.style.top !== want) row.style.top = want;
			if (want) top += row.offsetHeight;
		}
		return top;
	}

	function reveal() {
		const above = stack();
		if (performance.now() > until || !window.matchMedia(PHONE).matches) return;
		const parts = [...column.querySelectorAll<HTMLElement>(current.selector)];
		const boxes = parts.map((p) => p.getBoundingClientRect()).filter((b) => b.height > 0);
		if (boxes.length === 0) return;
		const below = Math.max(
			0,
			...[...column.querySelectorAll<HTMLElement>(PINNED_BOTTOM)]
				.filter(pinned)
				.map((row) => row.offsetHeight)
		);
		// What of the column is on screen, between its pinned rows: before it is pinned (top of
		// the page) its bottom runs past the screen's.
		const box = column.getBoundingClientRect();
		const shownTop = Math.max(box.top + column.clientTop, 0) + above;
		const shownBottom = Math.min(box.bottom, window.innerHeight) - below;
		const top = Math.min(...boxes.map((b) => b.top));
		const bottom = Math.max(...boxes.map((b) => b.bottom));
		let moved = 0;
		if (top < shownTop || bottom > shownBottom) {
			// Its top under the pinned rows; a part taller than what is shown shows as much as fits.
			const before = column.scrollTop;
			column.scrollTop += top - shownTop - 4;
			moved = column.scrollTop - before;
		}
		// A column not yet pinned (top of the page) may run past the screen's bottom, and its
		// pinned controls with it: then the page moves up by what is still hidden.
		const hidden = Math.max(bottom - moved, box.bottom) - window.innerHeight;
		if (box.top > 0 && hidden > 0) window.scrollBy(0, Math.min(hidden + 4, box.top));
	}
	function arm() {
		until = performance.now() + SETTLE_MS;
		reveal();
	}
	const stop = () => (until = 0);

	const changes = new MutationObserver(reveal);
	changes.observe(column, { childList: true, subtree: true, attributes: true });
	const sizes = new ResizeObserver(reveal);
	sizes.observe(column);
	column.addEventListener('wheel', stop, { passive: true });
	column.addEventListener('touchstart', stop, { passive: true });
	arm();

	return {
		update(next: RevealKey) {
			const moved = next.selector !== current.selector || next.step !== current.step;
			current = next;
			if (moved) arm();
		},
		destroy() {
			changes.disconnect();
			sizes.disconnect();
			column.removeEventListener('wheel', stop);
			column.removeEventListener('touchstart', stop);
		}
	};
}
