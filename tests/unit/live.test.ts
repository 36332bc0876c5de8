/**
 * The figures' result cache (src/lib/live.svelte.ts) against a fake worker behind the real
 * ModelClient: asking again for what is computed or in flight starts nothing, a result already
 * computed is never computed again (a model switch finds the pair's generation), a request
 * nobody asks for any more is cancelled and never lands, and the grids ask again for every cell
 * whose settings changed.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelClient } from '../../src/lib/pipeline/client';
import type { FirstPaint } from '../../src/lib/pipeline/first-paint-file';
import type { Trace } from '../../src/lib/pipeline/generate';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { requestKey, type Request } from '../../src/lib/pipeline/results';
import type { GenerationSettings } from '../../src/lib/pipeline/settings';
import { chapterRequests } from '../../src/lib/figures/registry';
import type { FigureState } from '../../src/lib/figures/types';
import { FakeWorker } from './fake-worker';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;

type Run = Extract<ReturnType<FakeWorker['all']>[number], { kind: 'run' }>;

/** The fake worker, which can also finish what it was asked. */
class LiveWorker extends FakeWorker {
	runs(name?: Request['name']): Run[] {
		return this.all('run').filter((m) => !name || m.request.name === name);
	}
	generations() {
		return this.runs('generation').map((m) => ({
			...m,
			settings: (m.request.args as { settings: GenerationSettings }).settings
		}));
	}
	/** Finishes generation `n` (from 0) with a trace of exactly the settings it was asked for. */
	finish(n: number): Trace {
		const m = this.generations()[n]!;
		const trace = fakeTrace(m.settings);
		this.reply({ kind: 'result', id: m.id, value: { trace, x0Images: [] } });
		return trace;
	}
}

const fakeTrace = (settings: GenerationSettings) =>
	({
		settings,
		notices: [],
		steps: [],
		image: new Float32Array(3),
		timings: { textMs: 0, unetMs: 0, decodeMs: 0, callbackMs: 0, totalMs: 1 }
	}) as unknown as Trace;

const fake = vi.hoisted(() => ({
	model: { status: 'ready', manifest: null as unknown, report: null, error: '', notice: '' },
	client: null as unknown,
	/** What readyClient was asked: the backend and the model to load first. */
	ready: [] as unknown[][]
}));
vi.mock('../../src/lib/model.svelte', () => ({
	model: fake.model,
	readyClient: async (...args: unknown[]) => {
		fake.ready.push(args);
		return fake.client;
	}
}));

