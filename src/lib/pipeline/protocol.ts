/** Messages between the page and the inference worker. */
import type { DownloadProgress } from './files';
import type { StepTrace, Trace } from './generate';
import type { BackendChoice, LoadReport } from './load';
import type { Manifest } from './manifest';
import type { GenerationSettings } from './settings';

export type ToWorker =
	| { kind: 'load'; baseUrl: string; backend: BackendChoice; wasmPaths?: string; threads?: number }
	| { kind: 'generate'; id: number; settings: Partial<GenerationSettings>; decodeSteps?: boolean }
	| { kind: 'cancel'; id: number }
	| { kind: 'decode'; id: number; latent: Float32Array };

export type FromWorker =
	| { kind: 'progress'; progress: DownloadProgress }
	| { kind: 'ready'; report: LoadReport; manifest: Manifest }
	| { kind: 'step'; id: number; step: StepTrace; of: number; x0Image?: Float32Array }
	| { kind: 'done'; id: number; trace: Trace }
	| { kind: 'decoded'; id: number; image: Float32Array }
	| { kind: 'cancelled'; id: number }
	| { kind: 'error'; id?: number; message: string; file?: string };
