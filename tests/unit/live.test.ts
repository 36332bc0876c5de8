/**
 * The figures' shared state (src/lib/live.svelte.ts) against a fake worker behind the real
 * ModelClient: asking again for what is on show or in flight starts nothing, a model switch
 * reuses the old generation as the pair, and an overtaken request never lands.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelClient } from '../../src/lib/pipeline/client';
import type { FirstPaint } from '../../src/lib/pipeline/first-paint';
import type { Trace } from '../../src/lib/pipeline/generate';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import type { GenerationSettings } from '../../src/lib/pipeline/settings';
import { FakeWorker } from './fake-worker';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;

/** The fake worker, which can also finish a generation. */
class LiveWorker extends FakeWorker {
	generations() {
		return this.all('generate');
	}
	/** Finishes generation `n` (from 0) with a trace of exactly the settings it was asked for. */
	finish(n: number): Trace {
		const m = this.generations()[n]!;
		const trace = fakeTrace(m.settings as GenerationSettings);
		this.reply({ kind: 'done', id: m.id, trace });
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
	model: { status: 'ready', manifest: null as unknown, report: null, error: '' },
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

describe('live: one generation per distinct setting', () => {
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

		// Something else: one new generation.
		live.want({ prompt: 'cat', seed: 8 });
		await settle();
		expect(worker.generations()).toHaveLength(2);
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
		expect(ask.decodeSteps).toBe(true);
		// The worker decoded steps 0 and 2 while the loop ran, not step 1.
		const step = (index: number) => ({ index, x0: Float32Array.of(index) }) as never;
		const decoded = [Float32Array.of(10), undefined, Float32Array.of(12)];
		for (const i of [0, 1, 2])
			worker.reply({ kind: 'step', id: ask.id, step: step(i), of: 3, x0Image: decoded[i] });
		const trace = { ...fakeTrace(ask.settings as GenerationSettings), steps: [0, 1, 2].map(step) };
		worker.reply({ kind: 'done', id: ask.id, trace });
		await settle();
		expect(live.trace).toBe(trace);
		expect(live.source).toBe('live');
		expect(live.decoding).toBe(true);
		expect(live.x0Images[1]).toBeUndefined();
		// The console's handle is set only once every step is decoded.
		expect((globalThis as { diffusion?: unknown }).diffusion).toBeUndefined();

		const rest = worker.last('explain');
		expect(rest.request).toEqual({ op: 'decode', latents: [Float32Array.of(1)] });
		worker.reply({ kind: 'explained', id: rest.id, value: [Float32Array.of(11)] });
		await settle();
		expect(live.x0Images).toEqual([Float32Array.of(10), Float32Array.of(11), Float32Array.of(12)]);
		expect(live.decoding).toBe(false);
		expect((globalThis as { diffusion?: { trace: Trace } }).diffusion?.trace).toBe(trace);
	});
});

describe('live: the teacher and the student side by side', () => {
	it('after a model switch, the old main generation becomes the pair without a rerun', async () => {
		live.want({ prompt: 'cat', seed: 7 });
		live.wantPair(true);
		await settle();
		expect(worker.generations()).toHaveLength(1); // the pair waits for the main one
		const teacher = worker.finish(0);
		await settle();
		// Then the other model, same prompt and seed, at its own number of steps.
		const pairAsk = worker.generations()[1]!.settings;
		expect(pairAsk).toMatchObject({ prompt: 'cat', seed: 7, model: 'student' });
		expect(pairAsk.steps).toBe(manifest.models!.student!.steps);
		const student = worker.finish(1);
		await settle();
		expect(live.trace).toBe(teacher);
		expect(live.pair?.trace).toBe(student);
		expect(live.shown('student')?.trace).toBe(student);

		// The reader picks the student: one new main generation, and the teacher's old one is
		// the pair, not generated again.
		live.want({ prompt: 'cat', seed: 7, model: 'student' });
		await settle();
		expect(worker.generations()).toHaveLength(3);
		expect(worker.generations()[2]!.settings.model).toBe('student');
		const main = worker.finish(2);
		await settle();
		expect(live.trace).toBe(main);
		expect(live.pair?.trace).toBe(teacher);
		expect(live.shown('teacher')?.trace).toBe(teacher);
		expect(worker.generations()).toHaveLength(3);

		// And back: the student's main generation becomes the pair in turn.
		live.want({ prompt: 'cat', seed: 7 });
		await settle();
		expect(worker.generations()).toHaveLength(4);
		worker.finish(3);
		await settle();
		expect(live.pair?.trace).toBe(main);
		expect(worker.generations()).toHaveLength(4);
	});
});

describe('live: the grids follow every setting their cells run with', () => {
	/** Finishes every generation asked for so far that has not finished, in order. */
	async function finishAll(done: Set<number>) {
		for (let k = 0; k < 40; k++) {
			const all = worker.generations();
			const next = all.findIndex((_, i) => !done.has(i));
			if (next < 0) return;
			done.add(next);
			worker.finish(next);
			await settle();
		}
	}

	it('redraws the distillation grid when the negative prompt or the sampler changes', async () => {
		const done = new Set<number>();
		live.want({ prompt: 'cat', seed: 7 });
		live.wantPair(true);
		live.wantGrid(true);
		await settle();
		await finishAll(done);
		const cells = live.grid.length;
		expect(cells).toBeGreaterThan(4);
		const before = worker.generations().length;

		for (const change of [{ negativePrompt: 'dog' }, { scheduler: 'euler' as const }]) {
			const asked = worker.generations().length;
			live.want({ prompt: 'cat', seed: 7, ...change });
			await settle();
			await finishAll(done);
			const fresh = worker.generations().slice(asked);
			// Every teacher cell ran again with the new setting; the student ignores both (it has no
			// unconditional run and keeps the sampler it learned), so its cells are reused.
			const teacherCells = fresh.filter(
				(m) => m.settings.model === 'teacher' && m.settings.steps !== manifest.sampler.steps
			);
			expect(teacherCells.length, JSON.stringify(change)).toBeGreaterThanOrEqual(4);
			for (const m of teacherCells) expect(m.settings).toMatchObject(change);
			expect(live.grid).toHaveLength(cells);
		}
		expect(worker.generations().length).toBeGreaterThan(before);
	});
});

describe('live: a newer request wins', () => {
	it('an overtaken generation is cancelled and never shown, even if the worker finishes it', async () => {
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

	it('a training example asked for earlier never replaces a later one', async () => {
		const example = { sample: 0, t: 1, seed: 0, result: {} };
		live.firstPaint = {
			images: { latents: [Float32Array.of(1), Float32Array.of(2)] },
			samples: { labels: ['cat', 'dog'] },
			example
		} as unknown as FirstPaint;
		void live.wantExample({ sample: 0, t: 500, seed: 1 });
		void live.wantExample({ sample: 1, t: 250, seed: 2 });
		await settle();
		const asks = worker.sent.filter((m) => m.kind === 'explain');
		expect(asks.map((m) => m.request)).toMatchObject([
			{ op: 'example', caption: 'cat', t: 500, seed: 1 },
			{ op: 'example', caption: 'dog', t: 250, seed: 2 }
		]);
		const later = { loss: 2 };
		worker.reply({ kind: 'explained', id: asks[1]!.id, value: later as never });
		worker.reply({ kind: 'explained', id: asks[0]!.id, value: { loss: 1 } as never });
		await settle();
		expect(live.example).toMatchObject({ sample: 1, t: 250, seed: 2, live: true });
		expect(live.example!.result).toBe(later);
	});
});
