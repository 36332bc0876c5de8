/**
 * The glossary: every term the chapters use that a reader may not know, with a short
 * definition, as data. The chapters' prose marks the first use of each term in each chapter
 * (Prose.svelte shows the definition there), and /glossary lists them all.
 *
 * Matching is exact and case-sensitive: `match` lists every form to find. A form that starts
 * with a lower-case letter (and is longer than one letter) also matches with a capital first
 * letter, at the start of a sentence. A form matches only as a whole word (no letter, digit,
 * hyphen or underscore either side), only in plain, emphasised or strong text (never in a link
 * or inline code), and never inside another term's match: where forms overlap, the longest
 * match starting first wins ("classifier-free guidance", not "guidance").
 */
import { parseInline, type Piece } from './inline';
import { defaultGuidance, unetMillions, vocabSize, manifest } from './facts';

const T = manifest.schedule.num_train_timesteps;
const R = manifest.image.size;
const latentShape = `${manifest.latent.channels} × ${manifest.latent.size} × ${manifest.latent.size}`;
const teacherParams = manifest.models?.teacher?.params ?? 0;
const studentParams = manifest.models?.student?.params ?? 0;

export interface GlossaryTerm {
	/** The anchor on the glossary page (/glossary#id). */
	id: string;
	/** The term as the glossary lists it. */
	term: string;
	/** Every form of the term to find in the prose (inflections, synonyms), case-sensitive. */
	match: string[];
	/** One or two sentences, plain text. */
	definition: string;
	/** Phrases in which a form means something else ("Both weights add up": not a network's). */
	except?: string[];
	/** The chapter that explains the term, where that is not the chapter that first uses it. */
	explainedIn?: string;
}

