/**
 * The first-paint file: everything the chapters show for the default prompt and the sample
 * images, computed by this same pipeline at build time (src/routes/first-paint.bin), so
 * the page is complete before, and without, the live model.
 */
import {
	encodeImages,
	encodeTexts,
	trainingExample,
	type ExplainerModel,
	type ImageCodes,
	type TextCodes,
	type TrainingExample
} from './explainer';
import type { Trace } from './generate';
import { gridPlan, type GridCell } from './grid';
import type { Manifest } from './manifest';
import type { SampleSet } from './samples';

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
	const images = await encodeImages(m, samples.pixels);
	const { sample, t, seed } = EXAMPLE_DEFAULTS;
	return {
		manifest: pipeline.manifest,
		trace,
		x0Images,
		student,
		grid,
		samples,
		images,
		labels: await encodeTexts(m, samples.labels),
		example: {
			sample,
			t,
			seed,
			result: await trainingExample(m, images.latents[sample]!, samples.labels[sample]!, t, seed)
		}
	};
}
