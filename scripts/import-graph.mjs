// Prints the import graph of src/ by layer (folder), counting the imports between each pair,
// type-only imports apart. Generic import-graph tools miss `$lib/…` and `.svelte` imports; this
// reads both. The layers and what each may import are in eslint.config.js (LAYERS).
//   node scripts/import-graph.mjs [--files]   (--files: one line per importing file)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');
const LIB = join(SRC, 'lib');

/** The layer a file belongs to: its folder under src/lib, or 'state' for src/lib's own files. */
export function layerOf(file) {
	const rel = relative(SRC, file).replaceAll('\\', '/');
	if (rel.startsWith('routes/')) return 'routes';
	if (rel.startsWith('../')) return relative(dirname(SRC), file).split('/')[0]; // static/…
	if (!rel.startsWith('lib/')) return rel.split('/')[0].replace(/\.[^.]+$/, '');
	const parts = rel.slice(4).split('/');
	return parts.length > 1 ? parts[0] : 'state';
}

function walk(dir, out = []) {
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) walk(p, out);
		else if (/\.(ts|svelte|js)$/.test(name)) out.push(p);
	}
	return out;
}

const IMPORT =
	/(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every local import of a file: [target file, type-only]. */
export function importsOf(file) {
	const text = readFileSync(file, 'utf8');
	const out = [];
	for (const m of text.matchAll(IMPORT)) {
		const spec = m[3] ?? m[4];
		let target;
		if (spec.startsWith('$lib/') || spec === '$lib') target = join(LIB, spec.slice(5));
		else if (spec.startsWith('.')) target = resolve(dirname(file), spec);
		else continue;
		out.push([target, Boolean(m[2])]);
	}
	return out;
}

/** Edges between layers: "from -> to" with counts of value and type-only imports. */
export function layerGraph(files = walk(SRC)) {
	const edges = new Map();
	for (const f of files)
		for (const [target, typeOnly] of importsOf(f)) {
			const [a, b] = [layerOf(f), layerOf(target)];
			if (a === b) continue;
			const key = `${a} -> ${b}`;
			const e = edges.get(key) ?? { value: 0, type: 0, files: new Set() };
			e[typeOnly ? 'type' : 'value']++;
			e.files.add(relative(SRC, f));
			edges.set(key, e);
		}
	return new Map([...edges].sort(([a], [b]) => a.localeCompare(b)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const files = process.argv.includes('--files');
	for (const [key, e] of layerGraph()) {
		const kinds = [e.value && `${e.value} imports`, e.type && `${e.type} type-only`].filter(
			Boolean
		);
		console.log(`${key.padEnd(28)} ${kinds.join(', ')}`);
		if (files) for (const f of e.files) console.log(`    ${f}`);
	}
}
