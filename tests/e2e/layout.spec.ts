import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { PINNED_BOTTOM, PINNED_TOP } from '../../src/lib/components/reveal-key';
import { activeStep, figureKey, openReady, withoutModel } from './helpers';

const pages = ['/', ...CHAPTERS.map((c) => `/${c.slug}`), '/glossary', '/credits'];

test.describe('phone-sized screens', () => {
	test.use({ viewport: { width: 375, height: 740 } });
	for (const path of pages) {
		test(`${path} has no horizontal scrolling at 375 px`, async ({ page }) => {
			await page.goto(path);
			const { scroll, inner } = await page.evaluate(() => ({
				scroll: document.documentElement.scrollWidth,
				inner: window.innerWidth
			}));
			expect(scroll).toBeLessThanOrEqual(inner);
		});
	}

	test('the figure sits above the text', async ({ page }) => {
		await openReady(page, '/vae');
		// Once the model's status line has settled (while it downloads it can wrap for a moment).
		await expect
			.poll(async () => {
				const fig = await page.locator('.figure-column').boundingBox();
				const firstStep = await page.locator('.step').first().boundingBox();
				return fig!.y + fig!.height - (firstStep!.y + 1);
			})
			.toBeLessThanOrEqual(0);
	});
});

test.describe('accessibility', () => {
	for (const path of pages) {
		test(`${path} has no serious or critical axe violations`, async ({ page }) => {
			await page.goto(path);
			const results = await new AxeBuilder({ page }).analyze();
			const bad = results.violations.filter(
				(v) => v.impact === 'serious' || v.impact === 'critical'
			);
			expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
		});
	}

	test('reduced motion turns transitions off', async ({ page }) => {
		await page.emulateMedia({ reducedMotion: 'reduce' });
		await page.goto('/parts');
		const duration = await page
			.locator('.step')
			.first()
			.evaluate((el) => getComputedStyle(el).transitionDuration);
		expect(duration).toBe('0s');
	});
});

/**
 * Whether every part the selector matches is on screen: inside the pinned figure column,
 * inside whatever scrolls it (the figure's body scrolls between its pinned title and
 * controls), and on top.
 */
async function inViewOfFigure(page: Page, selector: string): Promise<string> {
	return page.evaluate(
		({ sel, pins }) => {
			const boxes = [...document.querySelectorAll<HTMLElement>(`.figure-column ${sel}`)]
				.map((e) => ({ e, b: e.getBoundingClientRect() }))
				.filter(({ b }) => b.height > 0);
			if (boxes.length === 0) return 'not drawn yet';
			// What is shown of the first part: the viewport, cut by every ancestor that clips.
			const shown = [0, window.innerHeight];
			for (let a = boxes[0]!.e.parentElement; a; a = a.parentElement) {
				if (getComputedStyle(a).overflowY === 'visible') continue;
				const r = a.getBoundingClientRect();
				shown[0] = Math.max(shown[0]!, r.top + a.clientTop);
				shown[1] = Math.min(shown[1]!, r.top + a.clientTop + a.clientHeight);
			}
			const top = Math.min(...boxes.map(({ b }) => b.top));
			const bottom = Math.max(...boxes.map(({ b }) => b.bottom));
			const where = `${sel} ${Math.round(top)}–${Math.round(bottom)}`;
			if (top < shown[0]! - 1 || bottom > shown[1]! + 1)
				return `${where} outside ${shown.map(Math.round).join('–')}`;
			const { e, b } = boxes[0]!;
			const x = (b.left + b.right) / 2;
			// A control must be the thing under its own centre; the key must not lie under a
			// pinned control at its top or middle.
			const control = e.matches('summary, h3, .scrubber, .controls, .slider');
			// The key's top and middle must be clear of the pinned rows; its foot may run under the
			// pinned controls where the key is about as tall as the space between them.
			const ys = control ? [(top + bottom) / 2] : [top + 2, (top + bottom) / 2];
			for (const y of ys) {
				const hit = document.elementFromPoint(x, y);
				if (!hit?.closest('.figure-column')) return `${where} covered by ${hit?.tagName}`;
				if (control ? !e.contains(hit) : !e.contains(hit) && hit.closest(pins))
					return `${where} covered at ${Math.round(y)} by ${hit.tagName}.${hit.className}`;
			}
			return 'in view';
		},
		{ sel: selector, pins: `${PINNED_TOP}, ${PINNED_BOTTOM}` }
	);
}

