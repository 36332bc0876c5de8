/**
 * The README states what is true today: its benchmark table is exactly what bench.json says,
 * and it speaks of the project, not of its history.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, benchTable } from '../../scripts/bench-table.mjs';

const readme = readFileSync('README.md', 'utf8');
const bench = JSON.parse(readFileSync('static/models/bench.json', 'utf8'));

describe('the README', () => {
	it('holds the benchmark table bench.json gives, and nothing else between the markers', () => {
		const a = readme.indexOf(BEGIN);
		const b = readme.indexOf(END);
		expect(a).toBeGreaterThan(0);
		expect(readme.slice(a + BEGIN.length, b).trim()).toBe(benchTable(bench).trim());
		// A changed measurement changes the table.
		const slower = { ...bench, page_load_ms: bench.page_load_ms + 1000 };
		expect(benchTable(slower)).not.toBe(benchTable(bench));
	});

	it('speaks of the project, never of sessions or issue numbers', () => {
		expect(readme).not.toMatch(/session [0-9]|sessions? [0-9]+|issue [0-9]+/i);
	});

	it('stays short enough for a newcomer', () => {
		expect(readme.split('\n').length).toBeLessThanOrEqual(220);
	});
});
