/// <reference lib="webworker" />
/**
 * Runs the model off the main thread so scrolling never stutters. One generation at a
 * time: a new one cancels the one in flight, whose results are never posted. Every model
 * call goes through one queue: concurrent runs on one WebGPU device can stall.
 */
import { editPicture, encodeImages, encodeTexts, trainingExample } from './explainer';
import { ModelFileError } from './files';
import { loadPipeline, type LoadedModel } from './load';
import type { ExplainRequest, FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let model: Promise<LoadedModel> | undefined;
let running: { id: number; ctrl: AbortController } | undefined;

const post = (m: FromWorker) => scope.postMessage(m);

/**
 * While the loop runs, a step's clean estimate is decoded at most this often: enough to watch
 * the picture form, without holding the final picture back by a decode for every step (a
 * third of a first generation's time on a slow machine). The page asks for the rest after.
 */
const FORMING_EVERY_MS = 250;

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

async function explain(m: LoadedModel, r: ExplainRequest) {
	if (r.op === 'decode') {
		const images: Float32Array[] = [];
		for (const latent of r.latents) images.push(await m.pipeline.decode(latent));
		return images;
	}
	const x = { pipeline: m.pipeline, ...(await m.extras()) };
	if (r.op === 'images') return encodeImages(x, r.pixels);
	if (r.op === 'texts') return encodeTexts(x, r.texts);
	if (r.op === 'edit') return editPicture(x, r.settings, r.edit, r.strengths, r.detailed);
	return trainingExample(x, r.latent, r.caption, r.t, r.seed);
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
	} else if (msg.kind === 'generate') {
		running?.ctrl.abort();
		const ctrl = new AbortController();
		running = { id: msg.id, ctrl };
		try {
			const m = await model;
			if (!m) throw new Error('The model is not loaded yet.');
			let decodedAt = -Infinity;
			const trace = await serial(() =>
				m.pipeline.generate(msg.settings, {
					signal: ctrl.signal,
					onStep: async (step, of) => {
						let x0Image: Float32Array | undefined;
						if (msg.decodeSteps && performance.now() - decodedAt >= FORMING_EVERY_MS) {
							x0Image = await m.pipeline.decode(step.x0);
							decodedAt = performance.now();
						}
						if (!ctrl.signal.aborted) post({ kind: 'step', id: msg.id, step, of, x0Image });
					}
				})
			);
			if (!ctrl.signal.aborted) post({ kind: 'done', id: msg.id, trace });
		} catch (e) {
			if (ctrl.signal.aborted) post({ kind: 'cancelled', id: msg.id });
			else fail(e, msg.id);
		} finally {
			if (running?.id === msg.id) running = undefined;
		}
	} else if (msg.kind === 'cancel') {
		if (running?.id === msg.id) running.ctrl.abort();
	} else if (msg.kind === 'explain') {
		try {
			const m = await model;
			if (!m) throw new Error('The model is not loaded yet.');
			const value = await serial(() => explain(m, msg.request));
			post({ kind: 'explained', id: msg.id, value });
		} catch (e) {
			fail(e, msg.id);
		}
	}
};
