import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { GLOSSARY } from '../../src/lib/story/glossary';
import { openReady, watchErrors } from './helpers';

const definition = (id: string) => GLOSSARY.find((t) => t.id === id)!.definition;

/** A marked term in the prose, and its popover. */
function term(page: Page, name: string) {
	const button = page.locator('.steps').getByRole('button', { name, exact: true });
	return { button, pop: button.locator('xpath=following-sibling::span[1]') };
}

test('a term shows its definition on hover and keyboard focus, and Escape hides it', async ({
	page
}) => {
	const errors = watchErrors(page);
	await openReady(page, '/clip?step=4');
	const { button, pop } = term(page, 'softmax');
	// Only the first use in the chapter is marked.
	await expect(button).toHaveCount(1);
	await expect(button).toHaveAccessibleDescription(definition('softmax'));
	await expect(pop).toBeHidden();

	await button.hover();
	await expect(pop).toBeVisible();
	await expect(pop).toContainText(definition('softmax'));
	await page.mouse.move(1, 1);
	await expect(pop).toBeHidden();

	// Keyboard: tab onto it (from the term before it, closed), then into its link, then Escape.
	await button.focus();
	await page.keyboard.press('Shift+Tab');
	await page.keyboard.press('Escape');
	await page.keyboard.press('Tab');
	await expect(button).toBeFocused();
	await expect(button).toHaveAttribute('aria-expanded', 'true');
	await expect(pop).toBeVisible();
	await page.keyboard.press('Tab');
	const link = page.getByRole('link', { name: '“softmax” in the glossary' });
	await expect(link).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(pop).toBeHidden();
	await expect(button).toBeFocused();

	// Open, the page stays axe-clean; its link leads to the term on the glossary page.
	await page.keyboard.press('Enter');
	await expect(pop).toBeVisible();
	const axe = await new AxeBuilder({ page }).include('.steps').analyze();
	expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
		[]
	);
	await link.click();
	await expect(page).toHaveURL(/\/glossary\/#softmax$/);
	await expect(page.locator('#softmax')).toBeInViewport();
	errors.check();
});

test.describe('on a phone', () => {
	test.use({ viewport: { width: 375, height: 740 }, hasTouch: true });

	test('a tap shows the definition, a tap elsewhere hides it', async ({ page }) => {
		await openReady(page, '/vae?step=5');
		const { button, pop } = term(page, 'PSNR');
		await button.tap();
		await expect(pop).toBeVisible();
		await expect(pop).toBeInViewport();
		await button.tap();
		await expect(pop).toBeHidden();
		await button.tap();
		await expect(pop).toBeVisible();
		// A touch anywhere else closes it.
		await page.locator('h1').dispatchEvent('pointerdown', { pointerType: 'touch' });
		await expect(pop).toBeHidden();
	});

	test('every term’s popover fits the screen, with no horizontal scrolling', async ({ page }) => {
		for (const path of ['/parts', '/clip', '/unet', '/denoising-loop', '/distillation']) {
			await openReady(page, path);
			const overflow = await page.locator('.steps .term > button').evaluateAll(async (buttons) => {
				const bad: string[] = [];
				for (const b of buttons as HTMLButtonElement[]) {
					b.click();
					await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
					const pop = b.nextElementSibling!.getBoundingClientRect();
					const page = document.documentElement;
					if (pop.left < 0 || pop.right > page.clientWidth || page.scrollWidth > innerWidth)
						bad.push(`${b.textContent}: ${pop.left}–${pop.right}`);
					b.click();
				}
				return bad;
			});
			expect(overflow, path).toEqual([]);
		}
	});
});

test('the glossary lists every term in order, each with the chapter that explains it', async ({
	page
}) => {
	const errors = watchErrors(page);
	await page.goto('/');
	await page.locator('footer.site').getByRole('link', { name: 'Glossary' }).click();
	await expect(page).toHaveURL(/\/glossary\/$/);
	await expect(page.locator('h1')).toHaveText('Glossary');
	const ids = await page.locator('dl dt').evaluateAll((els) => els.map((e) => e.id));
	expect([...ids].sort()).toEqual(GLOSSARY.map((t) => t.id).sort());
	const names = await page.locator('dl dt').allTextContents();
	expect(names).toEqual(
		[...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
	);
	await expect(page.locator('dd .where a')).toHaveCount(GLOSSARY.length);
	errors.check();
	await page.locator('#distillation + dd .where a').click();
	// The chapter writes its step into the link once it has settled on one: slow while the
	// live model starts on a 2-core machine (took over 5 s once in CI).
	await expect(page).toHaveURL(/\/distillation\/\?step=1/, { timeout: 20_000 });
});
