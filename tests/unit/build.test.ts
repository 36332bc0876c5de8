/**
 * The one pipeline builder (pipeline/build.ts): the browser's loader and Node's nodePipeline
 * both call it, so the golden tests, which run nodePipeline, check what the browser runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
	buildPipeline,
	CORE_FILES,
	coreFiles,
	pipelineFileKeys,
	type BuiltPipeline
} from '../../src/lib/pipeline/build';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { nodePipeline } from '../../src/lib/server/node-model';
import { hasModels, modelsDir } from './golden';

// The real builder, wrapped so that its calls can be seen.
vi.mock('../../src/lib/pipeline/build', async (importOriginal) => {
	const real = await importOriginal<typeof import('../../src/lib/pipeline/build')>();
	return { ...real, buildPipeline: vi.fn(real.buildPipeline) };
});

describe.runIf(hasModels)('one pipeline builder for the browser and Node', () => {
	const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as Manifest;
	const settings = { prompt: 'a smiling cat', seed: 3, steps: 1 };

	it('asks for the core files only, and fetches the student on first use', async () => {
		const asked: string[] = [];
		const built = await buildPipeline(
			{
				manifest,
				files: async (keys) => {
					asked.push(...keys);
					return new Map(
						keys.map((k) => [k, readFileSync(join(modelsDir, manifest.files[k]!.path))])
					);
				}
			},
			{ backend: 'wasm', threads: 1, second: 'lazy' }
		);
		expect(asked.sort()).toEqual([...CORE_FILES].sort());
		const trace = await built.pipeline.generate(settings);
		expect(trace.tokens.tokens).toContain('cat');
		const studentKey = manifest.models?.student?.unet;
		if (studentKey) {
			await built.pipeline.generate({ ...settings, model: 'student' });
			expect(asked.filter((k) => k === studentKey)).toHaveLength(1);
		}
		// All the builder ever asks for is what the service worker saves for offline use.
		await built.extras();
		expect([...new Set(asked)].sort()).toEqual(pipelineFileKeys(manifest).sort());
	}, 120_000);

	it('a page that shows the student first loads its U-Net first, the teacher’s on first use', async () => {
		const studentKey = manifest.models?.student?.unet;
		if (!studentKey) return;
		const asked: string[][] = [];
		const built = await buildPipeline(
			{
				manifest,
				files: async (keys) => {
					asked.push(keys);
					return new Map(
						keys.map((k) => [k, readFileSync(join(modelsDir, manifest.files[k]!.path))])
					);
				}
			},
			{ backend: 'wasm', threads: 1, first: 'student', second: 'lazy' }
		);
		// The student's U-Net heads the first request; the teacher's is not in it.
		expect(asked).toHaveLength(1);
		expect(asked[0]![0]).toBe(studentKey);
		expect(asked[0]).not.toContain('unet');
		expect(coreFiles(manifest, 'student')).toEqual(asked[0]);
		await built.pipeline.generate({ ...settings, model: 'student' });
		expect(asked.flat()).not.toContain('unet');
		// A page that needs both (the distillation chapter) gets the teacher when it asks.
		await built.pipeline.generate({ ...settings, model: 'teacher' });
		expect(asked.flat().filter((k) => k === 'unet')).toHaveLength(1);
		expect(asked.flat().indexOf(studentKey)).toBeLessThan(asked.flat().indexOf('unet'));
	}, 120_000);

	it('nodePipeline is that builder with files read from disk, the student loaded now', async () => {
		const { calls } = vi.mocked(buildPipeline).mock;
		const before = calls.length;
		const node = await nodePipeline(modelsDir);
		expect(calls.length).toBe(before + 1);
		expect(calls.at(-1)![1]).toMatchObject({ backend: 'wasm', second: 'eager' });
		const built = (await vi.mocked(buildPipeline).mock.results.at(-1)!.value) as BuiltPipeline;
		expect(node.pipeline).toBe(built.pipeline);
		expect(node.vaeEncoder).toBe((await built.extras()).vaeEncoder);
	}, 120_000);
});
