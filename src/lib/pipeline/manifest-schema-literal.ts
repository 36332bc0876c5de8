// Generated from manifest.schema.json by `node scripts/manifest-schema.mjs`: do not edit.
// The schema as a literal, for json-schema-to-ts (manifest.ts derives the Manifest type from
// it), and its definitions' enums; the JSON file is the one the export and the tests read.

export const manifestSchema = {
	$schema: 'http://json-schema.org/draft-07/schema#',
	title: 'static/models/manifest.json',
	description:
		"The exported model's manifest, written by training/export (checked against this schema there) and read by the site (src/lib/pipeline/manifest.ts derives its Manifest type from this schema).",
	type: 'object',
	properties: {
		name: { type: 'string' },
		version: { type: 'integer' },
		smoke: { type: 'boolean', description: "Exported by CI's smoke run (a few training steps)." },
		files: {
			type: 'object',
			description:
				'Every exported file by key: its path under the folder, size and hash; ONNX graphs also list their inputs and outputs.',
			additionalProperties: { $ref: '#/definitions/FileInfo' }
		},
		image: {
			type: 'object',
			properties: {
				size: { type: 'integer' },
				channels: { type: 'integer' },
				range: { $ref: '#/definitions/Pair' }
			},
			required: ['size', 'channels', 'range'],
			additionalProperties: false
		},
		latent: {
			type: 'object',
			properties: {
				channels: { type: 'integer' },
				size: { type: 'integer' },
				scale_factor: { type: 'number' }
			},
			required: ['channels', 'size', 'scale_factor'],
			additionalProperties: false
		},
		text: {
			type: 'object',
			properties: {
				context_length: { type: 'integer' },
				hidden_size: { type: 'integer' },
				embed_dim: { type: 'integer' },
				vocab_size: { type: 'integer' },
				tokenizer: { type: 'string' }
			},
			required: ['context_length', 'hidden_size', 'embed_dim', 'vocab_size', 'tokenizer'],
			additionalProperties: false
		},
		schedule: {
			type: 'object',
			properties: {
				num_train_timesteps: { type: 'integer' },
				beta_schedule: { type: 'string' },
				beta_start: { type: 'number' },
				beta_end: { type: 'number' },
				prediction_type: { const: 'epsilon' },
				timestep_spacing: { const: 'trailing' },
				alphas_cumprod: { type: 'array', items: { type: 'number' } }
			},
			required: [
				'num_train_timesteps',
				'beta_schedule',
				'beta_start',
				'beta_end',
				'prediction_type',
				'timestep_spacing',
				'alphas_cumprod'
			],
			additionalProperties: false
		},
		sampler: {
			type: 'object',
			properties: {
				default: { $ref: '#/definitions/SchedulerName' },
				available: { type: 'array', items: { $ref: '#/definitions/SchedulerName' } },
				steps: { type: 'integer' },
				guidance: { type: 'number' },
				seed: { type: 'integer' },
				prompt: { type: 'string' }
			},
			required: ['default', 'available', 'steps', 'guidance', 'seed', 'prompt'],
			additionalProperties: false
		},
		noise: {
			type: 'object',
			properties: { generator: { type: 'string' } },
			required: ['generator'],
			additionalProperties: false
		},
		weights: { type: 'string' },
		training: {
			type: 'object',
			description: "The teacher U-Net's training.",
			properties: {
				unet_steps: { type: 'integer' },
				unet_minutes: { type: 'number' },
				min_snr_gamma: {
					type: 'number',
					description: "The min-SNR loss weighting's gamma (training/config.py MIN_SNR)."
				}
			},
			required: ['unet_steps', 'unet_minutes'],
			additionalProperties: false
		},
		models: {
			type: 'object',
			description:
				'Absent in folders exported before the student existed: the teacher is files.unet.',
			properties: {
				teacher: { $ref: '#/definitions/ModelEntry' },
				student: { $ref: '#/definitions/ModelEntry' }
			},
			additionalProperties: false
		},
		metrics: {
			type: 'object',
			description:
				"The model card's measurements (training/evaluate.py); absent before the evaluation.",
			properties: {
				vae: {
					type: 'object',
					properties: {
						psnr_db: { type: 'number' },
						psnr_median_db: { type: 'number' },
						images: { type: 'integer' }
					},
					required: ['psnr_db', 'psnr_median_db', 'images'],
					additionalProperties: false
				},
				clip: {
					type: 'object',
					properties: {
						'r@1': { type: 'number' },
						'r@5': { type: 'number' },
						'r@10': { type: 'number' },
						images: { type: 'integer' },
						captions: { type: 'integer' }
					},
					required: ['r@1', 'r@5', 'r@10', 'images', 'captions'],
					additionalProperties: false
				},
				generation: {
					type: 'object',
					properties: {
						top5_of_100: { type: 'number' },
						top1_of_100: { type: 'number' },
						captions: { type: 'integer' }
					},
					required: ['top5_of_100', 'top1_of_100', 'captions'],
					additionalProperties: false
				},
				grid: { type: 'array', items: { $ref: '#/definitions/GridRow' } },
				samplers: {
					type: 'array',
					description:
						"The teacher with each sampler at each step count, on the grid's generations for held-out images' names (training/quality.py sampler_table).",
					items: { $ref: '#/definitions/SamplerRow' }
				}
			},
			additionalProperties: false
		}
	},
	required: [
		'name',
		'version',
		'smoke',
		'files',
		'image',
		'latent',
		'text',
		'schedule',
		'sampler',
		'noise',
		'weights',
		'training'
	],
	additionalProperties: false,
	definitions: {
		Pair: {
			type: 'array',
			items: [{ type: 'number' }, { type: 'number' }],
			minItems: 2,
			additionalItems: false
		},
		SchedulerName: { enum: ['ddim', 'euler', 'euler_a', 'ddpm', 'dpmpp_2m'] },
		ModelName: { enum: ['teacher', 'student'] },
		TensorInfo: {
			type: 'object',
			properties: {
				name: { type: 'string' },
				dtype: { type: 'string' },
				shape: { type: 'array', items: { type: ['integer', 'string'] } }
			},
			required: ['name', 'dtype', 'shape'],
			additionalProperties: false
		},
		FileInfo: {
			type: 'object',
			properties: {
				path: { type: 'string' },
				bytes: { type: 'integer', minimum: 0 },
				sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
				inputs: { type: 'array', items: { $ref: '#/definitions/TensorInfo' } },
				outputs: { type: 'array', items: { $ref: '#/definitions/TensorInfo' } }
			},
			required: ['path', 'bytes', 'sha256'],
			additionalProperties: false
		},
		ModelEntry: {
			type: 'object',
			properties: {
				unet: { type: 'string', description: 'The key of its U-Net graph in files.' },
				steps: { type: 'integer' },
				guidance: { type: 'number' },
				channels: { type: 'integer' },
				params: { type: 'integer' },
				distilled_from: { $ref: '#/definitions/ModelName' },
				method: { type: 'string' },
				minutes: { type: 'number' },
				guidance_input: { type: 'boolean' },
				step_counts: { type: 'array', items: { type: 'integer' } },
				guidance_range: { $ref: '#/definitions/Pair' },
				parameterization: { enum: ['epsilon', 'v'] },
				teacher_steps: { type: 'integer' },
				paths: { type: 'integer' },
				train_steps: { type: 'integer' },
				batch: { type: ['integer', 'null'] },
				path_minutes: { type: 'number' },
				training: { type: 'array', items: { $ref: '#/definitions/TrainingStage' } },
				checkpoint: { type: 'string' }
			},
			required: ['unet', 'steps', 'guidance', 'channels', 'params'],
			additionalProperties: false
		},
		TrainingStage: {
			type: 'object',
			description: "One stage of a distilled model's training, oldest first (training/distill.py).",
			properties: {
				device: { type: 'string' },
				steps: { type: 'integer' },
				batch: { type: ['integer', 'null'] },
				lr: { type: ['number', 'null'] },
				minutes: { type: 'number' },
				paths: { type: ['integer', 'null'] },
				path_minutes: { type: ['number', 'null'] },
				step_weights: { type: 'array', items: { type: 'number' } }
			},
			required: [
				'device',
				'steps',
				'batch',
				'lr',
				'minutes',
				'paths',
				'path_minutes',
				'step_weights'
			],
			additionalProperties: false
		},
		SamplerRow: {
			type: 'object',
			properties: {
				sampler: { $ref: '#/definitions/SchedulerName' },
				steps: { type: 'integer' },
				unet_runs: { type: 'integer' },
				images: { type: 'integer' },
				captions: { type: 'integer' },
				top1_of_all: { type: 'number' },
				top1_ci: { $ref: '#/definitions/Pair' },
				top5_of_all: { type: 'number' },
				top5_ci: { $ref: '#/definitions/Pair' },
				kid_x1000: { type: 'number' },
				kid_se_x1000: { type: 'number' },
				psnr_vs_teacher25_db: { type: 'number' },
				psnr_ci: { $ref: '#/definitions/Pair' }
			},
			required: [
				'sampler',
				'steps',
				'unet_runs',
				'images',
				'captions',
				'top1_of_all',
				'top1_ci',
				'top5_of_all',
				'top5_ci',
				'kid_x1000',
				'kid_se_x1000'
			],
			additionalProperties: false
		},
		GridRow: {
			type: 'object',
			properties: {
				model: { $ref: '#/definitions/ModelName' },
				steps: { type: 'integer' },
				unet_runs: { type: 'integer' },
				images: { type: 'integer' },
				captions: { type: 'integer' },
				top1_of_all: { type: 'number' },
				top1_ci: { $ref: '#/definitions/Pair' },
				top5_of_all: { type: 'number' },
				top5_ci: { $ref: '#/definitions/Pair' },
				kid_x1000: { type: 'number' },
				kid_se_x1000: { type: 'number' },
				psnr_vs_teacher25_db: { type: 'number' },
				psnr_ci: { $ref: '#/definitions/Pair' },
				top5_of_100: { type: 'number' },
				ms_chromium: { type: ['number', 'null'] }
			},
			required: [
				'model',
				'steps',
				'unet_runs',
				'images',
				'captions',
				'top1_of_all',
				'top1_ci',
				'top5_of_all',
				'top5_ci',
				'kid_x1000',
				'kid_se_x1000'
			],
			additionalProperties: false
		}
	}
} as const;

export const SCHEDULER_NAMES = ['ddim', 'euler', 'euler_a', 'ddpm', 'dpmpp_2m'] as const;
export const MODEL_NAMES = ['teacher', 'student'] as const;
