import { expect, test } from '@playwright/test';
import { activeStep, watchErrors } from './helpers';

test('a negative step is clamped with a visible notice', async ({ page }) => {
	const errors = watchErrors(page);
	await page.goto('/clip?step=-5');
	await expect(
		page.getByRole('status').filter({ hasText: 'step -5 is out of range' })
	).toBeVisible();
	expect(await activeStep(page)).toBe(1);
	errors.check();
});

test('a step past the end is clamped to the last step', async ({ page }) => {
	await page.goto('/vae?step=999');
	await expect.poll(() => activeStep(page)).toBe(5);
	await expect(page.getByText('step 999 is out of range')).toBeVisible();
});

test('HTML in a parameter is never rendered', async ({ page }) => {
	const errors = watchErrors(page);
	const hostile = '<img src=x onerror=alert(1)>';
	await page.goto(
		`/unet?prompt=${encodeURIComponent(hostile)}&model=${encodeURIComponent(hostile)}&${encodeURIComponent(hostile)}=1`
	);
	await expect(page.getByText('Ignored model=')).toBeVisible();
	// The figures' own pictures are PNG data: URLs; no other <img> may appear.
	expect(await page.locator('img:not([src^="data:image/png;base64,"])').count()).toBe(0);
	expect(await page.evaluate(() => document.querySelectorAll('[onerror]').length)).toBe(0);
	await expect(page.locator('.notices')).toContainText('<img src=x');
	errors.check();
});

// One 10,000-character value per link: servers cap a request's headers near 16 KB.
for (const [key, value] of [
	['step', '9'.repeat(10_000)],
	['prompt', 'a'.repeat(10_000)],
	['seed', 'a'.repeat(10_000)],
	['vs.prompt', 'a'.repeat(10_000)],
	['vs.seed', 'a'.repeat(10_000)]
]) {
	test(`a 10,000-character ${key} does not break the page`, async ({ page }) => {
		const errors = watchErrors(page);
		await page.goto(`/denoising-loop?${key}=${value}`);
		await expect(page.locator('h1')).toHaveText('The denoising loop (generation)');
		const notices = page.locator('.notices li');
		await expect(notices).toHaveCount(1);
		expect((await notices.textContent())!.length).toBeLessThan(150);
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(await page.evaluate(() => window.innerWidth));
		// The rewritten link keeps only what could be used.
		await expect.poll(() => page.url().length).toBeLessThan(400);
		errors.check();
	});
}

test('HTML and bad values in the comparison’s parameters are shown as text, with notices', async ({
	page
}) => {
	const errors = watchErrors(page);
	const hostile = '<img src=x onerror=alert(1)>';
	await page.goto(
		`/denoising-loop?step=7&vs.prompt=${encodeURIComponent(hostile)}&vs.model=${encodeURIComponent(hostile)}&vs.guidance=50&vs.sampler=foo`
	);
	const notices = page.locator('.notices');
	await expect(notices).toContainText('Comparison: Ignored model="<img src=x');
	await expect(notices).toContainText('Comparison: Ignored sampler="foo"');
	// B's prompt, as text: in the figure's title, never as markup.
	await expect(page.locator('.viz h3')).toContainText('+ <img src=x onerror=alert(1)>');
	expect(await page.locator('img:not([src^="data:image/png;base64,"])').count()).toBe(0);
	expect(await page.evaluate(() => document.querySelectorAll('[onerror]').length)).toBe(0);
	errors.check();
});

test('odd Unicode in parameters is shown as text', async ({ page }) => {
	const errors = watchErrors(page);
	await page.goto(`/clip?model=${encodeURIComponent('\u202Eevil\u0000🐱')}`);
	await expect(page.locator('.notices')).toContainText('evil🐱');
	errors.check();
});

test('an unknown chapter is a 404', async ({ page }) => {
	const res = await page.goto('/no-such-chapter');
	expect(res?.status()).toBe(404);
});

test('the content security policy refuses a script injected into the page, and the model runs under it', async ({
	page
}) => {
	test.setTimeout(180_000);
	const errors = watchErrors(page);
	await page.goto('/?backend=wasm&model=student&steps=1');
	const policy = await page
		.locator('meta[http-equiv="content-security-policy"]')
		.getAttribute('content');
	expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
	expect(policy).not.toContain("'unsafe-eval'");
	await expect(page.locator('.live .meta')).toContainText(/steps? in \d+ ms/, {
		timeout: 150_000
	});
	errors.check(); // a blocked runtime, worker or image would have logged a violation
	const outcome = await page.evaluate(
		() =>
			new Promise<string>((resolve) => {
				const w = window as unknown as { injected?: boolean };
				document.addEventListener('securitypolicyviolation', () => resolve('refused'), {
					once: true
				});
				const s = document.createElement('script');
				s.textContent = 'window.injected = true';
				document.body.appendChild(s);
				setTimeout(() => resolve(w.injected ? 'ran' : 'silent'), 2000);
			})
	);
	expect(outcome).toBe('refused');
});
