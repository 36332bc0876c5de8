import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardHtml, slug } from '../../src/lib/model-card';

const card = readFileSync('static/models/MODEL_CARD.md', 'utf8');

describe('model card page', () => {
	const { title, html } = cardHtml(card, '/models');

	it('takes the title from the card and drops the export markers', () => {
		expect(title).toBe(/^# (.+)$/m.exec(card)?.[1]);
		expect(html).not.toContain('<!--');
		expect(html).not.toContain(`<h1`);
	});

	it('serves the galleries from the model folder', () => {
		expect(html).toContain('src="/models/gallery.png"');
		expect(html).toContain('src="/models/gallery_student.png"');
	});

	it('renders the tables and gives every heading the anchor the chapters link to', () => {
		expect((html.match(/<table>/g) ?? []).length).toBeGreaterThanOrEqual(3);
		for (const anchor of ['architecture', 'training', 'quality', 'quality-at-equal-cost'])
			expect(html).toContain(`id="${anchor}"`);
	});

	it('every /model#anchor in the story exists on the page', () => {
		const story = readFileSync('src/lib/story/chapters.ts', 'utf8');
		const anchors = [...story.matchAll(/\(\/model#([a-z0-9-]+)\)/g)].map((m) => m[1]);
		expect(anchors.length).toBeGreaterThan(0);
		for (const a of anchors) expect(html).toContain(`id="${a}"`);
	});

	it('slugs headings as GitHub does', () => {
		expect(slug('Quality (targets from the project’s issues)')).toBe(
			'quality-targets-from-the-projects-issues'
		);
		expect(slug('The distilled student (1 to 8 steps)')).toBe('the-distilled-student-1-to-8-steps');
	});
});
