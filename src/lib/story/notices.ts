/**
 * One line under each figure: what to notice in it, computed from what it shows now (the
 * reader's settings, the step on the scrubber, the chosen noise level). Pure, unit-tested.
 */
import type { Manifest } from '../pipeline/manifest';
import { cosineMatrix } from '../pipeline/similarity';
import type { Trace } from '../pipeline/generate';
import type { Base, FigureState } from './figures';
import { pairRequests, samplesRequest } from './requests';
import type { ViewName } from './views';

/** Noise levels at which the noising figures say "almost all noise" / "barely noisy". */
export const MOSTLY_NOISE = 0.2;
export const BARELY_NOISY = 0.95;

/** √ᾱ_t: how much of the clean latent is left in x_t. */
export function signalAt(manifest: Manifest, t: number): number {
	const abar = manifest.schedule.alphas_cumprod;
	return Math.sqrt(abar[Math.max(0, Math.min(abar.length - 1, Math.round(t)))]!);
}

function noiseLine(manifest: Manifest, t: number): string {
	const s = signalAt(manifest, t);
	const mix = `At t = ${t} the latent is ${s.toFixed(2)} × clean latent + ${Math.sqrt(1 - s * s).toFixed(2)} × noise`;
	if (s < MOSTLY_NOISE) return `${mix}: almost nothing of the image is left.`;
	if (s > BARELY_NOISY) return `${mix}: the noise is barely visible.`;
	return `${mix}: the shapes survive, the detail drowns.`;
}

/** Where a loop step sits: "early", "late" or neither, by the share of steps done. */
function phase(index: number, count: number): 'first' | 'early' | 'late' | 'last' | 'middle' {
	if (index === count - 1) return 'last';
	if (index === 0) return 'first';
	const done = (index + 1) / count;
	return done <= 0.3 ? 'early' : done >= 0.7 ? 'late' : 'middle';
}

function loopLine(manifest: Manifest, trace: Trace, index: number): string {
	const { guidance, model, negativePrompt } = trace.settings;
	const count = trace.steps.length;
	if (model === 'student')
		return `The student: ${count} step${count === 1 ? '' : 's'}, one U-Net run each, with guidance ${guidance} as one of its inputs: there is no pair of predictions to mix.`;
	if (negativePrompt) {
		if (guidance === 0)
			return `Guidance 0 with a negative prompt: only the prediction for “${negativePrompt}” counts, so this is the picture of the negative prompt.`;
		return `The negative prompt “${negativePrompt}” fills the empty prompt's slot: guidance ${guidance} pushes the noise away from it and toward the prompt.`;
	}
	if (guidance === 0)
		return 'Guidance 0: only the prediction without the prompt counts, so the prompt is ignored: this is the picture with no text.';
	if (guidance === 1)
		return 'Guidance 1: the prediction with the prompt, as it is, with no extra push away from the unprompted one.';
	return (
		phaseLine(manifest, trace, index) ??
		`Guidance ${guidance}: the guided noise is the unprompted prediction moved ${guidance} times the difference the prompt makes.`
	);
}

/** What the x₀ estimate is like at this point of the loop (nothing special mid-way). */
function phaseLine(manifest: Manifest, trace: Trace, index: number): string | undefined {
	const t = trace.steps[index]?.t ?? 0;
	switch (phase(index, trace.steps.length)) {
		case 'first': {
			if (trace.settings.model === 'student')
				return `Step 1, t = ${t}: the student's first estimate is its jump toward where the teacher's own guided steps would lead from this noise.`;
			const s = signalAt(manifest, t);
			// Leading timesteps at few steps start far below the top: the U-Net is told to
			// expect much of a picture in what is pure noise.
			if (s >= MOSTLY_NOISE)
				return `Step 1, t = ${t}: the U-Net is told x_t keeps ${s.toFixed(2)} of a picture, but x_t is pure noise (these timesteps start below the top), so its first estimate rests on a wrong premise.`;
			return `Step 1, t = ${t}: x_t is almost pure noise, so the x₀ estimate is a blurry average of everything the prompt could be.`;
		}
		case 'early':
			return `Early (t = ${t}): the x₀ estimate has the layout and colours, not yet the detail.`;
		case 'last':
			return `The last step: what the scheduler computes is the final latent, the picture the decoder will paint.`;
		case 'late':
			return `Late (t = ${t}): the picture is settled; the remaining steps only sharpen it.`;
		default:
			return undefined;
	}
}

