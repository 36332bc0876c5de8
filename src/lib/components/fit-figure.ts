/**
 * An embed is a slide: its figure is scaled down (CSS zoom) until it fits the frame's height
 * under the step's title, so a teacher's 16:9 slide shows all of it. Never below 40%,
 * where its text would be too small to read even projected; nothing changes where it fits.
 */
const SMALLEST = 0.4;
/** Room kept under the figure, in CSS px. */
const MARGIN = 8;
/** A slide's layout, the figure beside its title (the page's CSS); narrower frames scroll. */
const SLIDE = '(min-width: 52.01rem)';

/** An attachment for the embed's section: fits its figure (.viz, or the parts diagram). */
export function fitFigure(section: HTMLElement) {
	const fit = () => {
		const figure = section.querySelector<HTMLElement>(':scope > .viz, :scope > figure.diagram');
		if (!figure) return;
		figure.style.zoom = ''; // measured at its own size
		const box = figure.getBoundingClientRect();
		const room = window.innerHeight - box.top - MARGIN;
		const slide = window.matchMedia(SLIDE).matches;
		const scale = slide && box.height > room ? Math.max(SMALLEST, room / box.height) : 1;
		// The same zoom as before changes no size: the observer below does not call back.
		figure.style.zoom = scale < 1 ? scale.toFixed(3) : '';
	};
	// At most once a frame, however many changes come in it.
	let frame = 0;
	const soon = () => {
		if (!frame) frame = requestAnimationFrame(() => ((frame = 0), fit()));
	};
	const sizes = new ResizeObserver(soon);
	sizes.observe(section);
	// The figure's content grows as it loads (first paint, then the live model).
	const content = new MutationObserver(soon);
	content.observe(section, { childList: true, subtree: true });
	window.addEventListener('resize', soon);
	fit();
	return () => {
		cancelAnimationFrame(frame);
		sizes.disconnect();
		content.disconnect();
		window.removeEventListener('resize', soon);
	};
}
