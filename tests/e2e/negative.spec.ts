import { expect, test } from '@playwright/test';
import { openReady, pictureBytes, waitLive, watchErrors } from './helpers';

// The negative prompt: what fills guidance's empty-prompt slot, in the link as `neg`.
const LIVE = { timeout: 150_000 };
test.setTimeout(300_000);

test('a link with a negative prompt restores it, with the same picture as typing it in', async ({
	page,
	browser
}) => {
	const errors = watchErrors(page);
	await page.goto('/denoising-loop?step=2&seed=3&neg=red+heart&t=24');
	await waitLive(page);
	await expect(page.locator('.model-bar .current')).toContainText('not “red heart”');
	await expect(page.locator('.loop')).toContainText('ε with “red heart” (negative)');
	await expect(page.locator('.loop')).toContainText('ε = ε_neg + 4 · (ε_cond − ε_neg)');
	const linked = await pictureBytes(page.locator('.loop figure:last-child img'));

	const byHand = await browser.newPage();
	await byHand.goto('/denoising-loop?step=2&seed=3&t=24');
	await waitLive(byHand);
	const plain = await pictureBytes(byHand.locator('.loop figure:last-child img'));
	expect(plain).not.toEqual(linked); // the negative prompt changes the picture
	await byHand.locator('.model-bar summary').click();
	await byHand.getByLabel('Negative prompt').fill('red heart');
	await byHand.getByRole('button', { name: 'Generate' }).click();
	await expect.poll(() => new URL(byHand.url()).searchParams.get('neg')).toBe('red heart');
	await expect(byHand.locator('.loop')).toContainText('(negative)', LIVE);
	await waitLive(byHand);
	await expect(byHand.locator('.scrubber output')).toHaveText(/^step 25 of 25/);
	expect(await pictureBytes(byHand.locator('.loop figure:last-child img'))).toEqual(linked);
	await byHand.close();
	errors.check();
});

test('the student says it ignores a negative prompt, and the guidance card shows its formula', async ({
	page
}) => {
	const errors = watchErrors(page);
	await openReady(page, '/denoising-loop?step=2&neg=cat');
	await expect(page.locator('.note.wide-only')).toContainText('ε = ε_neg + s · (ε_cond − ε_neg)');
	await openReady(page, '/denoising-loop?step=2&model=student&neg=cat');
	await expect(page.locator('.model-bar .current')).toContainText('(ignored by the student)');
	await page.locator('.model-bar summary').click();
	const field = page.getByLabel('Negative prompt');
	await expect(field).toBeDisabled();
	await expect(field).toHaveAccessibleDescription(/ignores one/);
	await expect(page.locator('.note.wide-only')).not.toContainText('ε_neg');
	await expect(page.locator('.note.wide-only')).toContainText('one run');
	errors.check();
});
