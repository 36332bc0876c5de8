/**
 * The figure registry's derivations, on the shipped manifest and metrics with small made-up
 * generations: what each figure waits for, which step it shows, and the props it hands on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Shown } from '../../src/lib/live.svelte';
import { cosineMatrix } from '../../src/lib/pipeline/similarity';
import type { ImageCodes, TextCodes, TrainingExample } from '../../src/lib/pipeline/explainer';
import type { FirstPaint } from '../../src/lib/pipeline/first-paint-file';
import { requestKey, type Cell, type Request } from '../../src/lib/pipeline/results';
import { seededNoise } from '../../src/lib/pipeline/gaussian';
import type { StepTrace, Trace } from '../../src/lib/pipeline/generate';
import { modelGrid, samplerGrid } from '../../src/lib/pipeline/grid';
import type { GridRow, Manifest, ModelName } from '../../src/lib/pipeline/manifest';
import { trailingTimesteps } from '../../src/lib/pipeline/scheduler';
import { CHAPTERS, noteFor } from '../../src/lib/story/chapters';
import {
	FIGURES,
	chapterRequests,
	figureNeeds,
	sharedNote,
	showFigure
} from '../../src/lib/figures/registry';
import { alignByT as studentStep } from '../../src/lib/pipeline/compare';
import { psnr, signalAt, stepIndex } from '../../src/lib/figures/shared';
import type {
	Base,
	FigureName,
	FigureState,
	NoticeAt,
	ResultReader
} from '../../src/lib/figures/types';
import { loopSubject } from '../../src/lib/figures/loop/figure';
import {
	cell,
	exampleRequest,
	labelsRequest,
	pairRequests,
	samplesRequest,
	type ExampleKey
} from '../../src/lib/figures/requests';
import { leadingTimesteps } from '../../src/lib/pipeline/scheduler';

const shipped = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const metrics = JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as {
	grid: GridRow[];
};
// The grid figure reads the card's measurements from the manifest; metrics.json is their source.
const manifest: Manifest = { ...shipped, metrics: { ...shipped.metrics, grid: metrics.grid } };

const C = manifest.latent.channels;
const S = manifest.latent.size;
const R = manifest.image.size;
const T = manifest.schedule.num_train_timesteps;
const latentLength = C * S * S;
let seed = 0;
const latent = () => seededNoise(++seed, latentLength);
const picture = () => seededNoise(++seed, 3 * R * R);

function trace(model: ModelName, steps: number, prompt = 'smiling cat'): Trace {
	const tokens = ['[CLS]', ...prompt.split(' '), '[SEP]'];
	const context = manifest.text.context_length;
	const ids = [...tokens.map((_, i) => 100 + i), ...Array(context - tokens.length).fill(0)];
	return {
		settings: {
			prompt,
			negativePrompt: '',
			seed: 42,
			guidance: 4,
			steps,
			scheduler: 'ddim',
			spacing: 'trailing',
			model
		},
		notices: [],
		backend: 'wasm',
		tokens: {
			ids,
			mask: ids.map((_, i) => (i < tokens.length ? 1 : 0)),
			tokens,
			unknown: [],
			dropped: 0
		},
		textHidden: new Float32Array(context * manifest.text.hidden_size),
		textHiddenUncond: null,
		textEmbed: seededNoise(++seed, manifest.text.embed_dim),
		noise: latent(),
		edit: null,
		steps: trailingTimesteps(T, steps).map((t, index): StepTrace => ({
			index,
			t,
			x: latent(),
			epsUncond: null,
			epsCond: null,
			eps: latent(),
			x0: latent(),
			next: latent(),
			attention: new Float32Array(context * S * S).fill(index),
			coefficients: {},
			unetMs: 1
		})),
		finalLatent: latent(),
		image: picture(),
		timings: { textMs: 0, unetMs: 0, decodeMs: 0, callbackMs: 0, totalMs: 0 }
	};
}

const shown = (t: Trace): Shown => ({
	trace: t,
	x0Images: t.steps.map(() => picture()),
	source: 'precomputed'
});

const labels = ['grinning cat', 'red heart', 'pizza'];
const images: ImageCodes = {
	latents: labels.map(latent),
	logvars: labels.map(latent),
	decoded: labels.map(picture),
	embeds: labels.map(() => seededNoise(++seed, manifest.text.embed_dim))
};
const labelCodes: TextCodes = {
	tokens: labels.map((l) => l.split(' ')),
	unknown: labels.map(() => []),
	embeds: labels.map(() => seededNoise(++seed, manifest.text.embed_dim))
};
const teacher = shown(trace('teacher', 25));
const student = shown(trace('student', 2));

type Example = ExampleKey & { result: TrainingExample };
function exampleAt(sample: number, t: number): Example {
	const result = { noisyImage: picture(), predicted: latent(), loss: 0.25 } as TrainingExample;
	result.noised = { t, noise: latent(), noisy: latent(), signal: 0, noiseLevel: 1, alphaBar: 0 };
	return { sample, t, seed: 1, result };
}

const samples = { size: R, labels, heldout: labels.map(() => false), pixels: labels.map(picture) };
const firstPaint: FirstPaint = {
	manifest,
	samples,
	results: { [requestKey(samplesRequest({ samples } as FirstPaint))]: images },
	defaultGeneration: ''
};

/** What the result cache holds in a test: the usual results, and what the test says. */
interface Held {
	images?: ImageCodes | null;
	labels?: TextCodes | null;
	example?: Example | null;
	teacher?: Shown | null;
	student?: Shown | null;
	/** Grid cells, by the request that names them. */
	cells?: [Request, Cell][];
}

