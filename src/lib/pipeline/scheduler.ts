/**
 * Samplers with the shape of diffusers' schedulers: `setTimesteps(n)`, then for each step
 * `scaleModelInput` before the U-Net and `step` after it. Driven only by the manifest's
 * noise schedule; mirrors training/schedule.py (the golden tensors tie them together).
 *
 * DDIM and Euler add no noise; Euler ancestral and DDPM add fresh noise at every step, drawn
 * from the project's seeded Gaussian (see `stepNoiseSeed`), so a seed still gives one image;
 * DPM-Solver++ (2M) reuses the previous step's estimate for a second-order step.
 */
import { seededNoise } from './gaussian';
import type { NoiseSchedule, SchedulerName } from './manifest';

export interface StepResult {
	/** The latent handed to the next step (the final latent after the last step). */
	next: Float32Array;
	/** The scheduler's estimate of the clean latent at this step. */
	x0: Float32Array;
	/** The numbers this step used, for the explainer to show. */
	coefficients: Record<string, number>;
	/** The fresh noise this step added (unscaled), for the samplers that add any. */
	noise?: Float32Array;
}

/**
 * Which timesteps a run visits (`timestepsFor`):
 * - 'trailing' (ours, the default): evenly from the very top, t = T - 1 = 999, where the
 *   latent is almost pure noise; DDIM's last step goes to abar = 1, a clean latent.
 * - 'leading': Stable Diffusion v1's shipped scheduler config (diffusers' scheduler_config.json
 *   of CompVis/stable-diffusion-v1-4 and runwayml/stable-diffusion-v1-5: timestep_spacing
 *   "leading", steps_offset 1, set_alpha_to_one false, beta_schedule "scaled_linear" from
 *   0.00085 to 0.012 over 1000 steps): multiples of T / n rounded down, plus 1, so 25 steps
 *   start at t = 961 and end at t = 1, never 999; DDIM's last step stops at abar_0
 *   (set_alpha_to_one=False), a hair short of clean. The other samplers' last step goes to a
 *   clean latent either way, as in diffusers (only DDIM has set_alpha_to_one).
 *   diffusers' DPMSolverMultistepScheduler alone spaces "leading" by T / (n + 1) (25 steps
 *   from t = 951); here every sampler uses the one spacing above.
 */
export type TimestepSpacing = 'trailing' | 'leading';
export const SPACINGS: readonly TimestepSpacing[] = ['trailing', 'leading'];

export interface SchedulerOptions {
	/** Default 'trailing'. */
	spacing?: TimestepSpacing;
	/** The generation's seed: where the stochastic samplers' per-step noise comes from. */
	seed?: number;
}

export interface Scheduler {
	readonly name: SchedulerName;
	readonly timesteps: number[];
	/** Factor applied to the starting Gaussian noise. */
	readonly initNoiseSigma: number;
	setTimesteps(steps: number): void;
	/** What the U-Net sees at step i, given the scheduler's latent. */
	scaleModelInput(x: Float32Array, i: number): Float32Array;
	/**
	 * A clean latent at step i's noise level, in this scheduler's own space (where its steps
	 * start): image-to-image's start, inpainting's kept part. After the last step
	 * (i = timesteps.length): the clean latent itself.
	 */
	addNoise(x0: Float32Array, noise: Float32Array, i: number): Float32Array;
	step(eps: Float32Array, i: number, x: Float32Array): StepResult;
}

/** "Trailing" spacing: starts at t = T - 1, where the latent is almost pure noise. */
export function trailingTimesteps(T: number, steps: number): number[] {
	const ratio = T / steps;
	return Array.from({ length: steps }, (_, i) => roundHalfEven(T - i * ratio) - 1);
}

/** "Leading" spacing with steps_offset 1 (SD v1): multiples of floor(T / steps), plus 1. */
export function leadingTimesteps(T: number, steps: number): number[] {
	const ratio = Math.floor(T / steps);
	return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + 1);
}

export function timestepsFor(spacing: TimestepSpacing, T: number, steps: number): number[] {
	if (spacing === 'leading') return leadingTimesteps(T, steps);
	if (spacing === 'trailing') return trailingTimesteps(T, steps);
	throw new Error(`unknown timestep spacing ${String(spacing)}`);
}