/** The figure's controls on show: the "Change" bar, its title, scrubber and sliders. */
const CONTROLS = [
	'.model-bar > details:first-child > summary',
	'.model-bar > details.compare-with > summary',
	'.viz h3',
	'.viz .scrubber',
	'.viz .controls',
	'.viz .slider'
];

test.describe('phones: the part each step is about and the controls are on screen', () => {
	test.use({ viewport: { width: 375, height: 812 } });
	for (const chapter of CHAPTERS.filter((c) => c.steps.length > 0)) {
		test(`/${chapter.slug}, every step at 375 × 812`, async ({ page }) => {
			test.setTimeout(300_000);
			await page.emulateMedia({ reducedMotion: 'reduce' });
			// Keys pressed before hydration are lost (CI once saw step 1 stay active).
			await openReady(page, `/${chapter.slug}`);
			for (const [i, step] of chapter.steps.entries()) {
				// j again only once a press has had 5 s to move the step: a layout shift as the live
				// model arrives can swallow one (CI saw it once), and pressing again while a slow
				// press is still scrolling skips a step (CI saw that too).
				for (let tries = 0; i > 0 && (await activeStep(page)) === i && tries < 4; tries++) {
					await page.keyboard.press('j');
					await expect
						.poll(() => activeStep(page), { timeout: 5_000 })
						.not.toBe(i)
						.catch(() => {});
				}
				expect(await activeStep(page), step.id).toBe(i + 1);
				const { name, focus } = step.figure;
				const selector = name ? `.viz ${await figureKey(name, focus)}` : '.diagram svg';
				await expect
					.poll(() => inViewOfFigure(page, selector), { timeout: 120_000, message: step.id })
					.toBe('in view');
				if (!name) continue;
				const controls = await page.evaluate(
					(all) => all.filter((c) => document.querySelector(`.figure-column ${c}`)),
					CONTROLS
				);
				for (const c of controls)
					expect(await inViewOfFigure(page, c), `${step.id}: ${c}`).toBe('in view');
				// The key again: pinning the controls must not have pushed it out.
				expect(await inViewOfFigure(page, selector), step.id).toBe('in view');
			}
		});
	}
});

/** Every piece of text in the figure column with its rendered size in CSS px (SVG text scaled). */
function textSizes(page: Page) {
	return page.evaluate(() => {
		const out: { text: string; px: number }[] = [];
		const walker = document.createTreeWalker(
			document.querySelector('.figure-column')!,
			NodeFilter.SHOW_TEXT
		);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const el = n.parentElement!;
			if (!n.textContent?.trim() || el.closest('title, .sr-only, option')) continue;
			const box = el.getBoundingClientRect();
			// Not rendered, or clipped to nothing for screen readers only.
			if (box.width <= 1 || box.height <= 1) continue;
			const size = parseFloat(getComputedStyle(el).fontSize);
			const scale = el instanceof SVGGraphicsElement ? Math.abs(el.getScreenCTM()?.a ?? 1) : 1;
			out.push({ text: n.textContent.trim().slice(0, 30), px: size * scale });
		}
		return out;
	});
}