export const GLOSSARY: readonly GlossaryTerm[] = [
	{
		id: 'stable-diffusion',
		term: 'Stable Diffusion',
		match: ['Stable Diffusion'],
		definition:
			'The open text-to-image model released in 2022 by CompVis, Stability AI and Runway: a latent diffusion model made of a CLIP text encoder, a VAE and a U-Net. This site compares with version 1 (512 × 512 pixel images); our model has the same parts at a tiny scale.'
	},
	{
		id: 'weights',
		term: 'weights',
		match: ['weights', 'parameters'],
		except: ['Both weights'],
		definition: `The adjustable numbers inside a neural network, set by training and then fixed while it is used; “parameters” means the same. Stable Diffusion v1’s U-Net has about 860 million, ours about ${unetMillions} million.`
	},
	{
		id: 'text-encoder',
		term: 'text encoder',
		match: ['text encoder', 'text encoders'],
		definition: `The network that turns the prompt’s tokens into vectors, one per token, for the U-Net to read. Stable Diffusion v1 uses the text half of OpenAI’s CLIP ViT-L/14 (12 transformer layers, 768 numbers per token, 77 tokens); ours has 4 layers, ${manifest.text.hidden_size} numbers and ${manifest.text.context_length} tokens.`
	},
	{
		id: 'image-encoder',
		term: 'image encoder',
		match: ['image encoder', 'image encoders'],
		definition:
			'CLIP’s other half: a network that turns a picture into a vector in the same space as the text encoder’s. It is needed only to train CLIP (ours is a small ResNet); generating from a prompt never runs it.'
	},
	{
		id: 'clip',
		term: 'CLIP',
		match: ['CLIP'],
		definition:
			'Contrastive Language–Image Pre-training (Radford et al., OpenAI, 2021): a text encoder and an image encoder trained together so that a picture and its caption get similar vectors. Stable Diffusion v1 uses the text encoder of OpenAI’s CLIP ViT-L/14; ours was trained from scratch on emoji and their names.'
	},
	{
		id: 'vae',
		term: 'VAE',
		match: ['VAE', 'VAEs', 'autoencoder', 'autoencoders', 'variational autoencoder'],
		definition: `Variational autoencoder: an encoder that compresses an image into a latent and a decoder that turns a latent back into an image, trained together. Stable Diffusion v1’s turns 512 × 512 × 3 pixel values into 4 × 64 × 64 numbers; ours turns ${R} × ${R} × 3 into ${latentShape}.`
	},
	{
		id: 'u-net',
		term: 'U-Net',
		match: ['U-Net', 'U-Nets'],
		definition: `The network that predicts the noise in a noisy latent, given the timestep and the prompt, at every step (about 860 million weights in Stable Diffusion v1, ${unetMillions} million in ours). It shrinks the latent to see the whole, then grows it back, with skip connections across: drawn, a U (Ronneberger et al., 2015).`
	},
	{
		id: 'scheduler',
		term: 'scheduler',
		match: ['scheduler', 'schedulers'],
		definition:
			'The arithmetic, with no weights, that picks which noise levels to visit and turns each noise prediction into the next, less noisy latent. DDPM, DDIM, Euler and DPM-Solver++ are schedulers for the same trained U-Net; papers call them samplers or solvers.'
	},
	{
		id: 'latent',
		term: 'latent',
		match: ['latent', 'latents', 'latent space'],
		except: ['Latent consistency'],
		definition: `The small stack of number grids that the VAE’s encoder makes of an image, and on which all of diffusion happens: 4 × 64 × 64 numbers for a 512-pixel Stable Diffusion v1 image, ${latentShape} for ours. The latent space is every such stack.`
	},
	{
		id: 'token',
		term: 'token',
		match: ['token', 'tokens'],
		definition: `A piece of the prompt, a word or part of one, from the tokenizer’s fixed vocabulary; the text encoder gives each token its own vector. Stable Diffusion v1 reads up to 77 tokens from a vocabulary of 49,408; ours up to ${manifest.text.context_length} from ${vocabSize}.`
	},
	{
		id: 'tokenizer',
		term: 'tokenizer',
		match: ['tokenizer', 'tokenizers'],
		definition:
			'The fixed rule that cuts a text into tokens from a vocabulary, before any network sees it. Ours is a WordPiece tokenizer; Stable Diffusion’s CLIP uses byte-level BPE.'
	},
	{
		id: 'wordpiece',
		term: 'WordPiece',
		match: ['WordPiece'],
		definition: `The tokenizer of BERT: a vocabulary of whole words and word pieces, and each word is cut into the longest pieces it knows, left to right. Ours learned its ${vocabSize} tokens from the emoji names and keywords; a word it cannot build from them becomes [UNK].`
	},
	{
		id: 'bpe',
		term: 'byte-level BPE',
		match: ['byte-level BPE', 'BPE'],
		definition:
			'Byte-pair encoding: a vocabulary built by merging the most frequent pair of neighbouring symbols, again and again. Working on bytes, it can spell any text at all; CLIP’s has 49,408 tokens.'
	},
	{
		id: 'feature-vector',
		term: 'feature vector',
		match: ['feature vector', 'feature vectors'],
		definition: `A list of numbers that describes something, a text or an image, with what each number means found by training rather than chosen by hand; another word for an embedding. Our CLIP’s have ${manifest.text.embed_dim} numbers, Stable Diffusion v1’s 768.`
	},
	{
		id: 'embedding',
		term: 'embedding',
		match: ['embedding', 'embeddings'],
		definition:
			'A vector of numbers that stands for something (a token, a text, an image, a timestep) so that a network can compute with it. A CLIP embedding is one vector for a whole text or image; the U-Net reads the text encoder’s per-token vectors instead.'
	},
	{
		id: 'cosine-similarity',
		term: 'cosine similarity',
		match: ['cosine similarity', 'cosine similarities'],
		definition:
			'How nearly two vectors point the same way: their dot product divided by both their lengths, from 1 (same direction) through 0 (at right angles) to −1 (opposite). CLIP compares texts with images by it.'
	},
	{
		id: 'contrastive-loss',
		term: 'contrastive loss',
		match: ['contrastive loss', 'contrastive'],
		definition:
			'A training goal that pulls matching pairs together and pushes mismatched pairs apart, so that the encoders cannot give everything the same vector. CLIP’s is InfoNCE.'
	},
	{
		id: 'infonce',
		term: 'InfoNCE',
		match: ['InfoNCE'],
		definition:
			'CLIP’s contrastive loss (van den Oord et al., 2018): each image’s similarities to all the captions of its batch, divided by the temperature τ, go through a softmax, and the loss is minus the log of its own caption’s share; the same is done for each caption over the images. Ours also counts two pictures of the same emoji as a match.'
	},
	{
		id: 'softmax',
		term: 'softmax',
		match: ['softmax'],
		definition:
			'Turns a list of scores into shares that are positive and add up to 1: each score x becomes eˣ divided by the sum of all of them, so the highest score gets the largest share. CLIP’s loss and every attention layer use it.'
	},
	{
		id: 'temperature',
		term: 'temperature (τ)',
		match: ['temperature', 'τ'],
		definition:
			'The number CLIP divides its similarities by before the softmax: the smaller τ, the more the best match stands out from the rest. CLIP learns it, starting at 0.07 and never going below 0.01; ours does the same.'
	},
	{
		id: 'batch',
		term: 'batch',
		match: ['batch', 'batches'],
		definition:
			'A group of training examples processed together: one update averages their losses. CLIP’s contrastive loss compares every image with every caption of its batch; Stable Diffusion v1’s U-Net was trained in batches of 2,048.'
	},
	{
		id: 'frozen',
		term: 'frozen',
		match: ['frozen'],
		definition:
			'No longer trained: the weights stay fixed while other parts learn. Stable Diffusion’s CLIP text encoder and VAE are frozen while its U-Net trains, and so are ours.'
	},
	{
		id: 'kl-penalty',
		term: 'KL penalty',
		match: ['KL penalty', 'KL'],
		definition: `A loss (Kullback–Leibler divergence) pulling the VAE encoder’s output for each latent number, a most likely value and a spread, towards a standard bell curve. Both Stable Diffusion and ours weigh it 1e-6, against a pixel error summed there and averaged here over ${(manifest.image.channels * manifest.image.size ** 2).toLocaleString('en-US')} numbers, so ours pulls nominally that many times harder.`
	},
	{
		id: 'psnr',
		term: 'PSNR',
		match: ['PSNR'],
		definition:
			'Peak signal-to-noise ratio: how close a copy is to the original, pixel by pixel, in decibels: 10 · log₁₀(1 / mean squared error) for pixel values from 0 to 1. Higher is closer; 6 dB more means half the typical error.'
	},
	{
		id: 'scale-factor',
		term: 'scale factor',
		match: ['scale factor'],
		definition:
			'The fixed number the VAE’s latents are multiplied by after encoding (and divided by before decoding), so that their spread is about 1, like the noise’s. Stable Diffusion v1’s is 0.18215; ours is in the model card.'
	},
	{
		id: 'bell-curve',
		term: 'bell curve',
		match: ['bell curve', 'bell-curve'],
		definition:
			'The normal (Gaussian) distribution. The standard one, N(0, 1), has mean 0 and standard deviation 1; diffusion’s noise is drawn from it, one number for every latent number.'
	},
	{
		id: 'timestep',
		term: 'timestep',
		match: ['timestep', 'timesteps'],
		definition: `A whole number t from 0 to ${T - 1} that says how much noise a latent holds: near 0 almost none, at ${T - 1} almost nothing else. The U-Net is told t with every latent; a scheduler visits only some of them.`
	},
	{
		id: 'timestep-spacing',
		term: 'timestep spacing',
		match: ['spacing', 'leading spacing', 'trailing spacing'],
		definition: `Which timesteps a scheduler visits for a given number of steps. Trailing (ours, the default here) counts down from the top, so the first step is at t = ${T - 1}, on the pure noise the loop starts from; leading (Stable Diffusion v1’s) counts up from the bottom, so with few steps the first step is far below the top: the U-Net expects a partly clean latent, is given pure noise, and the picture suffers.`
	},
	{
		id: 'noise-schedule',
		term: 'noise schedule',
		match: ['noise schedule', 'noise schedules'],
		definition: `The fixed list of ${T.toLocaleString('en-US')} numbers ᾱ_t (“alpha bar”) that says how much of the clean latent (√ᾱ_t) and how much noise (√(1 − ᾱ_t)) the latent at timestep t holds. Stable Diffusion v1’s comes from “scaled linear” per-step amounts β_t; ours is the same one.`
	},
	{
		id: 'snr',
		term: 'signal-to-noise ratio (SNR)',
		match: ['signal-to-noise ratio', 'SNR'],
		definition:
			'At timestep t, ᾱ_t / (1 − ᾱ_t): how far the clean latent’s part outweighs the noise, as a ratio of variances. Far above 1 when nearly clean, far below 1 near pure noise, and in Stable Diffusion v1’s schedule never 0.'
	},
	{
		id: 'min-snr',
		term: 'min-SNR weighting',
		match: ['min-SNR'],
		definition: `A weighting of the training loss (Hang et al., 2023): each example counts min(SNR, γ) / SNR as much, so nearly clean ones, whose SNR is huge, count for less. Ours uses γ = ${manifest.training.min_snr_gamma}; Stable Diffusion v1 was trained without it.`
	},
	{
		id: 'epsilon-prediction',
		term: 'epsilon prediction',
		match: ['epsilon prediction'],
		definition:
			'Training the U-Net to output the noise ε that was mixed into the latent; its guess is written ε̂. Stable Diffusion v1 and our teacher U-Net predict ε.'
	},
	{
		id: 'v-prediction',
		term: 'v-prediction',
		match: ['v-prediction', 'velocity', 'v'],
		definition:
			'Training the network to output v = √ᾱ_t · ε − √(1 − ᾱ_t) · x₀, a mix of the noise and the clean latent, rather than the noise (Salimans & Ho, 2022). It stays accurate at the noisiest timesteps, where a noise guess says little about the image; Stable Diffusion 2’s 768-pixel model and our distilled student predict v.'
	},
	{
		id: 'mean-squared-error',
		term: 'mean squared error',
		match: ['mean squared error', 'mean-squared-error'],
		definition:
			'The average of the squared differences between a prediction and its target. The U-Net’s training loss is the mean squared error between the predicted noise ε̂ and the true noise ε.'
	},
	{
		id: 'loss',
		term: 'loss',
		match: ['loss', 'losses'],
		definition:
			'One number that says how far a model’s predictions are from their targets; training changes the weights to make it smaller.'
	},
	{
		id: 'gradient',
		term: 'gradient',
		match: ['gradient', 'gradients'],
		definition:
			'For a number that depends on many inputs (the loss, on the weights), how fast it changes as each input is nudged: one number per input. Training moves the weights against the loss’s gradient.'
	},
	{
		id: 'backpropagation',
		term: 'backpropagation',
		match: ['backpropagation'],
		definition:
			'How training finds the gradient of the loss for every weight at once: by the chain rule, working backwards from the loss through the network’s layers.'
	},
	{
		id: 'learning-rate',
		term: 'learning rate',
		match: ['learning rate', 'learning rates'],
		definition:
			'How big a step the optimizer takes on the weights at each training update. It moves weights only, never a latent or an image.'
	},
	{
		id: 'adamw',
		term: 'AdamW',
		match: ['AdamW'],
		definition:
			'The optimizer Stable Diffusion and ours were trained with: it scales each weight’s step by running averages of that weight’s gradients, and can shrink every weight slightly at each step (decoupled weight decay; Loshchilov & Hutter, 2019), which ours does only for CLIP.'
	},
	{
		id: 'query-key-value',
		term: 'query, key and value',
		// Only "query": "key" and "value" are also plain words ("a most likely value").
		match: ['query', 'queries'],
		definition:
			'The three vectors of attention: each position that looks sends a query, and each position or token it looks at offers a key and a value. The softmax of query · key (divided by √d, for vectors of d numbers) says how much of each value is mixed in.'
	},
	{
		id: 'self-attention',
		term: 'self-attention',
		match: ['self-attention'],
		definition:
			'Attention within one thing: every position of the latent (or every token of a text) looks at all the others and mixes in what they hold, weighted by how well its query matches their keys.'
	},
	{
		id: 'cross-attention',
		term: 'cross-attention',
		match: ['cross-attention'],
		definition:
			'Attention from one thing to another: in the U-Net each latent position sends a query to the prompt’s tokens, which offer keys and values, and mixes in the words that matter to it. It is how the prompt reaches the picture; the cross-attention maps show its softmax weights.'
	},
	{
		id: 'residual-block',
		term: 'residual block',
		match: ['residual block', 'residual blocks'],
		definition:
			'A few layers whose result is added to their own input (x + f(x)), so that each block learns a correction and a deep network stays trainable (He et al., 2015). In the U-Net each one also adds in the timestep’s embedding.'
	},
	{
		id: 'transformer-block',
		term: 'transformer block',
		match: ['transformer block', 'transformer blocks'],
		definition:
			'Self-attention (in the U-Net also cross-attention) and a small two-layer network, each added to its own input. The text encoder is a stack of them; the U-Net has them between its residual blocks.'
	},
	{
		id: 'classifier-free-guidance',
		term: 'classifier-free guidance',
		match: ['classifier-free guidance', 'classifier-free', 'guidance'],
		definition:
			'Running the U-Net twice per step, with the prompt and with an empty one, and pushing the prediction further along their difference: ε = ε_uncond + s · (ε_cond − ε_uncond), s being the guidance scale (Ho & Salimans, 2022). It works because training dropped the prompt from some examples.'
	},
	{
		id: 'guidance-scale',
		term: 'guidance scale',
		match: ['guidance scale', 'guidance scales'],
		definition: `The number s in classifier-free guidance: at 0 the prompt is ignored, at 1 the prompted prediction is used as it is, and above 1 the prompt is followed more closely, at some cost to variety. Stable Diffusion is commonly run at about 7.5; our default is ${defaultGuidance}.`
	},
	{
		id: 'seed',
		term: 'seed',
		match: ['seed', 'seeds', 'seeded'],
		definition:
			'The number that starts the random number generator, and so fixes the noise a generation starts from: the same prompt, seed and settings give the same image.'
	},
	{
		id: 'ddpm',
		term: 'DDPM',
		match: ['DDPM'],
		definition: `Denoising Diffusion Probabilistic Models (Ho et al., 2020): the paper that made diffusion models draw good images, and its scheduler, which adds fresh random noise at every step. The paper's sampler visits all ${T.toLocaleString('en-US')} timesteps, diffusers' DDPM scheduler and ours stride over them in as many steps as asked (1 to 50 here); Stable Diffusion and ours are trained its way.`
	},
	{
		id: 'ddim',
		term: 'DDIM',
		match: ['DDIM'],
		definition:
			'Denoising Diffusion Implicit Models (Song et al., 2020): a scheduler for a network trained the DDPM way that can skip timesteps, drawing good images in 20 to 50; with η = 0 (as here) it adds no fresh noise after the start, so a seed’s path is fixed and fewer steps still head for the same picture. Ours uses it by default.'
	},
	{
		id: 'euler',
		term: 'Euler',
		match: ['Euler'],
		definition:
			'A scheduler that treats denoising as a differential equation in the noise level σ = √((1 − ᾱ)/ᾱ) and takes the simplest (Euler) steps along it (Karras et al., 2022). With a noise-predicting U-Net and no added noise, its steps land where DDIM’s do (with trailing timesteps).'
	},
	{
		id: 'euler-ancestral',
		term: 'Euler ancestral',
		match: ['Euler ancestral'],
		definition:
			'Euler’s steps with fresh random noise put back after each one: a step first goes below the next noise level, then seeded noise brings it back up. Its steps land where DDPM’s do, and its pictures keep changing as steps are added.'
	},
	{
		id: 'sampler',
		term: 'sampler',
		match: ['sampler', 'samplers'],
		definition:
			'What Stable Diffusion apps call the scheduler’s recipe for one denoising step (DDIM, Euler, Euler ancestral, DDPM, DPM-Solver++ and others). The U-Net and the guidance formula are the same whichever sampler walks the loop; only how each prediction becomes the next latent differs.'
	},
	{
		id: 'image-to-image',
		term: 'image-to-image',
		match: ['image-to-image'],
		explainedIn: 'editing',
		definition:
			'Generating from a picture instead of pure noise (SDEdit, Meng et al., 2021): the picture’s latent is noised to a step partway through the loop, and the loop runs from there. Strength sets how far back it starts.'
	},
	{
		id: 'strength',
		term: 'strength',
		match: ['strength', 'denoising strength'],
		explainedIn: 'editing',
		definition:
			'Image-to-image’s slider, from 0 to 1: the share of the loop’s steps that run. 0 returns the picture as the VAE redraws it; 1 starts here from pure noise and ignores it (diffusers still keeps a faint trace).'
	},
	{
		id: 'inpainting',
		term: 'inpainting',
		match: ['inpainting'],
		explainedIn: 'editing',
		definition:
			'Repainting only the part of a picture a mask covers: after every step, the latent outside the mask is replaced by the picture noised to the same level. Stable Diffusion also has inpainting models trained to read the mask.'
	},
	{
		id: 'dpm-solver',
		term: 'DPM-Solver++',
		match: ['DPM-Solver++'],
		definition:
			'A scheduler (Lu et al., 2022) that, in its common multistep form, reuses the previous step’s prediction to take larger, more accurate steps (second order): good images in about 20 steps. Widely used with Stable Diffusion.'
	},
	{
		id: 'distillation',
		term: 'distillation',
		match: ['distillation', 'distil', 'distils', 'distill', 'distilled'],
		explainedIn: 'distillation',
		definition: `Training a student network to reproduce, in fewer steps, what a teacher network produces in many. Our student started from the teacher U-Net’s weights, with two inputs more (the guidance scale and the step count; ${studentParams.toLocaleString('en-US')} parameters against ${teacherParams.toLocaleString('en-US')}) and its output read as v, and learned to land, in a few steps of one run each, where the teacher’s own small steps go.`
	},
	{
		id: 'kid',
		term: 'KID',
		match: ['KID'],
		definition:
			'Kernel Inception Distance (Bińkowski et al., 2018): how far a set of generated pictures is from a set of real ones, compared by a trained network’s image features; lower is closer. The original uses an Inception network; our model card uses our CLIP’s image encoder and reports KID × 1,000.'
	},
	{
		id: 'diffusers',
		term: 'diffusers',
		match: ['diffusers'],
		definition:
			'Hugging Face’s Python library for diffusion models, through which Stable Diffusion is most often run; its scheduler settings are the ones this site compares with.'
	},
	{
		id: 'webassembly',
		term: 'WebAssembly',
		match: ['WebAssembly'],
		definition:
			'A compact code format that browsers run on the CPU at close to native speed. The model on this page runs in it where WebGPU is missing or disagrees with it.'
	},
	{
		id: 'webgpu',
		term: 'WebGPU',
		match: ['WebGPU'],
		definition:
			'The browser’s interface to the graphics card, for drawing and for general computation. The model on this page runs on it when the card’s results agree with WebAssembly’s.'
	},
	{
		id: 'float32',
		term: 'float32 and half precision',
		match: ['float32', 'half-precision', 'half precision'],
		definition:
			'Ways of storing numbers: float32 uses 32 bits, about 7 significant digits; half precision (float16) 16 bits, about 3. All arithmetic on this page is float32; Stable Diffusion usually runs in half precision on a GPU.'
	}
];

