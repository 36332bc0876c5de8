/**
 * Registers the service worker that keeps the site working offline after one visit
 * (src/service-worker.ts), once the page has what it came for: its precache (every page, the
 * app, the runtime's .wasm) would otherwise compete for the network and the CPU with the live
 * model's first picture. `busy` says whether the page is still loading or drawing.
 */
import { base } from '$app/paths';
import { dev } from '$app/environment';

/** How long the page must stay idle first (the model's first generation starts just after it loads). */
const QUIET_MS = 2000;

let registered = false;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Call whenever `busy` may have changed; registers once, after QUIET_MS of not busy (checked again then). */
export function registerWhenIdle(busy: () => boolean) {
	if (registered || !('serviceWorker' in navigator)) return;
	clearTimeout(timer);
	if (busy()) return;
	timer = setTimeout(() => {
		if (registered || busy()) return;
		registered = true;
		// In dev, SvelteKit serves the service worker as a module.
		navigator.serviceWorker
			.register(`${base}/service-worker.js`, { type: dev ? 'module' : 'classic' })
			.catch(() => (registered = false)); // offline support is a bonus: never an error
	}, QUIET_MS);
}
