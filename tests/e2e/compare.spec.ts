import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { openReady, pictureBytes, watchErrors } from './helpers';

// Any two generations compared step by step: B set by a link's vs.* parameters or by
// "Compare with…", both drawn live, B's picture the one B's own settings draw.

const LIVE = { timeout: 150_000 };
test.setTimeout(240_000);

const loop = CHAPTERS.find((c) => c.slug === 'denoising-loop')!;
/** The loop chapter's step (from 1) that asks when the big decisions are made. */
const STEP = loop.steps.findIndex((s) => s.id === 'two-prompts') + 1;

/** The RGBA bytes of the picture with this accessible name. */
function imageBytes(page: Page, name: string) {
	return pictureBytes(page.getByRole('img', { name, exact: true }).locator('img'));
}

async function bothLive(page: Page) {
	await expect(page.locator('.side.a')).toHaveAttribute('data-source', 'live', LIVE);
	await expect(page.locator('.side.b')).toHaveAttribute('data-source', 'live', LIVE);
	await expect(page.locator('.model-bar .status')).toHaveAttribute('data-steps', 'decoded', LIVE);
}

test('a vs.prompt link restores both prompts, and B is the picture B’s own settings draw', async ({
	page
}) => {
	const errors = watchErrors(page);
	await openReady(
		page,
		`/denoising-loop/?step=${STEP}&prompt=red+heart&seed=7&vs.prompt=red+heart+with+sparkles`
	);
	await expect(page.locator('.viz h3')).toHaveText(
		'Two generations, scrubbed together: prompt: + with sparkles'
	);
	await bothLive(page);
	await expect(page.locator('.side.a figcaption')).toContainText('“red heart”');
	await expect(page.locator('.side.b figcaption')).toContainText('“red heart with sparkles”');
	// The word only B has, and where B's U-Net looks for it.
	await expect(page.locator('.attend figcaption')).toContainText('“sparkles”');
	await expect(page.locator('.divergence svg')).toHaveAttribute('aria-label', /Clean estimates: /);
	await expect(page.locator('.viz .notice')).toContainText('They start from the same noise');
	const b = await imageBytes(page, 'B: final image');

	// B alone: the same settings as the link's own generation, A.
	await openReady(page, `/denoising-loop/?step=${STEP}&prompt=red+heart+with+sparkles&seed=7`);
	await bothLive(page);
	expect(await imageBytes(page, 'A: final image')).toEqual(b);
	errors.check();
});

test('a teacher types A, compares with one word changed, and the link opens the same view', async ({
	page,
	browser
}) => {
	const errors = watchErrors(page);
	await openReady(page, `/denoising-loop/?step=${STEP}`);
	const bar = page.locator('.model-bar');
	await bar.getByText('Change', { exact: true }).click();
	const formA = page.getByRole('form', { name: 'Prompt for every figure' });
	await formA.getByRole('textbox', { name: 'Prompt', exact: true }).fill('red heart');
	await formA.getByRole('button', { name: 'Generate' }).click();
	await expect.poll(() => new URL(page.url()).searchParams.get('prompt')).toBe('red heart');

	await bar.getByText('Compare with…').click();
	const formB = page.getByRole('form', { name: 'Settings of B, the generation compared with' });
	// Prefilled with A's prompt and what the step's comparison adds.
	const promptB = formB.getByRole('textbox', { name: 'Prompt', exact: true });
	await expect(promptB).toHaveValue('red heart with heart-eyes');
	await promptB.fill('red heart with sparkles');
	await formB.getByRole('button', { name: 'Generate' }).click();
	await expect
		.poll(() => new URL(page.url()).searchParams.get('vs.prompt'))
		.toBe('red heart with sparkles');
	await bothLive(page);
	const title = await page.locator('.viz h3').textContent();
	const b = await imageBytes(page, 'B: final image');

	// The copied link, opened by a student in a fresh browser.
	const fresh = await browser.newContext();
	const student = await fresh.newPage();
	await openReady(student, page.url().replace(/^https?:\/\/[^/]+/, ''));
	await expect(student.locator('.viz h3')).toHaveText(title!);
	await bothLive(student);
	expect(await imageBytes(student, 'B: final image')).toEqual(b);
	await fresh.close();
	errors.check();
});

test('before the model, the comparison shows the pair the build precomputed', async ({ page }) => {
	await page.route('**/models/**', (route) => route.abort());
	await page.goto(`/denoising-loop/?step=${STEP}`);
	await expect(page.locator('.side.a')).toHaveAttribute('data-source', 'precomputed');
	await expect(page.locator('.side.b')).toHaveAttribute('data-source', 'precomputed');
	await expect(page.locator('.side.b figcaption')).toContainText('“smiling cat with heart-eyes”');
	expect((await imageBytes(page, 'B: final image')).length).toBeGreaterThan(0);
});

test.describe('on a phone', () => {
	test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

	test('both pictures and the curve are on screen together; axe-clean', async ({ page }) => {
		const errors = watchErrors(page);
		await openReady(page, `/denoising-loop/?step=${STEP + 1}`);
		await bothLive(page);
		const box = async (name: string) =>
			(await page.getByRole('img', { name, exact: true }).boundingBox())!;
		const curve = (await page.locator('.divergence svg').boundingBox())!;
		// Inside the pinned figure box (at most 471 px tall), not only the page.
		for (const b of [await box('A: final image'), await box('B: final image'), curve]) {
			expect(b.y).toBeGreaterThanOrEqual(0);
			expect(b.y + b.height).toBeLessThanOrEqual(471);
		}
		const axe = await new AxeBuilder({ page }).include('.figure-column').analyze();
		const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(bad.map((v) => v.id)).toEqual([]);
		errors.check();
	});
});
