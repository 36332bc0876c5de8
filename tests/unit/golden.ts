/** Reads the golden tensors that training/export/golden.py wrote next to the model. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Manifest, ModelName, SchedulerName } from '../../src/lib/pipeline/manifest';
import type { TimestepSpacing } from '../../src/lib/pipeline/scheduler';

export const modelsDir = resolve(process.env.MODELS_DIR ?? 'static/models');
export const hasModels = existsSync(join(modelsDir, 'manifest.json'));
/** Folders exported before the samplers' golden cases existed have none. */
export const hasSamplerGolden = hasModels && existsSync(join(modelsDir, 'golden_samplers.json'));

export interface GoldenCase {
	/** Absent in the teacher's cases. */
	model?: ModelName;
	prompt: string;
	seed: number;
	steps: number;
	guidance: number;
	scheduler: SchedulerName;
	/** Absent: trailing. */
	spacing?: TimestepSpacing;
	/** Image-to-image and inpainting cases (golden_samplers): tensors.source_latent is the picture. */
	strength?: number;
	/** 8 x 8 latent cells, row-major: 1 repaint, 0 keep. */
	mask?: number[];
	input_ids: number[];
	attention_mask: number[];
	timesteps: number[];
	/** Each step's coefficients, as training/schedule.py's samplers give them (golden_samplers). */
	coefficients?: Record<string, number>[];
	tensors: Record<string, string>;
}

export interface Golden {
	cases: GoldenCase[];
	gaussian: Record<string, string>;
	probe: Record<string, string>;
	probe_label: string;
	tokenizer: { text: string; ids: number[]; mask: number[] }[];
	tensors: Record<string, { offset: number; dtype: string; shape: number[] }>;
}

/**
 * `golden` holds the teacher's cases and the rest; `golden_student` the student's cases;
 * `golden_samplers` the teacher's short runs with the other samplers and SD v1's spacing.
 */
export function loadGolden(name: 'golden' | 'golden_student' | 'golden_samplers' = 'golden') {
	const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as Manifest;
	const golden = JSON.parse(readFileSync(join(modelsDir, `${name}.json`), 'utf8')) as Golden;
	const bin = readFileSync(join(modelsDir, `${name}.bin`));
	const tensor = (key: string): Float32Array => {
		const e = golden.tensors[key];
		if (!e) throw new Error(`no golden tensor ${key}`);
		const n = e.shape.reduce((a, b) => a * b, 1);
		return new Float32Array(
			bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + 4 * n)
		);
	};
	/** Step i of a [steps, ...] tensor. */
	const at = (key: string, i: number): Float32Array => {
		const all = tensor(key);
		const n = all.length / golden.tensors[key]!.shape[0]!;
		return all.slice(i * n, (i + 1) * n);
	};
	return { manifest, golden, tensor, at };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
	return m;
}
