/** Messages between the page and the inference worker. */
import type { StepTrace } from './generate';
import type { BackendChoice, LoadProgress, LoadReport } from './load';
import type { Manifest, ModelName } from './manifest';
import type { Request } from './results';
import type { RuntimeBuild } from './runtime';

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
	/** Compute one declared result (results.ts). */
	| { kind: 'run'; id: number; request: Request }
	| { kind: 'cancel'; id: number };

export type FromWorker =
	| { kind: 'progress'; progress: LoadProgress }
	| { kind: 'ready'; report: LoadReport; manifest: Manifest }
	/** A generation's step as it comes (only generations report steps). */
	| { kind: 'step'; id: number; step: StepTrace; of: number; x0Image?: Float32Array }
	| { kind: 'result'; id: number; value: unknown }
	| { kind: 'cancelled'; id: number }
	| { kind: 'error'; id?: number; message: string; file?: string };