test.describe('phones: readable text in the figures', () => {
	test.use({ viewport: { width: 375, height: 812 } });
	for (const chapter of CHAPTERS.filter((c) => c.steps.some((s) => s.figure.name))) {
		test(`/${chapter.slug}: no figure text under 11 px at 375 px`, async ({ page }) => {
			test.setTimeout(180_000);
			await withoutModel(page);
			for (const [i, step] of chapter.steps.entries()) {
				if (!step.figure.name) continue;
				await openReady(page, `/${chapter.slug}?step=${i + 1}`);
				await expect(page.locator('.figure-column .viz h3')).toBeVisible({ timeout: 60_000 });
				const key = `.figure-column .viz ${await figureKey(step.figure.name, step.figure.focus)}`;
				await page.locator(key).first().waitFor({ timeout: 60_000 });
				// The charts size their text once they have measured themselves.
				await expect
					.poll(
						async () => {
							const small = (await textSizes(page)).filter((t) => t.px < 10.95);
							return small.map((t) => `${t.text} ${t.px.toFixed(1)} px`);
						},
						{ message: `${chapter.slug} step ${i + 1}`, timeout: 10_000 }
					)
					.toEqual([]);
			}
		});
	}
});

test.describe('phones: the grids fit the screen without sideways scrolling', () => {
	test.use({ viewport: { width: 375, height: 812 } });
	const grids = CHAPTERS.flatMap((c) =>
		c.steps.flatMap((s, i) =>
			s.figure.name === 'distill-grid' || s.figure.name === 'sampler-grid'
				? [`/${c.slug}?step=${i + 1}`]
				: []
		)
	);
	test('every grid step', async ({ page }) => {
		expect(grids.length).toBeGreaterThanOrEqual(2);
		await withoutModel(page);
		for (const path of grids) {
			await openReady(page, path);
			const region = page.locator('.figure-column .metric-scroll').first();
			await region.waitFor();
			const widths = await region.evaluate((el) => ({
				region: el.clientWidth,
				table: el.querySelector('table')!.scrollWidth
			}));
			expect(widths.table, path).toBeLessThanOrEqual(widths.region);
		}
	});
});

test('phones: a long prompt keeps the model bar to one line, and Change in view', async ({
	page
}) => {
	await page.setViewportSize({ width: 375, height: 812 });
	await withoutModel(page);
	const prompt = 'a very happy smiling cat with heart-eyes and a red hat';
	await openReady(page, `/denoising-loop?step=2&prompt=${encodeURIComponent(prompt)}&neg=dog`);
	const summary = page.locator('.model-bar > details:first-child > summary');
	await expect(summary).toContainText(prompt); // whole in the page, cut only on screen
	const [bar, change] = await Promise.all([
		summary.boundingBox(),
		summary.locator('.change').boundingBox()
	]);
	expect(bar!.height).toBeLessThan(30);
	expect(change!.x + change!.width).toBeLessThanOrEqual(375);
});

test.describe('phones: a link to step 1 shows its heading', () => {
	test.use({ viewport: { width: 375, height: 812 } });
	for (const chapter of CHAPTERS.filter((c) => c.steps.length > 0)) {
		test(`/${chapter.slug}?step=1`, async ({ page }) => {
			await withoutModel(page);
			await openReady(page, `/${chapter.slug}?step=1`);
			const heading = page.locator(`#${chapter.steps[0]!.id}-title`);
			// On screen and not under the pinned figure.
			await expect
				.poll(() =>
					heading.evaluate((h) => {
						const b = h.getBoundingClientRect();
						const hit = document.elementFromPoint(b.left + 10, (b.top + b.bottom) / 2);
						return b.top >= 0 && b.bottom <= window.innerHeight && h.contains(hit);
					})
				)
				.toBe(true);
		});
	}
});

test('phones: the prompt fields show their whole placeholder', async ({ page }) => {
	await page.setViewportSize({ width: 375, height: 812 });
	await openReady(page, '/');
	const cut = await page.locator('input[placeholder]').evaluateAll((inputs) =>
		(inputs as HTMLInputElement[])
			.filter((i) => i.offsetWidth > 0)
			.flatMap((i) => {
				const style = getComputedStyle(i);
				const ctx = document.createElement('canvas').getContext('2d')!;
				ctx.font = style.font;
				const room = i.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
				const needs = ctx.measureText(i.placeholder).width;
				return needs > room ? [`${i.placeholder}: ${Math.round(needs)} > ${Math.round(room)}`] : [];
			})
	);
	expect(cut).toEqual([]);
});
