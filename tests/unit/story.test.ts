import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { CHAPTERS, VERDICTS, chapterBySlug, neighbours } from '../../src/lib/story/chapters';
import { parseInline } from '../../src/lib/story/inline';
import { PARTS } from '../../src/lib/story/parts';
import { linkLimits, parseViewState } from '../../src/lib/url-state';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const limits = linkLimits(manifest, 16);

describe('the story', () => {
	it('has unique chapter slugs and step ids', () => {
		expect(new Set(CHAPTERS.map((c) => c.slug)).size).toBe(CHAPTERS.length);
		for (const c of CHAPTERS) {
			expect(new Set(c.steps.map((s) => s.id)).size, c.slug).toBe(c.steps.length);
			expect(c.slug).toMatch(/^[a-z][a-z-]*$/);
			expect(c.description.length).toBeGreaterThan(50);
			expect(c.description.length).toBeLessThan(200);
		}
	});

	it('follows the seed post in order', () => {
		expect(CHAPTERS.map((c) => c.slug)).toEqual([
			'parts',
			'clip',
			'vae',
			'adding-noise',
			'unet',
			'denoising-loop',
			// Not in the seed post: the distilled few-step model, after the loop it shortens.
			'distillation',
			'decoding',
			// Not in the seed post: what apps do with the same parts.
			'editing',
			'recap'
		]);
		CHAPTERS.forEach((c, i) => expect(c.number).toBe(i + 1));
	});

	it('puts right every row of the corrections list', () => {
		const covered = new Set(CHAPTERS.flatMap((c) => c.steps.map((s) => s.correction)));
		for (let row = 1; row <= 10; row++) expect(covered.has(row), `correction ${row}`).toBe(true);
	});

	it('gives every quoted sentence of the summary a verdict someone chose', () => {
		const quoting = CHAPTERS.flatMap((c) => c.steps).filter((s) => s.quote);
		expect(quoting.length).toBeGreaterThan(10);
		for (const s of quoting) {
			const { text, verdict } = s.quote!;
			expect(Object.keys(VERDICTS), s.id).toContain(verdict);
			expect(text.length, s.id).toBeGreaterThan(20);
			// A sentence the page calls wrong is a row of the corrections list.
			if (verdict === 'wrong') expect(s.correction, s.id).toBeDefined();
		}
	});

	it('names the scheduler as a fifth part with no learned weights', () => {
		const scheduler = PARTS.find((p) => p.id === 'scheduler');
		expect(scheduler?.learned).toBe(false);
		expect(PARTS.find((p) => p.id === 'image-encoder')?.usedInGeneration).toBe(false);
	});

	it('links only to chapters and steps that exist', () => {
		for (const c of CHAPTERS)
			for (const s of c.steps)
				for (const p of s.paragraphs)
					for (const piece of parseInline(p)) {
						if (piece.kind !== 'link') continue;
						const m = piece.href.match(/^\/([a-z-]+)(?:\?step=(\d+)(&[^#]*)?)?(?:#[a-z0-9-]+)?$/);
						expect(m, piece.href).not.toBeNull();
						// Every other setting is one a link may carry, read with no notice.
						if (m![3]) {
							const read = parseViewState(new URLSearchParams(m![3]), { maxStep: 1, ...limits });
							expect(read.notices, piece.href).toEqual([]);
						}
						// The model card's anchors are checked in model-card.test.ts.
						if (m![1] === 'credits' || m![1] === 'model') continue;
						const target = chapterBySlug(m![1]!);
						expect(target, piece.href).toBeDefined();
						if (m![2]) expect(Number(m![2])).toBeLessThanOrEqual(target!.steps.length);
					}
	});

	it('links every part to a chapter that exists', () => {
		for (const p of PARTS) expect(chapterBySlug(p.chapter), p.id).toBeDefined();
	});

	it('knows each chapter’s neighbours', () => {
		expect(neighbours('parts').prev).toBeUndefined();
		expect(neighbours('parts').next?.slug).toBe('clip');
		expect(neighbours('recap').next).toBeUndefined();
	});
});

describe('parseInline', () => {
	it('parses emphasis, strong, code and links', () => {
		expect(parseInline('a *b* **c** `d` [e](/f) g')).toEqual([
			{ kind: 'text', text: 'a ' },
			{ kind: 'em', text: 'b' },
			{ kind: 'text', text: ' ' },
			{ kind: 'strong', text: 'c' },
			{ kind: 'text', text: ' ' },
			{ kind: 'code', text: 'd' },
			{ kind: 'text', text: ' ' },
			{ kind: 'link', text: 'e', href: '/f' },
			{ kind: 'text', text: ' g' }
		]);
	});

	it('leaves angle brackets as text', () => {
		expect(parseInline('<b>x</b>')).toEqual([{ kind: 'text', text: '<b>x</b>' }]);
	});
});
