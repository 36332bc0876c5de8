/**
 * The shape of static/models/manifest.json, written by training/export: derived from its JSON
 * Schema (manifest.schema.json, read here as the literal manifest-schema-literal.ts), the one
 * description of that file; the export checks what it writes against the same schema. The
 * fields' meanings are the schema's `description`s.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { manifestSchema } from './manifest-schema-literal';
import { SCHEDULER_NAMES } from './manifest-schema-literal';

export type Manifest = FromSchema<typeof manifestSchema>;
type Metrics = NonNullable<Manifest['metrics']>;

export type FileInfo = Manifest['files'][string];
export type TensorInfo = NonNullable<FileInfo['inputs']>[number];
export type NoiseSchedule = Manifest['schedule'];
/** The teacher (the U-Net trained on the data) and the student distilled from it. */
export type ModelName = keyof NonNullable<Manifest['models']>;
export type ModelEntry = NonNullable<NonNullable<Manifest['models']>[ModelName]>;
/** One stage of a distilled model's training (training/distill.py); null: not recorded. */
export type TrainingStage = NonNullable<ModelEntry['training']>[number];
/** Own caption retrieved among 100 by our CLIP, in percent. */
export type GenerationMetric = NonNullable<Metrics['generation']>;
/**
 * One model at one step count, measured on the names of held-out images (training captions)
 * with fixed seeds: caption retrieval among all captions (percent), KID to the real held-out
 * images on CLIP image features (x1000, with its standard error), and the median PSNR against
 * the teacher's 25-step image (dB; absent for that image itself). Intervals (95%) and the
 * standard error come from a cluster bootstrap over names.
 */
export type GridRow = NonNullable<Metrics['grid']>[number];
/** One sampler of the teacher at one step count, measured as a GridRow (PSNR against DDIM's 25 steps). */
export type SamplerRow = NonNullable<Metrics['samplers']>[number];

/** A model's U-Net file key and sampling defaults, from the manifest. */
export function modelEntry(m: Manifest, name: ModelName): ModelEntry | undefined {
	const entry = m.models?.[name];
	if (entry) return entry;
	if (name === 'teacher')
		return {
			unet: 'unet',
			steps: m.sampler.steps,
			guidance: m.sampler.guidance,
			channels: 0,
			params: 0
		};
	return undefined;
}

/** Every sampler the pipeline implements (scheduler.ts), in the order menus list them: the schema's. */
export { SCHEDULER_NAMES };
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
