// The README's benchmark table, written from static/models/bench.json, so the two cannot
// disagree: `npm run bench` calls writeReadmeTable after it writes the file, and
// tests/unit/readme.test.ts checks that the README holds exactly benchTable(bench.json).
import { readFileSync, writeFileSync } from 'node:fs';

export const BEGIN =
	'<!-- bench: written by scripts/bench-table.mjs from static/models/bench.json -->';
export const END = '<!-- /bench -->';

/** @typedef {{ model: string, steps: number, unet_runs: number, ms: number, unet_ms_per_step: number }} GridRow */
/** @typedef {{ date: string, browser: string, cores: number, grid?: GridRow[], one_thread?: GridRow[],
 *   samplers?: { sampler: string, steps: number, ms: number }[],
 *   edits?: { strength: number, steps: number, steps_run: number, ms: number }[],
 *   compare?: { steps: number, ms: number, first_ms: number },
 *   page_load_ms?: number, page_load_all_steps_ms?: number, second_visit_ms?: number }} Bench */

/** @param {number} x */
const ms = (x) => `${Math.round(x)} ms`;
/** @param {number} x */
const s = (x) => `${(x / 1000).toFixed(1)} s`;
/** @type {Record<string, string>} */
const NAMES = {
	ddim: 'DDIM',
	euler: 'Euler',
	euler_a: 'Euler ancestral',
	ddpm: 'DDPM',
	dpmpp_2m: 'DPM-Solver++ (2M)'
};

/** The table and the line that says where and when it was measured, as Markdown.
 * @param {Bench} bench */
export function benchTable(bench) {
	/** @type {string[]} */
	const rows = [];
	/** @param {string} what @param {string} value */
	const row = (what, value) => rows.push(`| ${what} | ${value} |`);
	if (bench.page_load_ms !== undefined)
		row(
			'page load to the first live image, fresh cache',
			`${s(bench.page_load_ms)} (${s(bench.page_load_all_steps_ms ?? bench.page_load_ms)} with every step's estimate decoded)`
		);
	if (bench.second_visit_ms !== undefined)
		row(
			'page load to the first live image, second visit (site and runtime saved by the service worker)',
			s(bench.second_visit_ms)
		);
	for (const r of bench.grid ?? [])
		row(
			`${r.model}, ${r.steps} step${r.steps === 1 ? '' : 's'} (${r.unet_runs} U-Net run${r.unet_runs === 1 ? '' : 's'}), prompt to pixels`,
			`${ms(r.ms)} (U-Net ${r.unet_ms_per_step.toFixed(1)} ms a step)`
		);
	for (const r of bench.one_thread ?? [])
		row(`${r.model}, ${r.steps} step${r.steps === 1 ? '' : 's'}, runtime on one thread`, ms(r.ms));
	for (const r of bench.samplers ?? [])
		row(`teacher, ${NAMES[r.sampler] ?? r.sampler}, ${r.steps} steps`, ms(r.ms));
	for (const r of bench.edits ?? [])
		row(
			`image-to-image at strength ${r.strength} (${r.steps_run} of ${r.steps} steps), in the editing chapter`,
			ms(r.ms)
		);
	if (bench.compare)
		row(
			`comparison of two prompts in the loop chapter: B (teacher, ${bench.compare.steps} steps), right after A, the page's first generation; neither warm`,
			`${ms(bench.compare.ms)} (A: ${ms(bench.compare.first_ms)})`
		);
	// The same generation timed twice in one run says how far apart rows can be by noise alone.
	const twice = [
		bench.grid?.find((r) => r.model === 'teacher' && r.steps === 25),
		bench.samplers?.find((r) => r.sampler === 'ddim' && r.steps === 25)
	];
	const noise =
		twice[0] && twice[1]
			? ` The same generation (teacher, DDIM, 25 steps) took ${ms(twice[0].ms)} in one row and ${ms(twice[1].ms)} in another: differences of that size between rows are noise, not the setting.`
			: '';
	return [
		`Measured by \`npm run bench\` on ${bench.date}: ${bench.browser}, ${bench.cores} cores, no GPU. Medians of warm runs unless the row says otherwise; compare rows within one run only.${noise}`,
		'',
		'| what | median |',
		'| --- | ---: |',
		...rows
	].join('\n');
}

/** Replaces the README's table with the one bench.json gives.
 * @param {string} readme @param {Bench} bench */
export function writeReadmeTable(readme, bench) {
	const text = readFileSync(readme, 'utf8');
	const a = text.indexOf(BEGIN);
	const b = text.indexOf(END);
	if (a < 0 || b < a) throw new Error(`${readme}: no benchmark markers`);
	writeFileSync(
		readme,
		`${text.slice(0, a + BEGIN.length)}\n${benchTable(bench)}\n${text.slice(b)}`
	);
}

if (import.meta.url === `file://${process.argv[1]}`)
	writeReadmeTable('README.md', JSON.parse(readFileSync('static/models/bench.json', 'utf8')));
