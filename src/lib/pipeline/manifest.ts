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
}

export type SchedulerName = 'ddim' | 'euler';
