/**
 * The text-to-image loop, written to read like the math, recording every intermediate.
 *
 *   cond, uncond = text_encoder(prompt), text_encoder(negative_prompt or "")
 *   x = noise(seed) * init_sigma
 *   for step i, timestep t (the scheduler's, by its spacing):
 *       eps_uncond, eps_cond = unet([x, x], t, [uncond, cond])
 *       eps = eps_uncond + s * (eps_cond - eps_uncond)
 *       x0, x = scheduler.step(eps, i, x)   (Euler ancestral, DDPM: + fresh noise(seed + 1 + i))
 *   image = vae_decoder(x / scale)
 *
 * Image-to-image and inpainting (settings.edit): x starts as the picture's latent noised to the
 * level of step k = steps - floor(steps × strength) and the loop runs steps k to the end; with a
 * mask, after each step the kept cells are the picture noised to the next step's level.
 *
 * The distilled student has guidance folded in: eps = student(x, t, cond, s, steps), one run
 * at batch 1 per step, and no empty prompt.
 */
import { seededNoise } from './gaussian';
import { modelEntry, type Manifest } from './manifest';
import { tensor, type Backend, type ort } from './runtime';
import { createScheduler, guide } from './scheduler';
import { editStart, resolveSettings, type GenerationSettings } from './settings';
import type { TextEncoder, TextEncoding } from './clip-encoders';
import type { TokenizedPrompt } from './tokenizer';

export interface StepTrace {
	/** Counted from 0 among the steps that ran (an edit's first step is 0 too). */
	index: number;
	t: number;
	/** What the U-Net saw at this step. */
	x: Float32Array;
	/** The two predictions that guidance mixes; null for the student, which guides inside. */
	epsUncond: Float32Array | null;
	epsCond: Float32Array | null;
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
	/** Null for the student, which reads no empty prompt. */
	textHiddenUncond: Float32Array | null;
	/** The prompt's pooled CLIP embedding. */
	textEmbed: Float32Array;
	/** The starting noise (before the scheduler's initial scaling). */
	noise: Float32Array;
	/** Where an edit started: the index of its first step, and the latent that step began from. */
	edit: { start: number; startLatent: Float32Array } | null;
	/** The steps that ran (all of them, unless an edit skipped the first ones). */
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
	/** The teacher's U-Net, loaded on first use where the page asked for the student first. */
	unet: () => Promise<ort.InferenceSession>;
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
		const folded = modelEntry(manifest, settings.model)?.guidance_input === true;
		const cond = await text.encode([tokens]);
		// The student needs no empty prompt: guidance happens inside it. A negative prompt is no
		// separate mechanism: it is what fills the empty prompt's slot.
		const uncond = folded
			? null
			: settings.negativePrompt
				? await text.encode([tokenize(settings.negativePrompt)])
				: await this.emptyPrompt();
		const hidden = uncond ? concat(uncond.hidden, cond.hidden) : cond.hidden;
		const textMs = now() - start;
		check();

		const scheduler = createScheduler(settings.scheduler, manifest.schedule, {
			spacing: settings.spacing,
			seed: settings.seed
		});
		scheduler.setTimesteps(settings.steps);
		const noise = seededNoise(settings.seed, n);
		const { edit } = settings;
		const first = edit ? editStart(settings.steps, edit.strength) : 0;
		let x: Float32Array =
			!edit || edit.strength >= 1
				? noise.map((v) => v * scheduler.initNoiseSigma)
				: scheduler.addNoise(edit.latent, noise, first);
		const startLatent = x;
		// The mask is per latent cell; it applies to every channel.
		const keep = edit?.mask ? (k: number) => edit.mask![k % (S * S)] === 0 : null;
		const B = folded ? 1 : 2;
		const context = tensor(hidden, [B, L, H]);
		// The student's other inputs: the same for every step.
		const extra: Record<string, ort.Tensor> = folded
			? {
					guidance: tensor(Float32Array.of(settings.guidance), [1]),
					num_steps: tensor(Float32Array.of(settings.steps), [1])
				}
			: {};
		const steps: StepTrace[] = [];
		let unetMs = 0;
		let callbackMs = 0;
		const run = scheduler.timesteps.length - first;
		for (let i = first; i < scheduler.timesteps.length; i++) {
			const t = scheduler.timesteps[i]!;
			const input = scheduler.scaleModelInput(x, i);
			const batch = B === 1 ? input : concat(input, input);
			const t0 = now();
			const out = await unet.run({
				sample: tensor(batch, [B, C, S, S]),
				timestep: tensor(new Float32Array(B).fill(t), [B]),
				encoder_hidden_states: context,
				...extra
			});
			const ms = now() - t0;
			unetMs += ms;
			check();
			const pred = out.noise_pred!.data as Float32Array;
			const maps = out.attention_maps!.data as Float32Array;
			const epsUncond = folded ? null : pred.slice(0, n);
			const epsCond = folded ? null : pred.slice(n);
			const eps = folded ? pred.slice() : guide(epsUncond!, epsCond!, settings.guidance);
			const r = scheduler.step(eps, i, x);
			if (keep) {
				const known = scheduler.addNoise(edit!.latent, noise, i + 1);
				for (let k = 0; k < n; k++) if (keep(k)) r.next[k] = known[k]!;
			}
			const step: StepTrace = {
				index: i - first,
				t,
				x: input,
				epsUncond,
				epsCond,
				eps,
				x0: r.x0,
				next: r.next,
				// The prompted run's maps: the second half of a guided batch.
				attention: maps.slice(maps.length - maps.length / B),
				coefficients: { ...r.coefficients, guidance: settings.guidance },
				unetMs: ms
			};
			steps.push(step);
			out.noise_pred!.dispose();
			out.attention_maps!.dispose();
			const c0 = now();
			await opts.onStep?.(step, run);
			callbackMs += now() - c0;
			check();
			x = r.next;
		}

		const d0 = now();
		const image = await this.decode(x);
		check();
		return {
			settings,
			notices,
			backend: this.parts.backend,
			tokens,
			textHidden: cond.hidden,
			textHiddenUncond: uncond?.hidden ?? null,
			textEmbed: cond.embeds,
			noise,
			edit: edit ? { start: first, startLatent } : null,
			steps,
			finalLatent: x,
			image,
			timings: { textMs, unetMs, decodeMs: now() - d0, callbackMs, totalMs: now() - start }
		};
	}

	/** The U-Net of the teacher or of the student. */
	async unet(model: GenerationSettings['model']): Promise<ort.InferenceSession> {
		if (model === 'teacher') return this.parts.unet();
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
