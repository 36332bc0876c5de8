/**
 * The first-paint file: everything the chapters show for the default prompt and the sample
 * images, computed by this same pipeline at build time (src/routes/first-paint.bin), so
 * the page is complete before, and without, the live model.
 */
import { DEFAULT_MASK, EDIT_SAMPLE_LABEL, EDIT_STRENGTHS, editKey, presetMask } from './editing';
import {
	editPicture,
	encodeImages,
	encodeTexts,
	trainingExample,
	type EditEntry,
	type EditResult,
	type ExplainerModel,
	type ImageCodes,
	type TextCodes,
	type TrainingExample
} from './explainer';
import type { Trace } from './generate';
import { gridPlan, samplerPlan, type GridCell, type SamplerCell } from './grid';
import type { Manifest } from './manifest';
import type { SampleSet } from './samples';
import { DEFAULT_STRENGTH } from './settings';

/** The training example the U-Net and noise chapters open on. */
export const EXAMPLE_DEFAULTS = { sample: 0, t: 400, seed: 1 } as const;

export interface FirstPaint {
	manifest: Manifest;
	trace: Trace;
	/** Each step's predicted clean latent, decoded. */
	x0Images: Float32Array[];
	/** The same default prompt and seed on the distilled student, where the folder has one. */
	student?: { trace: Trace; x0Images: Float32Array[] };
	/** Each model at each step count, for the default prompt and seed (distillation chapter). */
	grid?: GridCell[];
	samples: SampleSet;
	images: ImageCodes;
	/** The sample labels through the text encoder. */
	labels: TextCodes;
	example: { sample: number; t: number; seed: number; result: TrainingExample };
	/** The loop chapter's sampler grid: each sampler at each step count, on the default prompt. */
	samplerGrid: SamplerCell[];
	/** The editing chapter's first state: the default picture edited, without and with the default mask. */
	edits: EditEntry[];
}

/** The sample the editing chapter starts from. */
export function editSample(samples: { labels: string[] }): number {
	return Math.max(0, samples.labels.indexOf(EDIT_SAMPLE_LABEL));
}

export async function computeFirstPaint(
	m: ExplainerModel,
	samples: SampleSet
): Promise<FirstPaint> {
	const { pipeline } = m;
	const withImages = async (trace: Trace) => {
		const x0Images: Float32Array[] = [];
		for (const s of trace.steps) x0Images.push(await pipeline.decode(s.x0));
		return { trace, x0Images };
	};
	const { trace, x0Images } = await withImages(await pipeline.generate({}));
	const student = pipeline.manifest.models?.student
		? await withImages(await pipeline.generate({ model: 'student' }))
		: undefined;
	const grid: GridCell[] = [];
	for (const cell of gridPlan(pipeline.manifest)) {
		const { image } = await pipeline.generate({ model: cell.model, steps: cell.steps });
		grid.push({ ...cell, image, ms: null });
	}
	const samplerGrid: SamplerCell[] = [];
	for (const cell of samplerPlan(pipeline.manifest)) {
		const { image } = await pipeline.generate({ scheduler: cell.scheduler, steps: cell.steps });
		samplerGrid.push({ ...cell, image, ms: null });
	}
	const images = await encodeImages(m, samples.pixels);
	const { sample, t, seed } = EXAMPLE_DEFAULTS;
	const picture = editSample(samples);
	const latent = images.latents[picture]!;
	const mask = presetMask(DEFAULT_MASK, pipeline.manifest.latent.size);
	const strengths = [...EDIT_STRENGTHS];
	// Build-time timings say nothing about the reader's browser.
	const untimed = (results: EditResult[]) => results.map((r) => ({ ...r, ms: null }));
	const edits: EditEntry[] = [
		{
			key: editKey(trace.settings, `sample:${picture}`, null),
			results: untimed(await editPicture(m, {}, { latent }, strengths, [DEFAULT_STRENGTH]))
		},
		{
			key: editKey(trace.settings, `sample:${picture}`, DEFAULT_MASK),
			results: untimed(await editPicture(m, {}, { latent, mask }, strengths, [1]))
		}
	];
	return {
		manifest: pipeline.manifest,
		trace,
		x0Images,
		student,
		grid,
		samplerGrid,
		samples,
		images,
		labels: await encodeTexts(m, samples.labels),
		example: {
			sample,
			t,
			seed,
			result: await trainingExample(m, images.latents[sample]!, samples.labels[sample]!, t, seed)
		},
		edits
	};
}
