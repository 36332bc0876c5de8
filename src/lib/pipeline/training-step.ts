/**
 * One training example, as the training chapters show it: encode an image to its latent,
 * noise it at timestep t (x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps), ask the U-Net for
 * the noise, and score the answer with the mean squared error. No weights change here.
 */
import { seededNoise } from './gaussian';
import type { Manifest } from './manifest';
import { tensor, type ort } from './runtime';

export interface EncodedImage {
	mean: Float32Array;
	logvar: Float32Array;
	/** The latent the diffusion model works on: mean x scale factor. */
	latent: Float32Array;
}

export async function encodeImage(
	vaeEncoder: ort.InferenceSession,
	manifest: Manifest,
	pixels: Float32Array
): Promise<EncodedImage> {
	const R = manifest.image.size;
	const out = await vaeEncoder.run({ image: tensor(pixels, [1, 3, R, R]) });
	const mean = (out.latent_mean!.data as Float32Array).slice();
	const logvar = (out.latent_logvar!.data as Float32Array).slice();
	return { mean, logvar, latent: mean.map((v) => v * manifest.latent.scale_factor) };
}

export interface NoisedLatent {
	t: number;
	noise: Float32Array;
	noisy: Float32Array;
	signal: number;
	noiseLevel: number;
	alphaBar: number;
}

export function noiseLatent(
	manifest: Manifest,
	x0: Float32Array,
	t: number,
	seed: number
): NoisedLatent {
	const T = manifest.schedule.num_train_timesteps;
	if (!Number.isInteger(t) || t < 0 || t >= T)
		throw new RangeError(`t must be an integer from 0 to ${T - 1}`);
	const alphaBar = manifest.schedule.alphas_cumprod[t]!;
	const signal = Math.sqrt(alphaBar);
	const noiseLevel = Math.sqrt(1 - alphaBar);
	const noise = seededNoise(seed, x0.length);
	const noisy = x0.map((v, i) => signal * v + noiseLevel * noise[i]!);
	return { t, noise, noisy, signal, noiseLevel, alphaBar };
}

export interface Prediction {
	eps: Float32Array;
	/** [context tokens, h, w] cross-attention, averaged over heads and layers. */
	attention: Float32Array;
	/** Mean squared error between the predicted and the true noise. */
	loss: number;
}

/** One U-Net call on a single latent with the prompt's per-token states [context, hidden]. */
export async function predictNoise(
	unet: ort.InferenceSession,
	manifest: Manifest,
	noised: NoisedLatent,
	textHidden: Float32Array
): Promise<Prediction> {
	const { channels: C, size: S } = manifest.latent;
	const { context_length: L, hidden_size: H } = manifest.text;
	const out = await unet.run({
		sample: tensor(noised.noisy, [1, C, S, S]),
		timestep: tensor(Float32Array.from([noised.t]), [1]),
		encoder_hidden_states: tensor(textHidden, [1, L, H])
	});
	const eps = (out.noise_pred!.data as Float32Array).slice();
	return {
		eps,
		attention: (out.attention_maps!.data as Float32Array).slice(),
		loss: eps.reduce((a, v, i) => a + (v - noised.noise[i]!) ** 2, 0) / eps.length
	};
}
