import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { openReady, pictureBytes, waitLive, watchErrors } from './helpers';

// The chapters' live figures: deep links restore them, the scrubber reads the trace, a new
// prompt regenerates, and everything works by keyboard. Screenshots go to test-results.

const LIVE = { timeout: 120_000 };

test('a deep link into the loop restores step 12 of 25 for seed 7, guidance 4, same bytes as generating directly', async ({
	page,
	browser
}, info) => {
	const errors = watchErrors(page);
	await page.goto('/denoising-loop?step=3&seed=7&guidance=4&t=11');
	await waitLive(page);
	await expect(page.locator('.scrubber output')).toHaveText('step 12 of 25 · t = 559');
	await expect(page.locator('.loop')).toHaveAttribute('data-step', '11');
	const shown = await pictureBytes(page.locator('.loop figure:last-child img'));
	await page.screenshot({ path: info.outputPath('loop-1440.png'), fullPage: false });

	// The same settings generated on the opening page, step 12 decoded by the same rule.
	const direct = await browser.newPage();
	await direct.goto('/?seed=7&guidance=4');
	await expect(direct.locator('.live .meta')).toContainText(/steps in \d+ ms/, LIVE);
	await direct.waitForFunction(() => 'diffusion' in globalThis);
	const expected = await direct.evaluate(() => {
		const d = (globalThis as unknown as { diffusion: { x0Images: Float32Array[] } }).diffusion;
		const img = d.x0Images[11]!;
		const n = img.length / 3;
		const out = new Uint8ClampedArray(n * 4);
		for (let i = 0; i < n; i++) {
			for (let c = 0; c < 3; c++) out[i * 4 + c] = (img[c * n + i]! + 1) * 127.5;
			out[i * 4 + 3] = 255;
		}
		return Array.from(out);
	});
	expect(shown).toEqual(expected);
	await direct.close();
	errors.check();
});

test('scrubbing and play move through the steps without re-running the model', async ({ page }) => {
	const errors = watchErrors(page);
	await page.goto('/denoising-loop?step=5');
	await waitLive(page);
	// Mark the trace on show; scrubbing must never replace it (no model run).
	await page.evaluate(() => {
		const g = globalThis as unknown as { diffusion: { trace: object }; shownTrace?: object };
		g.shownTrace = g.diffusion.trace;
	});
	const slider = page.getByRole('slider', { name: 'Denoising step' });
	await slider.focus();
	await page.keyboard.press('Home');
	await expect(page.locator('.scrubber output')).toHaveText('step 1 of 25 · t = 999');
	const first = await pictureBytes(page.locator('.viz-row img'));
	await page.keyboard.press('ArrowRight');
	await expect(page.locator('.scrubber output')).toHaveText('step 2 of 25 · t = 959');
	await expect.poll(() => new URL(page.url()).searchParams.get('t')).toBe('1');
	expect(await pictureBytes(page.locator('.viz-row img'))).not.toEqual(first);
	// The filmstrip picks a step too.
	await page.getByRole('button', { name: 'step 20 of 25, t = 239' }).click();
	await expect(page.locator('.scrubber output')).toHaveText('step 20 of 25 · t = 239');
	// Play runs to the last step.
	await page.getByRole('button', { name: 'Play the steps' }).click();
	await expect(page.locator('.scrubber output')).toHaveText('step 25 of 25 · t = 39', {
		timeout: 10_000
	});
	// Scrubbing never started a generation: still the same trace object.
	expect(
		await page.evaluate(() => {
			const g = globalThis as unknown as { diffusion: { trace: object }; shownTrace?: object };
			return g.diffusion.trace === g.shownTrace;
		})
	).toBe(true);
	errors.check();
});

test('a new prompt regenerates every figure and goes into the link', async ({ page }) => {
	const errors = watchErrors(page);
	await page.goto('/denoising-loop?step=2');
	await waitLive(page);
	await page.locator('.model-bar summary').click();
	await page.getByLabel('Prompt', { exact: true }).fill('red heart');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.locator('.viz h3')).toContainText('“red heart”', LIVE);
	await expect.poll(() => new URL(page.url()).searchParams.get('prompt')).toBe('red heart');
	// The console's handle follows once every step's estimate is decoded.
	const prompt = () =>
		page.evaluate(
			() =>
				(globalThis as unknown as { diffusion: { trace: { settings: { prompt: string } } } })
					.diffusion.trace.settings.prompt
		);
	await expect.poll(prompt, LIVE).toBe('red heart');
	// The next chapter follows the same prompt, and its link says so.
	await page.keyboard.press('n');
	await expect(page).toHaveURL(/\/distillation/);
	await expect(page.locator('.viz h3')).toContainText('“red heart”', LIVE);
	await expect.poll(() => new URL(page.url()).searchParams.get('prompt')).toBe('red heart');
	errors.check();
});