export const TERMS_BY_ID: ReadonlyMap<string, GlossaryTerm> = new Map(
	GLOSSARY.map((t) => [t.id, t])
);

/** One occurrence of a term in a piece of text: `start` to `end` (exclusive). */
export interface Match {
	id: string;
	start: number;
	end: number;
}

const WORD = /[\p{L}\p{N}_-]/u;

interface Form {
	id: string;
	text: string;
	except: string[];
}

const indexes = new WeakMap<readonly GlossaryTerm[], Map<string, Form[]>>();

/** Every form of every term (with its capitalised variant), longest first, by first character. */
function formIndex(terms: readonly GlossaryTerm[]): Map<string, Form[]> {
	const cached = indexes.get(terms);
	if (cached) return cached;
	const forms: Form[] = [];
	for (const t of terms)
		for (const m of t.match) {
			const except = t.except ?? [];
			forms.push({ id: t.id, text: m, except });
			const first = m[0]!;
			if (m.length > 1 && first !== first.toUpperCase())
				forms.push({ id: t.id, text: first.toUpperCase() + m.slice(1), except });
		}
	forms.sort((a, b) => b.text.length - a.text.length);
	const index = new Map<string, Form[]>();
	for (const f of forms) {
		const list = index.get(f.text[0]!) ?? [];
		list.push(f);
		index.set(f.text[0]!, list);
	}
	indexes.set(terms, index);
	return index;
}

