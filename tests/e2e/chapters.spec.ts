import { expect, test } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { activeStep, inViewport, openReady, watchErrors } from './helpers';

test.describe('every chapter has its own link', () => {
	for (const c of CHAPTERS) {
		test(`/${c.slug} lands on “${c.title}”`, async ({ page }) => {
			const errors = watchErrors(page);
			await page.goto(`/${c.slug}`);
			const h1 = page.locator('h1');
			await expect(h1).toHaveText(c.title);
			expect(await inViewport(page, 'h1')).toBe(true);
			await expect(page).toHaveTitle(new RegExp(c.title.replace(/[()?]/g, '.')));
			await expect(page.locator('meta[name="description"]')).toHaveAttribute(
				'content',
				c.description
			);
			await expect(page.locator('.step')).toHaveCount(c.steps.length);
			errors.check();
		});
	}
});

test('a step link opens that step', async ({ page }) => {
	const errors = watchErrors(page);
	const chapter = CHAPTERS.find((c) => c.slug === 'denoising-loop')!;
	await page.goto('/denoising-loop?step=3');
	const step = chapter.steps[2]!;
	await expect(page.locator(`#${step.id}`)).toHaveClass(/active/);
	expect(await inViewport(page, `#${step.id}-title`)).toBe(true);
	// The figure follows the step: the loop figure, and the parts this step is about lit.
	await expect(page.locator('.viz[data-figure="loop"]')).toBeVisible();
	await expect(page.locator('.parts-strip a.lit')).toHaveCount(step.figure.parts.length);
	await page.waitForTimeout(300);
	expect(new URL(page.url()).searchParams.get('step')).toBe('3');
	errors.check();
});

test('every step of a chapter can be linked and restored', async ({ page }) => {
	const chapter = CHAPTERS.find((c) => c.slug === 'clip')!;
	for (let i = 1; i <= chapter.steps.length; i++) {
		await page.goto(`/clip?step=${i}`);
		await expect.poll(() => activeStep(page)).toBe(i);
	}
});

test('scrolling changes the active step and the link, without adding history', async ({ page }) => {
	await page.goto('/vae');
	const before = await page.evaluate(() => history.length);
	await page.locator('#order').scrollIntoViewIfNeeded();
	await page.evaluate(() =>
		document.getElementById('order')!.scrollIntoView({ behavior: 'instant' })
	);
	await expect.poll(() => activeStep(page)).toBe(4);
	await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('4');
	await expect(page.locator('aside.note.wide-only')).toContainText('Real order');
	expect(await page.evaluate(() => history.length)).toBe(before);
});

test('scrolling still moves the active step after a chapter change by the n key', async ({
	page
}) => {
	await openReady(page, '/clip');
	await page.keyboard.press('n');
	await expect(page.locator('h1')).toHaveText('Image compression: the VAE');
	// The new chapter's steps are observed, not the old chapter's detached ones.
	await page.evaluate(() =>
		document.getElementById('order')!.scrollIntoView({ behavior: 'instant' })
	);
	await expect.poll(() => activeStep(page)).toBe(4);
	await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('4');
	await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
	await expect.poll(() => activeStep(page)).toBe(1);
});

test('the back button returns to the previous chapter and step', async ({ page }) => {
	await page.goto('/unet?step=4');
	await expect.poll(() => activeStep(page)).toBe(4);
	await page.locator('html[data-ready]').waitFor({ state: 'attached' });
	await page.keyboard.press('n'); // leaves without scrolling, so step 4 stays in the link
	await expect(page.locator('h1')).toHaveText('The denoising loop (generation)');
	await page.goBack();
	await expect(page.locator('h1')).toHaveText('The U-Net predicts the noise');
	expect(new URL(page.url()).searchParams.get('step')).toBe('4');
});

test('keyboard: n and p change chapter, j and k change step, and can be turned off', async ({
	page
}) => {
	await openReady(page, '/clip');
	await page.keyboard.press('j');
	await expect.poll(() => activeStep(page)).toBe(2);
	await page.keyboard.press('k');
	await expect.poll(() => activeStep(page)).toBe(1);
	await page.keyboard.press('n');
	await expect(page.locator('h1')).toHaveText('Image compression: the VAE');
	await page.keyboard.press('p');
	await expect(page.locator('h1')).toHaveText('Feature vectors: CLIP');
	await page.getByRole('button', { name: 'Turn shortcuts off' }).click();
	await page.keyboard.press('n');
	await page.waitForTimeout(300);
	await expect(page.locator('h1')).toHaveText('Feature vectors: CLIP');
});

test('the chapter menu and every part of the diagram are reachable by keyboard', async ({
	page
}) => {
	await openReady(page, '/parts');
	await page.keyboard.press('Tab'); // skip link
	await page.keyboard.press('Tab'); // brand
	await page.keyboard.press('Tab'); // chapters menu
	await page.keyboard.press('Enter');
	await page.keyboard.press('Tab');
	await page.keyboard.press('Tab');
	await expect(page.locator(':focus')).toHaveText('2. Feature vectors: CLIP');
	await page.keyboard.press('Enter');
	await expect(page.locator('h1')).toHaveText('Feature vectors: CLIP');
	await openReady(page, '/parts');
	const unet = page.getByRole('link', { name: /^U-Net:/ });
	await unet.focus();
	await page.keyboard.press('Enter');
	await expect(page.locator('h1')).toHaveText('The U-Net predicts the noise');
});

test('copy link copies the link to this exact view', async ({ page, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto('/adding-noise?step=2');
	await expect.poll(() => activeStep(page)).toBe(2);
	await page.getByRole('button', { name: 'Copy link to this view' }).click();
	await expect(page.getByText('Link copied.')).toBeVisible();
	const copied = await page.evaluate(() => navigator.clipboard.readText());
	// Every page is a folder: the link a plain static host serves without a redirect.
	expect(new URL(copied).pathname).toBe('/adding-noise/');
	expect(new URL(copied).searchParams.get('step')).toBe('2');
});

test('the site is cross-origin isolated, so the model may use threads', async ({ page }) => {
	const res = await page.goto('/');
	expect(res?.headers()['cross-origin-opener-policy']).toBe('same-origin');
	expect(res?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
	expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

test('the home page lists every chapter', async ({ page }) => {
	await page.goto('/');
	for (const c of CHAPTERS)
		await expect(page.locator('.contents').getByRole('link', { name: c.title })).toBeVisible();
});

test('?embed shows the chapter without the site header and footer', async ({ page }) => {
	await page.goto('/clip?embed=1');
	await expect(page.locator('h1')).toHaveText('Feature vectors: CLIP');
	await expect(page.locator('header.site')).toHaveCount(0);
	await expect(page.locator('footer.site')).toHaveCount(0);
	await page.waitForTimeout(300);
	expect(new URL(page.url()).searchParams.get('embed')).toBe('1');
});

test('the guidance step links open the loop at guidance 0 and 1', async ({ page }) => {
	await page.goto('/denoising-loop?step=2');
	for (const g of ['0', '1']) {
		await page.getByRole('link', { name: `guidance ${g}`, exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`step=2.*guidance=${g}|guidance=${g}.*step=2`));
		await expect(page.locator('.model-bar .current')).toContainText(`· guidance ${g}`);
	}
});
