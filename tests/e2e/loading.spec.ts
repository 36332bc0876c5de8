import { expect, test, type Page } from '@playwright/test';
import { openReady, waitLive, watchErrors } from './helpers';

// Loading says what it is doing and loads only what the page needs: the runtime's bytes count
// in the progress with the model's, its phases are named, a page without a live figure loads
// nothing, a student link loads the student first, and defaults stay out of the link.

interface FileInfo {
	path: string;
	bytes: number;
}

async function manifestFiles(page: Page): Promise<Record<string, FileInfo>> {
	const res = await page.request.get('/models/manifest.json');
	return ((await res.json()) as { files: Record<string, FileInfo> }).files;
}

/** Every request for a model file or the runtime, in order (the worker's included). */
async function recordModelRequests(page: Page): Promise<string[]> {
	const seen: string[] = [];
	await page.route(/\/(models|ort)\//, (route) => {
		seen.push(new URL(route.request().url()).pathname);
		return route.continue();
	});
	return seen;
}

/** Every value `data-phase` takes on `selector`, in order, from the page's first moment. */
async function recordPhases(page: Page, selector: string) {
	await page.addInitScript((sel) => {
		const phases: string[] = [];
		(globalThis as { phases?: string[] }).phases = phases;
		new MutationObserver(() => {
			const p = document.querySelector(sel)?.getAttribute('data-phase') ?? '';
			if (p && phases.at(-1) !== p) phases.push(p);
		}).observe(document, { subtree: true, childList: true, attributes: true });
	}, selector);
	return () => page.evaluate(() => (globalThis as { phases?: string[] }).phases ?? []);
}

test('the progress counts the runtime with the model files and names each phase', async ({
	page
}) => {
	const errors = watchErrors(page);
	const files = await manifestFiles(page);
	const wasm = (await (await page.request.get('/ort/ort-wasm-simd-threaded.wasm')).body()).length;
	// The runtime is held back until the page has been read mid-download.
	let release = () => {};
	const held = new Promise<void>((r) => (release = r));
	await page.route('**/ort/ort-wasm-simd-threaded.wasm', async (route) => {
		await held;
		await route.continue();
	});
	const phases = await recordPhases(page, '.live .meta');
	await openReady(page, '/?backend=wasm&model=student&steps=1');

	const meta = page.locator('.live .meta');
	// The student's files (the link's model), and the runtime: all counted, from the start.
	const core = ['unet_student', 'vae_decoder', 'text_encoder', 'tokenizer'];
	const modelBytes = core.reduce((a, k) => a + files[k]!.bytes, 0);
	const mb = (b: number) => (b / 1e6).toFixed(1);
	await expect(meta).toContainText(`of ${mb(modelBytes + wasm)} MB`, { timeout: 60_000 });
	await expect(meta.locator('progress')).toHaveAttribute('max', String(modelBytes + wasm));
	await expect(meta).toContainText(`runtime ${mb(wasm)} MB`);
	// The model files are in, the runtime is not: the page does not claim to be done.
	await expect(meta).toContainText(`${mb(modelBytes)} of ${mb(modelBytes + wasm)} MB`, {
		timeout: 60_000
	});
	await expect(meta).toHaveAttribute('data-phase', 'download');
	release();

	await expect(meta).toContainText(/Distilled student: 1 step in \d+ ms/, { timeout: 150_000 });
	expect(await phases()).toEqual(['download', 'start', 'first-picture']);
	errors.check();
});

test('a chapter with no live figure downloads no model; the next chapter does', async ({
	page
}) => {
	const errors = watchErrors(page);
	const requests = await recordModelRequests(page);
	await openReady(page, '/parts/');
	// The model would have asked for its manifest within moments of the page's start.
	await page.waitForTimeout(3000);
	expect(requests).toEqual([]);
	await page.keyboard.press('n');
	await expect(page).toHaveURL(/\/clip\/?/);
	await waitLive(page);
	expect(requests.some((r) => r.endsWith('/models/unet.onnx'))).toBe(true);
	errors.check();
});

test('a student link loads the student’s U-Net before the teacher’s, and both where the page shows both', async ({
	page
}) => {
	const errors = watchErrors(page);
	const requests = await recordModelRequests(page);
	await openReady(page, '/distillation/?model=student');
	await waitLive(page);
	const student = requests.indexOf('/models/unet_student.onnx');
	expect(student).toBeGreaterThanOrEqual(0);
	// The chapter compares both models: the teacher arrives too, after the student.
	await expect
		.poll(() => requests.indexOf('/models/unet.onnx'), { timeout: 60_000 })
		.toBeGreaterThan(student);
	await expect(page.locator('.model-bar .models label.chosen')).toContainText('Distilled student');
	errors.check();
});

test('after Generate, the seed and guidance left at their defaults stay out of the link', async ({
	page
}) => {
	const errors = watchErrors(page);
	await openReady(page, '/?seed=42');
	const form = page.getByRole('form', { name: 'Prompt for the opening figure' });
	await form.getByLabel('Prompt', { exact: true }).fill('red heart');
	await form.getByRole('button', { name: 'Generate' }).click();
	await expect(page).toHaveURL(/[?&]prompt=red\+heart/);
	const query = new URL(page.url()).searchParams;
	expect(query.has('seed')).toBe(false);
	expect(query.has('guidance')).toBe(false);

	// The same above a chapter's figures.
	await openReady(page, '/clip/');
	await page.locator('.model-bar summary').click();
	await page.locator('.model-bar').getByLabel('Prompt', { exact: true }).fill('blue car');
	await page.locator('.model-bar').getByRole('button', { name: 'Generate' }).click();
	await expect(page).toHaveURL(/[?&]prompt=blue\+car/);
	const chapter = new URL(page.url()).searchParams;
	expect(chapter.has('seed')).toBe(false);
	expect(chapter.has('guidance')).toBe(false);
	errors.check();
});
