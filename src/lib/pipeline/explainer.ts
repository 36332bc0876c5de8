/**
 * What the chapters compute besides a generation: the sample images through CLIP and the
 * VAE, and one training example through the U-Net. Shared by the worker (live) and the
 * build (the first-paint file), so both show the same numbers.
 */
import type { DiffusionPipeline } from './generate';
import type { EditSettings, GenerationSettings } from './settings';
import type { ort } from './runtime';
import type { ImageEncoder } from './clip-encoders';
import { encodeImage, noiseLatent, predictNoise, type NoisedLatent } from './training-step';

export interface ExplainerModel {
	pipeline: DiffusionPipeline;
	vaeEncoder: ort.InferenceSession;
	imageEncoder: ImageEncoder;
}

export interface ImageCodes {
	/** Scaled latents (what the U-Net works on), [4, 8, 8] each. */
	latents: Float32Array[];
	/** The VAE's spread for each latent number, as log-variance. */
	logvars: Float32Array[];
	/** decode(encode(image)): the round trip. */
	decoded: Float32Array[];
	/** CLIP image embeddings. */
	embeds: Float32Array[];
}

export async function encodeImages(m: ExplainerModel, pixels: Float32Array[]): Promise<ImageCodes> {
	const { manifest } = m.pipeline;
	const R = manifest.image.size;
	const codes: ImageCodes = { latents: [], logvars: [], decoded: [], embeds: [] };
	for (const p of pixels) {
		const enc = await encodeImage(m.vaeEncoder, manifest, p);
		codes.latents.push(enc.latent);
		codes.logvars.push(enc.logvar);
		codes.decoded.push(await m.pipeline.decode(enc.latent));
	}
	const batch = new Float32Array(pixels.length * 3 * R * R);
	pixels.forEach((p, i) => batch.set(p, i * p.length));
	const embeds = await m.imageEncoder.encode(batch, pixels.length, R);
	const E = embeds.length / Math.max(1, pixels.length);
	for (let i = 0; i < pixels.length; i++) codes.embeds.push(embeds.slice(i * E, (i + 1) * E));
	return codes;
}

export interface TextCodes {
	tokens: string[][];
	unknown: number[][];
	/** Pooled CLIP text embeddings, one per text. */
	embeds: Float32Array[];
}

export async function encodeTexts(m: ExplainerModel, texts: string[]): Promise<TextCodes> {
	const { tokenize, text } = m.pipeline.parts;
	const tok = texts.map((t) => tokenize(t));
	const enc = await text.encode(tok);
	const E = enc.embeds.length / Math.max(1, texts.length);
	return {
		tokens: tok.map((t) => t.tokens),
		unknown: tok.map((t) => t.unknown),
		embeds: texts.map((_, i) => enc.embeds.slice(i * E, (i + 1) * E))
	};
}

export interface TrainingExample {
	noised: NoisedLatent;
	/** The noisy latent decoded, to see what "noised at t" looks like. */
	noisyImage: Float32Array;
	/** The U-Net's answer given the caption. */
	predicted: Float32Array;
	/** [context, 8, 8] cross-attention of that answer. */
	attention: Float32Array;
	tokens: string[];
	loss: number;
}

/** One training example: latent x0 of an image, noised at t with seeded noise, scored. */
export async function trainingExample(
	m: ExplainerModel,
	latent: Float32Array,
	caption: string,
	t: number,
	seed: number
): Promise<TrainingExample> {
	const { manifest, parts } = m.pipeline;
	const noised = noiseLatent(manifest, latent, t, seed);
	const tok = parts.tokenize(caption);
	const enc = await parts.text.encode([tok]);
	const pred = await predictNoise(await parts.unet(), manifest, noised, enc.hidden);
	return {
		noised,
		noisyImage: await m.pipeline.decode(noised.noisy),
		predicted: pred.eps,
		attention: pred.attention,
		tokens: tok.tokens,
		loss: pred.loss
	};
}

/** One edit of a picture at one strength: what its figure shows (not the whole trace). */
export interface EditResult {
	strength: number;
	/** The loop's number of steps, and the index of the first one run (= steps: none ran). */
	steps: number;
	start: number;
	/** The timesteps of the steps that ran. */
	timesteps: number[];
	/** The latent the loop started from (the picture noised to the first step run), decoded; null if no step ran. */
	startImage: Float32Array | null;
	/** Each step's clean-latent estimate, decoded (only for `detailed` strengths). */
	x0Images: Float32Array[];
	image: Float32Array;
	notices: string[];
	/** Prompt to pixels, without the estimates' decodes; null when precomputed at build time. */
	ms: number | null;
}

/**
 * The picture edited at each strength (image-to-image, or inpainting with a mask): the same
 * prompt, seed and sampler, only the strength differs. `detailed` strengths also get every
 * step's estimate decoded.
 */
export async function editPicture(
	m: ExplainerModel,
	settings: Partial<GenerationSettings>,
	edit: Omit<EditSettings, 'strength'>,
	strengths: number[],
	detailed: number[] = []
): Promise<EditResult[]> {
	const { pipeline } = m;
	const out: EditResult[] = [];
	for (const strength of strengths) {
		const trace = await pipeline.generate({ ...settings, edit: { ...edit, strength } });
		const x0Images: Float32Array[] = [];
		if (detailed.includes(strength))
			for (const s of trace.steps) x0Images.push(await pipeline.decode(s.x0));
		out.push({
			strength: trace.settings.edit!.strength,
			steps: trace.settings.steps,
			start: trace.edit!.start,
			timesteps: trace.steps.map((s) => s.t),
			startImage: trace.steps.length ? await pipeline.decode(trace.edit!.startLatent) : null,
			x0Images,
			image: trace.image,
			notices: trace.notices,
			ms: trace.timings.totalMs - trace.timings.callbackMs
		});
	}
	return out;
}
