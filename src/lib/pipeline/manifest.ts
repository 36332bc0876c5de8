/** The shape of static/models/manifest.json, written by training/export.py. */

export interface TensorInfo {
	name: string;
	dtype: string;
	shape: (number | string)[];
}

export interface FileInfo {
	path: string;
	bytes: number;
	sha256: string;
	inputs?: TensorInfo[];
	outputs?: TensorInfo[];
}

export interface NoiseSchedule {
	num_train_timesteps: number;
	beta_schedule: string;
	beta_start: number;
	beta_end: number;
	prediction_type: 'epsilon';
	timestep_spacing: 'trailing';
	alphas_cumprod: number[];
}

/** The teacher (the U-Net trained on the data) and the student distilled from it. */
export type ModelName = 'teacher' | 'student';

export interface ModelEntry {
	/** The key of its U-Net graph in `files`. */
	unet: string;
	/** The steps and guidance it samples with by default. */
	steps: number;
	guidance: number;
	channels: number;
	params: number;
	distilled_from?: ModelName;
	method?: string;
	minutes?: number;
	/**
	 * Progressive distillation rounds, in training order: each learns to make in one step the
	 * jump that `from` (sampled in `from_steps` steps) makes in two.
	 */
	rounds?: {
		steps: number;
		from: ModelName;
		from_steps: number;
		train_steps: number;
		minutes: number;
	}[];
}

export interface Manifest {
	name: string;
	version: number;
	files: Record<string, FileInfo>;
	image: { size: number; channels: number; range: [number, number] };
	latent: { channels: number; size: number; scale_factor: number };
	text: { context_length: number; hidden_size: number; embed_dim: number; vocab_size: number };
	schedule: NoiseSchedule;
	sampler: {
		default: SchedulerName;
		available: SchedulerName[];
		steps: number;
		guidance: number;
		seed: number;
		prompt: string;
	};
	/** Absent in folders exported before the student existed: the teacher is `files.unet`. */
	models?: Partial<Record<ModelName, ModelEntry>>;
	/** The model card's measurements (training/evaluate.py). */
	metrics?: {
		generation?: GenerationMetric;
		student?: { generation: GenerationMetric; steps: number };
	};
}

/** Own caption retrieved among 100 by our CLIP, in percent. */
export interface GenerationMetric {
	top5_of_100: number;
	top1_of_100: number;
}

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

export type SchedulerName = 'ddim' | 'euler';
