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
	 * Guidance folded into the model (the distilled student): one run per step at batch 1,
	 * with the guidance scale and the step count as inputs, instead of two runs mixed outside.
	 */
	guidance_input?: boolean;
	/** The step counts it was trained for (the step count is one of its inputs). */
	step_counts?: number[];
	/** The guidance scales it learned; others are clamped into this range. */
	guidance_range?: [number, number];
	/** What its network predicts inside; the graph's output is always the noise. */
	parameterization?: 'epsilon' | 'v';
	/** How it learned: the teacher's guided DDIM paths on this grid, `paths` of them. */
	teacher_steps?: number;
	paths?: number;
	train_steps?: number;
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
		/** Model x steps, on held-out prompts (training/quality.py). */
		grid?: GridRow[];
	};
}

/** Own caption retrieved among 100 by our CLIP, in percent. */
export interface GenerationMetric {
	top5_of_100: number;
	top1_of_100: number;
}

/**
 * One model at one step count, measured on held-out prompts with fixed seeds: caption
 * retrieval among all captions (percent, 95% interval), KID to real held-out images on CLIP
 * image features (x1000, with its standard error), and the median PSNR against the
 * teacher's 25-step image (dB, 95% interval; absent for that image itself).
 */
export interface GridRow {
	model: ModelName;
	steps: number;
	unet_runs: number;
	images: number;
	captions: number;
	top1_of_all: number;
	top1_ci: [number, number];
	top5_of_all: number;
	top5_ci: [number, number];
	kid_x1000: number;
	kid_se_x1000: number;
	psnr_vs_teacher25_db?: number;
	psnr_ci?: [number, number];
	top5_of_100?: number;
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
