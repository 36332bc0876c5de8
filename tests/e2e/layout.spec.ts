import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/story/chapters';

const pages = ['/', ...CHAPTERS.map((c) => `/${c.slug}`), '/credits'];

test.describe('phone-sized screens', () => {
	test.use({ viewport: { width: 375, height: 740 } });
	for (const path of pages) {
		test(`${path} has no horizontal scrolling at 375 px`, async ({ page }) => {
			await page.goto(path);
			const { scroll, inner } = await page.evaluate(() => ({
				scroll: document.documentElement.scrollWidth,
				inner: window.innerWidth
			}));
			expect(scroll).toBeLessThanOrEqual(inner);
		});
	}

	test('the figure sits above the text', async ({ page }) => {
		await page.goto('/vae');
		const fig = await page.locator('.figure-column').boundingBox();
		const firstStep = await page.locator('.step').first().boundingBox();
		expect(fig!.y + fig!.height).toBeLessThanOrEqual(firstStep!.y + 1);
	});
});

test.describe('accessibility', () => {
	for (const path of pages) {
		test(`${path} has no serious or critical axe violations`, async ({ page }) => {
			await page.goto(path);
			const results = await new AxeBuilder({ page }).analyze();
			const bad = results.violations.filter(
				(v) => v.impact === 'serious' || v.impact === 'critical'
			);
			expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
		});
	}

	test('reduced motion turns transitions off', async ({ page }) => {
		await page.emulateMedia({ reducedMotion: 'reduce' });
		await page.goto('/parts');
		const duration = await page
			.locator('.step')
			.first()
			.evaluate((el) => getComputedStyle(el).transitionDuration);
		expect(duration).toBe('0s');
	});
});
