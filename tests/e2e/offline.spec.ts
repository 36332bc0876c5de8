import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { pipelineFileKeys } from '../../src/lib/pipeline/build';
import { OFFLINE_MESSAGE } from '../../src/lib/pipeline/files';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { openReady, waitLive, watchErrors } from './helpers';

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

/** Every URL path in the page's caches (the service worker's and the model loader's). */
const cachedPaths = (page: Page) =>
	page.evaluate(async () => {
		const paths: string[] = [];
		for (const name of await caches.keys())
			for (const r of await (await caches.open(name)).keys()) paths.push(new URL(r.url).pathname);
		return paths.sort();
	});

test('after one visit, every chapter, the student and the model card work offline', async ({
	page,
	context
}) => {
	test.setTimeout(600_000);
	const errors = watchErrors(page);
	await openReady(page, '/?prompt=red%20heart');
	await expect(page.locator('.live .meta')).toContainText(/steps in \d+ ms/, { timeout: 240_000 });
	// The service worker activates once it has saved the site and every model file; then the
	// page has it keep the runtime build it ran on.
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
		timeout: 120_000
	});
	const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
	const models = pipelineFileKeys(manifest).map((k) => `/models/${manifest.files[k]!.path}`);
	expect(models).toContain(`/models/${manifest.files[manifest.models!.student!.unet]!.path}`);
	await expect
		.poll(() => cachedPaths(page), { timeout: 60_000 })
		.toEqual(
			expect.arrayContaining([
				...models,
				'/models/gallery.png',
				'/ort/ort-wasm-simd-threaded.mjs',
				'/ort/ort-wasm-simd-threaded.wasm'
			])
		);
	// Not the test goldens, nor the runtime build the page did not run on.
	const saved = await cachedPaths(page);
	expect(saved.filter((p) => p.includes('golden') || p.includes('asyncify'))).toEqual([]);

	await context.setOffline(true);
	let live = 0;
	for (const c of CHAPTERS) {
		// Half of them by the link form without the trailing slash.
		const slash = CHAPTERS.indexOf(c) % 2 ? '/' : '';
		await openReady(page, `/${c.slug}${slash}?step=${c.steps.length}&seed=5`);
		await expect(page.locator('h1')).toHaveText(c.title);
		// Chapters without a live figure (the parts diagram) have no model bar.
		if ((await page.locator('.model-bar').count()) === 0) continue;
		await waitLive(page);
		live++;
		if (c.slug === 'distillation')
			// Every model at every step count timed here: the student was saved too.
			await expect(page.locator('.metric-table').first()).not.toContainText('… ms', {
				timeout: 120_000
			});
		// Parts some chapters load after the first picture (the VAE's encoder, CLIP's image
		// encoder): a failure would show here.
		await page.waitForTimeout(2000);
		await expect(page.locator('.model-bar .error')).toHaveCount(0);
	}
	expect(live).toBeGreaterThan(CHAPTERS.length / 2);
	await openReady(page, '/denoising-loop/?step=2&model=student');
	await waitLive(page);
	await expect(page.locator('.model-bar .error')).toHaveCount(0);
	await openReady(page, '/model/');
	const gallery = page.locator('img[src$="gallery.png"]');
	await expect(gallery).toBeVisible();
	expect(
		await gallery.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))
	).toBeGreaterThan(0);

	// A part that was never saved is said plainly, not as a failed fetch.
	await page.evaluate(async () => {
		for (const name of await caches.keys())
			for (const r of await (await caches.open(name)).keys())
				if (r.url.includes('unet_student')) await (await caches.open(name)).delete(r);
	});
	// Nor from the browser's HTTP cache, which would otherwise answer offline (CI saw it do so):
	// a routed request skips that cache.
	await context.route(/unet_student/, (route) => route.abort('internetdisconnected'));
	await openReady(page, '/denoising-loop/?step=2&model=student');
	await expect(page.locator('.model-bar')).toContainText(OFFLINE_MESSAGE, { timeout: 120_000 });
	await context.setOffline(false);
	errors.check();
});
