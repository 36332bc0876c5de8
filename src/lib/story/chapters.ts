/**
 * The story, chapter by chapter, in the order of the seed post "Stable Diffusion,
 * Summarized". Each chapter has prose steps; each step says what the figure column shows.
 * Inline markup in prose: *emphasis*, **strong**, `code`, [text](/link).
 */
import type { SchedulerName } from '$lib/pipeline/manifest';
import { SAMPLER_NAMES, samplerSentences } from './sampler-claims';
import { DEFAULT_STRENGTH, SETTING_LIMITS, editStart } from '$lib/pipeline/settings';
import { timestepsFor } from '$lib/pipeline/scheduler';
import {
	costSentence,
	equalRunSentences,
	equalTimeSentences,
	pathEndSentence
} from './distillation-claims';
import { bench, manifest, metrics } from './facts';
import type { PartId } from './parts';
import type { FigureName, StepFocus } from '../figures/types';
import type { CompareDefault } from '$lib/url-state';

/**
 * Which phase the parts diagram shows: 'clip' is CLIP's own training (done first), 'training'
 * all of training (CLIP first, then the U-Net with CLIP's text encoder and the VAE frozen).
 */
export type Flow = 'clip' | 'training' | 'generation' | 'both';

/**
 * What a step says of the sentence it quotes from the summary, chosen for each quote (the
 * page prints it under the quote; there is no default).
 */
export const VERDICTS = {
	right: 'the summary, and it is right',
	wrong: 'the summary; this step puts it right',
	incomplete: 'the summary; true, but it leaves out what this step adds',
	'put-right-below': 'the summary; the steps below put it right',
	'training-story': 'the summary, telling training; it is true of generation only'
} as const;
export type Verdict = keyof typeof VERDICTS;

/** A short card beside the diagram: an equation or the numbers that matter. */
export interface Note {
	label: string;
	lines: string[];
}

/** The card a step shows for the link's model and negative prompt. */
export function noteFor(
	figure: Step['figure'],
	link: { model?: string; neg?: string }
): Note | undefined {
	const n = figure.note;
	if (!n) return undefined;
	if (link.model === 'student' && n.student) return n.student;
	if (link.neg && link.model !== 'student' && n.negative) return n.negative;
	return { label: n.label, lines: n.lines };
}

export interface Step {
	/** Stable id, part of deep links (?step=N counts from 1, the id is the fragment). */
	id: string;
	title: string;
	paragraphs: string[];
	/** A sentence of the seed post this step discusses, quoted as written, and its verdict. */
	quote?: { text: string; verdict: Verdict };
	/** Number of the row in the corrections list this step puts right. */
	correction?: number;
	figure: {
		parts: PartId[];
		flow: Flow;
		/** A short card beside the diagram: an equation or the numbers that matter. */
		note?: Note & {
			/** What the card says instead when the student draws (it has no pair of predictions). */
			student?: Note;
			/** What it says instead when a negative prompt fills the unprompted slot. */
			negative?: Note;
		};
		/** The live figure shown instead of the parts diagram. */
		name?: FigureName;
		/** For the loop figure: which of its parts this step is about. */
		focus?: StepFocus;
		/** For the comparison figure: what the second generation changes, unless the link says. */
		compare?: CompareDefault;
	};
}

export interface Chapter {
	slug: string;
	number: number;
	title: string;
	/** For the page title and link previews. */
	description: string;
	steps: Step[];
}

// The model's own numbers in the prose come from its files, read at build time (facts.ts).
const student = manifest.models?.student;
const studentSteps = student?.steps ?? 4;
const stepList = (student?.step_counts ?? [studentSteps]).join(', ').replace(/, (\d+)$/, ' or $1');
const teacherPathSteps = student?.teacher_steps ?? 16;
/** The teacher's paths each training stage learned from, as the manifest records them. */
const pathStages = (student?.training ?? [])
	.map(
		(st, i) =>
			`${(st.paths ?? 0).toLocaleString('en-US')} for ${i === 0 ? 'a first stage' : 'a fine-tune'} on a ${st.device.startsWith('cuda') ? 'GPU' : 'CPU'}`
	)
	.join(', then ');
const guidanceRange = (student?.guidance_range ?? [0, 10]).join(' to ');
const coarsest = Math.min(...(student?.step_counts ?? [2]).filter((n) => n > 1));
const teacherParams = manifest.models?.teacher?.params ?? 0;
const studentParams = student?.params ?? 0;
const gridRows = metrics.grid ?? [];
const samplerRows = metrics.samplers ?? [];
/** The evaluation's generations: held-out images' names (trained captions), a few seeds each. */
const evalImages = gridRows[0]?.images ?? samplerRows[0]?.images ?? 0;
const evalNames = evalImages / 2;
const evalSet = `${evalImages.toLocaleString('en-US')} generations, the names of ${evalNames.toLocaleString('en-US')} emoji with two seeds each (one of the two drawings of each of these emoji was held out of training; the other was trained on, under the same name)`;
const ancestral = samplerRows.find((r) => r.sampler === 'euler_a' && r.steps === 25);
const pathEnd = pathEndSentence(
	gridRows,
	ancestral && { ...ancestral, label: `Euler ancestral at ${ancestral.steps} steps` }
);
const teacherPsnr = (n: number) =>
	gridRows.find((r) => r.model === 'teacher' && r.steps === n)?.psnr_vs_teacher25_db?.toFixed(1);
const cost = costSentence(bench);
const equalTime = equalTimeSentences(gridRows, bench);
const equalRuns = equalRunSentences(gridRows);

// Image-to-image at the default strength, on the default number of steps.
const loopSteps = manifest.sampler.steps;
const editRuns = loopSteps - editStart(loopSteps, DEFAULT_STRENGTH);
const editFrom = timestepsFor('trailing', manifest.schedule.num_train_timesteps, loopSteps)[
	editStart(loopSteps, DEFAULT_STRENGTH)
]!;
const T = manifest.schedule.num_train_timesteps;
const abarTop = manifest.schedule.alphas_cumprod[T - 1]!;
const keptAtTop = Math.sqrt(abarTop).toFixed(3);
const noiseAtTop = Math.sqrt(1 - abarTop).toFixed(3);
/** How much an error in a predicted noise grows in the clean image it implies, at t = T - 1. */
const errorGainAtTop = Math.round(Math.sqrt(1 - abarTop) / Math.sqrt(abarTop));
const leadingFirst = timestepsFor('leading', T, loopSteps)[0]!;
const imageNumbers = manifest.image.size ** 2 * manifest.image.channels;
const latentNumbers = manifest.latent.size ** 2 * manifest.latent.channels;
const fewSteps = 2;
const leadingFewFirst = timestepsFor('leading', T, fewSteps)[0]!;
const keptAtLeadingFew = Math.sqrt(manifest.schedule.alphas_cumprod[leadingFewFirst]!).toFixed(2);
const samplerStepCounts = [...new Set(samplerRows.map((r) => r.steps))].sort((a, b) => a - b);
const samplerStepList = samplerStepCounts.join(', ').replace(/, (\d+)$/, ' and $1');
const words = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const capital = (w: string) => w[0]!.toUpperCase() + w.slice(1);
const samplerWord = capital(
	words[manifest.sampler.available.length] ?? String(manifest.sampler.available.length)
);
const samplerStepWord = words[samplerStepCounts.length] ?? String(samplerStepCounts.length);
const defaultSampler =
	SAMPLER_NAMES[manifest.sampler.default as SchedulerName] ?? manifest.sampler.default;
const keptAtLeadingFirst = Math.sqrt(manifest.schedule.alphas_cumprod[leadingFirst]!).toFixed(2);
const keptAtEditStart = Math.sqrt(manifest.schedule.alphas_cumprod[editFrom]!).toFixed(2);
const cellPixels = manifest.image.size / manifest.latent.size;
const px = `${manifest.image.size} × ${manifest.image.size}`;
const latentShape = `${manifest.latent.channels} × ${manifest.latent.size} × ${manifest.latent.size}`;
const { embed_dim: embedDim, hidden_size: hidden, context_length: context } = manifest.text;

