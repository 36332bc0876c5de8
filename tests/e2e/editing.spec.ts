import { expect, test, type Page } from '@playwright/test';
import { openReady, pictureBytes, waitLive, watchErrors } from './helpers';

// The editing chapter: image-to-image and inpainting, with `strength` and
// `mask` in the link. A link must give the same bytes as doing the same thing by hand.
const LIVE = { timeout: 150_000 };
test.setTimeout(300_000);

const result = (page: Page) => page.locator('.edit .row figure:last-child img');
const param = (page: Page, key: string) => new URL(page.url()).searchParams.get(key);

test('a link with a picture and a strength restores the edit done by hand', async ({
	page,
	browser
}) => {
	const errors = watchErrors(page);
	await page.goto('/editing?step=2&seed=5&image=3&strength=0.5');
	await waitLive(page);
	// 25 steps at strength 0.5: the last 12 run.
	await expect(page.locator('.edit .row figcaption').last()).toHaveText(
		/After 12 of 25 steps/,
		LIVE
	);
	await expect(page.locator('.edit .eq')).toContainText('Starts at step 14 of 25');
	const linked = await pictureBytes(result(page));

	const byHand = await browser.newPage();
	await openReady(byHand, '/editing?step=2&seed=5');
	await waitLive(byHand);
	await byHand.locator('.edit .picker button').nth(3).click();
	await byHand.getByRole('button', { name: 'Strength 0.5' }).click();
	await expect.poll(() => param(byHand, 'strength')).toBe('0.5');
	expect(param(byHand, 'image')).toBe('3');
	await expect(byHand.locator('.edit .row figcaption').last()).toHaveText(
		/After 12 of 25 steps/,
		LIVE
	);
	await expect.poll(() => pictureBytes(result(byHand)), LIVE).toEqual(linked);
	await byHand.close();
	errors.check();
});

test('the mask is painted with the mouse and set from the keyboard, and its link restores it', async ({
	page,
	browser
}) => {
	const errors = watchErrors(page);
	await openReady(page, '/editing?step=3&seed=2');
	await waitLive(page);
	const mask = page.locator('.edit svg.mask');
	await expect(mask).toHaveAttribute('aria-label', 'Mask: 16 of 64 latent cells repainted');

	// Drag along the top row: its first four cells join the centre preset's 16.
	const box = (await mask.boundingBox())!;
	const cell = box.width / 8;
	await page.mouse.move(box.x + cell / 2, box.y + cell / 2);
	await page.mouse.down();
	for (let c = 1; c < 4; c++) await page.mouse.move(box.x + cell * (c + 0.5), box.y + cell / 2);
	await page.mouse.up();
	await expect.poll(() => param(page, 'mask')).toBe('f0003c3c3c3c0000');
	await expect(mask).toHaveAttribute('aria-label', 'Mask: 20 of 64 latent cells repainted');

	// The presets are buttons: reachable and pressed from the keyboard.
	const top = page.getByRole('button', { name: 'Top half' });
	await top.focus();
	await page.keyboard.press('Enter');
	await expect.poll(() => param(page, 'mask')).toBe('top');
	await expect(top).toHaveAttribute('aria-pressed', 'true');
	await expect(mask).toHaveAttribute('aria-label', 'Mask: 32 of 64 latent cells repainted');
	// A new mask is a new edit: "Running…" until the live model has it.
	await expect(page.locator('.edit .row figcaption').last()).toHaveText(
		/After 25 of 25 steps/,
		LIVE
	);
	const byHand = await pictureBytes(result(page));

	const linked = await browser.newPage();
	await linked.goto('/editing?step=3&seed=2&mask=top');
	await waitLive(linked);
	await expect(linked.locator('.edit .row figcaption').last()).toHaveText(
		/After 25 of 25 steps/,
		LIVE
	);
	await expect.poll(() => pictureBytes(result(linked)), LIVE).toEqual(byHand);
	const none = await browser.newPage();
	await none.goto('/editing?step=3&seed=2&mask=none');
	await expect(none.locator('.edit svg.mask')).toHaveAttribute(
		'aria-label',
		'Mask: 0 of 64 latent cells repainted'
	);
	await linked.close();
	await none.close();
	errors.check();
});

test('strengths and masks a link cannot use are clamped or ignored, with a notice', async ({
	page
}) => {
	const errors = watchErrors(page);
	await page.goto('/editing?step=3&strength=7&mask=%3Cb%3Ezz');
	await expect(page.getByText('strength 7 is out of range (0 to 1); using 1.')).toBeVisible();
	await expect(page.getByText('Ignored mask="<b>zz"')).toBeVisible();
	// The figure falls back to the default mask and the clamped strength.
	await expect(page.locator('.edit .strength output')).toHaveText('1.00');
	await expect(page.locator('.edit svg.mask')).toHaveAttribute(
		'aria-label',
		'Mask: 16 of 64 latent cells repainted'
	);
	expect(await page.locator('b').count()).toBe(0);
	errors.check();
});