/** Lets the awaited promises inside live run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

let worker: LiveWorker;
let live: (typeof import('../../src/lib/live.svelte'))['live'];

beforeEach(async () => {
	vi.resetModules(); // a fresh `live` for each test
	worker = new LiveWorker();
	fake.client = new ModelClient(() => worker as unknown as Worker);
	fake.model.status = 'ready';
	fake.model.manifest = manifest;
	fake.ready = [];
	({ live } = await import('../../src/lib/live.svelte'));
});
afterEach(() => {
	delete (globalThis as { diffusion?: unknown }).diffusion;
});

describe('live: one computation per key', () => {
	it('asks the worker once for settings already on show or in flight', async () => {
		live.want({ prompt: 'cat', seed: 7 });
		await settle();
		expect(worker.generations()).toHaveLength(1);
		expect(worker.generations()[0]!.settings).toMatchObject({ prompt: 'cat', seed: 7 });

		// In flight: the same settings, a copy of them, or the same after defaults, start nothing.
		live.want({ prompt: 'cat', seed: 7 });
		live.want({ prompt: ' cat ', seed: 7, guidance: manifest.sampler.guidance });
		await settle();
		expect(worker.generations()).toHaveLength(1);
		expect(worker.sent.filter((m) => m.kind === 'cancel')).toEqual([]);

		const trace = worker.finish(0);
		await settle();
		expect(live.trace).toBe(trace);
		expect(live.source).toBe('live');
		expect(live.generating).toBe(false);

		// On show: still nothing new.
		live.want({ prompt: 'cat', seed: 7 });
		await settle();
		expect(worker.generations()).toHaveLength(1);

		// Something else: one new generation; and back: none, it is in the cache.
		live.want({ prompt: 'cat', seed: 8 });
		await settle();
		expect(worker.generations()).toHaveLength(2);
		worker.finish(1);
		await settle();
		live.want({ prompt: 'cat', seed: 7 });
		await settle();
		expect(worker.generations()).toHaveLength(2);
		expect(live.trace).toBe(trace);
	});

	it('waits for the model: nothing is asked before it is ready, then the last want runs', async () => {
		fake.model.status = 'loading';
		live.want({ prompt: 'dog' });
		live.want({ prompt: 'cat' });
		await settle();
		expect(worker.generations()).toHaveLength(0);
		fake.model.status = 'ready'; // what readyClient does, inside start
		void live.start();
		await settle();
		expect(worker.generations().map((m) => m.settings.prompt)).toEqual(['cat']);
	});
});

describe('live: starting the model', () => {
	it('a page with no live figure never starts it; the next page with one does', async () => {
		fake.model.status = 'idle';
		live.page(false);
		live.want({ prompt: 'cat' });
		await live.start('auto', 'teacher');
		expect(fake.ready).toEqual([]);
		live.page(true);
		await live.start('auto', 'teacher');
		expect(fake.ready).toEqual([['auto', 'teacher']]);
	});

	it('loads the model the link shows first, also when the page asks again without saying', async () => {
		fake.model.status = 'idle';
		live.page(true);
		void live.start('wasm', 'student');
		await settle();
		expect(fake.ready[0]).toEqual(['wasm', 'student']);
		// A retry after a failure, asked by the page with the backend only.
		fake.model.status = 'error';
		void live.start('wasm');
		await settle();
		expect(fake.ready[1]).toEqual(['wasm', 'student']);
	});
});

describe('live: the final picture first, the steps just after', () => {
	it('shows the trace at once and asks for the estimates the loop did not decode', async () => {
		live.want({ prompt: 'cat', seed: 7 });
		await settle();
		const ask = worker.generations()[0]!;
		// The worker decoded steps 0 and 2 while the loop ran, not step 1.
		const step = (index: number) => ({ index, x0: Float32Array.of(index) }) as never;
		const decoded = [Float32Array.of(10), undefined, Float32Array.of(12)];
		for (const i of [0, 1, 2])
			worker.reply({ kind: 'step', id: ask.id, step: step(i), of: 3, x0Image: decoded[i] });
		expect(live.forming).toEqual(Float32Array.of(12));
		const trace = { ...fakeTrace(ask.settings), steps: [0, 1, 2].map(step) };
		worker.reply({ kind: 'result', id: ask.id, value: { trace, x0Images: [] } });
		await settle();
		expect(live.trace).toBe(trace);
		expect(live.source).toBe('live');
		expect(live.decoding).toBe(true);
		expect(live.x0Images[1]).toBeUndefined();
		// The console's handle is set only once every step is decoded.
		expect((globalThis as { diffusion?: unknown }).diffusion).toBeUndefined();

		const rest = worker.runs('decode')[0]!;
		expect(rest.request).toEqual({ name: 'decode', args: { latents: [Float32Array.of(1)] } });
		worker.reply({ kind: 'result', id: rest.id, value: [Float32Array.of(11)] });
		await settle();
		expect(live.x0Images).toEqual([Float32Array.of(10), Float32Array.of(11), Float32Array.of(12)]);
		expect(live.decoding).toBe(false);
		expect((globalThis as { diffusion?: { trace: Trace } }).diffusion?.trace).toBe(trace);
	});
});

/** A figure state for the chapter's requests: the first paint's manifest and the link. */
function chapterState(link: FigureState['link']): FigureState {
	const none = () => undefined;
	return {
		firstPaint: { manifest, samples: { labels: [], pixels: [] }, results: {} } as never,
		firstPaintError: '',
		trace: fakeTrace({} as GenerationSettings),
		x0Images: [],
		results: { get: () => undefined, latest: () => undefined, isLive: () => false },
		modelReady: true,
		link,
		focus: 'all',
		compare: () => ({}),
		own: null,
		ownNote: '',
		on: { change: none, upload: none, draw: none }
	};
}

describe('live: the teacher and the student side by side', () => {
	it('the link’s generation first, then the other model’s; a model switch computes nothing again', async () => {
		const link = { prompt: 'cat', seed: 7 };
		live.want(link);
		live.need('chapter', chapterRequests(['distill-compare'], chapterState(link)));
		await settle();
		expect(worker.generations()).toHaveLength(1); // the pair waits for the link's own
		const teacher = worker.finish(0);
		await settle();
		// Then the other model, same prompt and seed, at its own number of steps.
		const pairAsk = worker.generations()[1]!.settings;
		expect(pairAsk).toMatchObject({ prompt: 'cat', seed: 7, model: 'student' });
		expect(pairAsk.steps).toBe(manifest.models!.student!.steps);
		const student = worker.finish(1);
		await settle();
		expect(live.trace).toBe(teacher);

		// The reader picks the student: it is computed already, and so is the teacher.
		const switched = { ...link, model: 'student' as const };
		live.want(switched);
		live.need('chapter', chapterRequests(['distill-compare'], chapterState(switched)));
		await settle();
		expect(live.trace).toBe(student);
		expect(worker.generations()).toHaveLength(2);
	});
});

