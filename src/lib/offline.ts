/**
 * Registers the service worker that keeps the site working offline after one visit
 * (src/service-worker.ts), once the page has what it came for: its precache (every page, the
 * app and the model's files) would otherwise compete for the network and the CPU with the
 * live model's first picture. Then it asks the service worker to keep the runtime build the model ran on (the
 * worker fetched it before any service worker was there to see it).
 */
import { base } from '$app/paths';
import { dev } from '$app/environment';

/** How long the page must stay idle first (the model's first generation starts just after it loads). */
const QUIET_MS = 2000;

let registered = false;
let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * Call whenever `busy` may have changed; registers once, after QUIET_MS of not busy (checked
 * again then). `runtimeFiles` names the runtime's files under /ort/ that the page used, if any.
 */
export function registerWhenIdle(busy: () => boolean, runtimeFiles: () => string[]) {
	if (registered || !('serviceWorker' in navigator)) return;
	clearTimeout(timer);
	if (busy()) return;
	timer = setTimeout(() => {
		if (registered || busy()) return;
		registered = true;
		const sw = navigator.serviceWorker;
		// In dev, SvelteKit serves the service worker as a module.
		sw.register(`${base}/service-worker.js`, { type: dev ? 'module' : 'classic' })
			.then(() => sw.ready)
			.then((reg) => {
				const paths = runtimeFiles().map((f) => `${base}/ort/${f}`);
				if (paths.length) reg.active?.postMessage({ kind: 'cache-runtime', paths });
			})
			.catch(() => (registered = false)); // offline support is a bonus: never an error
	}, QUIET_MS);
}
