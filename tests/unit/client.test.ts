/**
 * The page's handle on the inference worker (src/lib/pipeline/client.ts), against fake
 * workers: a cancelled request's promise rejects with an AbortError and its late messages
 * never reach the page; a worker that dies or stays silent past its deadline is replaced and
 * what was pending runs again, unless it dies again soon after.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelClient, ModelError, WATCHDOG, type Fault } from '../../src/lib/pipeline/client';
import type { StepTrace, Trace } from '../../src/lib/pipeline/generate';
import type { LoadReport } from '../../src/lib/pipeline/load';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import type { Request } from '../../src/lib/pipeline/results';
import type { GenerationSettings } from '../../src/lib/pipeline/settings';
import { FakeWorker } from './fake-worker';

/** A client whose first worker is `worker`; `workers` lists every worker it started. */
function setup() {
	const worker = new FakeWorker();
	const workers: FakeWorker[] = [];
	const client = new ModelClient(() => {
		const w = workers.length ? new FakeWorker() : worker;
		workers.push(w);
		return w as unknown as Worker;
	});
	const faults: Fault[] = [];
	client.onFault((f) => faults.push(f));
	return { worker, workers, client, faults };
}
const trace = (prompt: string) => ({ settings: { prompt } }) as unknown as Trace;
const step = (index: number) => ({ index }) as unknown as StepTrace;
const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';
/** A generation request (settings as the test writes them; the worker is fake). */
const gen = (settings: Partial<GenerationSettings>) =>
	({ name: 'generation', args: { settings: { model: 'teacher', ...settings } } }) as Extract<
		Request,
		{ name: 'generation' }
	>;
const texts: Extract<Request, { name: 'texts' }> = { name: 'texts', args: { texts: ['cat'] } };

describe('ModelClient', () => {
	it('reports steps, then resolves with the trace', async () => {
		const { worker, client } = setup();
		const onStep = vi.fn();
		const run = client.run(gen({ prompt: 'cat' }), { onStep });
		const { id, request } = worker.last('run');
		expect(request).toEqual(gen({ prompt: 'cat' }));
		const x0 = new Float32Array(3);
		worker.reply({ kind: 'step', id, step: step(0), of: 2, x0Image: x0 });
		worker.reply({ kind: 'step', id, step: step(1), of: 2 });
		const t = trace('cat');
		worker.reply({ kind: 'result', id, value: { trace: t } });
		await expect(run).resolves.toEqual({ trace: t });
		expect(onStep.mock.calls).toEqual([
			[step(0), 2, x0],
			[step(1), 2, undefined]
		]);
	});

	it('an aborted request rejects at once, the worker is told, and its late messages are dropped', async () => {
		const { worker, client } = setup();
		const onOld = vi.fn();
		const ctrl = new AbortController();
		const old = client.run(gen({ prompt: 'dog' }), { onStep: onOld, signal: ctrl.signal });
		const oldId = worker.last('run').id;
		const settled = old.then(
			() => 'resolved',
			(e: unknown) => (isAbort(e) ? 'aborted' : 'failed')
		);
		const next = client.run(gen({ prompt: 'cat' }));
		const nextId = worker.last('run').id;
		expect(nextId).not.toBe(oldId);
		ctrl.abort();
		expect(await settled).toBe('aborted');
		expect(worker.sent).toContainEqual({ kind: 'cancel', id: oldId });

		// Whatever the worker still sends for the old one is dropped.
		worker.reply({ kind: 'step', id: oldId, step: step(5), of: 25 });
		worker.reply({ kind: 'result', id: oldId, value: { trace: trace('dog') } });
		worker.reply({ kind: 'cancelled', id: oldId });
		expect(onOld).not.toHaveBeenCalled();

		// The other request was not touched.
		const value = { trace: trace('cat') };
		worker.reply({ kind: 'result', id: nextId, value });
		await expect(next).resolves.toBe(value);
	});

	it('cancel(id) rejects that request once; an unknown or finished id sends nothing', async () => {
		const { worker, client } = setup();
		const run = client.run(gen({ prompt: 'cat' }));
		const { id } = worker.last('run');
		client.cancel(id);
		await expect(run).rejects.toSatisfy(isAbort);
		const sent = worker.sent.length;
		client.cancel(id);
		client.cancel(999);
		expect(worker.sent).toHaveLength(sent);

		// A signal aborted before the request is sent sends nothing at all.
		const ctrl = new AbortController();
		ctrl.abort();
		await expect(client.run(texts, { signal: ctrl.signal })).rejects.toSatisfy(isAbort);
		expect(worker.sent).toHaveLength(sent);
	});

	it('a request the worker reports cancelled rejects with an AbortError', async () => {
		const { worker, client } = setup();
		const run = client.run(gen({ prompt: 'cat' }));
		worker.reply({ kind: 'cancelled', id: worker.last('run').id });
		await expect(run).rejects.toSatisfy(isAbort);
	});

	it('a worker error rejects with the file it names; a failed load may be tried again', async () => {
		const { worker, workers, client } = setup();
		const opts = { baseUrl: '/models/' };
		const first = client.load(opts);
		expect(client.load(opts)).toBe(first); // one load at a time
		worker.reply({ kind: 'error', message: 'bad bytes', file: 'unet.onnx' });
		await expect(first).rejects.toBeInstanceOf(ModelError);
		await expect(first).rejects.toMatchObject({ message: 'bad bytes', file: 'unet.onnx' });
		const second = client.load(opts);
		expect(second).not.toBe(first);
		// On a new worker: the runtime keeps a failed backend set-up for its worker's life.
		expect(worker.terminated).toBe(true);
		expect(workers).toHaveLength(2);
		expect(workers[1]!.all('load')).toHaveLength(1);

		const w = workers[1]!;
		const run = client.run(gen({ prompt: 'cat' }));
		w.reply({ kind: 'error', id: w.last('run').id, message: 'out of memory' });
		await expect(run).rejects.toMatchObject({ name: 'ModelError', message: 'out of memory' });
	});

	it('a failed load fails what waits for the model too', async () => {
		const { worker, client } = setup();
		const load = client.load({ baseUrl: '/models/' });
		const run = client.run(gen({ prompt: 'cat' }));
		worker.reply({ kind: 'error', message: 'no available backend found' });
		await expect(load).rejects.toBeInstanceOf(ModelError);
		await expect(run).rejects.toMatchObject({ message: 'no available backend found' });
	});

	it('passes download progress to every listener until it unsubscribes', () => {
		const { worker, client } = setup();
		void client.load({ baseUrl: '/models/' });
		const a = vi.fn();
		const b = vi.fn();
		client.onProgress(a);
		const off = client.onProgress(b);
		const progress = { allLoaded: 1, allTotal: 2 } as never;
		worker.reply({ kind: 'progress', progress });
		off();
		worker.reply({ kind: 'progress', progress });
		expect(a).toHaveBeenCalledTimes(2);
		expect(b).toHaveBeenCalledTimes(1);
	});
});

