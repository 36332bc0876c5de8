/** Messages between the page and the inference worker. */
import type { EditResult, ImageCodes, TextCodes, TrainingExample } from './explainer';
import type { StepTrace, Trace } from './generate';
import type { BackendChoice, LoadProgress, LoadReport } from './load';
import type { Manifest, ModelName } from './manifest';
import type { RuntimeBuild } from './runtime';
import type { EditSettings, GenerationSettings } from './settings';

/** The chapters' own model calls (see explainer.ts), and what each returns. */
export type ExplainRequest =
	| { op: 'images'; pixels: Float32Array[] }
	| { op: 'texts'; texts: string[] }
	| { op: 'example'; latent: Float32Array; caption: string; t: number; seed: number }
	| {
			op: 'edit';
			settings: Partial<GenerationSettings>;
			edit: Omit<EditSettings, 'strength'>;
			strengths: number[];
			detailed: number[];
	  }
	/** Latents through the VAE decoder: the steps' estimates a generation did not decode. */
	| { op: 'decode'; latents: Float32Array[] };
export interface ExplainResult {
	images: ImageCodes;
	texts: TextCodes;
	example: TrainingExample;
	edit: EditResult[];
	decode: Float32Array[];
}

export type ToWorker =
	| {
			kind: 'load';
			baseUrl: string;
			backend: BackendChoice;
			wasmPaths?: string;
			runtimeBytes?: Partial<Record<RuntimeBuild, number>>;
			threads?: number;
			/** The model the page shows first: its U-Net loads first. */
			first?: ModelName;
	  }
	| {
			kind: 'generate';
			id: number;
			settings: Partial<GenerationSettings>;
			/** Decode steps' estimates while the loop runs (worker.ts FORMING_EVERY_MS says which). */
			decodeSteps?: boolean;
	  }
	| { kind: 'cancel'; id: number }
	| { kind: 'explain'; id: number; request: ExplainRequest };

export type FromWorker =
	| { kind: 'progress'; progress: LoadProgress }
	| { kind: 'ready'; report: LoadReport; manifest: Manifest }
	| { kind: 'step'; id: number; step: StepTrace; of: number; x0Image?: Float32Array }
	| { kind: 'done'; id: number; trace: Trace }
	| { kind: 'explained'; id: number; value: ExplainResult[keyof ExplainResult] }
	| { kind: 'cancelled'; id: number }
	| { kind: 'error'; id?: number; message: string; file?: string };