/** A result cache that holds exactly `h` (the link's pair of generations for the defaults). */
function reader(fp: FirstPaint, h: Held): ResultReader {
	const map = new Map<string, unknown>();
	const put = (r: Request | undefined, v: unknown) => r && v && map.set(requestKey(r), v);
	put(samplesRequest(fp), h.images === undefined ? images : h.images);
	put(labelsRequest(fp), h.labels === undefined ? labelCodes : h.labels);
	if (h.example) put(exampleRequest(fp, h.example), h.example.result);
	const pair = pairRequests(fp.manifest, {});
	put(pair.teacher, h.teacher === undefined ? teacher : h.teacher);
	put(pair.student, h.student === undefined ? student : h.student);
	for (const [r, v] of h.cells ?? []) put(r, v);
	const get = ((r: Request) => map.get(requestKey(r))) as ResultReader['get'];
	return {
		get,
		latest: ((_slot: string, r: Request, fallback?: Request) =>
			get(r as never) ?? (fallback && get(fallback as never))) as ResultReader['latest'],
		isLive: () => false
	};
}

function state(over: Partial<FigureState> & Held = {}): FigureState {
	const { images: i, labels: l, example: e, teacher: t, student: st, cells, ...rest } = over;
	const fp = rest.firstPaint === undefined ? firstPaint : rest.firstPaint;
	return {
		firstPaint,
		firstPaintError: '',
		trace: teacher.trace,
		x0Images: teacher.x0Images,
		results: reader(fp ?? firstPaint, {
			images: i,
			labels: l,
			example: e,
			teacher: t,
			student: st,
			cells
		}),
		modelReady: false,
		link: {},
		focus: 'all',
		compare: () => ({}),
		own: null,
		ownNote: '',
		on: { change: vi.fn(), upload: vi.fn(), draw: vi.fn() },
		...rest
	};
}

/** The figure's content, which must be a figure (not a wait) with props. */
function figure<V extends FigureName>(view: V, s: FigureState) {
	const c = showFigure(view, s);
	if ('wait' in c) throw new Error(`${view} waits: ${c.wait}`);
	if (!c.props) throw new Error(`${view} has no props: ${c.waiting}`);
	return { ...c, props: c.props };
}