/**
 * The seed of the fresh noise that step i (from 0) of a stochastic sampler adds:
 * (seed + 1 + i) mod 2^32. The starting noise has the generation's seed itself, so no step
 * repeats it, and the same seed gives the same image (training/schedule.py's step_noise_seed).
 */
export function stepNoiseSeed(seed: number, i: number): number {
	return (seed + 1 + i) >>> 0;
}

/** sqrt(abar_t) x0 + sqrt(1 - abar_t) noise at step i's timestep; x0 after the last step. */
function addNoiseAt(
	schedule: NoiseSchedule,
	timesteps: number[],
	x0: Float32Array,
	noise: Float32Array,
	i: number
): Float32Array {
	const t = timesteps[i];
	if (t === undefined) return x0.slice();
	const a = schedule.alphas_cumprod[t]!;
	return mix(x0, Math.sqrt(a), noise, Math.sqrt(1 - a));
}

/** a x + b y in float32, each product rounded as PyTorch's float32 kernels do. */
function mix(x: Float32Array, a: number, y: Float32Array, b: number): Float32Array {
	const [fa, fb] = [Math.fround(a), Math.fround(b)];
	const out = new Float32Array(x.length);
	for (let k = 0; k < x.length; k++) out[k] = Math.fround(fa * x[k]!) + Math.fround(fb * y[k]!);
	return out;
}

