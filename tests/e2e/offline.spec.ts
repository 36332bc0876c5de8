import { expect, test } from '@playwright/test';
import { watchErrors } from './helpers';

test.use({ serviceWorkers: 'allow' });

test('after one visit, a chapter never opened loads offline and the live model draws a new image', async ({
	page,
	context
}) => {
	test.setTimeout(420_000);
	const errors = watchErrors(page);
	await page.goto('/?prompt=red%20heart');
	await expect(page.locator('.live .meta')).toContainText(/steps in \d+ ms/, { timeout: 240_000 });
	// The service worker has cached the site once it controls the page, and then the runtime
	// build the page ran on (WASM here), not the other one.
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
		timeout: 120_000
	});
	const cached = () =>
		page.evaluate(async () => {
			const keys = await caches.keys();
			const site = await caches.open(keys.find((k) => k.startsWith('site-'))!);
			const urls = (await site.keys()).map((r) => new URL(r.url).pathname);
			return urls.filter((u) => u.startsWith('/ort/')).sort();
		});
	await expect
		.poll(cached, { timeout: 60_000 })
		.toEqual(['/ort/ort-wasm-simd-threaded.mjs', '/ort/ort-wasm-simd-threaded.wasm']);

	await context.setOffline(true);
	await page.goto('/denoising-loop?step=2');
	await expect(page.locator('h1')).toContainText('The denoising loop');
	await expect(page.locator('.viz h3')).toBeVisible({ timeout: 60_000 });

	await page.goto('/?prompt=smiling%20cat&seed=7');
	await expect(page.locator('.live .meta')).toContainText(/steps in \d+ ms/, { timeout: 240_000 });
	await page.waitForFunction(() => 'diffusion' in globalThis); // every step decoded too
	const prompt = await page.evaluate(
		() =>
			(globalThis as unknown as { diffusion: { trace: { settings: { prompt: string } } } })
				.diffusion.trace.settings.prompt
	);
	expect(prompt).toBe('smiling cat');
	await context.setOffline(false);
	errors.check();
});