describe('the registry', () => {
	it('has an entry for every figure a chapter names', () => {
		const named = CHAPTERS.flatMap((c) => c.steps.map((s) => s.figure.name)).filter(Boolean);
		expect(named.length).toBeGreaterThan(0);
		for (const v of named) expect(FIGURES[v!], v).toBeDefined();
	});

	it('asks the model for samples, examples, the pair and the grids where figures need them', () => {
		const s = state({ link: { image: 1, level: 700 } });
		const asks = (view: FigureName) => figureNeeds(view, s).map((r) => r.name);
		expect(asks('similarity')).toEqual(['images', 'texts']);
		expect(asks('clip-map')).toEqual(['images', 'texts']);
		expect(asks('vae')).toEqual(['images']);
		expect(asks('noising')).toEqual(['images', 'example']);
		expect(figureNeeds('noising', s)[1]!.args).toMatchObject({ source: 'sample:1', t: 700 });
		for (const v of ['distill-compare', 'distill-path', 'distill-lessons'] as const)
			expect(asks(v)).toEqual(['generation', 'generation']);
		const cells = modelGrid(manifest).cells.length;
		expect(asks('distill-grid')).toEqual([
			'generation',
			'generation',
			...Array<string>(cells).fill('cell')
		]);
		expect(asks('sampler-grid')).toEqual(Array<string>(25).fill('cell'));
		expect(asks('edit')).toEqual([
			'images',
			...Array<string>(asks('edit').length - 1).fill('edit')
		]);
		expect(asks('compare')).toEqual(['generation', 'generation']);
		expect(asks('loop')).toEqual([]);
	});

	it('asks for the pair and the grid for the distillation chapter only', () => {
		for (const c of CHAPTERS) {
			const asks = chapterRequests(
				c.steps.map((s) => s.figure.name),
				state()
			).map((r) => r.name);
			const distill = c.steps.some((s) => s.figure.name?.startsWith('distill'));
			expect(asks.includes('generation'), c.slug).toBe(distill);
			expect(asks.includes('cell'), c.slug).toBe(
				c.steps.some((s) => s.figure.name === 'distill-grid')
			);
		}
		expect(chapterRequests([undefined, 'loop'], state())).toEqual([]);
	});

	it('names every setting a grid cell runs with, so a changed setting asks again', () => {
		const plan = modelGrid(manifest).cells[0]!;
		const key = (link: FigureState['link']) => requestKey(cell(manifest, link, plan.patch));
		const base = key({ prompt: 'cat' });
		for (const change of [{ neg: 'dog' }, { sampler: 'euler' as const }, { seed: 3 }])
			expect(key({ prompt: 'cat', ...change }), JSON.stringify(change)).not.toBe(base);
	});

	it('waits for the precomputed file, or says why it failed', () => {
		expect(showFigure('loop', state({ firstPaint: null }))).toEqual({
			wait: 'Loading the figure…'
		});
		const error = 'The precomputed figures could not be loaded (HTTP 404).';
		expect(showFigure('vae', state({ trace: null, firstPaintError: error }))).toEqual({
			wait: error
		});
	});

	it('notes the figures that the student does not change', () => {
		const student = { model: 'student' as const };
		expect(sharedNote('embedding', student)).toMatch(/shares CLIP and the VAE/);
		expect(sharedNote('vae', student)).toMatch(/shares CLIP and the VAE/);
		expect(sharedNote('prediction', student)).toMatch(/teacher's U-Net at work/);
		expect(sharedNote('loop', student)).toBe('');
		expect(sharedNote('embedding', { model: 'teacher' })).toBe('');
		expect(sharedNote('embedding', {})).toBe('');
	});
});

describe('the generation figures', () => {
	const n = teacher.trace.steps.length;

	it('show the link’s step, else the one the prose is about, within the generation', () => {
		expect(stepIndex(teacher.trace, {}, 'all')).toBe(n - 1);
		expect(stepIndex(teacher.trace, {}, 'start')).toBe(0);
		expect(stepIndex(teacher.trace, {}, 'guidance')).toBe(Math.floor(n / 2));
		expect(stepIndex(teacher.trace, {}, 'scheduler')).toBe(Math.floor(n / 2));
		expect(stepIndex(teacher.trace, { t: 3 }, 'start')).toBe(3);
		expect(stepIndex(student.trace, { t: 20 }, 'all')).toBe(1);
	});

	it('loop: the step, its clean estimate and the model’s sizes; scrubber and controls', () => {
		const f = figure('loop', state({ link: { t: 4 }, focus: 'guidance' }));
		expect(f.title).toBe(`The loop for “smiling cat”, step 5 of ${n}`);
		expect(f.scrubber).toEqual({
			value: 4,
			count: n,
			timesteps: trailingTimesteps(T, n)
		});
		expect(f.props.step).toBe(teacher.trace.steps[4]);
		expect(f.props.x0Image).toBe(teacher.x0Images[4]);
		expect(f.props).toMatchObject({ of: n, channels: C, latentSize: S, imageSize: R });
		expect(f.props.focus).toBe('guidance');
		expect(f.controls).toBe('generation');
	});

	it('attention: the maps of the step, the second token by default, scrubber below', () => {
		const s = state({ link: { t: 2 } });
		const f = figure('attention', s);
		expect(f.props.attention).toBe(teacher.trace.steps[2]!.attention);
		expect(f.props.selected).toBe(1);
		expect(f.props.where).toBe(
			`Maps from the prompted U-Net run at step 3 of ${n} (t = ${teacher.trace.steps[2]!.t}), over that step's clean estimate`
		);
		expect(f.scrubber?.below).toBe(true);
		f.props.onselect(2);
		expect(s.on.change).toHaveBeenCalledWith({ word: 2 });
		expect(figure('attention', state({ link: { word: 0 } })).props.selected).toBe(0);
	});

	it('tokens: the ids, the padding count and the vocabulary note', () => {
		const f = showFigure('tokens', state());
		if ('wait' in f) throw new Error(f.wait);
		const pads = manifest.text.context_length - 4;
		expect(f.title).toBe('“smiling cat” as tokens');
		expect(f.notes).toEqual([
			{ kind: 'eq', text: `ids: [100, 101, 102, 103] + ${pads} × [PAD]` },
			{
				kind: 'muted',
				text: 'Every word is in the vocabulary. Try a word the emoji never used.'
			}
		]);
	});

	it('path: one point per step and the final latent, the same array while scrubbing', () => {
		const a = figure('path', state({ link: { t: 1 } }));
		const b = figure('path', state({ link: { t: 7 } }));
		expect(a.props.points).toHaveLength(n + 1);
		expect(b.props.points).toBe(a.props.points);
		expect(b.props).toMatchObject({ current: 7, image: teacher.x0Images[7], imageSize: R });
	});

	it('filmstrip: clicking a frame moves the link’s step', () => {
		const s = state();
		const f = figure('filmstrip', s);
		expect(f.props).toMatchObject({ current: n - 1, count: n, size: R });
		f.props.onselect(5);
		expect(s.on.change).toHaveBeenCalledWith({ t: 5 });
	});

	it('decode: the final latent and the VAE’s scale; the comparison only for decode-compare', () => {
		const f = figure('decode', state());
		expect(f.props.finalLatent).toBe(teacher.trace.finalLatent);
		expect(f.props.scale).toBe(manifest.latent.scale_factor);
		expect(f.props.compare).toBe(false);
		expect(figure('decode-compare', state()).props.compare).toBe(true);
	});

	it('wait for a generation with steps', () => {
		const empty = { ...teacher.trace, steps: [] };
		for (const v of ['attention', 'loop', 'path', 'filmstrip'] as const)
			expect(showFigure(v, state({ trace: empty }))).toEqual({ wait: 'Loading the figure…' });
	});
});

describe('the CLIP and VAE figures', () => {
	it('similarity: the prompt then each label against each image', () => {
		const f = figure('similarity', state());
		expect(f.props.texts).toEqual(['smiling cat', ...labels]);
		expect(f.props.matrix).toEqual(
			cosineMatrix([teacher.trace.textEmbed, ...labelCodes.embeds], images.embeds)
		);
		expect(figure('similarity', state()).props.matrix).toBe(f.props.matrix);
		expect(showFigure('similarity', state({ labels: null }))).toEqual({
			wait: 'Loading the figure…'
		});
	});

	it('clip-map: images, labels and the prompt on one map; no points before the labels', () => {
		const f = figure('clip-map', state());
		expect(f.props.points).toHaveLength(2 * labels.length + 1);
		expect(figure('clip-map', state({ labels: null })).props.points).toEqual([]);
	});

	it('vae: the chosen sample, or the reader’s own image until a sample is chosen again', () => {
		const s = state({ link: { image: 2 } });
		const f = figure('vae', s);
		expect(f.props.selected).toBe(2);
		expect(f.props.pixels).toBe(firstPaint.samples.pixels[2]);
		expect(f.props.latent).toBe(images.latents[2]);
		expect(f.props.decoded).toBe(images.decoded[2]);
		f.props.onselect(1);
		expect(s.on.change).toHaveBeenCalledWith({ image: 1 });

		const own = { pixels: picture(), latent: latent(), decoded: picture() };
		const mine = figure('vae', state({ own, ownNote: 'Your drawing, through the VAE.' }));
		expect(mine.props).toMatchObject({
			selected: -1,
			uploadNote: 'Your drawing, through the VAE.'
		});
		expect(mine.props.pixels).toBe(own.pixels);
		expect(mine.props.latent).toBe(own.latent);
		expect(figure('vae', state({ own, link: { image: 0 } })).props.selected).toBe(0);
	});
});

describe('the training figures', () => {
	it('schedule: the link’s noise level, 400 by default; dragging sets the level', () => {
		const s = state();
		const f = figure('schedule', s);
		expect(f.props.t).toBe(400);
		expect(f.props.alphasCumprod).toBe(manifest.schedule.alphas_cumprod);
		f.props.onchange?.(250);
		expect(s.on.change).toHaveBeenCalledWith({ level: 250 });
		expect(figure('schedule', state({ link: { level: 9 } })).props.t).toBe(9);
	});

	it('noising: x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε for the chosen image and level', () => {
		const f = figure('noising', state({ link: { image: 1, level: 700 } }));
		const abar = manifest.schedule.alphas_cumprod[700]!;
		expect(f.title).toBe('Noising “red heart” at t = 700');
		expect(f.props.x0).toBe(images.latents[1]);
		expect(f.props.signal).toBeCloseTo(Math.sqrt(abar), 6);
		expect(f.props.noiseLevel).toBeCloseTo(Math.sqrt(1 - abar), 6);
		const x0 = images.latents[1]!;
		for (const i of [0, 17, latentLength - 1])
			expect(f.props.noisy[i]).toBeCloseTo(
				f.props.signal * x0[i]! + f.props.noiseLevel * f.props.noise[i]!,
				5
			);
		expect(f.props.noisyImage).toBeUndefined();
		expect(f.controls).toBe('level');
	});

	it('noising: the decoded noisy image only from the example for that image and level', () => {
		const example = exampleAt(1, 700);
		const at = (link: FigureState['link']) =>
			figure('noising', state({ example, link })).props.noisyImage;
		expect(at({ image: 1, level: 700 })).toBe(example!.result.noisyImage);
		expect(at({ image: 1, level: 701 })).toBeUndefined();
		expect(at({ image: 0, level: 700 })).toBeUndefined();
	});

	it('prediction: the example’s answer, or why it is not there yet, under the same controls', () => {
		const example = exampleAt(0, 400);
		const f = figure('prediction', state({ example }));
		expect(f.props.predicted).toBe(example!.result.predicted);
		expect(f.props.noise).toBe(example!.result.noised.noise);
		expect(f.props).toMatchObject({ t: 400, caption: 'grinning cat', loss: 0.25 });

		const loading = showFigure('prediction', state({ example, link: { level: 10 } }));
		const asking = showFigure(
			'prediction',
			state({ example, link: { level: 10 }, modelReady: true })
		);
		for (const c of [loading, asking]) {
			if ('wait' in c) throw new Error(c.wait);
			expect(c.props).toBeUndefined();
			expect(c.title).toBe("The U-Net's guess of the noise");
			expect(c.controls).toBe('level');
		}
		expect(!('wait' in loading) && loading.waiting).toBe(
			'This example needs the live model: it is loading.'
		);
		expect(!('wait' in asking) && asking.waiting).toBe('Asking the U-Net…');
	});
});

describe('the distillation figures', () => {
	it('pair each teacher step with the student’s latest step at or before its t', () => {
		// Teacher 25 steps from t = 999; student 2 steps at t = 999 and 499.
		expect(studentStep(teacher.trace, student.trace, 0)).toBe(0);
		const half = teacher.trace.steps.findIndex((s) => s.t <= 499);
		expect(studentStep(teacher.trace, student.trace, half - 1)).toBe(0);
		expect(studentStep(teacher.trace, student.trace, half)).toBe(1);
		expect(studentStep(teacher.trace, student.trace, 24)).toBe(1);
		// On the nested grids the student learned from, a shared t pairs the two.
		const sixteen = trace('teacher', 16);
		expect(sixteen.steps[8]!.t).toBe(499);
		expect(studentStep(sixteen, student.trace, 7)).toBe(0);
		expect(studentStep(sixteen, student.trace, 8)).toBe(1);
	});

	it('compare: a third of the way by default, both models scrubbed together', () => {
		const s = state();
		const f = figure('distill-compare', s);
		expect(f.title).toBe('“smiling cat”: 25 steps or 2, scrubbed together');
		expect(f.props).toMatchObject({ current: 8, other: 0, T, size: R });
		expect(f.props.a.shown).toEqual(teacher);
		expect(f.scrubber?.value).toBe(8);
		f.props.onselect(20);
		expect(s.on.change).toHaveBeenCalledWith({ t: 20 });
		expect(figure('distill-compare', state({ link: { t: 24 } })).props.other).toBe(1);
	});

	it('path: both paths on the same axes, the last step by default', () => {
		const f = figure('distill-path', state());
		expect(f.props.teacher).toHaveLength(26);
		expect(f.props.student).toHaveLength(3);
		expect(f.props.current).toBe(24);
		expect(f.props.studentImage).toBe(student.x0Images[1]);
		expect(f.props.studentSteps).toEqual([999, 499]);
	});

	it('wait for the other model’s generation, or say the folder has none', () => {
		for (const v of ['distill-compare', 'distill-path', 'distill-lessons'] as const)
			expect(showFigure(v, state({ student: null }))).toEqual({
				wait: 'Running the other model…'
			});
		const teacherOnly = { ...manifest, models: { teacher: manifest.models!.teacher! } };
		expect(
			showFigure(
				'distill-compare',
				state({ firstPaint: { ...firstPaint, manifest: teacherOnly }, student: null })
			)
		).toEqual({ wait: 'This model folder has no distilled student.' });
	});

	it('lessons: the teacher’s grid, then the student’s, from the manifest', () => {
		const f = figure('distill-lessons', state());
		const entry = manifest.models!.student!;
		expect(f.props.rows).toHaveLength(1 + entry.step_counts!.length);
		expect(f.props.rows[0]!.timesteps).toEqual(trailingTimesteps(T, entry.teacher_steps!));
		expect(f.props.T).toBe(T);
	});

	it('grid: every model at every step count, live cells where run, the card’s numbers', () => {
		const plan = modelGrid(manifest);
		expect(plan.columns).toEqual(['teacher', 'student']);
		const liveCell = { ...plan.cells[2]!, image: picture(), ms: 123 };
		const r = cell(manifest, {}, liveCell.patch);
		const s = state({ cells: [[r, liveCell]], student: null });
		const f = figure('distill-grid', s);
		const counts = manifest.models!.student!.step_counts!;
		expect(f.props.cells).toHaveLength(5 + counts.length);
		expect(f.props.cells.filter((c) => c.column === 'student').map((c) => c.steps)).toEqual(counts);
		expect(f.props.rows).toEqual([...new Set([1, 2, 4, 8, 25, ...counts])].sort((a, b) => a - b));
		for (const c of f.props.cells) {
			const row = metrics.grid.find((r) => r.model === c.column && r.steps === c.steps);
			expect(c.metric, `${c.column} ${c.steps}`).toEqual(row);
			expect(c.patch).toEqual({ model: c.column, steps: c.steps });
			expect(c.unetRuns).toBe(c.column === 'teacher' ? 2 * c.steps : c.steps);
			const isLive = c.column === liveCell.column && c.steps === liveCell.steps;
			expect(c.ms).toBe(isLive ? 123 : null);
			expect(c.image).toBe(isLive ? liveCell.image : undefined);
		}
		expect(f.controls).toBe('generation');
	});

	it('sampler grid: every sampler at every step count, live cells where run, the card’s rows', () => {
		const plan = samplerGrid(manifest);
		expect(plan.cells.map((c) => c.column)).toEqual(
			manifest.sampler.available.flatMap((s) => [s, s, s, s, s])
		);
		expect(plan.rows).toEqual([1, 2, 4, 8, 25]);
		const liveCell = { ...plan.cells[7]!, image: picture(), ms: 321 };
		const r = cell(manifest, {}, liveCell.patch);
		const f = figure('sampler-grid', state({ cells: [[r, liveCell]] }));
		expect(f.props.cells).toHaveLength(25);
		for (const c of f.props.cells) {
			const row = manifest.metrics!.samplers!.find(
				(r) => r.sampler === c.column && r.steps === c.steps
			);
			expect(row, `${c.column} ${c.steps}`).toBeDefined();
			expect(c.metric).toEqual(row);
			expect(c.patch).toEqual({ model: 'teacher', scheduler: c.column, steps: c.steps });
			expect(c.unetRuns).toBe(2 * c.steps);
			const isLive = c.column === liveCell.column && c.steps === liveCell.steps;
			expect(c.ms).toBe(isLive ? 321 : null);
			expect(c.image).toBe(isLive ? liveCell.image : undefined);
		}
		// The main generation's sampler and steps are outlined.
		expect(f.props.chosen).toEqual({ scheduler: 'ddim', steps: 25 });
	});
});

describe('what to notice (one line under each figure, from what it shows now)', () => {
	const notice = (view: FigureName, s: FigureState) => figure(view, s).notice ?? '';
	const withGuidance = (g: number) => {
		const t = trace('teacher', 25);
		return { ...t, settings: { ...t.settings, guidance: g } };
	};

	it('says what guidance 0 and 1 do, and what the student does differently', () => {
		expect(notice('loop', state({ trace: withGuidance(0) }))).toMatch(/prompt is ignored/);
		expect(notice('loop', state({ trace: withGuidance(1) }))).toMatch(/as it is/);
		expect(notice('loop', state({ trace: student.trace }))).toMatch(/student: 2 steps, one U-Net/);
	});

	it('follows the scrubber through the loop: pure noise first, the picture last', () => {
		expect(notice('loop', state({ link: { t: 0 } }))).toMatch(
			/Step 1, t = 999: x_t is almost pure noise/
		);
		expect(notice('loop', state({ link: { t: 24 } }))).toMatch(/^The last step/);
		expect(notice('loop', state({ link: { t: 12 } }))).toMatch(/moved 4 times the difference/);
		expect(notice('filmstrip', state({ link: { t: 20 } }))).toMatch(/^Late \(t = \d+\)/);
		expect(notice('path', state({ link: { t: 12 } }))).toBe('');
	});

	it('reads the noise level off the schedule', () => {
		const abar = manifest.schedule.alphas_cumprod;
		const high = notice('noising', state({ link: { level: 990 } }));
		expect(high).toContain(`${Math.sqrt(abar[990]!).toFixed(2)} × clean latent`);
		expect(high).toMatch(/almost nothing of the image is left/);
		expect(notice('schedule', state({ link: { level: 5 } }))).toMatch(/barely visible/);
		expect(signalAt(manifest, 5000)).toBeCloseTo(Math.sqrt(abar[T - 1]!), 6);
		expect(
			notice('prediction', state({ example: exampleAt(0, 990), link: { level: 990 } }))
		).toMatch(/almost all noise/);
	});

	it('counts the prompt rows and the padding the U-Net reads', () => {
		const L = manifest.text.context_length;
		expect(notice('embedding', state())).toBe(
			`“smiling cat” fills 4 of the ${L} rows ([CLS], its tokens, [SEP]); the other ${L - 4} are padding, and the U-Net reads all ${L}.`
		);
		expect(notice('embedding', state({ trace: trace('teacher', 25, '') }))).toMatch(/empty prompt/);
	});

	it('names the sample CLIP puts closest to the prompt', () => {
		const row = cosineMatrix([teacher.trace.textEmbed], images.embeds)[0]!;
		const best = row.indexOf(Math.max(...row));
		expect(notice('similarity', state())).toContain(`“${labels[best]}” closest to “smiling cat”`);
	});

	it('measures the round trip and the decoder’s expansion', () => {
		const expected = psnr(firstPaint.samples.pixels[1]!, images.decoded[1]!);
		expect(notice('vae', state({ link: { image: 1 } }))).toContain(`${expected.toFixed(1)} dB`);
		expect(psnr(images.decoded[0]!, images.decoded[0]!)).toBeGreaterThan(100);
		expect(notice('decode', state())).toContain(
			`${C * S * S} numbers into 3 × ${R} × ${R} = ${(3 * R * R).toLocaleString('en-US')}`
		);
	});

	it('counts U-Net runs for the two models', () => {
		expect(notice('distill-compare', state())).toBe(
			'The teacher runs its U-Net 50 times (25 steps, two predictions each); the student 2 times.'
		);
	});
});

describe('what the loop figure says for the settings it shows', () => {
	const settings = teacher.trace.settings;

	it('names what is drawn at guidance 0: no prompt, or the negative prompt’s picture', () => {
		expect(loopSubject(settings)).toBe('The loop for “smiling cat”');
		expect(loopSubject({ ...settings, guidance: 0 })).toContain(
			'no prompt (“smiling cat” ignored)'
		);
		expect(loopSubject({ ...settings, guidance: 0, negativePrompt: 'dog' })).toBe(
			'The loop at guidance 0: the picture of “dog”'
		);
		// The student has no unprompted run: guidance 0 is one of its inputs, the prompt still read.
		expect(loopSubject({ ...settings, guidance: 0, model: 'student' })).toBe(
			'The loop for “smiling cat”'
		);
	});

	it('shows the guidance formula the link’s model and negative prompt use', () => {
		const step = CHAPTERS.find((c) => c.slug === 'denoising-loop')!.steps[1]!;
		expect(noteFor(step.figure, {})!.lines[0]).toContain('ε_uncond');
		expect(noteFor(step.figure, { neg: 'dog' })!.lines[0]).toContain('ε_neg');
		expect(noteFor(step.figure, { neg: 'dog' })!.lines[0]).not.toContain('ε_uncond');
		const forStudent = noteFor(step.figure, { model: 'student', neg: 'dog' })!;
		expect(forStudent.lines.join(' ')).not.toMatch(/ε_uncond|ε_neg/);
	});

	it('says the first step is not pure noise where leading timesteps start below the top', () => {
		const at = { step: 0, level: 0, sample: 0 };
		const base = { trace: teacher.trace, manifest, dims: { C, S, R } } as unknown as Base;
		const noticeFor = (name: FigureName, b: Base, s: FigureState, where: NoticeAt) =>
			FIGURES[name].notice?.(b, s, where);
		expect(noticeFor('filmstrip', base, state(), at)).toContain('almost pure noise');
		const lead = trace('teacher', 2);
		lead.settings.spacing = 'leading';
		leadingTimesteps(T, 2).forEach((t, i) => (lead.steps[i]!.t = t));
		const said = noticeFor('filmstrip', { ...base, trace: lead }, state(), at)!;
		expect(said).not.toContain('almost pure noise');
		expect(said).toContain(`t = ${leadingTimesteps(T, 2)[0]}`);
		expect(said).toContain(signalAt(manifest, leadingTimesteps(T, 2)[0]!).toFixed(2));
	});
});
