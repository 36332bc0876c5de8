/**
 * On a phone the figure column is pinned above the text and shorter than most figures, so it
 * scrolls: this action scrolls it to the part the active step is about (the registry's key,
 * figures.ts), when the step changes and while that part is still being drawn. It stops as
 * soon as the reader scrolls the figure themselves. Wide screens show the whole figure.
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

export function revealKey(column: HTMLElement, params: RevealKey) {
	let current = params;
	let until = 0;

	function reveal() {
		if (performance.now() > until || !window.matchMedia(PHONE).matches) return;
		const parts = [...column.querySelectorAll<HTMLElement>(current.selector)];
		const boxes = parts.map((p) => p.getBoundingClientRect()).filter((b) => b.height > 0);
		if (boxes.length === 0) return;
		// What of the column is on screen: before it is pinned (top of the page) its bottom
		// runs past the screen's.
		const box = column.getBoundingClientRect();
		const shownTop = Math.max(box.top, 0);
		const shownBottom = Math.min(box.bottom, window.innerHeight);
		const top = Math.min(...boxes.map((b) => b.top));
		const bottom = Math.max(...boxes.map((b) => b.bottom));
		if (top >= shownTop && bottom <= shownBottom) return;
		// Its top at the top of what is shown; a part taller than that shows as much as fits.
		const before = column.scrollTop;
		column.scrollTop += top - shownTop - 4;
		const moved = column.scrollTop - before;
		// A column not yet pinned (top of the page) may end below the screen with nothing
		// left to scroll inside it: then the page moves up by what is still hidden.
		const hidden = bottom - moved - window.innerHeight;
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