/** Does `phrase` occur in `text` around [start, end)? */
function inside(text: string, phrase: string, start: number, end: number): boolean {
	for (let at = text.indexOf(phrase); at !== -1 && at <= start; at = text.indexOf(phrase, at + 1))
		if (at + phrase.length >= end) return true;
	return false;
}

/**
 * Every occurrence of a term in plain text (no markup), left to right, none overlapping: at
 * each position the longest form wins, and text a term has taken is not searched again.
 */
export function findTerms(text: string, terms: readonly GlossaryTerm[] = GLOSSARY): Match[] {
	const index = formIndex(terms);
	const out: Match[] = [];
	let i = 0;
	while (i < text.length) {
		const found =
			i > 0 && WORD.test(text[i - 1]!)
				? undefined
				: index.get(text[i]!)?.find((f) => {
						const end = i + f.text.length;
						return (
							text.startsWith(f.text, i) &&
							!(end < text.length && WORD.test(text[end]!)) &&
							!f.except.some((p) => inside(text, p, i, end))
						);
					});
		if (found) {
			out.push({ id: found.id, start: i, end: i + found.text.length });
			i += found.text.length;
		} else i++;
	}
	return out;
}

/** A term to mark in one paragraph: in its `piece`-th inline piece (parseInline), `start` to `end`. */
export interface Mark extends Match {
	piece: number;
}

