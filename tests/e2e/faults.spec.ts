import { expect, test, type Page } from '@playwright/test';
import { openReady, waitLive, watchErrors } from './helpers';

// The live model recovers from faults without a reload: a worker that dies, and a runtime or
// model file that fails to download once (it loads by itself when the browser is back online).

const LIVE = { timeout: 150_000 };
test.setTimeout(300_000);

type Tracked = typeof globalThis & { startedWorkers: Worker[] };

/** Keeps a handle on every worker the page starts, so that a test can kill the model's. */
async function trackWorkers(page: Page) {
	await page.addInitScript(() => {
		const Native = globalThis.Worker;
		const started: Worker[] = [];
		(globalThis as Tracked).startedWorkers = started;
		globalThis.Worker = class extends Native {
			constructor(url: string | URL, options?: WorkerOptions) {
				super(url, options);
				started.push(this);
			}
		};
	});
}

/** The prompt of the live generation on show, every step decoded (live.svelte.ts sets it). */
const livePrompt = (page: Page) =>
	page.evaluate(
		() =>
			(globalThis as { diffusion?: { trace: { settings: { prompt: string } } } }).diffusion?.trace
				.settings.prompt
	);

test('a model worker that dies is restarted, and the reader’s new prompt is drawn', async ({
	page
}) => {
	const errors = watchErrors(page);
	await trackWorkers(page);
	await openReady(page, '/denoising-loop?step=2');
	await waitLive(page);
	expect(await livePrompt(page)).toBe('smiling cat');
	await page.evaluate(() => (globalThis as Tracked).startedWorkers.forEach((w) => w.terminate()));

	await page.locator('.model-bar summary').click();
	await page.locator('.model-bar').getByLabel('Prompt', { exact: true }).fill('red heart');
	await page.getByRole('button', { name: 'Generate' }).click();
	const status = page.locator('.model-bar .status');
	// Within the time a first picture takes: the page notices, restarts the model and draws.
	await expect(status).toContainText('The model stopped; restarted.', { timeout: 60_000 });
	await expect(page.locator('.viz h3')).toContainText('“red heart”', { timeout: 60_000 });
	await waitLive(page, 60_000);
	expect(await livePrompt(page)).toBe('red heart');
	await expect(status).toContainText('The model stopped; restarted.');
	expect(await page.evaluate(() => (globalThis as Tracked).startedWorkers.length)).toBe(2);
	errors.check();
});

/** Fails the first request for `pattern`; lets every later one through. */
/** Fails every request for `pattern` until `allow()`: the connection is down until then, so
 * any retry the page makes before it comes back fails too. */
async function failUntilAllowed(page: Page, pattern: string) {
	const seen = { count: 0, failed: 0, down: true, allow: () => (seen.down = false) };
	await page.route(pattern, (route) => {
		seen.count += 1;
		if (!seen.down) return route.continue();
		seen.failed += 1;
		return route.abort('internetdisconnected');
	});
	return seen;
}

async function failOnce(page: Page, pattern: string) {
	const seen = { count: 0 };
	await page.route(pattern, (route) => {
		seen.count += 1;
		return seen.count === 1 ? route.abort('internetdisconnected') : route.continue();
	});
	return seen;
}

test('a runtime download that failed once is retried when the browser is back online', async ({
	page,
	context
}) => {
	const runtime = await failOnce(page, '**/ort/ort-wasm-simd-threaded.mjs');
	await openReady(page, '/?prompt=red+heart');
	const alert = page.locator('.live [role="alert"]');
	await expect(alert).toBeVisible(LIVE);
	// A sentence a reader can act on; the runtime's own words only behind "Details".
	await expect(alert).toContainText(
		'The runtime that runs the model could not be downloaded. Check your connection'
	);
	await expect(alert.locator('details')).toContainText('no available backend found');
	await expect(alert.locator('details')).not.toHaveAttribute('open');
	await expect(page.locator('.live .meta')).not.toContainText('while the live model loads');
	expect(runtime.count).toBe(1);

	await context.setOffline(true);
	await context.setOffline(false);
	await expect(page.locator('.live .meta')).toContainText(/steps in \d+ ms/, LIVE);
	await expect(page.locator('.live canvas')).toHaveAttribute('aria-label', /“red heart”/);
	await expect(alert).toHaveCount(0);
	expect(runtime.count).toBe(2);
});

test('a model file that failed to download is fetched again when the browser is back online', async ({
	page,
	context
}) => {
	const unet = await failUntilAllowed(page, '**/models/unet.onnx');
	await openReady(page, '/denoising-loop?step=2&prompt=red+heart');
	const status = page.locator('.model-bar .status');
	await expect(status).toHaveAttribute('data-model', 'error', LIVE);
	await expect(status).toContainText(
		'The model file unet.onnx could not be downloaded. Check your connection'
	);

	await context.setOffline(true);
	unet.allow();
	await context.setOffline(false);
	// The download starts again by itself, with its progress shown.
	await expect(status).toHaveAttribute('data-model', 'loading');
	await waitLive(page);
	await expect(page.locator('.viz h3')).toContainText('“red heart”');
	expect(await livePrompt(page)).toBe('red heart');
	expect(unet.failed).toBeGreaterThanOrEqual(1);
	expect(unet.count).toBe(unet.failed + 1);
});

test('the VAE figure’s caption about an upload goes when a sample is picked', async ({ page }) => {
	const errors = watchErrors(page);
	await openReady(page, '/vae?step=1');
	await waitLive(page);
	const figure = page.locator('.vae');
	const sample = page.locator('.vae .picker button').first();
	await page.locator('.upload input').setInputFiles('static/models/gallery.png');
	await expect(figure).toContainText('Your image, cropped to a square', LIVE);
	await sample.click();
	await expect(sample).toHaveAttribute('aria-pressed', 'true');
	await expect(figure).not.toContainText('Your image, cropped');

	// A vector image is refused, and says why; picking a sample clears that too.
	await page.locator('.upload input').setInputFiles({
		name: 'drawing.svg',
		mimeType: 'image/svg+xml',
		buffer: Buffer.from(
			'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
		)
	});
	await expect(figure).toContainText('vector image');
	await sample.click();
	await expect(figure).not.toContainText('vector image');

	await page.locator('.upload input').setInputFiles({
		name: 'not-an-image.png',
		mimeType: 'image/png',
		buffer: Buffer.from('definitely not a png')
	});
	await expect(figure).toContainText('could not be read as an image');
	expect(await figure.textContent()).not.toContain('.).');
	await sample.click();
	await expect(figure).not.toContainText('could not be read');
	errors.check();
});
