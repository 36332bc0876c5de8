import { expect, test, type Page } from '@playwright/test';
import { leadingTimesteps } from '../../src/lib/pipeline/scheduler';
import { pictureBytes, waitLive, watchErrors } from './helpers';

// The sampler menu: a link restores sampler, steps and timesteps exactly, and
// gives the same picture as choosing them by hand.
const LIVE = { timeout: 150_000 };
test.setTimeout(300_000);

const sampler = (page: Page) => page.getByRole('combobox', { name: 'Sampler' });
const timesteps = (page: Page) => page.getByRole('combobox', { name: 'Timesteps' });
const steps = (page: Page) => page.getByRole('spinbutton', { name: 'Steps' });
/** The menu sits in the bar's "Change" panel, with the prompt form. */
const openMenu = (page: Page) => page.locator('.model-bar summary').click();

test('a link restores the sampler, steps and timesteps, with the same picture as choosing them by hand', async ({
	page,
	browser
}) => {
	const errors = watchErrors(page);
	const first = leadingTimesteps(1000, 6)[0]!; // 831: SD v1's leading spacing never starts at 999
	await page.goto('/denoising-loop?step=3&seed=3&sampler=euler_a&steps=6&spacing=leading&t=5');
	await waitLive(page);
	await openMenu(page);
	await expect(sampler(page)).toHaveValue('euler_a');
	await expect(steps(page)).toHaveValue('6');
	await expect(timesteps(page)).toHaveValue('leading');
	await expect(page.locator('.model-bar .current')).toContainText(
		'guidance 4 · Euler ancestral, 6 steps, leading timesteps'
	);
	await expect(page.locator('.scrubber output')).toHaveText(/^step 6 of 6 · t = \d+$/);
	// Euler ancestral's own coefficients: the step down and the fresh noise it adds back.
	await expect(page.locator('.loop')).toContainText('sigma_up');
	const linked = await pictureBytes(page.locator('.loop figure:last-child img'));

	const byHand = await browser.newPage();
	await byHand.goto('/denoising-loop?step=3&seed=3');
	await waitLive(byHand);
	await openMenu(byHand);
	await sampler(byHand).selectOption('euler_a');
	await steps(byHand).fill('6');
	await steps(byHand).press('Enter');
	await timesteps(byHand).selectOption('leading');
	await expect
		.poll(() => new URL(byHand.url()).search)
		.toContain('steps=6&sampler=euler_a&spacing=leading');
	await byHand.getByRole('slider', { name: 'Denoising step' }).focus();
	await byHand.keyboard.press('Home');
	await expect(byHand.locator('.scrubber output')).toHaveText(`step 1 of 6 · t = ${first}`, LIVE);
	await byHand.keyboard.press('End');
	await expect(byHand.locator('.scrubber output')).toHaveText(/^step 6 of 6 · t = \d+$/);
	await waitLive(byHand);
	expect(await pictureBytes(byHand.locator('.loop figure:last-child img'))).toEqual(linked);
	await byHand.close();

	// Back to the defaults: they leave the link.
	await sampler(page).selectOption('ddim');
	await timesteps(page).selectOption('trailing');
	await expect.poll(() => new URL(page.url()).searchParams.has('sampler')).toBe(false);
	expect(new URL(page.url()).searchParams.has('spacing')).toBe(false);
	errors.check();
});

test('the student keeps the steps it learned: its sampler and timesteps cannot be changed', async ({
	page
}) => {
	await page.goto('/denoising-loop?step=3&model=student');
	await page.locator('html[data-ready]').waitFor({ state: 'attached' });
	await openMenu(page);
	await expect(sampler(page)).toBeDisabled();
	await expect(timesteps(page)).toBeDisabled();
	await expect(steps(page)).toBeEnabled();
	await expect(page.locator('.model-bar')).toContainText('The student samples as it was distilled');
});

test('steps out of range are clamped with a notice', async ({ page }) => {
	await page.goto('/denoising-loop?step=3');
	await page.locator('html[data-ready]').waitFor({ state: 'attached' });
	await openMenu(page);
	await steps(page).fill('500');
	await steps(page).press('Enter');
	await expect(steps(page)).toHaveValue('50');
	await expect.poll(() => new URL(page.url()).searchParams.get('steps')).toBe('50');
	await expect(page.locator('.notices')).toContainText('steps');
});