/** The first use of a term in a chapter: which step, which paragraph of it, and where. */
export interface FirstUse extends Mark {
	step: number;
	paragraph: number;
}

const MARKABLE = new Set<Piece['kind']>(['text', 'em', 'strong']);

/** Where the terms occur in one paragraph: never in a link or inline code. */
export function termsInParagraph(
	source: string,
	terms: readonly GlossaryTerm[] = GLOSSARY
): Mark[] {
	return parseInline(source).flatMap((piece, k) =>
		MARKABLE.has(piece.kind) ? findTerms(piece.text, terms).map((m) => ({ ...m, piece: k })) : []
	);
}

/** The first use of each term in a chapter's prose, in reading order (steps, then paragraphs). */
export function firstUses(
	chapter: { steps: readonly { paragraphs: readonly string[] }[] },
	terms: readonly GlossaryTerm[] = GLOSSARY
): FirstUse[] {
	const seen = new Set<string>();
	const out: FirstUse[] = [];
	chapter.steps.forEach((s, step) =>
		s.paragraphs.forEach((p, paragraph) => {
			for (const m of termsInParagraph(p, terms)) {
				if (seen.has(m.id)) continue;
				seen.add(m.id);
				out.push({ ...m, step, paragraph });
			}
		})
	);
	return out;
}

