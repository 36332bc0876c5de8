/**
 * The text-to-image loop, written to read like the math, recording every intermediate.
 *
 *   cond, uncond = text_encoder(prompt), text_encoder("")
 *   x = noise(seed) * init_sigma
 *   for each timestep t:
 *       eps_uncond, eps_cond = unet([x, x], t, [uncond, cond])
 *       eps = eps_uncond + s * (eps_cond - eps_uncond)
 *       x0, x = scheduler.step(eps, t, x)
 *   image = vae_decoder(x / scale)
 */
import { seededNoise } from './gaussian';
import type { Manifest } from './manifest';
import { ort, tensor, type Backend } from './runtime';
import { createScheduler, guide } from './scheduler';
import { resolveSettings, type GenerationSettings } from './settings';
import type { TextEncoder, TextEncoding } from './text-encoder';
import type { TokenizedPrompt } from './tokenizer';

export interface StepTrace {
	index: number;
	t: number;
	/** What the U-Net saw at this step. */
	x: Float32Array;
	epsUncond: Float32Array;
	epsCond: Float32Array;
	/** The guided noise prediction. */
	eps: Float32Array;
	/** The scheduler's estimate of the clean latent. */
	x0: Float32Array;
	/** The latent handed to the next step. */
	next: Float32Array;
	/** Cross-attention of the prompted run: [context tokens, h, w], averaged over heads. */
	attention: Float32Array;
	coefficients: Record<string, number>;
	unetMs: number;
}

export interface Trace {
	settings: GenerationSettings;
	notices: string[];
	backend: Backend;
	tokens: TokenizedPrompt;
	/** Per-token text states [context, hidden] for the prompt and the empty prompt. */
	textHidden: Float32Array;
	textHiddenUncond: Float32Array;
	/** The prompt's pooled CLIP embedding. */
	textEmbed: Float32Array;
	/** The starting noise (before the scheduler's initial scaling). */
	noise: Float32Array;
	steps: StepTrace[];
	finalLatent: Float32Array;
	/** [3, H, W] in [-1, 1]. */
	image: Float32Array;
	/** totalMs includes the time the caller's onStep took (e.g. decoding each step); callbackMs says how much. */
	timings: {
		textMs: number;
		unetMs: number;
		decodeMs: number;
		callbackMs: number;
		totalMs: number;
	};
}

export interface PipelineParts {
	manifest: Manifest;
	backend: Backend;
	tokenize(text: string): TokenizedPrompt;
	text: TextEncoder;
	/** The teacher's U-Net. */
	unet: ort.InferenceSession;
	/** The distilled student's U-Net, loaded on first use (absent if the folder has none). */
	student?: () => Promise<ort.InferenceSession>;
	vaeDecoder: ort.InferenceSession;
}

export interface RunOptions {
	signal?: AbortSignal;
	/** Called after each step; the loop waits for it (runs on one backend never overlap). */
	onStep?: (step: StepTrace, of: number) => void | Promise<void>;
}

function abortError(): Error {
	return new DOMException('The generation was cancelled.', 'AbortError');
}

const now = () => performance.now();

function concat(a: Float32Array, b: Float32Array): Float32Array {
	const out = new Float32Array(a.length + b.length);
	out.set(a);
	out.set(b, a.length);
	return out;
}

export class DiffusionPipeline {
	/** The empty prompt's encoding (guidance's unconditional half) never changes: once. */
	private empty: Promise<TextEncoding> | undefined;

	constructor(readonly parts: PipelineParts) {}

	private emptyPrompt(): Promise<TextEncoding> {
		this.empty ??= this.parts.text.encode([this.parts.tokenize('')]).catch((e) => {
			this.empty = undefined;
			throw e;
		});
		return this.empty;
	}

	get manifest(): Manifest {
		return this.parts.manifest;
	}

