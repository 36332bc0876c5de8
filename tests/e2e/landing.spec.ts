import { expect, test, type Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { openReady, withoutModel } from './helpers';

// Where a link lands: an embed fits a 16:9 slide, and what the page changed in a link is said
// where the reader arrives, not in the header above it.

/** The box of the first element the selector matches, and whether its centre is not covered. */
function onScreen(page: Page, selector: string) {
	return page
		.locator(selector)
		.first()
		.evaluate((el) => {
			const b = el.getBoundingClientRect();
			const hit = document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2);
			return {
				top: Math.round(b.top),
				bottom: Math.round(b.bottom),
				inside: b.top >= -1 && b.bottom <= window.innerHeight + 1 && b.height > 0,
				uncovered: el.contains(hit)
			};
		});
}

test.describe('embeds fit a 16:9 slide', () => {
	test.use({ viewport: { width: 1024, height: 576 } });
	for (const chapter of CHAPTERS.filter((c) => c.steps.length > 0)) {
		test(`/${chapter.slug}?embed=1, every step at 1024 × 576`, async ({ page }) => {
			test.setTimeout(180_000);
			await withoutModel(page);
			for (const [i, step] of chapter.steps.entries()) {
				const at = `${chapter.slug} step ${i + 1}`;
				await openReady(page, `/${chapter.slug}?embed=1&step=${i + 1}`);
				const title = page.locator('.embed-figure h2');
				await expect(title, at).toHaveText(step.title);
				const figure = step.figure.name ? '.embed-figure .viz' : '.embed-figure .diagram';
				await page.locator(figure).waitFor();
				// Let the page settle (the link's state, then the figure from the first paint).
				await page.waitForTimeout(300);
				expect(await page.evaluate(() => window.scrollY), at).toBe(0);
				expect(await onScreen(page, '.embed-figure h2'), at).toMatchObject({ inside: true });
				// Tall figures are scaled down to fit (fit-figure.ts), once they have drawn.
				await expect
					.poll(async () => (await onScreen(page, figure)).inside, { message: at })
					.toBe(true);
			}
		});
	}
});

const CLAMPED = '/denoising-loop?step=99&steps=99&guidance=50&sampler=foo&seed=abc';

for (const viewport of [
	{ width: 1440, height: 900 },
	{ width: 375, height: 812 }
]) {
	test(`a clamped link says so where it lands (${viewport.width} × ${viewport.height})`, async ({
		page
	}) => {
		await page.setViewportSize(viewport);
		await openReady(page, CLAMPED);
		const chapter = CHAPTERS.find((c) => c.slug === 'denoising-loop')!;
		const last = chapter.steps.at(-1)!;
		const notices = page.locator('.notices');
		await expect(notices).toHaveCount(1);
		await expect(notices).toHaveAttribute('role', 'status');
		await expect(notices).toContainText('guidance');
		// In the step the link landed on (the last), where the reader is once the page settles.
		await expect(page.locator(`#${last.id} .notices`)).toHaveCount(1);
		await expect(page.locator(`#${last.id}`)).toHaveClass(/active/);
		// It may run past the screen's bottom on a phone, but it starts on screen, not under the
		// pinned figure.
		await expect
			.poll(() =>
				page.locator('.notices').evaluate((el) => {
					const b = el.getBoundingClientRect();
					const hit = document.elementFromPoint(b.left + 20, b.top + 8);
					return b.top >= 0 && b.top + 20 <= window.innerHeight && el.contains(hit);
				})
			)
			.toBe(true);
		// Its heading too: the notice does not push the step out of view.
		await expect
			.poll(() => onScreen(page, `#${last.id}-title`))
			.toMatchObject({ inside: true, uncovered: true });
		await page.locator('.notices button').click();
		await expect(notices).toHaveCount(0);
	});
}