/**
 * The marks of every paragraph of every chapter, by the paragraph's text (paragraphs are
 * unique across the story, tests/unit/glossary.test.ts), for Prose to look up.
 */
export function marksByParagraph(
	chapters: readonly { steps: readonly { paragraphs: readonly string[] }[] }[],
	terms: readonly GlossaryTerm[] = GLOSSARY
): Map<string, Mark[]> {
	const out = new Map<string, Mark[]>();
	for (const c of chapters)
		for (const u of firstUses(c, terms)) {
			const text = c.steps[u.step]!.paragraphs[u.paragraph]!;
			const list = out.get(text) ?? [];
			// A paragraph written twice, in two chapters, gets its marks once.
			if (!list.some((m) => m.piece === u.piece && m.start === u.start))
				list.push({ id: u.id, piece: u.piece, start: u.start, end: u.end });
			out.set(text, list);
		}
	return out;
}

/** A run of a piece's text: plain, or a marked term. */
export interface Run {
	text: string;
	term?: GlossaryTerm;
}

export type MarkedPiece = Piece & { runs: Run[] };

/** A paragraph's inline pieces, each cut into runs at its marks. */
export function markPieces(source: string, marks: readonly Mark[] = []): MarkedPiece[] {
	return parseInline(source).map((piece, k) => {
		const runs: Run[] = [];
		let at = 0;
		const here = marks.filter((m) => m.piece === k).sort((a, b) => a.start - b.start);
		for (const m of here) {
			const term = TERMS_BY_ID.get(m.id);
			if (!term || m.start < at) continue;
			if (m.start > at) runs.push({ text: piece.text.slice(at, m.start) });
			runs.push({ text: piece.text.slice(m.start, m.end), term });
			at = m.end;
		}
		if (at < piece.text.length) runs.push({ text: piece.text.slice(at) });
		return { ...piece, runs };
	});
}

/** Where each term is first explained: its chapter, and the step (from 1) that first uses it there. */
export function explainedIn<C extends Chapterish>(
	chapters: readonly C[],
	terms: readonly GlossaryTerm[] = GLOSSARY
): Map<string, { chapter: C; step: number }> {
	const out = new Map<string, { chapter: C; step: number }>();
	const uses = chapters.map((c) => new Map(firstUses(c, terms).map((u) => [u.id, u.step])));
	for (const t of terms) {
		const i = t.explainedIn
			? chapters.findIndex((c) => c.slug === t.explainedIn)
			: uses.findIndex((u) => u.has(t.id));
		const chapter = chapters[i];
		if (!chapter) continue;
		out.set(t.id, { chapter, step: (uses[i]!.get(t.id) ?? 0) + 1 });
	}
	return out;
}

interface Chapterish {
	slug: string;
	steps: readonly { paragraphs: readonly string[] }[];
}