export const CHAPTERS: readonly Chapter[] = [
	{
		slug: 'parts',
		number: 1,
		title: 'The parts of a diffuser',
		description:
			'Stable Diffusion is a text encoder, a U-Net, a VAE and a scheduler working together. Meet each part and what it is for.',
		steps: [
			{
				id: 'four-parts',
				title: 'Four parts, says the summary',
				quote: {
					text: 'A diffuser contains four main components',
					verdict: 'put-right-below'
				},
				paragraphs: [
					'The summary we follow lists four parts: a *text encoder*, an *image encoder*, an *autoencoder* (the VAE) and a neural network called a *U-Net*. Each one is a neural network: a big function with many adjustable numbers, its *weights* (from about 84 million in Stable Diffusion v1’s VAE to 860 million in its U-Net; about a million or a few in each of ours), that were set by training on examples.',
					`The model running on this page has the same parts as Stable Diffusion, only tiny. It was trained from scratch on emoji: ${px} pixel pictures and their names. Small enough to run in your browser, real enough to show every step.`
				],
				figure: {
					parts: ['text-encoder', 'image-encoder', 'vae-encoder', 'vae-decoder', 'unet'],
					flow: 'both'
				}
			},
			{
				id: 'text-encoder',
				title: 'The text encoder reads the prompt',
				paragraphs: [
					'A computer cannot do arithmetic on the word "cat". The text encoder turns your prompt into numbers: first the text is cut into *tokens* (words or pieces of words), then each token becomes a list of numbers that also carries what the other words of the prompt say about it. In our tiny encoder every token sees the whole prompt; in Stable Diffusion\'s CLIP text encoder a token sees only the words *before* it (it is *causal*), so later tokens carry more of the prompt.',
					'These lists of numbers are what tells the rest of the model *what* to draw.'
				],
				figure: { parts: ['text-encoder'], flow: 'generation' }
			},
			{
				id: 'image-encoder',
				title: 'The image encoder only helps in training',
				correction: 1,
				paragraphs: [
					'The image encoder turns a picture into a list of numbers in the *same* space as the text. It is trained side by side with the text encoder, so that a picture of a cat and the words "a cat" end up close together. The pair is called **CLIP**.',
					'Here is something the summary does not say: once CLIP is trained, the image encoder has done its job. **It is not used when you generate an image from a prompt.** Its work lives on in the text encoder it helped to train.'
				],
				figure: { parts: ['image-encoder', 'text-encoder'], flow: 'clip' }
			},
			{
				id: 'vae',
				title: 'The VAE compresses and decompresses',
				paragraphs: [
					'The autoencoder has two halves. The *encoder* squeezes an image into a much smaller grid of numbers, the *latent*. The *decoder* turns a latent back into an image. All the slow work of diffusion happens on the small latent, not on the pixels.',
					'During training the encoder prepares examples. To generate an image only the decoder is needed, once, at the very end (this site also decodes every step’s estimate, to show you how the picture forms).'
				],
				figure: { parts: ['vae-encoder', 'vae-decoder'], flow: 'both' }
			},
			{
				id: 'unet',
				title: 'The U-Net predicts noise',
				paragraphs: [
					'The U-Net is the biggest part and the heart of the model. Give it a noisy latent, a number saying *how* noisy it is, and the encoded prompt, and it answers with its best guess of the noise inside.',
					'If it knew the noise exactly, it would know the image: take the noise away and what is left is the picture. But it only guesses, and when the latent is mostly noise its guess comes out as an average of all the pictures that could be hiding there. That is why the image is found over many small steps rather than in one.'
				],
				figure: { parts: ['unet'], flow: 'both' }
			},
			{
				id: 'scheduler',
				title: 'A fifth part: the scheduler',
				correction: 1,
				paragraphs: [
					'The summary leaves out a part that every generation needs: the **scheduler**. It has no weights and learns nothing. It is a few lines of arithmetic that decide which noise levels to visit, and how much of the predicted noise to remove at each step.',
					'So, to make an image from a prompt, four parts run: the text encoder, the U-Net, the scheduler and the VAE decoder. The image encoder only trains CLIP; the VAE encoder serves training, and editing existing pictures.'
				],
				figure: {
					parts: ['text-encoder', 'unet', 'scheduler', 'vae-decoder'],
					flow: 'generation',
					note: {
						label: 'Used to generate an image',
						lines: ['text encoder → U-Net ⇄ scheduler → VAE decoder']
					}
				}
			},
			{
				id: 'two-phases',
				title: 'Two phases: training and generating',
				paragraphs: [
					`Everything that follows happens in one of two phases. In **training**, the model looks at real images with their captions, over and over (billions of image views for Stable Diffusion), and its weights are nudged to make better predictions. In **generation** (also called inference), the weights are fixed and the model makes a new image from your prompt and a grid of random numbers drawn from one seed (${latentNumbers} of them here).`,
					'The summary explains training first, with a single image, and then generation. We do the same.'
				],
				figure: { parts: [], flow: 'both' }
			}
		]
	},
	{
		slug: 'clip',
		number: 2,
		title: 'Feature vectors: CLIP',
		description:
			'How CLIP turns words and images into vectors in one shared space, and how contrastive training pulls matching pairs together and pushes the rest apart.',
		steps: [
			{
				id: 'feature-vectors',
				title: 'A feature vector is a list of numbers',
				quote: {
					text: 'The image encoder takes the image and produces a feature vector — a vector with numerical values that describe the image in some way.',
					verdict: 'right'
				},
				paragraphs: [
					`A *feature vector* is just a list of numbers. Nobody chooses what each number means; training finds numbers that are useful. Our tiny CLIP describes every text and every image with ${embedDim} numbers; OpenAI's CLIP ViT-L/14, whose text encoder Stable Diffusion v1 uses, has 768.`,
					'The text encoder also keeps one vector *per token*. Those per-token vectors, not a single summary, are what the U-Net reads later.'
				],
				figure: {
					name: 'embedding',
					parts: ['text-encoder', 'image-encoder'],
					flow: 'training',
					note: {
						label: 'Sizes',
						lines: [
							`ours: ${embedDim} numbers per text or image`,
							`per token: ${context} tokens × ${hidden}`,
							'SD v1: 77 tokens × 768'
						]
					}
				}
			},
			{
				id: 'tokens',
				title: 'First, words become tokens',
				paragraphs: [
					`Before the text encoder sees anything, a *tokenizer* cuts the prompt into tokens from a fixed vocabulary. A common word is one token. A word the tokenizer has never seen is spelled out from smaller pieces. Ours is a *WordPiece* tokenizer, and a word it cannot spell from its pieces becomes, whole, the special token \`[UNK]\`, "unknown". Stable Diffusion's CLIP uses a *byte-level BPE* tokenizer (49,408 tokens) that can spell anything, down to single bytes; its real limit is length: 77 positions, the start and end tokens included, so 75 for the prompt, and a longer prompt is simply cut off.`,
					`Our vocabulary was built from the emoji names and keywords in our data, so "smiling cat" is two familiar tokens while a rare word falls apart into fragments.`
				],
				figure: {
					name: 'tokens',
					parts: ['text-encoder'],
					flow: 'generation'
				}
			},
			{
				id: 'shared-space',
				title: 'One space for words and pictures',
				quote: {
					text: 'These two feature vectors are then stored in what’s known as a CLIP embedding. An embedding is simply a table where each row is an item and each column describes the items in some way.',
					verdict: 'wrong'
				},
				correction: 2,
				paragraphs: [
					"Here the summary mixes two ideas. A **CLIP embedding** is *one* vector: the text's, or the image's. What makes CLIP special is that both kinds live in the **same space**, so a text vector and an image vector can be compared directly.",
					"The comparison is the *cosine similarity*. It runs from 1, when two vectors point the same way, through 0 (at right angles) to −1 (opposite ways). Trained encoders use only part of that range: in Stable Diffusion's CLIP even unrelated texts and images score about 0.1 to 0.2, and a good match about 0.3. What matters is the gap; the figure shows ours, as the average of the matching pairs against that of all other pairs. The table the summary describes is a *batch* of such vectors, and what CLIP actually learns from is the grid of similarities between every text and every image in the batch."
				],
				figure: {
					name: 'similarity',
					parts: ['text-encoder', 'image-encoder'],
					flow: 'training',
					note: {
						label: 'Cosine similarity',
						lines: [
							'sim(a, b) = (a · b) / (|a| |b|)',
							'1 = same direction, 0 = at right angles, −1 = opposite'
						]
					}
				}
			},
			{
				id: 'contrastive',
				title: 'Pull pairs together, push the rest apart',
				quote: {
					text: 'Both encoders keep producing feature vectors until they are as similar as possible.',
					verdict: 'wrong'
				},
				correction: 3,
				paragraphs: [
					"If the only goal were \"make the pair similar\", both encoders could cheat by giving *everything* the same vector. CLIP's training is **contrastive**: in a batch of images and their captions (32,768 pairs in OpenAI's CLIP, a few hundred in ours), each image must be more similar to its own caption than to all the others. Matching pairs are pulled together *and* mismatched pairs are pushed apart. The loss that does it is called *InfoNCE*: each image's similarities to all the captions are divided by a small *temperature* τ and turned by a *softmax* into shares that add up to 1, and the loss is minus the log of its own caption's share; the same goes for each caption over the images.",
					'In the grid of similarities that means a bright diagonal and a dark rest. A prompt that matches none of the images usually has no cell as bright as the diagonal’s.'
				],
				figure: {
					name: 'clip-map',
					parts: ['text-encoder', 'image-encoder'],
					flow: 'training',
					note: {
						label: 'Contrastive (InfoNCE) loss',
						lines: [
							'for each image i: −log softmax over captions of sim(i, caption)/τ',
							'and the same for each caption over images'
						]
					}
				}
			},
			{
				id: 'frozen',
				title: 'Trained once, then frozen',
				correction: 3,
				paragraphs: [
					'CLIP is trained **once, beforehand**, on its own task. It does not keep adjusting while the diffusion model learns or while you generate. From then on the text encoder is *frozen*: the same prompt always gives exactly the same vectors.',
					'Stable Diffusion borrowed a CLIP text encoder that OpenAI had trained on hundreds of millions of image–caption pairs. Ours was trained on emoji, on an ordinary processor; the [model card](/model#training) says which and how long it took.'
				],
				figure: {
					name: 'embedding',
					parts: ['text-encoder'],
					flow: 'both'
				}
			}
		]
	},
	{
		slug: 'vae',
		number: 3,
		title: 'Image compression: the VAE',
		description:
			'The variational autoencoder squeezes an image into a small latent and back. Why diffusion works on latents, what the compression costs, and what order things really happen in.',
		steps: [
			{
				id: 'encoder-decoder',
				title: 'An encoder and a decoder',
				quote: {
					text: 'The VAE autoencoder contains an encoder and a decoder. The encoder handles compression whereas the decoder handles decompression.',
					verdict: 'right'
				},
				paragraphs: [
					'The summary gets this exactly right. The encoder maps an image to a *latent*: a small stack of number grids. The decoder maps a latent back to an image. They are trained together to make decode(encode(image)) look like the image.',
					`Our encoder turns ${px} colour pixels into a latent of ${manifest.latent.channels} channels of ${manifest.latent.size} × ${manifest.latent.size} numbers. Stable Diffusion's turns 512 × 512 pixels into 4 × 64 × 64.`
				],
				figure: {
					name: 'vae',
					parts: ['vae-encoder', 'vae-decoder'],
					flow: 'training',
					note: {
						label: 'How much smaller',
						lines: [
							`ours: ${manifest.image.size}×${manifest.image.size}×3 = ${imageNumbers.toLocaleString('en-US')} → ${manifest.latent.channels}×${manifest.latent.size}×${manifest.latent.size} = ${latentNumbers} numbers (${imageNumbers / latentNumbers}×)`,
							'SD v1: 512×512×3 = 786,432 → 4×64×64 = 16,384 (48×)'
						]
					}
				}
			},
			{
				id: 'why-compress',
				title: 'Why compress at all?',
				quote: {
					text: 'The image is compressed for faster computation, as there would be fewer pixels to compute on.',
					verdict: 'right'
				},
				paragraphs: [
					'Right again. The U-Net runs dozens of times for every image, and its cost grows with the number of positions it looks at. Working on a 64 × 64 latent instead of 512 × 512 pixels made Stable Diffusion cheap enough for a home graphics card; that idea is why it is called a *latent* diffusion model.',
					'The compression also throws away detail our eyes barely notice, so the U-Net spends its effort on shapes and colours instead of pixel-perfect texture.'
				],
				figure: {
					name: 'vae',
					parts: ['vae-encoder', 'unet'],
					flow: 'both'
				}
			},
			{
				id: 'variational',
				title: 'What "variational" adds',
				paragraphs: [
					`A *variational* autoencoder outputs, for each latent number, a most likely value and a small spread, and a *KL* penalty pulls those towards a standard bell curve. It is often credited with making the latent space smooth, but in Stable Diffusion it is tiny, a weight of about 1e-6: it only keeps the latents from drifting far. What makes its decoder sharp are two other losses, a *perceptual* one (LPIPS, which compares images as a trained vision network sees them) and an *adversarial* one (a small patch discriminator that learns to tell decoded patches from real ones). Ours writes the same 1e-6 but counts it differently: it averages the pixel error over each image's ${imageNumbers.toLocaleString('en-US')} numbers while summing the KL over the latent's ${latentNumbers}, where Stable Diffusion's training sums both, so next to the pixel error our KL counts nominally ${imageNumbers.toLocaleString('en-US')} times as much as the same weight would there (nominally: Stable Diffusion's pixel term is also divided by a learned variance). And to keep things simple its reconstruction loss is only the pixel error (squared, plus a little absolute error), with no perceptual or adversarial loss.`,
					`With so weak a pull, Stable Diffusion's latents keep whatever spread its encoder gives them, so they are multiplied by a fixed *scale factor* that brings it to about 1, like the noise that will be added to them: 0.18215. Our stronger pull already keeps the spread close to 1, so our factor is ${manifest.latent.scale_factor.toFixed(2)}.`
				],
				figure: {
					name: 'vae',
					parts: ['vae-encoder'],
					flow: 'training',
					note: { label: 'Scaling', lines: ['z = scale × encoder(image)', 'so that std(z) ≈ 1'] }
				}
			},
			{
				id: 'order',
				title: 'Compress first, then add noise',
				quote: {
					text: 'Once the feature vectors have been produced, some noise is tossed onto the image. This noisy image is then compressed by the VAE autoencoder.',
					verdict: 'wrong'
				},
				correction: 4,
				paragraphs: [
					'Here the summary has the order backwards. The **clean** image is encoded first, and the noise is added to the **latent**. The VAE never sees a noisy image: it was trained only on clean ones, and the noise the U-Net learns to remove is noise in latent space.',
					`The VAE is trained first, on its own, and its encoder is then frozen, like CLIP: while the U-Net learns, every image is encoded by the same fixed encoder, so the latents it learns to draw keep one meaning. The decoder may still be improved afterwards, as long as the latent space stays the same: Stability later released a decoder-only fine-tune of Stable Diffusion's (sd-vae-ft-mse) as a drop-in replacement, and ours was fine-tuned the same way, with the encoder fixed.`,
					'The next chapter shows how that noise is added.'
				],
				figure: {
					name: 'noising',
					parts: ['vae-encoder', 'unet'],
					flow: 'training',
					note: {
						label: 'Real order',
						lines: ['image → encoder → latent x₀ → + noise → x_t → U-Net']
					}
				}
			},
			{
				id: 'what-is-lost',
				title: 'What is lost',
				paragraphs: [
					'Compression is not free. Thin lines, small text and tiny details come back blurred or slightly changed, because the decoder has to invent what the latent does not store. Faces with small features are the classic victims in Stable Diffusion.',
					`At our scale one latent position stands for a ${cellPixels} × ${cellPixels} block of pixels, so edges get a little soft. The [model card](/model#quality) reports how close the round trip comes, as a PSNR in decibels.`,
					`We also tried a decoder that paints ${2 * manifest.image.size} × ${2 * manifest.image.size} pixels from the same ${latentShape} latent, which would give Stable Diffusion’s own 48× compression. It drew cleaner edges than simply enlarging our pictures, but it could not bring back detail the latent never held, so the site keeps the ${manifest.image.size}-pixel decoder; the [model card](/model#a-64-px-decoder-tried-not-shipped) lists every try.`
				],
				figure: {
					name: 'vae',
					parts: ['vae-decoder'],
					flow: 'both'
				}
			}
		]
	},
	{
		slug: 'adding-noise',
		number: 4,
		title: 'Adding noise (training)',
		description:
			'How training examples are made: a clean latent, a random timestep, and noise mixed in by a fixed schedule, in one step.',
		steps: [
			{
				id: 'recipe',
				title: 'The recipe for one training example',
				correction: 4,
				paragraphs: [
					`To teach the U-Net to find noise, we make examples where we *know* the noise. Take the latent x₀ of a real image. Draw a random **timestep** t between 0 and ${T - 1}. Draw random noise ε, one number from a bell curve for every latent number. Then mix:`,
					'The numbers ᾱ_t ("alpha bar") come from a fixed **noise schedule**. Both weights add up, squared, to 1, so, since the scale factor gives x₀ a spread of about 1, x_t keeps about the same spread as pure noise.'
				],
				figure: {
					name: 'noising',
					parts: ['vae-encoder', 'unet'],
					flow: 'training',
					note: {
						label: 'Forward diffusion',
						lines: ['x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε', 'ε ~ N(0, 1)']
					}
				}
			},
			{
				id: 'schedule',
				title: 'The noise schedule',
				paragraphs: [
					`At t = 0, ᾱ is almost 1: the latent is nearly clean. At t = ${T - 1} it is almost 0, nearly pure noise but not quite: the clean latent still counts with a weight of √ᾱ = ${keptAtTop}. In between it falls smoothly. Stable Diffusion's schedule comes from a thousand small per-step noise amounts β_t rising from 0.00085 to 0.012; our model uses exactly the same one (${manifest.schedule.beta_start} to ${manifest.schedule.beta_end}, in its manifest).`,
					'A handy way to read it is the **signal-to-noise ratio**, ᾱ_t / (1 − ᾱ_t): far above 1 early on, far below 1 at the end, but never 0. Generation nonetheless starts from pure noise, in Stable Diffusion v1 as here. Lin et al. (2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed") showed that this small mismatch is why Stable Diffusion struggles to make very dark or very bright images.'
				],
				figure: {
					name: 'schedule',
					parts: [],
					flow: 'training',
					note: {
						label: 'Our schedule, the same as SD v1’s',
						lines: [
							`β_t from ${manifest.schedule.beta_start} to ${manifest.schedule.beta_end} (scaled linear), T = ${T}`,
							'ᾱ_t = (1 − β_0) · (1 − β_1) · … · (1 − β_t)'
						]
					}
				}
			},
			{
				id: 'one-jump',
				title: 'Any noise level in one jump',
				paragraphs: [
					'The word "diffusion" suggests adding a little noise at a time, a thousand times over. Because sums of bell-curve noise are again bell-curve noise, the formula jumps straight to *any* t in one step. Training is cheap: one random t per example, no loop.'
				],
				figure: {
					name: 'noising',
					parts: [],
					flow: 'training'
				}
			},
			{
				id: 'why-random-t',
				title: 'Why a random timestep?',
				paragraphs: [
					'At generation time the U-Net will meet every noise level, from pure static down to almost clean. Drawing t at random during training shows it all of them. Its job changes with t: at high noise it must imagine the overall layout; at low noise, only polish the details.'
				],
				figure: {
					name: 'prediction',
					parts: ['unet'],
					flow: 'training'
				}
			}
		]
	},
	{
		slug: 'unet',
		number: 5,
		title: 'The U-Net predicts the noise',
		description:
			'What goes into the U-Net (a noisy latent, the timestep, the prompt through cross-attention), what comes out, and how one training step with its loss updates the weights.',
		steps: [
			{
				id: 'inputs',
				title: 'Three inputs, not two',
				quote: {
					text: 'The latent, together with its feature vector, is now input to the U-Net.',
					verdict: 'incomplete'
				},
				correction: 5,
				paragraphs: [
					`The U-Net gets the noisy latent x_t, **the timestep t** (so it knows how much noise to expect) and the text. The text does not arrive as one feature vector: the U-Net reads **all the per-token vectors** of the text encoder, 77 × 768 numbers in Stable Diffusion v1, ${context} × ${hidden} in ours.`,
					'It reads them through **cross-attention**: every position of the latent asks "which words matter for me?" and mixes in the vectors of those words. The question is a vector, the position\'s *query*; each word offers a *key* to match it against and a *value* to mix in. Cross-attention maps show, for each word, where in the image it is looked at.'
				],
				figure: {
					name: 'attention',
					parts: ['text-encoder', 'unet'],
					flow: 'both',
					note: {
						label: 'Cross-attention',
						lines: [
							'query: each latent position',
							'keys and values: each token',
							'weights = softmax(q · k / √d)'
						]
					}
				}
			},
			{
				id: 'predicts-noise',
				title: 'It predicts the noise',
				quote: {
					text: 'Instead of predicting what the original, un-noisy image was, the U-Net predicts the noise that was tossed onto the image.',
					verdict: 'right'
				},
				correction: 6,
				paragraphs: [
					'True for Stable Diffusion v1 and for our model: the output is ε̂, a guess of the noise ε, with the same shape as the latent. This is called *epsilon prediction*. Some later models predict a blend of noise and image called *velocity* (v) instead; the idea stays the same.',
					'Why the noise and not the image? Both carry the same information: from a noise guess the clean-image guess follows, and back. When x_t is mostly noise, the clean image implied by the best noise guess is the same blurry average of everything it could be as a direct guess of the image would be. What differs is how the training loss weighs the noise levels. The noise comes from the same bell curve at every level, so its target is always well scaled, and a squared error on the noise is a squared error on the implied image times the signal-to-noise ratio: it asks little at high noise, where no guess can be sharp, and much at low noise, where it can. The paper that made this work (Ho et al., 2020) found predicting ε trained better than predicting the image. At the very highest noise levels ε is the easy, uninformative answer, which is one reason later models, and our distilled student, predict v.',
					'From a noise guess you can always compute a guess of the clean latent, by undoing the mixing formula. The denoising chapter uses exactly that.'
				],
				figure: {
					name: 'prediction',
					parts: ['unet'],
					flow: 'training',
					note: {
						label: 'Output',
						lines: ['ε̂ = U-Net(x_t, t, text)', `same shape as x_t: ${latentShape} here`]
					}
				}
			},
			{
				id: 'shape',
				title: 'Why it is shaped like a U',
				paragraphs: [
					'The network first shrinks the latent step by step to see the big picture, then grows it back to full size to place the details. *Skip connections* carry the fine detail from each level on the way down across to the same level on the way up. Drawn as a diagram it looks like a U.',
					'Inside are residual blocks (which also receive the timestep) and transformer blocks with self-attention and cross-attention to the text.'
				],
				figure: {
					name: 'prediction',
					parts: ['unet'],
					flow: 'both'
				}
			},
			{
				id: 'loss',
				title: 'One example, one loss, one update',
				quote: {
					text: 'Once it outputs the predicted noise, that noise is subtracted from the latent in conjunction with the learning rate.',
					verdict: 'wrong'
				},
				correction: 7,
				paragraphs: [
					'During training nothing is subtracted from the latent and nothing loops. The prediction ε̂ is compared with the true noise ε by the **mean squared error**. Backpropagation then finds how each weight should change to make that error smaller, and the weights take a small step that way. *That* step size is the **learning rate**: it belongs to the weights, not to the latent.',
					`That is the idea, told with one example. In practice one update averages the loss over a whole *batch* of examples (2,048 in Stable Diffusion v1, drawn from billions of image-caption pairs collected from the web, subsets of LAION-5B; ours are emoji and their names, in the [model card](/model#training)), and the step is taken by the *AdamW* optimizer, which adapts its size for every weight. Ours also counts the nearly clean examples for less (*min-SNR* weighting), a common trick that speeds training up. Then a new batch of images, timesteps and noise is drawn, and it happens again: hundreds of thousands of times for Stable Diffusion v1, ${manifest.training.unet_steps.toLocaleString('en-US')} times for ours.`
				],
				figure: {
					name: 'prediction',
					parts: ['unet'],
					flow: 'training',
					note: {
						label: 'Training step',
						lines: [
							'loss = mean((ε̂ − ε)²) over a batch',
							'weights ← weights − learning rate × gradient',
							'(simplified: really AdamW; ours also min-SNR weighted)'
						]
					}
				}
			},
			{
				id: 'empty-prompt',
				title: 'Sometimes, no prompt at all',
				paragraphs: [
					'About one time in ten, the caption is replaced by an empty prompt. The same U-Net thereby also learns to predict noise *without* any text. That seems odd now; in the next chapter it is what makes the prompt steer the image strongly.',
					'Nothing is decoded during training either: the VAE decoder sits idle. Decoding only happens when an image is generated.'
				],
				correction: 8,
				figure: {
					name: 'loop',
					focus: 'guidance',
					parts: ['unet', 'text-encoder'],
					flow: 'training'
				}
			}
		]
	},
	{
		slug: 'denoising-loop',
		number: 6,
		title: 'The denoising loop (generation)',
		description:
			'Generation starts from seeded random noise in latent space; at each step the U-Net predicts noise with and without the prompt, guidance combines them, and the scheduler takes a step.',
		steps: [
			{
				id: 'start-from-noise',
				title: 'Start from noise in latent space',
				quote: {
					text: 'When using a diffuser for inference, the diffuser typically begins with a purely noisey image.',
					verdict: 'incomplete'
				},
				correction: 9,
				paragraphs: [
					`Generation starts from **pure random noise in latent space**, not from a noisy picture: 4 × 64 × 64 numbers for a 512-pixel Stable Diffusion image, ${latentShape} for ours. The noise comes from a random number generator started from a **seed**.`,
					'The same seed gives the same noise, so the same prompt, seed and settings give the same image. On this site’s WebAssembly backend that holds on any computer: the noise comes from our own portable generator, and it computes in float32 with the same result everywhere, up to float rounding; WebGPU, where a page uses it, agrees with it within a small tolerance. Stable Diffusion is less strict: PyTorch draws different noise from the same seed on a CPU and on a CUDA GPU, and GPU arithmetic, even in full precision, is not always bit-for-bit reproducible (it depends on which kernels run, on the order in which parallel sums add up, and on the hardware), so another machine may give a close but not identical image. Change the seed and you get a different image of the same prompt.'
				],
				figure: {
					name: 'loop',
					focus: 'start',
					parts: ['scheduler'],
					flow: 'generation',
					note: {
						label: 'Start',
						lines: ['x_T ~ N(0, 1) from the seed', `shape ${latentShape} here`]
					}
				}
			},
			{
				id: 'guidance',
				title: 'Two predictions per step: guidance',
				quote: {
					text: 'The diffuser uses the input prompt to guide the removal of noise from the noisy image, until the image resembles what is desired.',
					verdict: 'incomplete'
				},
				correction: 10,
				paragraphs: [
					'"Guide" has a precise meaning. At every step the U-Net runs **twice**: once with your prompt and once with the empty prompt it learned in training. The difference between the two predictions points towards "more like the prompt". **Classifier-free guidance** exaggerates it by a *guidance scale* s.',
					'With s = 1 you get the plain prompted prediction; larger s follows the prompt more closely, at some cost to variety and, pushed too far, to quality. Stable Diffusion commonly uses about 7.5.',
					"Why *classifier-free*? An earlier method steered each step with the gradient of a separate classifier trained on noisy images (Dhariwal & Nichol, 2021). This one needs none: in training the prompt is dropped some of the time (one time in ten for ours, and for Stable Diffusion v1's later checkpoints), so the same U-Net also learns to predict the noise with no text at all, and the difference between its two predictions does the classifier's job (Ho & Salimans, 2022).",
					'Two settings of the slider take the formula apart. At s = 0 only the unprompted prediction is left: the prompt is ignored, and you see what the model draws from this seed with no text ([guidance 0](/denoising-loop?step=2&guidance=0)). At s = 1 the prompted prediction is used as it is, with nothing exaggerated ([guidance 1](/denoising-loop?step=2&guidance=1)).',
					'The *negative prompt* box of every Stable Diffusion app is no separate mechanism: its text simply takes the empty prompt\'s place in the formula, so the step is pushed away from it and towards the prompt: ε = ε_neg + s · (ε_cond − ε_neg). Try one under "Change" above the figure ([“red heart”](/denoising-loop?step=2&neg=red+heart)): the second panel then shows the prediction for the negative prompt. The distilled student has no such slot, as its guidance happens inside it.'
				],
				figure: {
					name: 'loop',
					focus: 'guidance',
					parts: ['unet', 'text-encoder'],
					flow: 'generation',
					note: {
						label: 'Classifier-free guidance',
						lines: ['ε = ε_uncond + s · (ε_cond − ε_uncond)'],
						negative: {
							label: 'Guidance with a negative prompt',
							lines: ['ε = ε_neg + s · (ε_cond − ε_neg)']
						},
						student: {
							label: 'The student’s guidance',
							lines: [
								'ε = student(x_t, t, text, s, N): one run',
								's and the step count N are inputs, like t'
							]
						}
					}
				}
			},
			{
				id: 'scheduler-step',
				title: 'The scheduler takes a step',
				correction: 7,
				paragraphs: [
					'Now the **scheduler** uses the guided noise. First it estimates the clean latent x₀ by undoing the mixing formula. Then it mixes that estimate with the predicted noise again, at a *lower* noise level: that is the latent for the next step.',
					'How much noise is removed per step is fixed by the noise schedule and the number of steps, not by a learning rate, and no weights change. Different schedulers (DDPM, DDIM, Euler, …) are different recipes for this step.',
					`Two details differ between our scheduler and the settings Stable Diffusion v1 ships with its own scheduler (PNDM; diffusers' DDIM reuses them). Ours spaces its steps from the very top ("trailing" spacing), so the first step is at t = ${T - 1}, and its last step goes all the way to ᾱ = 1, a clean latent (\`set_alpha_to_one=True\` in the diffusers library). The scheduler settings shipped with Stable Diffusion v1 use "leading" spacing with \`steps_offset=1\`, so at ${loopSteps} steps it starts at t = ${leadingFirst}, never ${T - 1}, and with \`set_alpha_to_one=False\` its last step stops at ᾱ_0, a hair short of clean. The fewer the steps, the more leading spacing costs: at ${fewSteps} steps its first step is at t = ${leadingFewFirst}, so the U-Net is told to expect a latent that keeps √ᾱ = ${keptAtLeadingFew} of its picture when the latent is pure noise, and its first estimate starts from that wrong premise (compare the two spacings in the sampler grid).`,
					"The sampler menu above the figure swaps the recipe, the number of steps and the spacing, as the menu of any Stable Diffusion app does. DDIM and Euler are deterministic: after the starting noise they add none, so more steps converge on one picture per seed. Euler ancestral and DDPM add fresh noise back at every step, so their pictures keep changing as steps are added; here that noise is seeded from the seed too, so every sampler repeats its picture for the same link. DPM-Solver++ (2M) also uses the previous step's x₀ estimate, a second-order step. The figure's box of numbers shows the chosen sampler's coefficients for this step."
				],
				figure: {
					name: 'loop',
					focus: 'scheduler',
					parts: ['scheduler', 'unet'],
					flow: 'generation',
					note: {
						label: 'DDIM step (t → t′)',
						lines: ['x₀ = (x_t − √(1 − ᾱ_t) · ε) / √ᾱ_t', 'x_t′ = √ᾱ_t′ · x₀ + √(1 − ᾱ_t′) · ε']
					}
				}
			},
			{
				id: 'repeat',
				title: 'Repeat, a few dozen times',
				quote: {
					text: 'This new, less noisy latent is now input again and the process repeats until desired.',
					verdict: 'training-story'
				},
				paragraphs: [
					`In the summary this sentence still tells training, where nothing repeats (see [the loss](/unet?step=4)). In generation it is right: this part is a loop. The model was trained on ${T.toLocaleString('en-US')} noise levels, but a scheduler like DDIM visits only some of them: 20 to 50 steps are typical. Each step is two U-Net runs and a little arithmetic.`,
					'Early steps decide the layout and colours; late steps sharpen details. Fewer steps is faster. Better solvers such as DPM-Solver++ get good images in about 20; to get down to one to four, people distil the model, as the [next chapter](/distillation) shows.'
				],
				figure: {
					name: 'path',
					parts: ['unet', 'scheduler'],
					flow: 'generation',
					note: {
						label: 'Our default',
						lines: [
							`${loopSteps} ${defaultSampler} steps, guidance ${manifest.sampler.guidance}`,
							'2 U-Net runs per step'
						]
					}
				}
			},
			{
				id: 'watch-it-form',
				title: 'Watching the image form',
				correction: 8,
				paragraphs: [
					'The latent in the middle of the loop is noisy and hard to look at. But the clean-latent estimate x₀ of every step can be decoded, to watch the image appear: a blurry average at first, then a clearer and clearer picture.'
				],
				figure: {
					name: 'filmstrip',
					parts: ['scheduler', 'vae-decoder'],
					flow: 'generation'
				}
			},
			{
				id: 'samplers',
				title: `${samplerWord} samplers, ${samplerStepWord} step counts`,
				paragraphs: [
					`A sampler is only the scheduler's recipe for one step: the U-Net and the guidance formula are the same, and only how each prediction becomes the next latent differs (which changes what the U-Net is shown next). The figure runs the teacher with every sampler at ${samplerStepList} steps on your prompt and seed. Each step is two U-Net runs whatever the sampler, so samplers at the same step count are compared at equal U-Net runs. Under each picture is the [model card](/model#samplers-at-few-steps)'s measurement of that sampler at that step count (with trailing spacing), on ${evalSet}, where every number has its interval.`,
					...samplerSentences(samplerRows),
					'So the choice is a trade. The deterministic samplers (DDIM, Euler, DPM-Solver++) settle on one picture per seed, and a preview at few steps already shows it roughly; the higher-order one gets there in fewer steps. The ancestral ones (Euler ancestral, DDPM) draw a new picture at every step count, which some readers want and others do not.'
				],
				figure: {
					name: 'sampler-grid',
					parts: ['scheduler', 'unet'],
					flow: 'generation'
				}
			},
			{
				id: 'two-prompts',
				title: 'When are the big decisions made?',
				paragraphs: [
					'Run the loop twice from the same seed: once for your prompt (A), and once with words added to it (B). Both start from the same noise, so at the first step their latents are identical; they part only as far as the words pull them apart. The scrubber moves both runs together, step for step at the same t.',
					"The curve under the pictures measures how different the two runs are at every step: the dashed line their latents x_t, the solid line the clean estimates x₀ the U-Net aims at, each as the root mean square of the difference over that of the values (0: the same; 1.41: two independent noises). Where the solid line levels off, the difference between what the two runs aim at has reached its final size: later steps still change each picture, but not how far apart the two are. The line under the figure reads that step off our model's own curve. The small map shows where B's U-Net looks for the first word token only B has, at the scrubbed step.",
					"Any two generations compare the same way: **Compare with…** above the figure sets B's prompt, negative prompt, seed and guidance, and a link's `vs.sampler`, `vs.steps`, `vs.spacing` and `vs.model` set the rest; anything B does not set is the link's own, with the chosen model's defaults and limits."
				],
				figure: {
					name: 'compare',
					parts: ['text-encoder', 'unet', 'scheduler'],
					flow: 'generation',
					compare: (a) => ({ prompt: `${a.prompt} with heart-eyes`.trim() })
				}
			},
			{
				id: 'two-seeds',
				title: 'What does a seed change?',
				paragraphs: [
					'The same prompt from two seeds: B starts from other noise, so the dashed line starts near 1.41, the difference of two unrelated noise latents, and falls as both runs turn their noise into pictures of the same prompt. The solid line says how different the pictures they aim at are at each step, and the line under the figure says from which step that difference stays where it ends.'
				],
				figure: {
					name: 'compare',
					parts: ['unet', 'scheduler'],
					flow: 'generation',
					compare: (a) => ({ seed: (a.seed + 1) % (SETTING_LIMITS.seedMax + 1) })
				}
			},
			{
				id: 'two-guidance-scales',
				title: 'What does guidance change?',
				paragraphs: [
					"The same prompt and seed at two guidance scales: A at the link's, B at 1, where the guided noise is the prompted prediction alone (or at 4 when A is at 1). They share the seed, so they start from the same noise; for the teacher, guidance changes only how each step's two predictions are mixed. Watch the two lines: the latents part step by step, while the estimates can start far apart, since at high noise x₀ magnifies a change in the predicted noise by √((1 − ᾱ)/ᾱ)."
				],
				figure: {
					name: 'compare',
					parts: ['unet', 'scheduler'],
					flow: 'generation',
					compare: (a) => ({ guidance: a.guidance === 1 ? 4 : 1 })
				}
			}
		]
	},
	{
		slug: 'distillation',
		number: 7,
		title: 'Fewer steps: distillation',
		description:
			'A student U-Net, started from the teacher’s weights, learned to draw in a few steps of one run each: both side by side, how it was taught, and every model at every step count, measured.',
		steps: [
			{
				id: 'teacher-and-student',
				title: `Same prompt, same seed: ${manifest.sampler.steps} steps or ${studentSteps}`,
				paragraphs: [
					`Every step of the loop is two U-Net runs, so ${loopSteps} steps cost ${2 * loopSteps}. Stable Diffusion runs 20 to 50 steps of a U-Net with close to a billion parameters, which is why so much work goes into needing fewer. Better solvers come first (DDIM gets good images in 20 to 50 steps, DPM-Solver++ in about 20), but to get down to 1 to 4 steps the trick is **distillation**: a *student* model learns to reproduce what the original model, the *teacher*, produces, in far fewer steps.`,
					`Here the teacher is the U-Net of the chapters before. The student started from the teacher's weights, with two more inputs whose embedding starts at zero (${studentParams.toLocaleString('en-US')} parameters against the teacher's ${teacherParams.toLocaleString('en-US')}), and learned to draw in ${stepList} steps. It also has guidance inside: the guidance scale is one of those inputs, like the timestep, so each of its steps is **one** U-Net run where the teacher needs two (with and without the prompt); in a browser those two go as one call on a batch of two (the last step of this chapter measures what each step costs). Both start from the same seeded noise and read the same prompt through the same CLIP. One slider moves both along the noise schedule: the student's picture changes only at its ${studentSteps} steps.`
				],
				figure: {
					name: 'distill-compare',
					parts: ['unet', 'scheduler'],
					flow: 'generation',
					note: {
						label: 'U-Net runs per image',
						lines: [
							`teacher: ${manifest.sampler.steps} steps × 2 = ${2 * manifest.sampler.steps}`,
							`student: ${studentSteps} step${studentSteps === 1 ? '' : 's'} × 1 = ${studentSteps}`
						]
					}
				}
			},
			{
				id: 'what-it-skips',
				title: 'What the student learned to skip',
				paragraphs: [
					`Drawn in two dimensions, the teacher's latent takes many small steps from the noise to its image. Asked for only a few steps, the same scheduler jumps along the teacher's guess at the clean image at each noise level; at high noise that guess is an average of the pictures the prompt could mean, so each jump lands off the path the small steps would have taken: far off at 1 or 2 steps, less at 8 (over the model card's generations, the teacher's picture is a median ${teacherPsnr(1)} dB PSNR from its ${loopSteps}-step picture at 1 step, ${teacherPsnr(8)} dB at 8; higher is closer).`,
					`The student was trained so that each of its jumps lands where the teacher's own guided steps go, on paths of ${teacherPathSteps} steps like the ones it drew for training (the figure draws the teacher's ${loopSteps}). Where its jumps end is another matter:`,
					...(pathEnd ? [pathEnd] : [])
				],
				figure: {
					name: 'distill-path',
					parts: ['unet', 'scheduler'],
					flow: 'generation'
				}
			},
			{
				id: 'progressive',
				title: 'How the student was taught',
				paragraphs: [
					`For each stage of the student's training, the teacher drew paths from pure noise, each with its ${teacherPathSteps} guided steps written down, for random training captions (one path in ten with the empty prompt) and guidance scales from ${guidanceRange}: ${pathStages}. Then the student, starting from the teacher's weights in the first stage and from that stage's result in the fine-tune, learned jumps along them: asked for N steps, each of its steps must land where the teacher lands after ${teacherPathSteps}/N of its own (the grids are nested: a ${coarsest}-step jump spans ${teacherPathSteps / coarsest} of the teacher's ${teacherPathSteps} steps). Every jump ends on a point the teacher drew. A first jump starts from the path's own noise; a later jump starts, in half of the training batches, on the teacher's path, and in the other half where the student's own earlier jumps from the same noise led (run by its slowly averaged copy, the EMA weights), so that it learns to get back onto the path from its own errors, as it must when it samples. The loss is the error of the student's clean-image estimate against the one that makes the teacher's jump, weighted by max(SNR, 1), plus, on some batches, a small pull of its cross-attention maps toward the teacher's. Every step count learned at once from the same paths: there were no rounds. The step count is an input too, since the best jump from pure noise may differ between a 1-step picture and the first of two steps (the model card lists a student trained without that input, for comparison).`,
					`The student also predicts something else than noise: *v*, a mix of the noise and the clean image (Salimans & Ho, 2022). At t = ${T - 1} the clean image is x₀ = (x − ${noiseAtTop} ε) / ${keptAtTop}, so any error in a predicted noise is multiplied by about ${errorGainAtTop} in the picture; predicting v avoids that, which matters when one prediction is the whole picture. Its graph turns v back into noise, so the loop and every figure here read it like the teacher's.`,
					"Other recipes get to 1 to 4 steps differently. *Progressive distillation*, which ours is not, halves the steps round after round, each student the next one's teacher (the paper started from 1,024 or 8,192 steps, depending on the data set); guidance can be folded in first (Meng et al., 2023). Latent consistency models learn to jump from any point of the path straight to its end; adversarial distillation (SD-Turbo) adds a second network that judges the student's pictures."
				],
				figure: {
					name: 'distill-lessons',
					parts: ['unet'],
					flow: 'training',
					note: {
						label: 'One lesson',
						lines: [
							`teacher: ${teacherPathSteps} guided steps from noise, written down`,
							`student (N steps): 1 jump to where the teacher is after ${teacherPathSteps}/N`
						]
					}
				}
			},
			{
				id: 'what-it-buys',
				title: 'What it buys, at equal cost',
				paragraphs: [
					`A fair comparison holds the cost equal: the teacher, too, can be asked for few steps. The grid runs both models at every step count on your prompt and seed, in your browser, with the time each took there (one run each, on whatever else your machine is doing), beside the [model card](/model#quality-at-equal-cost)’s measurements for exactly that model and step count, on ${evalSet}. Where two intervals overlap (for KID: where the two differ by no more than twice their combined standard error), the page calls the two not measurably different at this sample size: overlap is a cautious test, which can miss a real difference, and it never shows two equal.`,
					...(cost ? [cost] : []),
					...(equalTime.length
						? [equalTime.join(' ')]
						: ['The model card of this model folder has no measurements per step count.']),
					...(equalRuns.length
						? [
								`Counted in U-Net runs instead, the machine-independent cost, the student gets twice the teacher's steps. ${equalRuns.join(' ')}`
							]
						: []),
					'The model switch above every figure lets the whole explainer run on the student instead; the figures that show two noise predictions then show its one guided prediction.'
				],
				figure: {
					name: 'distill-grid',
					parts: ['unet', 'scheduler'],
					flow: 'generation'
				}
			}
		]
	},
	{
		slug: 'decoding',
		number: 8,
		title: 'Decompression',
		description:
			'The VAE decoder turns the final latent into pixels: the only time decoding is needed, and what earlier steps would have looked like.',
		steps: [
			{
				id: 'decode',
				title: 'The decoder makes the pixels',
				quote: {
					text: 'The latent is now decompressed through the VAE autoencoder’s decoder.',
					verdict: 'training-story'
				},
				paragraphs: [
					`After the last step, the latent is divided by the scale factor and passed once through the **VAE decoder**, which grows ${latentShape} numbers back into ${px} pixels (Stable Diffusion: 4 × 64 × 64 into 512 × 512). Values are clipped to the valid colour range, and that is the image.`
				],
				figure: {
					name: 'decode',
					parts: ['vae-decoder'],
					flow: 'generation',
					note: {
						label: 'Decode',
						lines: [
							'image = decoder(x₀ / scale)',
							`${manifest.latent.channels}×${manifest.latent.size}×${manifest.latent.size} → 3×${manifest.image.size}×${manifest.image.size}`
						]
					}
				}
			},
			{
				id: 'only-at-generation',
				title: 'Only when generating',
				quote: {
					text: 'We now have a generated image!',
					verdict: 'training-story'
				},
				correction: 8,
				paragraphs: [
					'The summary tells this as the end of training, but the U-Net’s training never decodes anything: its result is a better U-Net, not an image. Decoding belongs to generation. The encoder half, in turn, is not needed to generate from a prompt; it is used for training and for [editing existing images](/editing) (image-to-image: a picture is encoded, noised part of the way, and the loop denoises it from there).'
				],
				figure: {
					name: 'decode',
					parts: ['vae-decoder', 'vae-encoder'],
					flow: 'both'
				}
			},
			{
				id: 'earlier-steps',
				title: 'Decoding earlier steps',
				paragraphs: [
					'Nothing stops us from decoding the clean-latent estimate of an earlier step. Early on it is a soft, averaged guess of everything the prompt could be; step by step it commits to one picture.'
				],
				figure: {
					name: 'decode-compare',
					parts: ['vae-decoder'],
					flow: 'generation'
				}
			}
		]
	},
	{
		slug: 'editing',
		number: 9,
		title: 'Editing pictures: image-to-image and inpainting',
		description:
			'Image-to-image and inpainting, the knobs of every Stable Diffusion app, shown inside a live model: start the loop partway, from a noised picture, and repaint only what a mask covers.',
		steps: [
			{
				id: 'image-to-image',
				title: 'Start from a picture instead of noise',
				paragraphs: [
					'Every Stable Diffusion app can start from a picture. The **VAE encoder**, the half that text-to-image never uses, turns it into a latent ([VAE](/vae)). That latent is noised exactly as in training ([adding noise](/adding-noise?step=3)), to the level of a step partway through the loop, and the loop runs only the steps that remain, guided by the prompt as usual. This is SDEdit (Meng et al. 2021): no new model, no new training, only a different starting point.',
					"Pick a picture, type a prompt above, and watch what survives: the noise erases detail first and layout last, so what the U-Net rebuilds follows the picture's shapes and colours, and the prompt's content."
				],
				figure: { name: 'edit', parts: ['vae-encoder', 'unet', 'vae-decoder'], flow: 'generation' }
			},
			{
				id: 'strength',
				title: 'Strength picks the step to start from',
				paragraphs: [
					`The slider every app calls *strength* or *denoising strength* is the share of the loop that runs: strength s runs the last ⌊steps × s⌋ steps. At ${loopSteps} steps and strength ${DEFAULT_STRENGTH}, that is the last ${editRuns}, from t = ${editFrom}, where the start keeps √ᾱ = ${keptAtEditStart} of the picture's latent. Low strength keeps the picture and changes little; high strength keeps only rough blobs of colour.`,
					`Strength 0 runs no step: the picture comes back as the VAE redraws it. Strength 1 runs every step from pure noise: the picture is gone and this is text-to-image, the same image for the same seed. (diffusers' image-to-image pipeline still noises the picture at strength 1, to the schedule's first timestep: t = ${T - 1} with trailing spacing, where √ᾱ = ${keptAtTop} of it survives, or t = ${leadingFirst} with Stable Diffusion v1's shipped leading spacing at ${loopSteps} steps, where ${keptAtLeadingFirst} survives; a faint trace either way. Its inpainting pipeline, like this page, starts from pure noise.)`
				],
				figure: { name: 'edit', parts: ['vae-encoder', 'unet', 'scheduler'], flow: 'generation' }
			},
			{
				id: 'inpainting',
				title: 'Inpainting: repaint part of it',
				paragraphs: [
					"Inpainting changes only what a mask covers. The loop runs as before, but after every step the cells outside the mask are replaced by the picture noised to the *next* step's level, and after the last step by the picture itself. So at every step the whole latent is at the one noise level the U-Net is told, and only the masked part is its own work (whether the two parts agree across the mask's edge is another matter: see the last step). Paint on the picture, or choose a preset.",
					'The blend works with any text-to-image model, ours included: the U-Net never learns what a mask is.'
				],
				figure: {
					name: 'edit',
					focus: 'inpaint',
					parts: ['vae-encoder', 'unet', 'scheduler', 'vae-decoder'],
					flow: 'generation'
				}
			},
			{
				id: 'limits',
				title: 'What the blend cannot do',
				paragraphs: [
					`The mask lives on the latent grid, ${manifest.latent.size} × ${manifest.latent.size} cells here: each cell covers ${cellPixels} × ${cellPixels} pixels (a Stable Diffusion latent cell covers 8 × 8), so no mask is finer than a cell. The kept part is decoded, not pasted: the VAE decoder redraws it with the rest, so even kept pixels differ slightly from the picture. And since the U-Net only ever sees the blended picture, the repainted part can clash with its surroundings, leaving a seam.`,
					"Each limit has its own fix in Stable Diffusion apps. Pasting the original pixels back outside the mask after decoding fixes the first two: the kept pixels are the picture's own again, and the edge of the change follows the painted mask pixel by pixel rather than the latent's cells. The seam needs training: Stable Diffusion's dedicated inpainting models take the mask and the masked picture's latent as extra input channels (9 instead of 4), so the U-Net sees what its part must match. Their output is still decoded, so apps usually paste the original back outside the mask there too (diffusers does when asked to, with `padding_mask_crop`)."
				],
				figure: {
					name: 'edit',
					focus: 'inpaint',
					parts: ['vae-encoder', 'unet', 'vae-decoder'],
					flow: 'generation'
				}
			}
		]
	},
	{
		slug: 'recap',
		number: 10,
		title: 'What the summary got right, and what it skipped',
		description:
			'A recap of how Stable Diffusion works: the big picture the summary gets right, and the eleven places where the real model does something different.',
		steps: [
			{
				id: 'got-right',
				title: 'What it got right',
				paragraphs: [
					'The big picture holds. A text encoder turns the prompt into numbers ([CLIP](/clip)). A VAE compresses images into latents and decompresses them ([VAE](/vae)). A U-Net predicts noise rather than the image ([U-Net](/unet?step=2)). Generation starts from noise and removes predicted noise step by step ([loop](/denoising-loop)), and the final latent is decoded into the image ([decoding](/decoding)).'
				],
				figure: {
					parts: ['text-encoder', 'unet', 'scheduler', 'vae-decoder'],
					flow: 'generation'
				}
			},
			{
				id: 'skipped-training',
				title: 'What it skipped in training',
				paragraphs: [
					'CLIP is trained once, beforehand, with a contrastive loss that also pushes mismatched pairs apart, and then frozen ([CLIP](/clip?step=4)). A CLIP embedding is one vector in a shared space, not a table ([shared space](/clip?step=3)). The image is compressed *before* noise is added, and the noise goes on the latent ([order](/vae?step=4)), in an amount set by a random timestep and the noise schedule ([schedule](/adding-noise?step=2)). The U-Net also receives the timestep and reads every token through cross-attention ([inputs](/unet?step=1)). A training step is a batch of predictions, one mean-squared-error loss and one weight update; the learning rate moves weights, not latents ([loss](/unet?step=4)).'
				],
				figure: { parts: ['image-encoder', 'vae-encoder', 'unet'], flow: 'training' }
			},
			{
				id: 'skipped-generation',
				title: 'What it skipped in generation',
				paragraphs: [
					'The image encoder is not used to generate, and a fifth part, the scheduler, is ([parts](/parts?step=6)). Generation starts from seeded noise in latent space ([start](/denoising-loop?step=1)). "Guiding" is classifier-free guidance: two U-Net runs per step, combined with a guidance scale ([guidance](/denoising-loop?step=2)). The scheduler, not a learning rate, decides how much noise each step removes ([step](/denoising-loop?step=3)). And every step\'s clean-latent estimate can be decoded to watch the image form ([decoding](/decoding?step=3)).'
				],
				figure: { parts: ['text-encoder', 'unet', 'scheduler', 'vae-decoder'], flow: 'generation' }
			},
			{
				id: 'app-controls',
				title: "What an app's controls do inside",
				paragraphs: [
					"The controls of every Stable Diffusion app are these same parts, used differently. A negative prompt is what fills guidance's empty-prompt slot ([guidance](/denoising-loop?step=2)). The sampler menu swaps the scheduler's recipe for a step, and the step count sets how many U-Net runs it gets ([samplers](/denoising-loop?step=6)). Image-to-image starts the loop partway, from the VAE encoder's latent of a picture, noised; strength picks the step ([image-to-image](/editing?step=2)). Inpainting puts the picture back outside a mask after every step, noised to the next step's level ([inpainting](/editing?step=3))."
				],
				figure: {
					parts: ['vae-encoder', 'text-encoder', 'unet', 'scheduler', 'vae-decoder'],
					flow: 'generation'
				}
			},
			{
				id: 'try-it',
				title: 'Now try it',
				paragraphs: [
					`Everything on these pages is computed by a real, if tiny, diffusion model running in your browser. The model switch above each figure runs it all on the [distilled student](/distillation) instead: ${studentSteps} step${studentSteps === 1 ? '' : 's'} of one U-Net run each, rather than ${manifest.sampler.steps} of two. Credits for the emoji images and the model's details are on the [credits page](/credits).`
				],
				figure: { parts: [], flow: 'both' }
			}
		]
	}
];

export function chapterBySlug(slug: string): Chapter | undefined {
	return CHAPTERS.find((c) => c.slug === slug);
}

export function neighbours(slug: string): { prev?: Chapter; next?: Chapter } {
	const i = CHAPTERS.findIndex((c) => c.slug === slug);
	return { prev: i > 0 ? CHAPTERS[i - 1] : undefined, next: CHAPTERS[i + 1] };
}