describe('ModelClient keeps a worker running', () => {
	afterEach(() => void vi.useRealTimers());

	const report = { backend: 'wasm' } as LoadReport;
	const manifest = {} as Manifest;
	/** A client with the model loaded on its first worker. */
	async function loaded() {
		vi.useFakeTimers();
		const s = setup();
		const load = s.client.load({ baseUrl: '/models/' });
		s.worker.reply({ kind: 'ready', report, manifest });
		await load;
		return s;
	}
	/** A finished generation of `steps` steps that took `ms` of U-Net time. */
	const timed = (steps: number, ms: number) =>
		({
			settings: { prompt: 'cat' },
			steps: Array.from({ length: steps }, (_, i) => step(i)),
			timings: { unetMs: ms }
		}) as unknown as Trace;
	/** The deadline of a teacher's generation (silent for at most 10 steps), at `ms` per step. */
	const deadline = (ms: number) => WATCHDOG.floorMs + WATCHDOG.slack * ms * 10;

	it('a silent worker is replaced at its deadline: the new one loads, then runs what was pending', async () => {
		const { worker, workers, client, faults } = await loaded();
		const onStep = vi.fn();
		const run = client.run(gen({ prompt: 'dog', steps: 25 }), { onStep });
		const { id } = worker.last('run');
		vi.advanceTimersByTime(deadline(WATCHDOG.defaultStepMs) - 1);
		expect(workers).toHaveLength(1);
		expect(faults).toEqual([]);

		vi.advanceTimersByTime(1);
		expect(worker.terminated).toBe(true);
		expect(workers).toHaveLength(2);
		expect(faults).toEqual([{ kind: 'restarted' }]);
		const fresh = workers[1]!;
		expect(fresh.sent.map((m) => m.kind)).toEqual(['load', 'run']);
		expect(fresh.last('run')).toEqual({
			kind: 'run',
			id,
			request: gen({ prompt: 'dog', steps: 25 })
		});
		// Whatever the dead worker still sends is dropped; the new one's answer resolves the request.
		worker.reply({ kind: 'step', id, step: step(3), of: 25 });
		fresh.reply({ kind: 'ready', report, manifest });
		fresh.reply({ kind: 'step', id, step: step(0), of: 25 });
		const t = trace('dog');
		fresh.reply({ kind: 'result', id, value: t });
		await expect(run).resolves.toBe(t);
		expect(onStep.mock.calls.map((c) => (c[0] as StepTrace).index)).toEqual([0]);
	});

	it('the deadline scales with the measured time of a step, and each message moves it on', async () => {
		const { worker, workers, client } = await loaded();
		const first = client.run(gen({ prompt: 'cat', steps: 25 }));
		const value = { trace: timed(25, 25 * 400) };
		worker.reply({ kind: 'result', id: worker.last('run').id, value });
		await first;
		expect(client.msPerStep).toBe(400);

		void client.run(gen({ prompt: 'dog', steps: 25 }));
		const { id } = worker.last('run');
		// Far longer than the 50 ms default would allow: a slow machine is not a dead worker.
		vi.advanceTimersByTime(deadline(400) - 1);
		expect(workers).toHaveLength(1);
		// A worker that keeps reporting steps is never replaced, however long it runs.
		for (let i = 0; i < 10; i++) {
			worker.reply({ kind: 'step', id, step: step(i), of: 25 });
			vi.advanceTimersByTime(deadline(400) - 1);
		}
		expect(workers).toHaveLength(1);
		vi.advanceTimersByTime(1);
		expect(workers).toHaveLength(2);
	});

	it('an idle worker has no deadline', async () => {
		const { workers } = await loaded();
		vi.advanceTimersByTime(10 * WATCHDOG.loadMs);
		expect(workers).toHaveLength(1);
	});

	it('a worker that dies (error or messageerror) is replaced at once', async () => {
		const { worker, workers, client, faults } = await loaded();
		const explained = client.run(texts);
		worker.crash();
		expect(faults).toEqual([{ kind: 'restarted' }]);
		const fresh = workers[1]!;
		expect(fresh.sent.map((m) => m.kind)).toEqual(['load', 'run']);
		const value = { embeds: [] } as never;
		fresh.reply({ kind: 'result', id: fresh.last('run').id, value });
		await expect(explained).resolves.toBe(value);

		vi.advanceTimersByTime(WATCHDOG.restartWindowMs); // long enough: the next death restarts too
		void client.run(gen({ prompt: 'cat' }));
		fresh.onmessageerror?.(new MessageEvent('messageerror'));
		expect(workers).toHaveLength(3);
		expect(workers[2]!.sent.map((m) => m.kind)).toEqual(['load', 'run']);
	});

	it('a worker that dies again soon after a restart is left stopped, and says so', async () => {
		const { worker, workers, client, faults } = await loaded();
		const run = client.run(gen({ prompt: 'cat' }));
		worker.crash();
		expect(workers).toHaveLength(2);
		vi.advanceTimersByTime(WATCHDOG.restartWindowMs - 1);
		workers[1]!.crash();
		await expect(run).rejects.toMatchObject({ name: 'ModelError', code: 'stopped' });
		expect(faults.map((f) => f.kind)).toEqual(['restarted', 'failed']);
		expect(workers[1]!.terminated).toBe(true);
		vi.advanceTimersByTime(10 * WATCHDOG.loadMs);
		expect(workers).toHaveLength(2); // no more retries by itself

		// The reader's next attempt loads the model again, on a new worker.
		const load = client.load({ baseUrl: '/models/' });
		expect(workers).toHaveLength(3);
		workers[2]!.reply({ kind: 'ready', report, manifest });
		await expect(load).resolves.toMatchObject({ report });
	});

	it('a new worker that cannot load the model fails what was pending, and the next load starts afresh', async () => {
		const { worker, workers, client, faults } = await loaded();
		const run = client.run(gen({ prompt: 'cat' }));
		worker.crash();
		const fresh = workers[1]!;
		fresh.reply({
			kind: 'error',
			message: 'unet.onnx: could not be downloaded',
			file: 'unet.onnx'
		});
		await expect(run).rejects.toMatchObject({ file: 'unet.onnx' });
		expect(faults.at(-1)).toMatchObject({ kind: 'failed', error: { file: 'unet.onnx' } });
		expect(fresh.terminated).toBe(true);
		void client.load({ baseUrl: '/models/' });
		expect(workers).toHaveLength(3);
	});
});
