/// <reference lib="webworker" />
/**
 * Runs the model off the main thread so scrolling never stutters. It has one operation: compute
 * a declared result (results.ts). Every model call goes through one queue: concurrent runs on
 * one WebGPU device can stall. A cancelled request stops at its next step and posts nothing
 * but 'cancelled'.
 */
import { ModelFileError } from './files';
import { loadPipeline, type LoadedModel } from './load';
import type { FromWorker, ToWorker } from './protocol';
import { FORMING_EVERY_MS, runRequest } from './results';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let model: Promise<LoadedModel> | undefined;
const running = new Map<number, AbortController>();

const post = (m: FromWorker) => scope.postMessage(m);

let queue: Promise<unknown> = Promise.resolve();
function serial<T>(fn: () => Promise<T>): Promise<T> {
	const next = queue.then(fn, fn);
	queue = next.catch(() => undefined);
	return next;
}

function fail(e: unknown, id?: number) {
	const file = e instanceof ModelFileError ? e.file : undefined;
	post({ kind: 'error', id, message: e instanceof Error ? e.message : String(e), file });
}

scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
	const msg = ev.data;
	if (msg.kind === 'load') {
		model ??= loadPipeline({
			baseUrl: msg.baseUrl,
			backend: msg.backend,
			wasmPaths: msg.wasmPaths,
			runtimeBytes: msg.runtimeBytes,
			threads: msg.threads,
			first: msg.first,
			onProgress: (progress) => post({ kind: 'progress', progress })
		});
		try {
			const m = await model;
			post({ kind: 'ready', report: m.report, manifest: m.manifest });
		} catch (e) {
			model = undefined;
			fail(e);
		}
	} else if (msg.kind === 'run') {
		const ctrl = new AbortController();
		running.set(msg.id, ctrl);
		const { signal } = ctrl;
		try {
			const m = await model;
			if (!m) throw new Error('The model is not loaded yet.');
			const value = await serial(() => {
				if (signal.aborted) throw new DOMException('Cancelled.', 'AbortError');
				return runRequest(m, msg.request, {
					signal,
					formingEveryMs: FORMING_EVERY_MS,
					onStep: (step, of, x0Image) => post({ kind: 'step', id: msg.id, step, of, x0Image })
				});
			});
			if (!signal.aborted) post({ kind: 'result', id: msg.id, value });
			else post({ kind: 'cancelled', id: msg.id });
		} catch (e) {
			if (signal.aborted) post({ kind: 'cancelled', id: msg.id });
			else fail(e, msg.id);
		} finally {
			running.delete(msg.id);
		}
	} else if (msg.kind === 'cancel') {
		running.get(msg.id)?.abort();
	}
};
