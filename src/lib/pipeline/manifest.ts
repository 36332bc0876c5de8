/**
 * The shape of static/models/manifest.json, written by training/export. Its JSON Schema,
 * manifest.schema.json, is the one description of that file: the export checks what it writes
 * against it, and manifest-schema.ts fails `npm run check` where this type and the schema differ.
 */

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
	/** The first training stage's batch; the minutes the teacher spent drawing the paths. */
	batch?: number | null;
	path_minutes?: number;
	/** Each training stage, oldest first (a GPU run, then a fine-tune, say). */
	training?: TrainingStage[];
	/** The checkpoint it was exported from. */
	checkpoint?: string;
}

/** One stage of a distilled model's training (training/distill.py); null: not recorded. */
export interface TrainingStage {
	device: string;
	steps: number;
	batch: number | null;
	lr: number | null;
	minutes: number;
	paths: number | null;
	path_minutes: number | null;
	/** How often 1, 2, 4 and 8 steps were trained. */
	step_weights: number[];
}

export interface Manifest {
	name: string;
	version: number;
	/** Exported by CI's smoke run (a few training steps). */
	smoke: boolean;
	files: Record<string, FileInfo>;
	image: { size: number; channels: number; range: [number, number] };
	latent: { channels: number; size: number; scale_factor: number };
	text: {
		context_length: number;
		hidden_size: number;
		embed_dim: number;
		vocab_size: number;
		tokenizer: string;
	};
	schedule: NoiseSchedule;
	sampler: {
		default: SchedulerName;
		available: SchedulerName[];
		steps: number;
		guidance: number;
		seed: number;
		prompt: string;
	};
	noise: { generator: string };
	weights: string;
	/** The teacher U-Net's training. */
	training: { unet_steps: number; unet_minutes: number; min_snr_gamma?: number };
	/** Absent in folders exported before the student existed: the teacher is `files.unet`. */
	models?: Partial<Record<ModelName, ModelEntry>>;
	/** The model card's measurements (training/evaluate.py). */
	metrics?: {
		vae?: { psnr_db: number; psnr_median_db: number; images: number };
		clip?: { 'r@1': number; 'r@5': number; 'r@10': number; images: number; captions: number };
		generation?: GenerationMetric;
		/** Model x steps, on held-out images' names, two seeds each (training/quality.py). */
		grid?: GridRow[];
		/** The teacher's samplers x steps, on the same prompts (training/quality.py). */
		samplers?: SamplerRow[];
	};
}

/** Own caption retrieved among 100 by our CLIP, in percent. */
export interface GenerationMetric {
	top5_of_100: number;
	top1_of_100: number;
	captions: number;
}

/**
 * One model at one step count, measured on the names of held-out images (training captions)
 * with fixed seeds: caption retrieval among all captions (percent), KID to the real held-out
 * images on CLIP image features (x1000, with its standard error), and the median PSNR against
 * the teacher's 25-step image (dB; absent for that image itself). Intervals (95%) and the
 * standard error come from a cluster bootstrap over names.
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
	/** Milliseconds in Chromium (`npm run bench`); null: not measured. */
	ms_chromium?: number | null;
}

/** One sampler of the teacher at one step count, measured as a GridRow (PSNR against DDIM's 25 steps). */
export interface SamplerRow extends Omit<GridRow, 'model' | 'top5_of_100' | 'ms_chromium'> {
	sampler: SchedulerName;
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

/**
 * The samplers (src/lib/pipeline/scheduler.ts): DDIM, Euler, Euler ancestral, DDPM and
 * DPM-Solver++ (2M).
 */
/** Every sampler the pipeline implements (scheduler.ts), in the order menus list them. */
export const SCHEDULER_NAMES = ['ddim', 'euler', 'euler_a', 'ddpm', 'dpmpp_2m'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