test('chapter deep links restore their figure state', async ({ page }) => {
	const errors = watchErrors(page);
	await page.goto('/vae?step=1&image=3');
	await expect(page.getByRole('button', { name: 'sun', exact: true })).toHaveAttribute(
		'aria-pressed',
		'true',
		LIVE
	);
	await expect(page.locator('.vae')).toContainText('PSNR');

	await page.goto('/adding-noise?step=2&level=800');
	await expect(page.locator('.schedule [role="img"]')).toHaveAttribute('aria-label', /t = 800:/);
	await expect(page.getByRole('slider', { name: 'Timestep t' })).toHaveValue('800');

	await page.goto('/unet?step=2&level=250&image=1');
	await expect(page.getByTestId('loss')).toHaveText(/^\d\.\d{4}$/, LIVE);
	await expect(page.locator('.prediction')).toContainText('“red heart”, t = 250');

	await page.goto('/unet?step=1&word=2');
	await expect(page.getByRole('button', { name: 'Token 2: cat' })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	errors.check();
});

test('figures work by keyboard alone and write the link', async ({ page }) => {
	// The figures are in the prerendered HTML: wait until they respond to keys.
	await openReady(page, '/unet?step=1');
	const chip = page.getByRole('button', { name: 'Token 1: smiling' });
	await chip.focus();
	await page.keyboard.press('Tab');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('button', { name: 'Token 2: cat' })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	await expect.poll(() => new URL(page.url()).searchParams.get('word')).toBe('2');

	await openReady(page, '/adding-noise?step=1');
	const level = page.getByRole('slider', { name: 'Timestep' });
	await level.focus();
	await page.keyboard.press('End');
	await expect.poll(() => new URL(page.url()).searchParams.get('level')).toBe('999');
});

test('before and without the model, the figures show the precomputed default', async ({ page }) => {
	// A corrupted U-Net: the model refuses it by name; the figures still tell the story.
	await page.route('**/models/unet.onnx', async (route) => {
		const res = await route.fetch();
		const body = Buffer.from(await res.body());
		body[1000] = body[1000]! ^ 0xff;
		await route.fulfill({ response: res, body });
	});
	await page.goto('/denoising-loop?step=2');
	await expect(page.locator('.model-bar .status')).toContainText('unet.onnx', LIVE);
	await expect(page.locator('.model-bar .status')).toContainText('precomputed default');
	await expect(page.locator('.scrubber output')).toContainText('of 25');
	await expect(page.locator('.viz h3')).toContainText('“smiling cat”');
});

for (const width of [375, 1440]) {
	test(`every chapter's figures render at ${width} px, axe-clean, screenshots saved`, async ({
		page
	}, info) => {
		test.setTimeout(300_000); // fourteen pages, each starting the live model
		const errors = watchErrors(page);
		await page.setViewportSize({ width, height: width < 800 ? 740 : 900 });
		for (const path of [
			'/clip?step=3',
			'/clip?step=4',
			'/vae?step=1',
			'/adding-noise?step=2',
			'/unet?step=1',
			'/denoising-loop?step=3',
			'/denoising-loop?step=6',
			'/distillation?step=1',
			'/distillation?step=2',
			'/distillation?step=3',
			'/distillation?step=4',
			'/decoding?step=3',
			'/editing?step=2',
			'/editing?step=3'
		]) {
			await page.goto(path);
			await expect(page.locator('.viz[aria-busy="false"] h3')).toBeVisible(LIVE);
			// Fade-ins finished, so the saved picture is the figure as a reader sees it (a step
			// change just after the page opened can start a fade while the screenshot is taken).
			await page.waitForFunction(() =>
				document
					.getAnimations()
					.every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)
			);
			await page.screenshot({
				path: info.outputPath(`${path.replace(/\W+/g, '_')}-${width}.png`),
				animations: 'disabled'
			});
			const results = await new AxeBuilder({ page }).include('.figure-column').analyze();
			const bad = results.violations.filter(
				(v) => v.impact === 'serious' || v.impact === 'critical'
			);
			expect(bad.map((v) => `${path} ${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual(
				[]
			);
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - window.innerWidth
			);
			expect(overflow, path).toBeLessThanOrEqual(0);
		}
		errors.check();
	});
}

test('?embed shows one figure alone, with a link back to the chapter', async ({ page }) => {
	await page.goto('/clip?step=3&embed=1');
	await expect(page.locator('.embed-figure .viz')).toBeVisible(LIVE);
	await expect(page.locator('.step')).toHaveCount(0);
	await expect(page.getByRole('link', { name: /Read this in/ })).toHaveAttribute(
		'href',
		'/clip/?step=3'
	);
});

test('the VAE figure encodes the reader’s own drawing and upload', async ({ page }) => {
	test.setTimeout(180_000); // the live model's start-up comes first
	const errors = watchErrors(page);
	await page.goto('/vae?step=1');
	await waitLive(page);
	await page.getByText('…or draw one').click();
	const pad = page.getByLabel(/^Drawing pad/);
	const box = (await pad.boundingBox())!;
	await page.mouse.move(box.x + 20, box.y + 20);
	await page.mouse.down();
	await page.mouse.move(box.x + 100, box.y + 90, { steps: 10 });
	await page.mouse.up();
	await page.getByRole('button', { name: 'Encode my drawing' }).click();
	await expect(page.locator('.vae')).toContainText('Your drawing, through the VAE.', LIVE);
	await expect(page.getByRole('img', { name: 'Decoded your image' })).toBeVisible();
	await expect(page.locator('.vae')).toContainText(/PSNR \d+\.\d dB/);
	expect(await page.locator('.picker button[aria-pressed="true"]').count()).toBe(0);

	await page.locator('.upload input').setInputFiles('static/models/gallery.png');
	await expect(page.locator('.vae')).toContainText('Your image, cropped to a square', LIVE);
	await page.locator('.upload input').setInputFiles({
		name: 'not-an-image.png',
		mimeType: 'image/png',
		buffer: Buffer.from('definitely not a png')
	});
	await expect(page.locator('.vae')).toContainText('could not be read as an image');
	errors.check();
});