describe('live: the grids follow every setting their cells run with', () => {
	/** Finishes every run asked for so far that has not finished, in order. */
	async function finishAll(done: Set<number>) {
		for (let k = 0; k < 60; k++) {
			const next = worker.runs().find((m) => !done.has(m.id));
			if (!next) return;
			done.add(next.id);
			const settings = (next.request.args as { settings: GenerationSettings }).settings;
			const value =
				next.request.name === 'cell'
					? { image: new Float32Array(3), ms: 1 }
					: { trace: fakeTrace(settings), x0Images: [] };
			worker.reply({ kind: 'result', id: next.id, value });
			await settle();
		}
	}

	it('redraws the distillation grid when the negative prompt or the sampler changes', async () => {
		const done = new Set<number>();
		const ask = (link: FigureState['link']) => {
			live.want({ prompt: link.prompt, seed: link.seed, ...link });
			const requests = chapterRequests(['distill-grid'], chapterState(link));
			live.need('chapter', requests);
			return requests.filter((r) => r.name === 'cell');
		};
		const cells = ask({ prompt: 'cat', seed: 7 });
		await settle();
		await finishAll(done);
		expect(cells.length).toBeGreaterThan(4);
		for (const c of cells) expect(live.get(c), requestKey(c)).toBeDefined();

		for (const change of [{ neg: 'dog' }, { sampler: 'euler' as const }]) {
			const asked = worker.runs('cell').length;
			const now = ask({ prompt: 'cat', seed: 7, ...change });
			await settle();
			await finishAll(done);
			const fresh = worker.runs('cell').slice(asked);
			// Every teacher cell ran again with the new setting; the student ignores both (it has no
			// unconditional run and keeps the sampler it learned), so its cells are reused.
			const teacherCells = fresh.filter(
				(m) => (m.request.args as { settings: GenerationSettings }).settings.model === 'teacher'
			);
			expect(teacherCells.length, JSON.stringify(change)).toBe(5);
			for (const m of teacherCells) {
				const s = (m.request.args as { settings: GenerationSettings }).settings;
				if ('neg' in change) expect(s.negativePrompt).toBe('dog');
				else expect(s.scheduler).toBe('euler');
			}
			for (const c of now) expect(live.get(c), requestKey(c)).toBeDefined();
		}
	});
});

describe('live: a newer request wins', () => {
	it('a request nobody asks for any more is cancelled and never shown, even if the worker finishes it', async () => {
		live.want({ prompt: 'dog' });
		await settle();
		live.want({ prompt: 'cat' });
		await settle();
		expect(worker.generations().map((m) => m.settings.prompt)).toEqual(['dog', 'cat']);
		const [dog, cat] = worker.generations();
		expect(worker.sent).toContainEqual({ kind: 'cancel', id: dog!.id });

		// The worker had not seen the cancel yet: the old steps and result arrive late.
		const before = { ...live.progress };
		worker.reply({
			kind: 'step',
			id: dog!.id,
			step: { index: 3 } as never,
			of: 25,
			x0Image: new Float32Array(3)
		});
		worker.finish(0);
		await settle();
		expect(live.progress).toEqual(before);
		expect(live.forming).toBeNull();
		expect(live.source).not.toBe('live');
		expect(live.error).toBe('');

		const trace = worker.finish(1);
		await settle();
		expect(live.trace).toBe(trace);
		expect(live.trace!.settings.prompt).toBe('cat');
		expect(cat!.id).toBeGreaterThan(dog!.id);
	});

	it('a training example asked for earlier never lands under a later one’s key', async () => {
		live.firstPaint = {
			manifest,
			samples: { labels: ['cat', 'dog'] },
			results: {},
			defaultGeneration: ''
		} as unknown as FirstPaint;
		const example = (caption: string, t: number, seed: number) =>
			({
				name: 'example',
				args: { source: `sample:${caption}`, latent: Float32Array.of(t), caption, t, seed }
			}) as const;
		const first = example('cat', 500, 1);
		const later = example('dog', 250, 2);
		live.need('figure', [first]);
		await settle();
		live.need('figure', [later]);
		await settle();
		const asks = worker.runs('example');
		expect(asks.map((m) => m.request)).toEqual([first, later]);
		expect(worker.sent).toContainEqual({ kind: 'cancel', id: asks[0]!.id });
		const value = { loss: 2 };
		worker.reply({ kind: 'result', id: asks[1]!.id, value });
		worker.reply({ kind: 'result', id: asks[0]!.id, value: { loss: 1 } });
		await settle();
		expect(live.get(later)).toBe(value);
		expect(live.get(first)).toBeUndefined();
		expect(live.isLive(later)).toBe(true);
	});
});
