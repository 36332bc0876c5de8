/**
 * What several figures share: the step on show, the generations as shown, the distillation
 * pair, the training example, and the lines their notices are made of. Pure, unit-tested.
 */
import type { Shown } from '../live.svelte';
import { divergence } from '../pipeline/compare';
import type { FirstPaint } from '../pipeline/first-paint-file';
import type { Trace } from '../pipeline/generate';
import type { Manifest } from '../pipeline/manifest';
import type { Request } from '../pipeline/results';
import { cosineMatrix, project2d } from '../pipeline/similarity';
import type { ViewState } from '../url-state';
import {
	exampleFor,
	exampleRequest,
	pairRequests,
	samplesRequest,
	type ExampleKey,
	type Of
} from './requests';
import type { Base, Dims, Figure, FigureContent, FigureState, StepFocus } from './types';

export const LOADING = { wait: 'Loading the figure…' };
export const SHARED_CLIP_VAE =
	'The student shares CLIP and the VAE with the teacher, so the model switch does not change this figure.';

/**
 * The last result for the same arguments (compared by identity): figures are recomputed on
 * every change they read, and this keeps the heavy derivations, and the identity of what the
 * components get, as they were.
 */
export function lastOf<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
	let last: { args: A; result: R } | undefined;
	return (...args) => {
		if (!last || args.some((a, i) => a !== last!.args[i])) last = { args, result: fn(...args) };
		return last.result;
	};
}

/** The selector of a figure's key part for a step (see Figure.key). */
export const keyOf = (figure: Pick<Figure<unknown>, 'key'>, focus: StepFocus = 'all'): string =>
	typeof figure.key === 'string' ? figure.key : figure.key(focus);

export const dimsOf = (m: Manifest): Dims => ({
	C: m.latent.channels,
	S: m.latent.size,
	R: m.image.size,
	H: m.text.hidden_size
});

/** The main generation's step on show: the link's, else the one the prose is about. */
export function stepIndex(trace: Trace, link: ViewState, focus: StepFocus): number {
	const n = trace.steps.length;
	const fallback = focus === 'start' ? 0 : focus === 'all' ? n - 1 : Math.floor(n / 2);
	return Math.min(link.t ?? fallback, n - 1);
}

/** Each trace's timesteps, made once per trace: the components get the same array every time. */
const timestepsOf = new WeakMap<Trace, number[]>();
export function timesteps(trace: Trace): number[] {
	let ts = timestepsOf.get(trace);
	if (!ts) timestepsOf.set(trace, (ts = trace.steps.map((s) => s.t)));
	return ts;
}

/** The main generation's step on show, its number of steps (0 while it has none) and timesteps. */
export function atStep(trace: Trace, s: FigureState) {
	return { i: stepIndex(trace, s.link, s.focus), count: trace.steps.length, ts: timesteps(trace) };
}

/** Both generations' paths in one projection, so they can be drawn on the same axes. */
export const pathsOf = lastOf((a: Trace, b: Trace) => {
	const points = project2d([
		...[...a.steps.map((s) => s.x), a.finalLatent],
		...[...b.steps.map((s) => s.x), b.finalLatent]
	]);
	return { a: points.slice(0, a.steps.length + 1), b: points.slice(a.steps.length + 1) };
});

/** How different two generations are at every step. */
export const curveOf = lastOf(divergence);

/** Each generation's shown form, made once: the components get the same object every time. */
const shownForms = new WeakMap<object, Partial<Record<Shown['source'], Shown>>>();

/** A generation as shown, held per slot while the next one is computed (ResultReader.latest). */
export function shown(
	s: FigureState,
	slot: string,
	r: Of<'generation'>,
	fallback: Of<'generation'>
): Shown | null {
	const g = s.results.latest(slot, r, fallback);
	if (!g) return null;
	const source = s.results.isLive(r) ? 'live' : 'precomputed';
	const forms = shownForms.get(g) ?? {};
	shownForms.set(g, forms);
	return (forms[source] ??= { ...g, source });
}

/** The distillation figures wait for both models' generations. */
export function withPair<P>(
	{ manifest }: Base,
	s: FigureState,
	show: (teacher: Shown, student: Shown) => FigureContent<P>
): FigureContent<P> {
	const pair = pairRequests(manifest, s.link);
	const defaults = pairRequests(manifest, {});
	const teacher = shown(s, 'teacher', pair.teacher, defaults.teacher);
	const student = manifest.models?.student
		? shown(s, 'student', pair.student, defaults.student)
		: null;
	if (teacher && student) return show(teacher, student);
	return {
		wait: manifest.models?.student
			? 'Running the other model…'
			: 'This model folder has no distilled student.'
	};
}

/** What the distillation figures ask for: both models' generations for the link. */
export const pairNeeds = ({ manifest }: Base, s: FigureState): Request[] =>
	Object.values(pairRequests(manifest, s.link));

/** The distillation figures' notice: what each model's picture cost in U-Net runs. */
export function pairRunsLine({ manifest }: Base, s: FigureState): string | undefined {
	const pair = pairRequests(manifest, s.link);
	const teacher = s.results.latest('teacher', pair.teacher)?.trace.steps.length;
	const student = s.results.latest('student', pair.student)?.trace.steps.length;
	if (!teacher || !student) return undefined;
	return `The teacher runs its U-Net ${2 * teacher} times (${teacher} steps, two predictions each); the student ${student} time${student === 1 ? '' : 's'}.`;
}

/** The training example the link asks for, if computed. */
export function exampleResult(fp: FirstPaint, s: FigureState, key: ExampleKey) {
	const r = exampleRequest(fp, key);
	return r && s.results.get(r);
}

/** What the training-example figures ask for: the samples' codes and the link's example. */
export const exampleNeeds = ({ fp }: Base, s: FigureState): Request[] => {
	const r = exampleRequest(fp, exampleFor(s.link));
	return r ? [samplesRequest(fp), r] : [];
};

/** Noise levels at which the noising figures say "almost all noise" / "barely noisy". */
export const MOSTLY_NOISE = 0.2;
export const BARELY_NOISY = 0.95;

/** √ᾱ_t: how much of the clean latent is left in x_t. */
export function signalAt(manifest: Manifest, t: number): number {
	const abar = manifest.schedule.alphas_cumprod;
	return Math.sqrt(abar[Math.max(0, Math.min(abar.length - 1, Math.round(t)))]!);
}

/** What x_t is made of at timestep t. */
export function noiseLine(manifest: Manifest, t: number): string {
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

/** What the x₀ estimate is like at this point of the loop (nothing special mid-way). */
export function phaseLine(manifest: Manifest, trace: Trace, index: number): string | undefined {
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
export function closestImage(base: Base, s: FigureState): string | undefined {
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
