import { writeFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/story/chapters';

// The prerendered HTML carries every figure's first state: readable with
// scripting off, and hydration (with the same precomputed data) must not change a pixel.
const chapters = CHAPTERS.filter((c) => c.steps.length > 0);

/**
 * The largest difference in any channel of any pixel between two PNG screenshots (decoded by
 * the browser). Corner antialiasing may move by a level or two between layer setups.
 */
function largestDifference(page: Page, a: Buffer, b: Buffer): Promise<number> {
	return page.evaluate(
		async ({ a, b }) => {
			const pixels = async (b64: string) => {
				const bitmap = await createImageBitmap(
					await (await fetch(`data:image/png;base64,${b64}`)).blob()
				);
				const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
				const ctx = canvas.getContext('2d')!;
				ctx.drawImage(bitmap, 0, 0);
				return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
			};
			const [pa, pb] = [await pixels(a), await pixels(b)];
			if (pa.length !== pb.length) return Infinity;
			let most = 0;
			for (let i = 0; i < pa.length; i++) most = Math.max(most, Math.abs(pa[i]! - pb[i]!));
			return most;
		},
		{ a: a.toString('base64'), b: b.toString('base64') }
	);
}

/** Waits until every picture in the figure column has decoded. */
async function imagesDecoded(page: Page) {
	await page.waitForFunction(() =>
		[...document.querySelectorAll<HTMLImageElement>('.figure-column img')].every(
			(img) => img.complete && img.naturalWidth > 0
		)
	);
}

async function open(browser: Browser, path: string, javaScriptEnabled: boolean) {
	const context = await browser.newContext({
		javaScriptEnabled,
		reducedMotion: 'reduce',
		viewport: { width: 1440, height: 900 }
	});
	const page = await context.newPage();
	// Without the live model the figures stay on the precomputed first state.
	await page.route('**/models/**', (route) => route.abort());
	await page.goto(path);
	if (javaScriptEnabled) await page.locator('html[data-ready]').waitFor({ state: 'attached' });
	await imagesDecoded(page);
	return { page, close: () => context.close() };
}

test('with scripting off, every chapter shows its first figure and the real default settings', async ({
	browser
}) => {
	const { page, close } = await open(browser, '/', false);
	for (const chapter of chapters) {
		await page.goto(`/${chapter.slug}`);
		await imagesDecoded(page);
		const column = page.locator('.figure-column');
		await expect(column, chapter.slug).not.toContainText('Loading');
		await expect(column, chapter.slug).not.toContainText('(empty prompt)');
		const view = chapter.steps[0]!.figure.name;
		if (view) {
			await expect(column.locator(`.viz[data-figure="${view}"]`), chapter.slug).toBeVisible();
			await expect(column.locator('.model-bar'), chapter.slug).toContainText(/seed \d+/);
		} else await expect(column.locator('.diagram svg'), chapter.slug).toBeVisible();
	}
	await close();
});

// The model bar says the (blocked) model failed: keep its height from moving the figure.
const shot = { style: '.model-bar { display: none }' };

for (const chapter of chapters.filter((c) => c.steps[0]!.figure.name)) {
	test(`/${chapter.slug}: hydration changes no pixel of the prerendered figure`, async ({
		browser
	}, info) => {
		const before = await open(browser, `/${chapter.slug}`, false);
		const still = await before.page.locator('.figure-column .viz').screenshot(shot);
		await before.close();
		const after = await open(browser, `/${chapter.slug}`, true);
		const hydrated = await after.page.locator('.figure-column .viz').screenshot(shot);
		const difference = await largestDifference(after.page, still, hydrated);
		await after.close();
		if (difference > 0) {
			writeFileSync(info.outputPath('without-scripts.png'), still);
			writeFileSync(info.outputPath('hydrated.png'), hydrated);
		}
		expect(difference, 'the figure changed when the page hydrated').toBeLessThanOrEqual(4);
	});
}