	async generate(input: Partial<GenerationSettings>, opts: RunOptions = {}): Promise<Trace> {
		const { manifest, tokenize, text } = this.parts;
		const { settings, notices } = resolveSettings(input, manifest);
		const check = () => {
			if (opts.signal?.aborted) throw abortError();
		};
		const unet = await this.unet(settings.model);
		check();
		const start = now(); // after loading the student, so timings are the generation's own
		const { channels: C, size: S } = manifest.latent;
		const n = C * S * S;
		const L = manifest.text.context_length;
		const H = manifest.text.hidden_size;

		const tokens = tokenize(settings.prompt);
		if (tokens.dropped > 0)
			notices.push(
				`The prompt is longer than the model reads: its last ${tokens.dropped} word pieces were dropped.`
			);
		if (tokens.unknown.length > 0)
			notices.push(
				`${tokens.unknown.length} word(s) are unknown to the model's vocabulary and read as [UNK].`
			);
		const [uncond, cond] = [await this.emptyPrompt(), await text.encode([tokens])];
		const enc = {
			hidden: concat(uncond.hidden, cond.hidden),
			embeds: concat(uncond.embeds, cond.embeds)
		};
		const textMs = now() - start;
		check();

		const scheduler = createScheduler(settings.scheduler, manifest.schedule);
		scheduler.setTimesteps(settings.steps);
		const noise = seededNoise(settings.seed, n);
		let x: Float32Array = noise.map((v) => v * scheduler.initNoiseSigma);
		const context = tensor(enc.hidden, [2, L, H]);
		const steps: StepTrace[] = [];
		let unetMs = 0;
		let callbackMs = 0;
		for (let i = 0; i < scheduler.timesteps.length; i++) {
			const t = scheduler.timesteps[i]!;
			const input = scheduler.scaleModelInput(x, i);
			const batch = new Float32Array(2 * n);
			batch.set(input);
			batch.set(input, n);
			const t0 = now();
			const out = await unet.run({
				sample: tensor(batch, [2, C, S, S]),
				timestep: tensor(Float32Array.from([t, t]), [2]),
				encoder_hidden_states: context
			});
			const ms = now() - t0;
			unetMs += ms;
			check();
			const pred = out.noise_pred!.data as Float32Array;
			const maps = out.attention_maps!.data as Float32Array;
			const epsUncond = pred.slice(0, n);
			const epsCond = pred.slice(n);
			const eps = guide(epsUncond, epsCond, settings.guidance);
			const r = scheduler.step(eps, i, x);
			const step: StepTrace = {
				index: i,
				t,
				x: input,
				epsUncond,
				epsCond,
				eps,
				x0: r.x0,
				next: r.prev,
				attention: maps.slice(maps.length / 2),
				coefficients: { ...r.coefficients, guidance: settings.guidance },
				unetMs: ms
			};
			steps.push(step);
			out.noise_pred!.dispose();
			out.attention_maps!.dispose();
			const c0 = now();
			await opts.onStep?.(step, scheduler.timesteps.length);
			callbackMs += now() - c0;
			check();
			x = r.prev;
		}

		const d0 = now();
		const image = await this.decode(x);
		check();
		return {
			settings,
			notices,
			backend: this.parts.backend,
			tokens,
			textHidden: enc.hidden.slice(L * H),
			textHiddenUncond: enc.hidden.slice(0, L * H),
			textEmbed: enc.embeds.slice(enc.embeds.length / 2),
			noise,
			steps,
			finalLatent: x,
			image,
			timings: { textMs, unetMs, decodeMs: now() - d0, callbackMs, totalMs: now() - start }
		};
	}

	/** The U-Net of the teacher or of the student. */
	async unet(model: GenerationSettings['model']): Promise<ort.InferenceSession> {
		if (model === 'teacher') return this.parts.unet;
		if (!this.parts.student) throw new Error('The distilled student is not part of this model.');
		return this.parts.student();
	}

	/** A latent in the diffusion model's scale -> image [3, H, W] in [-1, 1]. */
	async decode(latent: Float32Array): Promise<Float32Array> {
		const { channels: C, size: S, scale_factor } = this.manifest.latent;
		const z = latent.map((v) => v / scale_factor);
		const out = await this.parts.vaeDecoder.run({ latent: tensor(z, [1, C, S, S]) });
		const image = (out.image!.data as Float32Array).slice();
		out.image!.dispose();
		return image;
	}
}

/** Lazy, cached decodes of each step's x0, so scrubbing never re-runs the model. */
export class DecodeCache {
	private cache = new Map<number, Promise<Float32Array>>();
	constructor(
		private pipeline: DiffusionPipeline,
		private trace: Trace
	) {}

	x0Image(step: number): Promise<Float32Array> {
		let p = this.cache.get(step);
		if (!p) {
			const s = this.trace.steps[step];
			if (!s) return Promise.reject(new RangeError(`no step ${step}`));
			p = this.pipeline.decode(s.x0);
			this.cache.set(step, p);
		}
		return p;
	}
}
