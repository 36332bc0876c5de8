/**
 * A figure is one folder of src/lib/figures: its figure.ts (key, show, and its component's
 * props added to FigureProps under the folder's name) and its Figure.svelte. A folder missing
 * a part, a registry entry without a folder, or a chapter naming no folder fails here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../src/lib/figures/components';
import { FIGURES } from '../../src/lib/figures/registry';
import { CHAPTERS } from '../../src/lib/story/chapters';

const ROOT = 'src/lib/figures';
const folders = readdirSync(ROOT).filter((f) => statSync(join(ROOT, f)).isDirectory());

describe('the figure folders', () => {
	it('are the registry and the component map, name for name', () => {
		expect(folders.length).toBeGreaterThan(10);
		expect(Object.keys(FIGURES).sort()).toEqual([...folders].sort());
		expect(Object.keys(COMPONENTS).sort()).toEqual([...folders].sort());
	});

	for (const name of folders) {
		it(`${name}: figure.ts with its key, show and props type, and Figure.svelte`, () => {
			expect(existsSync(join(ROOT, name, 'Figure.svelte')), 'Figure.svelte').toBe(true);
			const source = readFileSync(join(ROOT, name, 'figure.ts'), 'utf8');
			// Its component's props under its own name: how the figure's name and props are typed.
			const entry = /^[a-z]+$/.test(name) ? `${name}: Props;` : `'${name}': Props;`;
			expect(source).toContain("declare module '../types'");
			expect(source).toContain(entry);
			const figure = FIGURES[name as keyof typeof FIGURES];
			expect(['string', 'function']).toContain(typeof figure.key);
			expect(typeof figure.show).toBe('function');
			expect(typeof COMPONENTS[name as keyof typeof COMPONENTS]).toBe('function');
		});
	}

	it('include every figure a chapter step names, and each is shown somewhere', () => {
		const named = new Set(CHAPTERS.flatMap((c) => c.steps.map((s) => s.figure.name)));
		named.delete(undefined);
		for (const name of named) expect(folders, name).toContain(name);
		for (const name of folders) expect(named, name).toContain(name);
	});
});