/** Halves go to the even neighbour, as in Python and NumPy (training/schedule.py, diffusers). */
function roundHalfEven(v: number): number {
	const r = Math.round(v);
	return v % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** DDIM with eta = 0: deterministic, x0 from the noise estimate, then re-noised to t_next. */
export class DDIMScheduler implements Scheduler {
	readonly name = 'ddim';
	/** What the prose and the menus call it, and a table's column head. */
	static readonly label: string = 'DDIM';
	static readonly short: string = 'DDIM';
	timesteps: number[] = [];
	readonly initNoiseSigma = 1;

	constructor(
		private schedule: NoiseSchedule,
		private spacing: TimestepSpacing = 'trailing'
	) {}

	setTimesteps(steps: number) {
		this.timesteps = timestepsFor(this.spacing, this.schedule.num_train_timesteps, steps);
	}

	scaleModelInput(x: Float32Array): Float32Array {
		return x;
	}

	addNoise(x0: Float32Array, noise: Float32Array, i: number): Float32Array {
		return addNoiseAt(this.schedule, this.timesteps, x0, noise, i);
	}

	step(eps: Float32Array, i: number, x: Float32Array): StepResult {
		const abar = this.schedule.alphas_cumprod;
		const t = this.timesteps[i]!;
		const tNext = this.timesteps[i + 1];
		const aT = abar[t]!;
		// After the last step: abar = 1 (trailing), or abar_0 (leading: set_alpha_to_one=False).
		const aFinal = this.spacing === 'leading' ? abar[0]! : 1;
		const aNext = tNext === undefined ? aFinal : abar[tNext]!;
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
	readonly name: SchedulerName = 'euler';
	/** What the prose and the menus call it, and a table's column head. */
	static readonly label: string = 'Euler';
	static readonly short: string = 'Euler';
	timesteps: number[] = [];
	protected sigmas: number[] = [];

	constructor(
		private schedule: NoiseSchedule,
		private spacing: TimestepSpacing = 'trailing'
	) {}

	get initNoiseSigma(): number {
		return Math.sqrt(this.sigmas[0]! ** 2 + 1);
	}

	setTimesteps(steps: number) {
		this.timesteps = timestepsFor(this.spacing, this.schedule.num_train_timesteps, steps);
		this.sigmas = [...this.timesteps.map((t) => eulerSigma(this.schedule, t)), 0];
	}

	scaleModelInput(x: Float32Array, i: number): Float32Array {
		const c = Math.fround(Math.sqrt(this.sigmas[i]! ** 2 + 1));
		return x.map((v) => v / c);
	}

	/** Euler's space is x / sqrt(abar): x0 + sigma noise. */
	addNoise(x0: Float32Array, noise: Float32Array, i: number): Float32Array {
		if (i >= this.timesteps.length) return x0.slice();
		const s = Math.fround(this.sigmas[i]!);
		return x0.map((v, k) => v + Math.fround(noise[k]! * s));
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

/** Euler's noise level at timestep t: sigma = sqrt((1 - abar_t) / abar_t). */
function eulerSigma(schedule: NoiseSchedule, t: number): number {
	const a = schedule.alphas_cumprod[t]!;
	return Math.sqrt((1 - a) / a);
}

/**
 * Euler ancestral (diffusers' EulerAncestralDiscreteScheduler, eta 1). Like Euler it works on
 * x / sqrt(abar), whose noise level is sigma. Each step splits the next level sigma_next into
 * a part reached deterministically, sigma_down, and a part of fresh noise, sigma_up, with
 * sigma_down^2 + sigma_up^2 = sigma_next^2: an Euler step down to sigma_down, then noise of
 * size sigma_up added back (seeded by `stepNoiseSeed`). The last step, to sigma 0, adds none.
 */
export class EulerAncestralScheduler extends EulerScheduler {
	override readonly name: SchedulerName = 'euler_a';
	/** What the prose and the menus call it, and a table's column head. */
	static override readonly label: string = 'Euler ancestral';
	static override readonly short: string = 'Euler a';

	/** Timesteps, sigmas, starting scale and input scaling are Euler's; only the step differs. */
	constructor(
		schedule: NoiseSchedule,
		spacing: TimestepSpacing = 'trailing',
		private seed = 0
	) {
		super(schedule, spacing);
	}

	override step(eps: Float32Array, i: number, x: Float32Array): StepResult {
		const sigma = this.sigmas[i]!;
		const sigmaNext = this.sigmas[i + 1]!;
		const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
		const sigmaDown = Math.sqrt(sigmaNext ** 2 - sigmaUp ** 2);
		const noiseSeed = stepNoiseSeed(this.seed, i);
		const z = seededNoise(noiseSeed, x.length);
		const s = Math.fround(sigma);
		const dt = Math.fround(sigmaDown - sigma);
		const up = Math.fround(sigmaUp);
		const x0 = new Float32Array(x.length);
		const next = new Float32Array(x.length);
		for (let k = 0; k < x.length; k++) {
			x0[k] = x[k]! - Math.fround(s * eps[k]!);
			// diffusers' derivative (x - x0) / sigma is eps itself for a noise-predicting U-Net.
			next[k] = Math.fround(x[k]! + Math.fround(eps[k]! * dt)) + Math.fround(z[k]! * up);
		}
		return {
			next,
			x0,
			noise: z,
			coefficients: {
				t: this.timesteps[i]!,
				sigma,
				sigma_next: sigmaNext,
				sigma_up: sigmaUp,
				sigma_down: sigmaDown,
				dt: sigmaDown - sigma,
				noise_seed: noiseSeed
			}
		};
	}
}

/**
 * DDPM (diffusers' DDPMScheduler, Ho et al. 2020; variance_type "fixed_small", no clipping:
 * the latents are not in [-1, 1]). On its own timesteps, from abar_t to abar_prev (1 after
 * the last): x0 from the noise estimate, then a draw from q(x_prev | x_t, x0), the Gaussian
 * posterior of the forward process:
 *   beta = 1 - abar_t / abar_prev
 *   mean = sqrt(abar_prev) beta / (1 - abar_t) x0 + sqrt(1 - beta) (1 - abar_prev) / (1 - abar_t) x_t
 *   x_prev = mean + sigma z,  sigma^2 = (1 - abar_prev) / (1 - abar_t) beta,  z fresh noise
 * (seeded by `stepNoiseSeed`). The last step's sigma is 0 (diffusers clamps that variance to
 * 1e-20: noise times 1e-10).
 */
export class DDPMScheduler implements Scheduler {
	readonly name = 'ddpm';
	/** What the prose and the menus call it, and a table's column head. */
	static readonly label: string = 'DDPM';
	static readonly short: string = 'DDPM';
	timesteps: number[] = [];
	readonly initNoiseSigma = 1;

	constructor(
		private schedule: NoiseSchedule,
		private spacing: TimestepSpacing = 'trailing',
		private seed = 0
	) {}

	setTimesteps(steps: number) {
		this.timesteps = timestepsFor(this.spacing, this.schedule.num_train_timesteps, steps);
	}

	scaleModelInput(x: Float32Array): Float32Array {
		return x;
	}

	addNoise(x0: Float32Array, noise: Float32Array, i: number): Float32Array {
		return addNoiseAt(this.schedule, this.timesteps, x0, noise, i);
	}

	step(eps: Float32Array, i: number, x: Float32Array): StepResult {
		const abar = this.schedule.alphas_cumprod;
		const t = this.timesteps[i]!;
		const tNext = this.timesteps[i + 1] ?? -1;
		const aT = abar[t]!;
		const aPrev = tNext >= 0 ? abar[tNext]! : 1;
		const beta = 1 - aT / aPrev;
		const cX0 = (Math.sqrt(aPrev) * beta) / (1 - aT);
		const cX = (Math.sqrt(1 - beta) * (1 - aPrev)) / (1 - aT);
		const sigma = Math.sqrt(((1 - aPrev) / (1 - aT)) * beta);
		const noiseSeed = stepNoiseSeed(this.seed, i);
		const z = seededNoise(noiseSeed, x.length);
		const cNoise = Math.fround(Math.sqrt(1 - aT));
		const cSignal = Math.fround(Math.sqrt(aT));
		const [fX0, fX, fSigma] = [Math.fround(cX0), Math.fround(cX), Math.fround(sigma)];
		const x0 = new Float32Array(x.length);
		const next = new Float32Array(x.length);
		for (let k = 0; k < x.length; k++) {
			x0[k] = Math.fround(x[k]! - Math.fround(cNoise * eps[k]!)) / cSignal;
			next[k] =
				Math.fround(Math.fround(fX0 * x0[k]!) + Math.fround(fX * x[k]!)) +
				Math.fround(fSigma * z[k]!);
		}
		return {
			next,
			x0,
			noise: z,
			coefficients: {
				t,
				t_next: tNext,
				alpha_bar: aT,
				alpha_bar_prev: aPrev,
				beta,
				c_x0: cX0,
				c_x: cX,
				sigma,
				noise_seed: noiseSeed
			}
		};
	}
}

/**
 * DPM-Solver++ (2M): diffusers' DPMSolverMultistepScheduler with algorithm_type
 * "dpmsolver++", solver_order 2 (solver_type "midpoint", final_sigmas_type "zero", so the
 * last step is first order, as lower_order_final). It works on x_t = alpha x0 + sigma eps with
 * alpha = sqrt(abar), sigma = sqrt(1 - abar), in lambda = log(alpha / sigma); a step from
 * lambda to lambda_next is h = lambda_next - lambda. First order (the first step, the last,
 * and any 1-step run) is DDIM:
 *   x_next = (sigma_next / sigma) x + alpha_next (1 - e^-h) x0
 * Second order reuses the previous step's x0 (a multistep method: no extra U-Net run):
 *   r = h_prev / h,  D1 = (x0 - x0_prev) / r
 *   x_next = (sigma_next / sigma) x + alpha_next (1 - e^-h) (x0 + D1 / 2)
 * The last step goes to sigma 0, alpha 1 (h infinite, e^-h = 0): x_next = x0.
 * Steps must run in order, from the first one run (step 0, or image-to-image's start, whose
 * step is first order): each remembers its x0 for the next.
 */
export class DPMSolverPP2MScheduler implements Scheduler {
	readonly name = 'dpmpp_2m';
	/** What the prose and the menus call it, and a table's column head. */
	static readonly label: string = 'DPM-Solver++ (2M)';
	static readonly short: string = 'DPM++ 2M';
	timesteps: number[] = [];
	readonly initNoiseSigma = 1;
	private alphas: number[] = [];
	private sigmas: number[] = [];
	private prevX0: Float32Array | null = null;

	constructor(
		private schedule: NoiseSchedule,
		private spacing: TimestepSpacing = 'trailing'
	) {}

	setTimesteps(steps: number) {
		this.timesteps = timestepsFor(this.spacing, this.schedule.num_train_timesteps, steps);
		const a = [...this.timesteps.map((t) => this.schedule.alphas_cumprod[t]!), 1];
		this.alphas = a.map((v) => Math.sqrt(v));
		this.sigmas = a.map((v) => Math.sqrt(1 - v));
		this.prevX0 = null;
	}

	scaleModelInput(x: Float32Array): Float32Array {
		return x;
	}

	addNoise(x0: Float32Array, noise: Float32Array, i: number): Float32Array {
		if (i >= this.timesteps.length) return x0.slice();
		return mix(x0, this.alphas[i]!, noise, this.sigmas[i]!);
	}

	/** lambda = log(alpha / sigma) at step i (infinite after the last). */
	private lambda(i: number): number {
		return Math.log(this.alphas[i]! / this.sigmas[i]!);
	}

	step(eps: Float32Array, i: number, x: Float32Array): StepResult {
		const [alpha, sigma] = [this.alphas[i]!, this.sigmas[i]!];
		const [alphaNext, sigmaNext] = [this.alphas[i + 1]!, this.sigmas[i + 1]!];
		const last = i === this.timesteps.length - 1;
		const c: Record<string, number> = {
			t: this.timesteps[i]!,
			t_next: last ? -1 : this.timesteps[i + 1]!,
			alpha,
			sigma,
			alpha_next: alphaNext,
			sigma_next: sigmaNext,
			lambda: this.lambda(i)
		};
		// e^-h = (sigma_next / alpha_next) / (sigma / alpha): 0 after the last step.
		const expNegH = last ? 0 : sigmaNext / alphaNext / (sigma / alpha);
		const cSample = sigmaNext / sigma;
		const cX0 = alphaNext * (1 - expNegH);
		if (!last) {
			c.lambda_next = this.lambda(i + 1);
			c.h = c.lambda_next - c.lambda!;
		}
		const order = i === 0 || last || !this.prevX0 ? 1 : 2;
		const [fSigma, fAlpha] = [Math.fround(sigma), Math.fround(alpha)];
		const [fSample, fX0] = [Math.fround(cSample), Math.fround(cX0)];
		const x0 = new Float32Array(x.length);
		const next = new Float32Array(x.length);
		for (let k = 0; k < x.length; k++)
			x0[k] = Math.fround(x[k]! - Math.fround(fSigma * eps[k]!)) / fAlpha;
		if (order === 1) {
			for (let k = 0; k < x.length; k++)
				next[k] = Math.fround(fSample * x[k]!) + Math.fround(fX0 * x0[k]!);
		} else {
			const r = (c.lambda! - this.lambda(i - 1)) / c.h!;
			const invR = Math.fround(1 / r);
			const half = Math.fround(0.5 * cX0);
			const prev = this.prevX0!;
			for (let k = 0; k < x.length; k++) {
				const d1 = Math.fround(Math.fround(x0[k]! - prev[k]!) * invR);
				next[k] =
					Math.fround(Math.fround(fSample * x[k]!) + Math.fround(fX0 * x0[k]!)) +
					Math.fround(half * d1);
			}
			c.r = r;
		}
		this.prevX0 = x0;
		Object.assign(c, { order, exp_neg_h: expNegH, c_sample: cSample, c_x0: cX0 });
		return { next, x0, coefficients: c };
	}
}

/** A sampler's class: how to make one, and what it is called. */
export interface SchedulerClass {
	new (schedule: NoiseSchedule, spacing: TimestepSpacing, seed: number): Scheduler;
	readonly label: string;
	readonly short: string;
}

/**
 * Every sampler, by the name the manifest and links use (its schema's SchedulerName enum):
 * training/schedule.py's SAMPLERS is the same registry in Python.
 */
export const SCHEDULERS: Record<SchedulerName, SchedulerClass> = {
	ddim: DDIMScheduler,
	euler: EulerScheduler,
	euler_a: EulerAncestralScheduler,
	ddpm: DDPMScheduler,
	dpmpp_2m: DPMSolverPP2MScheduler
};

/** How the prose and the menus name each sampler. */
export const SAMPLER_NAMES = Object.fromEntries(
	Object.entries(SCHEDULERS).map(([name, S]) => [name, S.label])
) as Record<SchedulerName, string>;

export function createScheduler(
	name: SchedulerName,
	schedule: NoiseSchedule,
	{ spacing = 'trailing', seed = 0 }: SchedulerOptions = {}
): Scheduler {
	// Own keys only: a name like "toString" is no sampler either.
	if (!Object.hasOwn(SCHEDULERS, name)) throw new Error(`unknown scheduler ${String(name)}`);
	return new SCHEDULERS[name](schedule, spacing, seed);
}

/** Classifier-free guidance: eps = eps_uncond + s (eps_cond - eps_uncond). */
export function guide(uncond: Float32Array, cond: Float32Array, scale: number): Float32Array {
	const s = Math.fround(scale);
	const out = new Float32Array(cond.length);
	for (let k = 0; k < cond.length; k++)
		out[k] = uncond[k]! + Math.fround(s * Math.fround(cond[k]! - uncond[k]!));
	return out;
}
