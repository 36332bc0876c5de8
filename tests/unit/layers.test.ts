/**
 * The layers eslint.config.js pins (pipeline ← state ← figures ← components ← routes) bite:
 * a lower layer importing a higher one, or a figure calling the model, fails the lint, and
 * the same import one layer up passes.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();
const RULE = '@typescript-eslint/no-restricted-imports';

async function violations(filePath: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(`${code}\nexport const used = [x];\n`, { filePath });
	return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('the import layers', () => {
	it('keeps the pipeline free of the UI, the app and everything above it', async () => {
		const file = 'src/lib/pipeline/probe.ts';
		expect(await violations(file, "import { x } from '$lib/live.svelte';")).toHaveLength(1);
		expect(await violations(file, "import { x } from '../story/chapters';")).toHaveLength(1);
		expect(await violations(file, "import { x } from 'd3';")).toHaveLength(1);
		expect(await violations(file, "import { x } from 'svelte';")).toHaveLength(1);
		expect(await violations(file, "import { x } from './scheduler';")).toEqual([]);
	});

	it('keeps state below the figures, components and routes', async () => {
		const file = 'src/lib/probe.ts';
		expect(await violations(file, "import { x } from '$lib/story/chapters';")).toHaveLength(1);
		expect(
			await violations(file, "import { x } from './components/ModelBar.svelte';")
		).toHaveLength(1);
		expect(await violations(file, "import { x } from '$lib/figures/registry';")).toHaveLength(1);
		expect(await violations(file, "import type { x } from '$lib/figures/types';")).toEqual([]);
		expect(await violations(file, "import { x } from '$lib/pipeline/scheduler';")).toEqual([]);
	});

	it('lets a figure read the model’s types but never call it', async () => {
		const file = 'src/lib/viz/probe.ts';
		const [message] = await violations(file, "import { x } from '$lib/live.svelte';");
		expect(message).toContain('never calls the model');
		expect(await violations(file, "import type { x } from '$lib/live.svelte';")).toEqual([]);
		expect(
			await violations(file, "import { x } from '../components/Scrolly.svelte';")
		).toHaveLength(1);
		expect(
			await violations('src/lib/story/probe.ts', "import { x } from '../model.svelte';")
		).toHaveLength(1);
		const folder = 'src/lib/figures/loop/probe.ts';
		expect(await violations(folder, "import { x } from '../../live.svelte';")).toHaveLength(1);
		expect(
			await violations(folder, "import { x } from '$lib/components/Prose.svelte';")
		).toHaveLength(1);
		expect(await violations(folder, "import { x } from '../shared';")).toEqual([]);
	});

	it('keeps the components below the routes, and lets the routes import anything', async () => {
		expect(
			await violations('src/lib/components/probe.ts', "import { x } from '$lib/routes/thing';")
		).toHaveLength(1);
		expect(
			await violations('src/routes/probe.ts', "import { x } from '$lib/live.svelte';")
		).toEqual([]);
	});
});
