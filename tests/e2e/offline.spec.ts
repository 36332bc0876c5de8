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
	// The service worker has cached the site once it controls the page.
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
		timeout: 120_000
	});

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
