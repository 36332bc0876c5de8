/**
 * The built site on a plain static host (scripts/static-server.mjs: files and folders'
 * index.html, a folder named without its slash redirected to it, no rewrites, no headers), at
 * the domain's root and under a sub-path (the `static-host*` projects in playwright.config.ts).
 * Paths here are relative to the project's baseURL, so both projects run the same tests.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { pipelineFileKeys } from '../../src/lib/pipeline/build';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { activeStep, openReady, waitLive, watchErrors } from './helpers';

/** The site's root URL in this project, ending in "/". */
const siteRoot = () => test.info().project.use.baseURL!;

/**
 * Records every request the page makes: each must stay under the site's path (nothing asked
 * of the domain's root when the site lives under a sub-path) and be answered without an error.
 */
function watchRequests(page: Page) {
	const root = new URL(siteRoot());
	const outside: string[] = [];
	const failed: string[] = [];
	const answered = new Map<string, number>();
	page.on('request', (r) => {
		const url = new URL(r.url());
		if (url.origin === root.origin && !url.pathname.startsWith(root.pathname))
			outside.push(url.pathname);
	});
	page.on('response', (r) => {
		const path = new URL(r.url()).pathname;
		answered.set(path, r.status());
		if (r.status() >= 400) failed.push(`${r.status()} ${path}`);
	});
	page.on('requestfailed', (r) => {
		// A navigation cancels the last page's downloads (the model starts on every page).
		if (r.failure()?.errorText !== 'net::ERR_ABORTED')
			failed.push(`${r.failure()?.errorText} ${r.url()}`);
	});
	return {
		answered,
		check: () => {
			expect(outside).toEqual([]);
			expect(failed).toEqual([]);
		}
	};
}

test('every chapter link with a query opens its step, after a reload too, and every link resolves', async ({
	page
}) => {
	test.setTimeout(300_000);
	const errors = watchErrors(page);
	const requests = watchRequests(page);
	const root = siteRoot();
	const links = new Set<string>();
	const collectLinks = async () => {
		// SVG links too (the parts diagram), whose href is not a string property.
		for (const href of await page
			.locator('a[href]')
			.evaluateAll((as) =>
				as.map((a) => new URL(a.getAttribute('href')!, document.baseURI).href)
			)) {
			const url = new URL(href);
			url.hash = '';
			if (url.href.startsWith(root)) links.add(url.href);
		}
	};

	for (const c of CHAPTERS) {
		const step = Math.min(2, c.steps.length);
		// The form of link handed out before every page was a folder: still opens that step.
		await openReady(page, `${c.slug}?step=${step}&seed=7`);
		await expect(page).toHaveURL(`${root}${c.slug}/?step=${step}&seed=7`);
		await expect(page.locator('h1')).toHaveText(c.title);
		await expect.poll(() => activeStep(page)).toBe(step);
		await collectLinks();
		await page.reload();
		await page.locator('html[data-ready]').waitFor({ state: 'attached' });
		await expect(page).toHaveURL(`${root}${c.slug}/?step=${step}&seed=7`);
		await expect(page.locator('h1')).toHaveText(c.title);
		await expect.poll(() => activeStep(page)).toBe(step);
	}
	for (const path of ['', 'glossary', 'model', 'credits']) {
		await openReady(page, path);
		await expect(page.locator('h1')).toBeVisible();
		await collectLinks();
	}
	expect(requests.answered.get(`${new URL(root).pathname}first-paint/home.bin`)).toBe(200);

	// Every internal link (nav, contents, pager, prose, glossary) is served as it is written:
	// no redirect, no folder without its page.
	expect(links.size).toBeGreaterThan(CHAPTERS.length);
	for (const link of links) {
		const res = await page.request.get(link, { maxRedirects: 0 });
		expect(res.status(), link).toBe(200);
		expect(res.headers()['content-type'], link).toContain('text/html');
	}

	// The pager navigates in the page (the next page's __data.json) and lands on a folder.
	const [first, second] = CHAPTERS;
	await openReady(page, `${first!.slug}/`);
	await page.locator('a[rel="next"]').first().click();
	await expect(page).toHaveURL(`${root}${second!.slug}/`);
	await expect(page.locator('h1')).toHaveText(second!.title);
	requests.check();
	errors.check();
});

test('the live model runs on one thread, its files and runtime served from the site', async ({
	page
}) => {
	const errors = watchErrors(page);
	const requests = watchRequests(page);
	await openReady(page, 'denoising-loop?step=2&prompt=red%20heart');
	await waitLive(page);
	// No COOP/COEP headers here: no SharedArrayBuffer, so the runtime runs on one thread.
	expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
	const base = new URL(siteRoot()).pathname;
	const served = [...requests.answered.keys()];
	expect(served).toContain(`${base}models/manifest.json`);
	expect(served).toContain(`${base}models/unet.onnx`);
	expect(served).toContain(`${base}ort/ort-wasm-simd-threaded.wasm`);
	expect(served).toContain(`${base}first-paint/denoising-loop.bin`);
	requests.check();
	errors.check();
});

test.describe('offline after one visit', () => {
	test.use({ serviceWorkers: 'allow' });

	test('the service worker saves the site under its path, and a chapter never opened runs live offline', async ({
		page,
		context
	}) => {
		test.setTimeout(300_000);
		const errors = watchErrors(page);
		const base = new URL(siteRoot()).pathname;
		await openReady(page, '?prompt=red%20heart');
		await expect(page.locator('.live .meta')).toContainText(/steps in \d+ ms/, {
			timeout: 150_000
		});
		// Installed (and so activated) only once every page and model file is saved.
		await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
			timeout: 120_000
		});
		const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
		// Every model file the pipeline may load, the inference worker's own files (which a host
		// without caching headers would not keep) and the runtime build the page ran on.
		const workerFiles = (await (
			await page.request.get(`${siteRoot()}_app/worker-files.json`)
		).json()) as string[];
		expect(workerFiles.length).toBeGreaterThan(0);
		const wanted = [
			...workerFiles.map((f) => `${base}${f}`),
			...pipelineFileKeys(manifest).map((k) => `${base}models/${manifest.files[k]!.path}`),
			`${base}ort/ort-wasm-simd-threaded.mjs`,
			`${base}ort/ort-wasm-simd-threaded.wasm`
		];
		const saved = () =>
			page.evaluate(async () => {
				const urls: string[] = [];
				for (const name of await caches.keys())
					for (const r of await (await caches.open(name)).keys())
						urls.push(new URL(r.url).pathname);
				return urls.sort();
			});
		await expect.poll(saved, { timeout: 60_000 }).toEqual(expect.arrayContaining(wanted));
		const urls = await saved();
		expect(urls.filter((u) => !u.startsWith(base))).toEqual([]);
		expect(urls.filter((u) => u.includes('golden'))).toEqual([]);
		expect(urls).toContain(`${base}models/manifest.json`);
		expect(urls).toContain(`${base}editing/`);

		await context.setOffline(true);
		// The link form without the slash, and a chapter whose figures need the VAE's encoder.
		await openReady(page, 'editing?step=2');
		await expect(page).toHaveURL(`${siteRoot()}editing/?step=2`);
		await waitLive(page);
		await context.setOffline(false);
		errors.check();
	});
});
