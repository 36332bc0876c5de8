import { expect, test } from '@playwright/test';
import { generate, watchErrors } from './helpers';

test.describe('the live model in Chromium', () => {
	test.setTimeout(300_000);

	test('WASM and WebGPU (SwiftShader) agree on a short generation', async ({ page }) => {
		const errors = watchErrors(page);
		const query = 'prompt=red+heart&seed=7&steps=3&guidance=4';
		const wasm = await generate(page, 'wasm', query);
		await expect(page.locator('.backend')).toHaveAttribute('data-backend', 'wasm');
		const gpu = await generate(page, 'webgpu', query);
		await expect(page.locator('.backend')).toHaveAttribute('data-backend', 'webgpu');
		expect(gpu).toHaveLength(wasm.length);
		const diff = Math.max(...wasm.map((v, i) => Math.abs(v - gpu[i]!)));
		expect(diff).toBeLessThanOrEqual(1e-3);
		errors.check();
	});

	test('on auto, a software WebGPU adapter loses to WASM, and the page says why', async ({
		page
	}) => {
		await generate(page, 'auto', 'steps=2');
		await expect(page.locator('.backend')).toHaveAttribute('data-backend', 'wasm');
		await expect(page.locator('.backend')).toContainText('software WebGPU adapter');
	});
});
