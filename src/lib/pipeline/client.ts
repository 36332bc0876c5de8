/**
 * The page's handle on the inference worker: promises for loading, generating and the
 * chapters' extra model calls (explain). Starting a generation cancels the previous one; a cancelled generation's
 * promise rejects with an AbortError and its steps are never reported.
 */
import type { DownloadProgress } from './files';
import type { StepTrace, Trace } from './generate';
import type { BackendChoice, LoadReport } from './load';
import type { Manifest } from './manifest';
import type { ExplainRequest, ExplainResult, FromWorker, ToWorker } from './protocol';
import type { GenerationSettings } from './settings';

export class ModelError extends Error {
	constructor(
		message: string,
		readonly file?: string
	) {
		super(message);
		this.name = 'ModelError';
	}
}

interface Pending {
	resolve(v: unknown): void;
	reject(e: Error): void;
	onStep?: (s: StepTrace, of: number, x0Image?: Float32Array) => void;
}

export class ModelClient {
	private worker: Worker;
	private nextId = 1;
	private pending = new Map<number, Pending>();
	private current: number | undefined;
	private loading: Promise<{ report: LoadReport; manifest: Manifest }> | undefined;
	private progressListeners = new Set<(p: DownloadProgress) => void>();

	constructor(worker: Worker) {
		this.worker = worker;
		worker.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
	}

	onProgress(fn: (p: DownloadProgress) => void): () => void {
		this.progressListeners.add(fn);
		return () => this.progressListeners.delete(fn);
	}

	load(opts: { baseUrl: string; backend?: BackendChoice; wasmPaths?: string; threads?: number }) {
		this.loading ??= new Promise((resolve, reject) => {
			this.pending.set(0, { resolve: resolve as (v: unknown) => void, reject });
			this.send({ kind: 'load', backend: 'auto', ...opts });
		});
		return this.loading;
	}

	/**
	 * With `decodeSteps`, some steps also bring their x0 decoded to an image, while the loop
	 * runs (worker.ts says how often); explain's 'decode' gives the others.
	 */
	generate(
		settings: Partial<GenerationSettings>,
		onStep?: (s: StepTrace, of: number, x0Image?: Float32Array) => void,
		decodeSteps = false
	): Promise<Trace> {
		if (this.current !== undefined) this.cancel(this.current);
		const id = this.nextId++;
		this.current = id;
		return new Promise<Trace>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onStep });
			this.send({ kind: 'generate', id, settings, decodeSteps });
		});
	}

	/** The chapters' extra model calls: sample images, texts, one training example. */
	explain<R extends ExplainRequest>(request: R): Promise<ExplainResult[R['op']]> {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
			this.send({ kind: 'explain', id, request });
		});
	}

	cancel(id: number) {
		const p = this.pending.get(id);
		if (!p) return;
		// Reject at once; whatever the worker still sends for this id is dropped.
		this.pending.delete(id);
		p.reject(new DOMException('The generation was cancelled.', 'AbortError'));
		this.send({ kind: 'cancel', id });
		if (this.current === id) this.current = undefined;
	}

	private send(m: ToWorker) {
		this.worker.postMessage(m);
	}

	private receive(m: FromWorker) {
		if (m.kind === 'progress') {
			for (const fn of this.progressListeners) fn(m.progress);
			return;
		}
		const id = m.kind === 'ready' ? 0 : (m.id ?? 0);
		const p = this.pending.get(id);
		if (!p) return; // cancelled or unknown: never reaches the views
		if (m.kind === 'step') {
			p.onStep?.(m.step, m.of, m.x0Image);
			return;
		}
		this.pending.delete(id);
		if (this.current === id) this.current = undefined;
		if (m.kind === 'ready') p.resolve({ report: m.report, manifest: m.manifest });
		else if (m.kind === 'done') p.resolve(m.trace);
		else if (m.kind === 'explained') p.resolve(m.value);
		else if (m.kind === 'cancelled')
			p.reject(new DOMException('The generation was cancelled.', 'AbortError'));
		else if (m.kind === 'error') {
			p.reject(new ModelError(m.message, m.file));
			if (id === 0) this.loading = undefined;
		}
	}
}
