import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { GridRow, Manifest } from '../../src/lib/pipeline/manifest';
import { trailingTimesteps } from '../../src/lib/pipeline/scheduler';
import { pictureBytes, watchErrors } from './helpers';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const metrics = JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as {
	grid?: GridRow[];
};
const S = manifest.models!.student!.steps;
const teacherTs = trailingTimesteps(1000, 25);
const studentTs = trailingTimesteps(1000, S);
/** The student's latest step at or before the teacher's step i (the figure's rule). */
const studentAt = (i: number) => studentTs.findLastIndex((t) => t >= teacherTs[i]!);

// The distillation chapter: the teacher and the student side by side from one link, scrubbed
// together, and the model switch that runs the whole explainer on the student.

const LIVE = { timeout: 120_000 };
test.setTimeout(180_000);
// Tall enough that the whole figure is on screen: scrolling would move on to the next step.
test.use({ viewport: { width: 1440, height: 1100 } });

/** The RGBA bytes of the picture with this accessible name. */
function imageBytes(page: Page, name: string) {
	return pictureBytes(page.getByRole('img', { name, exact: true }).locator('img'));
}

async function bothLive(page: Page) {
	await expect(page.locator('.side.teacher')).toHaveAttribute('data-source', 'live', LIVE);
	await expect(page.locator('.side.student')).toHaveAttribute('data-source', 'live', LIVE);
	await expect(page.locator('.model-bar .status')).toHaveAttribute('data-steps', 'decoded', LIVE);
}

test('a deep link opens the comparison at one point of the schedule for both models', async ({
	page
}, info) => {
	const errors = watchErrors(page);
	await page.goto('/distillation?step=1&seed=7&t=12');
	await bothLive(page);
	// Teacher step 13 of 25 is t = 519; the student shows its latest step at or before it.
	const j = studentAt(12);
	await expect(page.locator('.side.teacher .where').first()).toHaveText('step 13 of 25 · t = 519');
	await expect(page.locator('.side.student .where').first()).toHaveText(
		`step ${j + 1} of ${S} · t = ${studentTs[j]}`
	);
	await expect(page.locator('.scrubber output')).toHaveText('step 13 of 25 · t = 519');
	// The teacher ran two predictions for its step, the student one (guidance inside it).
	await expect(page.locator('.side.teacher .preds')).toHaveAttribute('data-predictions', '2');
	await expect(page.locator('.side.student .preds')).toHaveAttribute('data-predictions', '1');
	await page.screenshot({ path: info.outputPath('distillation-1440.png') });

	// One scrubber moves both: the end of the teacher's loop is the end of the student's.
	await page.locator('.scrubber input').focus();
	await page.keyboard.press('End');
	await expect(page.locator('.side.teacher .where').first()).toHaveText('step 25 of 25 · t = 39');
	await expect(page.locator('.side.student .where').first()).toHaveText(
		`step ${S} of ${S} · t = ${studentTs[S - 1]}`
	);
	await expect.poll(() => new URL(page.url()).searchParams.get('t')).toBe('24');
	// A student step on the timeline moves the teacher to its first step at or past it.
	const first = studentTs[0]!;
	await page
		.getByRole('button', { name: new RegExp(`^Student step 1 of ${S}, t = ${first}`) })
		.click();
	await expect(page.locator('.side.student .where').first()).toHaveText(
		`step 1 of ${S} · t = ${first}`
	);
	const k = teacherTs.findIndex((t) => t <= first);
	await expect(page.locator('.side.teacher .where').first()).toHaveText(
		`step ${k + 1} of 25 · t = ${teacherTs[k]}`
	);

	// The student's image from the comparison is the one the switch gives everywhere.
	const student = await imageBytes(page, 'Student: final image');
	const teacher = await imageBytes(page, 'Teacher: final image');
	expect(student).not.toEqual(teacher);
	await page.getByRole('radio', { name: new RegExp(`Distilled student, ${S} steps?`) }).check();
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
	await expect.poll(settings, LIVE).toMatchObject({ model: 'student', steps: S, seed: 7 });
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
	// The loop chapter's scrubber now walks the student's steps, and its figure shows one
	// guided prediction where the teacher's shows two, and says why.
	await expect(page.locator('.scrubber input')).toHaveAttribute('max', String(S - 1), LIVE);
	await expect(page.getByRole('img', { name: /^Noise predicted without the prompt/ })).toHaveCount(
		0
	);
	await expect(page.getByText(/has guidance inside it/)).toBeVisible();
	await page.keyboard.press('n');
	await expect(page).toHaveURL(/\/distillation/);
	await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('student');
	await page.getByRole('radio', { name: /Teacher, 25 steps/ }).check();
	await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBeNull();
	await bothLive(page);
	errors.check();
});

for (const steps of [1, 2, 4]) {
	test(`/distillation?model=student&steps=${steps} opens the student at ${steps} step(s), and the grid shows the card's numbers`, async ({
		page
	}) => {
		const errors = watchErrors(page);
		await page.goto(`/distillation?step=4&model=student&steps=${steps}&seed=5`);
		const settings = () =>
			page.evaluate(
				() =>
					(
						globalThis as unknown as {
							diffusion?: { trace: { settings: { model: string; steps: number } } };
						}
					).diffusion?.trace.settings
			);
		await expect.poll(settings, LIVE).toMatchObject({ model: 'student', steps });
		// Every cell of the grid: U-Net runs, and exactly the model card's row.
		const rows = metrics.grid ?? [];
		expect(rows.length).toBeGreaterThan(0);
		for (const r of rows) {
			const cell = page.locator(`td[data-model="${r.model}"][data-steps="${r.steps}"]`);
			await expect(cell).toContainText(`${r.unet_runs} run`);
			await expect(cell.locator('[data-top1]')).toHaveAttribute('data-top1', String(r.top1_of_all));
			await expect(cell.locator('[data-kid]')).toHaveAttribute('data-kid', String(r.kid_x1000));
		}
		// Each cell gets its time measured in this browser once the live model has run it.
		await expect(page.locator('td[data-model="student"][data-steps="1"] [data-ms]')).toHaveText(
			/\d+ ms/,
			LIVE
		);
		errors.check();
	});
}
