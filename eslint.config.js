import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * The layers of src/, lowest first: each may import the ones before it, never those after
 * (type-only imports excepted where a layer only needs another's shapes). `node
 * scripts/import-graph.mjs` prints what imports what; tests/unit/layers.test.ts proves each
 * rule bites.
 *   pipeline    src/lib/pipeline: the model in the browser, pure TypeScript, no DOM, no UI
 *   state       src/lib/*.ts, src/lib/server: the live model's state, links, first paint
 *   figures     src/lib/story, src/lib/viz, src/lib/figures: the prose, the chart parts, and the
 *               figures (a folder each: its figure.ts and Figure.svelte; the registry)
 *   components  src/lib/components: the page's parts
 *   routes      src/routes
 */
const below = (...names) => names.flatMap((n) => [`$lib/${n}`, `$lib/${n}/*`, `**/${n}/*`]);
const WORKER = ['$lib/live.svelte', '**/live.svelte', '$lib/model.svelte', '**/model.svelte'];
const WORKER_MESSAGE =
	'A figure never calls the model: it declares what it needs and reads the shared state.';
export const LAYERS = [
	{
		files: ['src/lib/pipeline/**'],
		patterns: [
			{
				group: ['$lib/*', '../*', '$app/*', 'svelte', 'svelte/*', 'd3', 'd3-*'],
				message: 'The pipeline is pure TypeScript: nothing from the UI, the DOM or the app.'
			}
		]
	},
	{
		files: ['src/lib/*.ts'],
		patterns: [
			{
				group: below('story', 'viz', 'figures', 'components', 'routes'),
				message: 'State sits below the figures, the components and the routes.',
				allowTypeImports: true
			}
		]
	},
	{
		// The build's first paint asks the figures' registry what to precompute.
		files: ['src/lib/server/**'],
		patterns: [
			{
				group: below('viz', 'components', 'routes'),
				message: 'The server renders from state and the registry, below the views and the routes.',
				allowTypeImports: true
			}
		]
	},
	{
		files: ['src/lib/story/**', 'src/lib/viz/**', 'src/lib/figures/**'],
		patterns: [
			{
				group: below('components', 'routes'),
				message: 'Figures sit below the components and the routes.'
			},
			{ group: WORKER, message: WORKER_MESSAGE, allowTypeImports: true }
		]
	},
	{
		files: ['src/lib/components/**'],
		patterns: [{ group: below('routes'), message: 'Components sit below the routes.' }]
	}
];

export default ts.config(
	{
		ignores: [
			'build/',
			'build-subpath/',
			'.svelte-kit/',
			'node_modules/',
			'training/',
			'test-results/',
			'static/',
			'.scratch/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	...LAYERS.map(({ files, patterns }) => ({
		files,
		rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] }
	})),
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	}
);
