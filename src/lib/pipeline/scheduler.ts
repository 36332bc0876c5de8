/**
 * Samplers with the shape of diffusers' schedulers: `setTimesteps(n)`, then for each step
 * `scaleModelInput` before the U-Net and `step` after it. Driven only by the manifest's
 * noise schedule; mirrors training/schedule.py (the golden tensors tie them together).
 */
import type { NoiseSchedule, SchedulerName } from './manifest';

export interface StepResult {
	/** The latent handed to the next step (the final latent after the last step). */
	next: Float32Array;
	/** The scheduler's estimate of the clean latent at this step. */
	x0: Float32Array;
	/** The numbers this step used, for the explainer to show. */
	coefficients: Record<string, number>;
}

export interface Scheduler {
	readonly name: SchedulerName;
	readonly timesteps: number[];
	/** Factor applied to the starting Gaussian noise. */
	readonly initNoiseSigma: number;
	setTimesteps(steps: number): void;
	/** What the U-Net sees at step i, given the scheduler's latent. */
	scaleModelInput(x: Float32Array, i: number): Float32Array;
	step(eps: Float32Array, i: number, x: Float32Array): StepResult;
}

/** "Trailing" spacing: starts at t = T - 1, where the latent is almost pure noise. */
export function trailingTimesteps(T: number, steps: number): number[] {
	const ratio = T / steps;
	return Array.from({ length: steps }, (_, i) => roundHalfEven(T - i * ratio) - 1);
}

/** Halves go to the even neighbour, as in Python and NumPy (training/schedule.py, diffusers). */
function roundHalfEven(v: number): number {
	const r = Math.round(v);
	return v % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** DDIM with eta = 0: deterministic, x0 from the noise estimate, then re-noised to t_next. */
export class DDIMScheduler implements Scheduler {
	readonly name = 'ddim';
	timesteps: number[] = [];
	readonly initNoiseSigma = 1;

	constructor(private schedule: NoiseSchedule) {}

	setTimesteps(steps: number) {
		this.timesteps = trailingTimesteps(this.schedule.num_train_timesteps, steps);
	}

	scaleModelInput(x: Float32Array): Float32Array {
		return x;
	}

	step(eps: Float32Array, i: number, x: Float32Array): StepResult {
		const abar = this.schedule.alphas_cumprod;
		const t = this.timesteps[i]!;
		const tNext = this.timesteps[i + 1];
		const aT = abar[t]!;
		const aNext = tNext === undefined ? 1 : abar[tNext]!;
		// x0 = (x - sqrt(1 - abar_t) eps) / sqrt(abar_t)
		// next = sqrt(abar_next) x0 + sqrt(1 - abar_next) eps
		const cNoise = Math.fround(Math.sqrt(1 - aT));
		const cSignal = Math.fround(Math.sqrt(aT));
		const cNextSignal = Math.fround(Math.sqrt(aNext));
		const cNextNoise = Math.fround(Math.sqrt(1 - aNext));
		const x0 = new Float32Array(x.length);
		const next = new Float32Array(x.length);
		for (let k = 0; k < x.length; k++) {
			x0[k] = Math.fround(x[k]! - Math.fround(cNoise * eps[k]!)) / cSignal;
			next[k] = Math.fround(cNextSignal * x0[k]!) + Math.fround(cNextNoise * eps[k]!);
		}
		return {
			next,
			x0,
			coefficients: {
				t,
				t_next: tNext ?? -1,
				alpha_bar: aT,
				alpha_bar_next: aNext,
				sqrt_alpha_bar: cSignal,
				sqrt_one_minus_alpha_bar: cNoise,
				sqrt_alpha_bar_next: cNextSignal,
				sqrt_one_minus_alpha_bar_next: cNextNoise
			}
		};
	}
}

/**
 * Euler (diffusers' EulerDiscreteScheduler without added noise). It works on x / sqrt(abar),
 * whose noise level is sigma = sqrt((1 - abar) / abar); the last step goes to sigma = 0.
 */
export class EulerScheduler implements Scheduler {
	readonly name = 'euler';
	timesteps: number[] = [];
	private sigmas: number[] = [];

	constructor(private schedule: NoiseSchedule) {}

	get initNoiseSigma(): number {
		return Math.sqrt(this.sigmas[0]! ** 2 + 1);
	}

	setTimesteps(steps: number) {
		this.timesteps = trailingTimesteps(this.schedule.num_train_timesteps, steps);
		const abar = this.schedule.alphas_cumprod;
		this.sigmas = [...this.timesteps.map((t) => Math.sqrt((1 - abar[t]!) / abar[t]!)), 0];
	}

	scaleModelInput(x: Float32Array, i: number): Float32Array {
		const c = Math.fround(Math.sqrt(this.sigmas[i]! ** 2 + 1));
		return x.map((v) => v / c);
	}

	step(eps: Float32Array, i: number, x: Float32Array): StepResult {
		const sigma = this.sigmas[i]!;
		const sigmaNext = this.sigmas[i + 1]!;
		const s = Math.fround(sigma);
		const dt = Math.fround(sigmaNext - sigma);
		const x0 = new Float32Array(x.length);
		const next = new Float32Array(x.length);
		for (let k = 0; k < x.length; k++) {
			x0[k] = x[k]! - Math.fround(s * eps[k]!);
			next[k] = x[k]! + Math.fround(eps[k]! * dt);
		}
		return {
			next,
			x0,
			coefficients: { t: this.timesteps[i]!, sigma, sigma_next: sigmaNext, dt: sigmaNext - sigma }
		};
	}
}

export function createScheduler(name: SchedulerName, schedule: NoiseSchedule): Scheduler {
	if (name === 'ddim') return new DDIMScheduler(schedule);
	if (name === 'euler') return new EulerScheduler(schedule);
	throw new Error(`unknown scheduler ${String(name)}`);
}

/** Classifier-free guidance: eps = eps_uncond + s (eps_cond - eps_uncond). */
export function guide(uncond: Float32Array, cond: Float32Array, scale: number): Float32Array {
	const s = Math.fround(scale);
	const out = new Float32Array(cond.length);
	for (let k = 0; k < cond.length; k++)
		out[k] = uncond[k]! + Math.fround(s * Math.fround(cond[k]! - uncond[k]!));
	return out;
}
