import { expect, test, type Page } from '@playwright/test';
import { watchErrors } from './helpers';

// The distillation chapter: the teacher and the student side by side from one link, scrubbed
// together, and the model switch that runs the whole explainer on the student.

const LIVE = { timeout: 120_000 };
test.setTimeout(180_000);
// Tall enough that the whole figure is on screen: scrolling would move on to the next step.
test.use({ viewport: { width: 1440, height: 1100 } });

/** The RGBA bytes of the image canvas with this accessible name. */
function imageBytes(page: Page, name: string) {
	return page
		.getByRole('img', { name, exact: true })
		.locator('canvas')
		.evaluate((c: HTMLCanvasElement) =>
			Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data)
		);
}

async function bothLive(page: Page) {
	await expect(page.locator('.side.teacher')).toHaveAttribute('data-source', 'live', LIVE);
	await expect(page.locator('.side.student')).toHaveAttribute('data-source', 'live', LIVE);
}

test('a deep link opens the comparison at one point of the schedule for both models', async ({
	page
}, info) => {
	const errors = watchErrors(page);
	await page.goto('/distillation?step=1&seed=7&t=12');
	await bothLive(page);
	// Teacher step 13 of 25 is t = 519; the student's latest step at or before it is t = 749.
	await expect(page.locator('.side.teacher .where').first()).toHaveText('step 13 of 25 · t = 519');
	await expect(page.locator('.side.student .where').first()).toHaveText('step 2 of 4 · t = 749');
	await expect(page.locator('.scrubber output')).toHaveText('step 13 of 25 · t = 519');
	await page.screenshot({ path: info.outputPath('distillation-1440.png') });

	// One scrubber moves both: the end of the teacher's loop is the end of the student's.
	await page.locator('.scrubber input').focus();
	await page.keyboard.press('End');
	await expect(page.locator('.side.teacher .where').first()).toHaveText('step 25 of 25 · t = 39');
	await expect(page.locator('.side.student .where').first()).toHaveText('step 4 of 4 · t = 249');
	await expect.poll(() => new URL(page.url()).searchParams.get('t')).toBe('24');
	// A student step on the timeline moves the teacher to the same point of the schedule.
	await page.getByRole('button', { name: /^Student step 2, t = 749/ }).click();
	await expect(page.locator('.side.student .where').first()).toHaveText('step 2 of 4 · t = 749');
	await expect(page.locator('.side.teacher .where').first()).toHaveText('step 8 of 25 · t = 719');

	// The student's image from the comparison is the one the switch gives everywhere.
	const student = await imageBytes(page, 'Student: final image');
	const teacher = await imageBytes(page, 'Teacher: final image');
	expect(student).not.toEqual(teacher);
	await page.getByRole('radio', { name: /Distilled student, 4 steps/ }).check();
	await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('student');
	// The student is now the page's main generation (and the teacher its pair).
	const settings = () =>
		page.evaluate(
			() =>
				(
					globalThis as unknown as {
						diffusion?: { trace: { settings: { model: string; steps: number; seed: number } } };
					}
				).diffusion?.trace.settings
		);
	await expect.poll(settings, LIVE).toMatchObject({ model: 'student', steps: 4, seed: 7 });
	await bothLive(page);
	expect(await imageBytes(page, 'Student: final image')).toEqual(student);
	expect(await imageBytes(page, 'Teacher: final image')).toEqual(teacher);
	errors.check();
});

test('the model switch carries to other chapters and their links', async ({ page }) => {
	const errors = watchErrors(page);
	await page.goto('/denoising-loop?step=3&model=student&seed=3');
	await expect(page.getByRole('radio', { name: /Distilled student/ })).toBeChecked();
	await expect(page.locator('.model-bar .status')).toHaveAttribute('data-source', 'live', LIVE);
	// The loop chapter's scrubber now walks the student's 4 steps.
	await expect(page.locator('.scrubber input')).toHaveAttribute('max', '3', LIVE);
	await page.keyboard.press('n');
	await expect(page).toHaveURL(/\/distillation/);
	await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('student');
	await page.getByRole('radio', { name: /Teacher, 25 steps/ }).check();
	await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBeNull();
	await bothLive(page);
	errors.check();
});