/** The sample image CLIP finds closest to the prompt, with its cosine. */
function closestImage(base: Base, s: FigureState): string | undefined {
	const images = s.results.get(samplesRequest(base.fp));
	if (!images || !base.trace.settings.prompt) return undefined;
	const [row] = cosineMatrix([base.trace.textEmbed], images.embeds);
	if (!row?.length) return undefined;
	let best = 0;
	row.forEach((v, i) => {
		if (v > row[best]!) best = i;
	});
	const label = base.fp.samples.labels[best] ?? '';
	return `Of the sample images, CLIP finds “${label}” closest to “${base.trace.settings.prompt}” (cosine ${row[best]!.toFixed(2)}).`;
}

/** PSNR in dB between two images in the same range [-1, 1]. */
export function psnr(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
	return 10 * Math.log10(4 / Math.max(sum / a.length, 1e-12));
}

/** Where the figure is: the loop step on show, and the training example's level and image. */
export interface NoticeAt {
	step: number;
	level: number;
	sample: number;
}

export function noticeFor(
	view: ViewName,
	base: Base,
	s: FigureState,
	at: NoticeAt
): string | undefined {
	const { trace, manifest, dims } = base;
	const L = manifest.text.context_length;
	const n = trace.tokens.tokens.length;
	const t = at.level;
	switch (view) {
		case 'embedding':
			return trace.settings.prompt
				? `“${trace.settings.prompt}” fills ${n} of the ${L} rows ([CLS], its tokens, [SEP]); the other ${L - n} are padding, and the U-Net reads all ${L}.`
				: `An empty prompt still makes ${L} vectors ([CLS], [SEP], padding): this is what the “without the prompt” half of guidance reads.`;
		case 'similarity':
		case 'clip-map':
			return closestImage(base, s);
		case 'vae': {
			const sample = at.sample;
			const own = s.link.image === undefined ? s.own : null;
			const original = own ? own.pixels : base.fp.samples.pixels[sample];
			const decoded = own ? own.decoded : s.results.get(samplesRequest(base.fp))?.decoded[sample];
			if (!original || !decoded) return undefined;
			return `The round trip keeps ${psnr(original, decoded).toFixed(1)} dB PSNR: shapes and colours survive ${dims.C * dims.S * dims.S} numbers, the finest detail does not.`;
		}
		case 'schedule':
		case 'noising':
			return noiseLine(manifest, t);
		case 'prediction':
			return signalAt(manifest, t) < MOSTLY_NOISE
				? `At t = ${t} x_t is almost all noise, so the noise is easy to read off it: a low loss that says little about the image.`
				: signalAt(manifest, t) > BARELY_NOISY
					? `At t = ${t} the noise is faint and hard to tell from the image: a high loss on noise that barely changes x₀.`
					: `At t = ${t} image and noise are both visible: the U-Net must tell which is which.`;
		case 'loop':
			return loopLine(manifest, trace, at.step);
		case 'path':
		case 'filmstrip':
			return phaseLine(manifest, trace, at.step);
		case 'decode':
			return `The decoder turns ${dims.C} × ${dims.S} × ${dims.S} = ${dims.C * dims.S * dims.S} numbers into 3 × ${dims.R} × ${dims.R} = ${(3 * dims.R * dims.R).toLocaleString('en-US')} pixel values, ${(3 * dims.R * dims.R) / (dims.C * dims.S * dims.S)} times more.`;
		case 'decode-compare':
			return 'Early estimates are soft averages; each step commits to more of one picture, and the last estimate is the picture itself.';
		case 'distill-compare':
		case 'distill-path': {
			const pair = pairRequests(manifest, s.link);
			const teacher = s.results.latest('teacher', pair.teacher)?.trace.steps.length;
			const student = s.results.latest('student', pair.student)?.trace.steps.length;
			if (!teacher || !student) return undefined;
			return `The teacher runs its U-Net ${2 * teacher} times (${teacher} steps, two predictions each); the student ${student} time${student === 1 ? '' : 's'}.`;
		}
		default:
			return undefined;
	}
}
