/**
 * The page's handle on the inference worker (src/lib/pipeline/client.ts), against a fake
 * worker: a new generation cancels the one before, whose promise rejects with an AbortError
 * and whose late messages never reach the page.
 */
import { describe, expect, it, vi } from 'vitest';
import { ModelClient, ModelError } from '../../src/lib/pipeline/client';
import type { StepTrace, Trace } from '../../src/lib/pipeline/generate';
import { FakeWorker } from './fake-worker';

function setup() {
	const worker = new FakeWorker();
	return { worker, client: new ModelClient(worker as unknown as Worker) };
}
const trace = (prompt: string) => ({ settings: { prompt } }) as unknown as Trace;
const step = (index: number) => ({ index }) as unknown as StepTrace;
const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

describe('ModelClient', () => {
	it('reports steps, then resolves with the trace', async () => {
		const { worker, client } = setup();
		const onStep = vi.fn();
		const run = client.generate({ prompt: 'cat' }, onStep, true);
		const { id, settings, decodeSteps } = worker.last('generate');
		expect({ settings, decodeSteps }).toEqual({ settings: { prompt: 'cat' }, decodeSteps: true });
		const x0 = new Float32Array(3);
		worker.reply({ kind: 'step', id, step: step(0), of: 2, x0Image: x0 });
		worker.reply({ kind: 'step', id, step: step(1), of: 2 });
		const t = trace('cat');
		worker.reply({ kind: 'done', id, trace: t });
		await expect(run).resolves.toBe(t);
		expect(onStep.mock.calls).toEqual([
			[step(0), 2, x0],
			[step(1), 2, undefined]
		]);
	});

	it('cancels the previous generation when a new one starts', async () => {
		const { worker, client } = setup();
		const onOld = vi.fn();
		const old = client.generate({ prompt: 'dog' }, onOld);
		const oldId = worker.last('generate').id;
		const settled = old.then(
			() => 'resolved',
			(e: unknown) => (isAbort(e) ? 'aborted' : 'failed')
		);
		const next = client.generate({ prompt: 'cat' });
		const nextId = worker.last('generate').id;
		expect(nextId).not.toBe(oldId);
		// At once: the old promise rejects, and the worker is told to stop.
		expect(await settled).toBe('aborted');
		expect(worker.sent).toContainEqual({ kind: 'cancel', id: oldId });

		// Whatever the worker still sends for the old one is dropped.
		worker.reply({ kind: 'step', id: oldId, step: step(5), of: 25 });
		worker.reply({ kind: 'done', id: oldId, trace: trace('dog') });
		worker.reply({ kind: 'cancelled', id: oldId });
		expect(onOld).not.toHaveBeenCalled();

		const t = trace('cat');
		worker.reply({ kind: 'done', id: nextId, trace: t });
		await expect(next).resolves.toBe(t);
	});

	it('cancel(id) rejects that generation once; an unknown or finished id sends nothing', async () => {
		const { worker, client } = setup();
		const run = client.generate({ prompt: 'cat' });
		const { id } = worker.last('generate');
		client.cancel(id);
		await expect(run).rejects.toSatisfy(isAbort);
		const sent = worker.sent.length;
		client.cancel(id);
		client.cancel(999);
		expect(worker.sent).toHaveLength(sent);

		// With nothing in flight, the next generation cancels nothing.
		void client.generate({ prompt: 'dog' });
		expect(worker.sent.slice(sent).map((m) => m.kind)).toEqual(['generate']);
	});

	it('a generation the worker reports cancelled rejects with an AbortError', async () => {
		const { worker, client } = setup();
		const run = client.generate({ prompt: 'cat' });
		worker.reply({ kind: 'cancelled', id: worker.last('generate').id });
		await expect(run).rejects.toSatisfy(isAbort);
	});

	it('a generation does not cancel the chapters’ explain calls', async () => {
		const { worker, client } = setup();
		const explained = client.explain({ op: 'texts', texts: ['cat'] });
		const explainId = worker.last('explain').id;
		void client.generate({ prompt: 'cat' }).catch(() => {});
		void client.generate({ prompt: 'dog' }).catch(() => {});
		expect(worker.sent.filter((m) => m.kind === 'cancel')).toHaveLength(1);
		const value = { embeds: [] } as never;
		worker.reply({ kind: 'explained', id: explainId, value });
		await expect(explained).resolves.toBe(value);
	});

	it('a worker error rejects with the file it names; a failed load may be tried again', async () => {
		const { worker, client } = setup();
		const opts = { baseUrl: '/models/' };
		const first = client.load(opts);
		expect(client.load(opts)).toBe(first); // one load at a time
		worker.reply({ kind: 'error', message: 'bad bytes', file: 'unet.onnx' });
		await expect(first).rejects.toBeInstanceOf(ModelError);
		await expect(first).rejects.toMatchObject({ message: 'bad bytes', file: 'unet.onnx' });
		const second = client.load(opts);
		expect(second).not.toBe(first);
		expect(worker.sent.filter((m) => m.kind === 'load')).toHaveLength(2);

		const run = client.generate({ prompt: 'cat' });
		worker.reply({ kind: 'error', id: worker.last('generate').id, message: 'out of memory' });
		await expect(run).rejects.toMatchObject({ name: 'ModelError', message: 'out of memory' });
	});

	it('passes download progress to every listener until it unsubscribes', () => {
		const { worker, client } = setup();
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
