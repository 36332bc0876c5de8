import { expect, test } from '@playwright/test';
import { generate, watchErrors } from './helpers';

// A browser without WebGPU: the model must fall back to WebAssembly and say so.
test.use({
	launchOptions: {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-background-networking', '--disable-features=WebGPU']
	}
});
test.setTimeout(180_000);

test('falls back to WebAssembly and says so', async ({ page }) => {
	const errors = watchErrors(page);
	await generate(page, 'auto', 'steps=2');
	await expect(page.locator('.backend')).toHaveAttribute('data-backend', 'wasm');
	await expect(page.locator('.backend')).toContainText('no WebGPU adapter');
	errors.check();
});
