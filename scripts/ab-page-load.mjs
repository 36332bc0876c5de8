// Page load to the first live image, two builds side by side: the same machine and hour, a
// fresh browser context (empty cache) per run, the two sites taken in turn. The bench's own
// figure moves by a second or more between runs of this machine, so a change is measured
// against the site before it, here, not against an older README row.
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)
//   (cd /tmp/before && npx vite preview --port 4175 --strictPort &)
//   npm run build && (npx vite preview --port 4174 --strictPort &)
//   node scripts/ab-page-load.mjs http://localhost:4175 http://localhost:4174 6
//
// With `--second`, each run times a second visit instead: the first visit draws its picture
// and the service worker saves the site (and, given time, the browser its compiled code),
// then a new page in the same browser profile is timed.
//
// "Live image" is the final picture's caption ("25 steps in N ms") or, on older builds that
// show no such caption, the trace the page publishes with it (`globalThis.diffusion`).
import { chromium } from '@playwright/test';

const second = process.argv.includes('--second');
const [before, after, runsArg = '6'] = process.argv.slice(2).filter((a) => a !== '--second');
if (!before || !after) {
	console.error('usage: node scripts/ab-page-load.mjs <url before> <url after> [runs]');
	process.exit(2);
}
const runs = Number(runsArg);
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking']
});
/** Waits for the page's first live picture. */
async function livePicture(page) {
	await page.waitForFunction(
		() =>
			/steps in \d+ ms/.test(document.querySelector('.live .meta')?.textContent ?? '') ||
			Boolean(/** @type {any} */ (globalThis).diffusion?.trace),
		null,
		{ timeout: 300_000 }
	);
}
/** @type {Record<string, number[]>} */
const times = { [before]: [], [after]: [] };
try {
	for (let i = 0; i < runs; i++) {
		// Alternate which goes first, so neither always meets a warmer machine.
		for (const site of i % 2 ? [after, before] : [before, after]) {
			const context = await browser.newContext();
			if (second) {
				const first = await context.newPage();
				await first.goto(`${site}/?backend=wasm`);
				await livePicture(first);
				// The service worker saves the runtime once the picture is drawn; the browser
				// writes its code cache some seconds after compiling.
				await first.waitForFunction(
					async () =>
						!!(await caches.match(new URL('ort/ort-wasm-simd-threaded.wasm', location.href))),
					null,
					{ timeout: 120_000 }
				);
				await first.waitForTimeout(15_000);
				await first.close();
			}
			const page = await context.newPage();
			const t0 = Date.now();
			await page.goto(`${site}/?backend=wasm`);
			await livePicture(page);
			times[site].push(Date.now() - t0);
			await context.close();
		}
	}
} finally {
	await browser.close();
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [site, t] of Object.entries(times))
	console.log(
		`${site}: median ${(median(t) / 1000).toFixed(1)} s, range ${(Math.min(...t) / 1000).toFixed(1)}-${(Math.max(...t) / 1000).toFixed(1)} s (${t.join(', ')} ms)`
	);
