import { expect, type Locator, type Page } from '@playwright/test';
import { keyOf } from '../../src/lib/figures/shared';
import type { Figure, FigureName, StepFocus } from '../../src/lib/figures/types';

/** Collects console errors and page errors; call `check()` at the end of a test. */
export function watchErrors(page: Page) {
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	page.on('pageerror', (e) => errors.push(e.message));
	page.on('dialog', (d) => {
		errors.push(`unexpected dialog: ${d.message()}`);
		void d.dismiss();
	});
	return { errors, check: () => expect(errors).toEqual([]) };
}

/**
 * Waits until the figures show the live model's results (not the precomputed ones), every
 * step's estimate decoded (they fill in just after the final picture).
 */
export async function waitLive(page: Page, timeout = 150_000): Promise<void> {
	const status = page.locator('.model-bar .status');
	await expect(status).toHaveAttribute('data-source', 'live', { timeout });
	await expect(status).toHaveAttribute('data-steps', 'decoded', { timeout });
	await expect(status).toContainText('Live:', { timeout });
}

/** Opens a page and waits until it is hydrated, so that keys and clicks reach its handlers. */
export async function openReady(page: Page, path: string): Promise<void> {
	await page.goto(path);
	await page.locator('html[data-ready]').waitFor({ state: 'attached' });
}

/** Whether an element is inside the viewport (at least partly). */
export async function inViewport(page: Page, selector: string): Promise<boolean> {
	return page.locator(selector).evaluate((el) => {
		const r = el.getBoundingClientRect();
		return r.bottom > 0 && r.top < window.innerHeight;
	});
}

/** Index (from 1) of the step the page marks active. */
export async function activeStep(page: Page): Promise<number> {
	return page
		.locator('.step')
		.evaluateAll((els) => els.findIndex((e) => e.classList.contains('active')) + 1);
}

/** Generates on the opening page with a forced backend; returns the final latent. */
export async function generate(page: Page, backend: string, query: string): Promise<number[]> {
	await page.goto(`/?backend=${backend}&${query}`);
	await expect(page.locator('.live .meta')).toContainText(/steps in \d+ ms/, { timeout: 240_000 });
	// Set once every step's estimate is decoded too, just after the final picture.
	await page.waitForFunction(() => 'diffusion' in globalThis);
	return page.evaluate(() =>
		Array.from(
			(globalThis as unknown as { diffusion: { trace: { finalLatent: Float32Array } } }).diffusion
				.trace.finalLatent
		)
	);
}

/** The RGBA bytes a figure's picture (an <img> of one pixel per model pixel) shows. */
export function pictureBytes(picture: Locator): Promise<number[]> {
	return picture.evaluate(async (img: HTMLImageElement) => {
		await img.decode();
		const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
		const ctx = canvas.getContext('2d')!;
		ctx.drawImage(img, 0, 0);
		return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
	});
}

/**
 * For tests of layout alone: the page never downloads or starts the model (each navigation
 * would otherwise compile the runtime on the machine's two cores); the figures show the
 * build's first paint, as they do while the model loads.
 */
export async function withoutModel(page: Page): Promise<void> {
	await page.route(/\/(ort|models)\//, (route) => route.abort());
}

/**
 * The selector of a figure's key part for a step, read from its folder (the registry collects
 * the folders with Vite's import.meta.glob, which Playwright's loader does not have).
 */
export async function figureKey(name: FigureName, focus?: StepFocus): Promise<string> {
	const { figure } = (await import(`../../src/lib/figures/${name}/figure.ts`)) as {
		figure: Figure<unknown>;
	};
	return keyOf(figure, focus);
}
