/**
 * The page's handle on the inference worker: a promise for loading, and one for each declared
 * result it runs (results.ts). A cancelled request's promise rejects with an AbortError and
 * its steps are never reported.
 *
 * It also keeps a worker running. A worker whose `error` or `messageerror` event fires, or
 * that stays silent past the deadline of what it was asked (scaled by the measured time of a
 * U-Net step), is replaced: a new one loads the model again and re-runs every request still
 * pending, whose promises never notice. One that fails again soon after a restart is left
 * stopped and every pending request rejects (`onFault` says which happened). A failed load
 * retires its worker too: the runtime keeps a failed backend set-up for the worker's life
 * (a runtime file that failed to download once stays failed), so the next load gets a new one.
 */
import type { StepTrace, Trace } from './generate';
import type { LoadOptions as PipelineLoadOptions, LoadProgress, LoadReport } from './load';
import type { Manifest } from './manifest';
import type { FromWorker, ToWorker } from './protocol';
import { requestSteps, type Request, type ResultName, type ResultValue } from './results';

const abortError = () => new DOMException('The request was cancelled.', 'AbortError');

export class ModelError extends Error {
	constructor(
		message: string,
		readonly file?: string,
		/** 'stopped': the worker died again soon after a restart and was left stopped. */
		readonly code?: 'stopped'
	) {
		super(message);
		this.name = 'ModelError';
	}
}

/** How long the worker may stay silent, and how soon a second failure stops the restarts. */
export const WATCHDOG = {
	/** Added to every deadline: timer and message delays, a busy machine. */
	floorMs: 5_000,
	/** Times the longest expected silence at the measured speed. */
	slack: 4,
	/** A U-Net step's time until one was measured (a slow phone's, roughly). */
	defaultStepMs: 50,
	/** A load between two of its messages: compiling the runtime, creating the sessions. */
	loadMs: 60_000,
	/** A worker that fails again within this time of a restart is not restarted. */
	restartWindowMs: 60_000
};

export type Fault =
	/** The worker died and a new one took over what was pending. */
	| { kind: 'restarted' }
	/** It died again soon after a restart (code 'stopped'), or the new one could not load. */
	| { kind: 'failed'; error: ModelError };

/** What the worker loads with: the pipeline's options, its progress reported by messages. */
type LoadOptions = Omit<PipelineLoadOptions, 'onProgress'>;

interface Pending {
	resolve(v: unknown): void;
	reject(e: Error): void;
	onStep?: (s: StepTrace, of: number, x0Image?: Float32Array) => void;
	/** What was sent, to send again to a new worker. */
	message: ToWorker;
	/**
	 * The longest the worker may stay silent while on it, in U-Net steps (its deadline): a
	 * generation reports every step, so one step and what comes before the first; a model call
	 * of the chapters reports only when done, so all of it.
	 */
	steps: number;
	/** A load the client sent by itself, to a new worker: nobody waits on it. */
	reload?: boolean;
}

export class ModelClient {
	private worker: Worker | undefined;
	private nextId = 1;
	private pending = new Map<number, Pending>();
	private loading: Promise<{ report: LoadReport; manifest: Manifest }> | undefined;
	/** The last load's options, once it succeeded: a new worker loads the same. */
	private loaded: LoadOptions | undefined;
	/** The options of the last load asked for (which model it loads first). */
	private requested: LoadOptions | undefined;
	private progressListeners = new Set<(p: LoadProgress) => void>();
	private faultListeners = new Set<(f: Fault) => void>();
	/** When the worker was last heard from (or given work while idle). */
	private heard = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private restartedAt: number | undefined;
	private stepMs: number | undefined;

	/** `spawn` starts a worker: once at first use, again after each fault. */
	constructor(private readonly spawn: () => Worker) {}

	/** Milliseconds per U-Net step as last measured (the deadlines scale with it). */
	get msPerStep(): number | undefined {
		return this.stepMs;
	}

	onProgress(fn: (p: LoadProgress) => void): () => void {
		this.progressListeners.add(fn);
		return () => this.progressListeners.delete(fn);
	}

	onFault(fn: (f: Fault) => void): () => void {
		this.faultListeners.add(fn);
		return () => this.faultListeners.delete(fn);
	}

	load(opts: LoadOptions) {
		this.loading ??= new Promise((resolve, reject) => {
			this.requested = opts;
			const message: ToWorker = { kind: 'load', backend: 'auto', ...opts };
			this.track(0, {
				resolve: (v) => {
					this.loaded = opts;
					resolve(v as { report: LoadReport; manifest: Manifest });
				},
				reject,
				message,
				steps: 0
			});
			this.send(message);
		});
		return this.loading;
	}

	/**
	 * Computes one declared result (results.ts) in the worker. A generation reports its steps
	 * to `onStep` as they come. Aborting `signal` cancels it: its promise rejects with an
	 * AbortError at once, and nothing the worker still sends for it is reported.
	 */
	run<N extends ResultName>(
		request: Extract<Request, { name: N }>,
		opts: {
			onStep?: (s: StepTrace, of: number, x0Image?: Float32Array) => void;
			signal?: AbortSignal;
		} = {}
	): Promise<ResultValue<N>> {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			if (opts.signal?.aborted) return reject(abortError());
			const message: ToWorker = { kind: 'run', id, request };
			const steps = requestSteps(request, this.requested?.first);
			const resolveAny = resolve as (v: unknown) => void;
			this.track(id, { resolve: resolveAny, reject, onStep: opts.onStep, message, steps });
			opts.signal?.addEventListener('abort', () => this.cancel(id), { once: true });
			this.send(message);
		});
	}

	cancel(id: number) {
		const p = this.pending.get(id);
		if (!p) return;
		// Reject at once; whatever the worker still sends for this id is dropped.
		this.untrack(id);
		p.reject(abortError());
		this.worker?.postMessage({ kind: 'cancel', id } satisfies ToWorker);
	}

	private track(id: number, p: Pending) {
		if (!this.pending.size) this.heard = Date.now(); // the silence starts now
		this.pending.set(id, p);
		this.arm();
	}

	private untrack(id: number) {
		this.pending.delete(id);
		this.arm();
	}

	private send(m: ToWorker) {
		this.ensureWorker(m.kind === 'load');
		this.worker!.postMessage(m);
		this.arm();
	}

	/**
	 * A worker, started if none is running. A new one first loads the model the last one had
	 * (unless `loading`: the message about to be sent is a load).
	 */
	private ensureWorker(loading = false) {
		if (this.worker) return;
		const w = this.spawn();
		this.worker = w;
		w.onmessage = (ev: MessageEvent<FromWorker>) => {
			if (this.worker === w) this.receive(ev.data);
		};
		// An uncaught error or a message that could not be read: what it was doing is lost.
		w.onerror = (ev: Event) => {
			ev.preventDefault();
			if (this.worker === w) this.fault();
		};
		w.onmessageerror = () => {
			if (this.worker === w) this.fault();
		};
		this.heard = Date.now();
		if (this.loaded && !loading && !this.pending.has(0)) {
			const message: ToWorker = { kind: 'load', backend: 'auto', ...this.loaded };
			const none = () => undefined;
			this.track(0, { resolve: none, reject: none, message, steps: 0, reload: true });
			w.postMessage(message);
		}
	}

	/**
	 * How long the worker may stay silent. It works through its requests one at a time and
	 * reports at least at the end of each, so the next message is due within the longest
	 * silence of any one of them (each message starts the wait again).
	 */
	private budget(): number {
		const ms = this.stepMs ?? WATCHDOG.defaultStepMs;
		let steps = 0;
		for (const p of this.pending.values()) steps = Math.max(steps, p.steps);
		const load = this.pending.has(0) ? WATCHDOG.loadMs : 0;
		return WATCHDOG.floorMs + load + WATCHDOG.slack * ms * steps;
	}

	private arm() {
		clearTimeout(this.timer);
		this.timer = undefined;
		if (!this.pending.size || !this.worker) return;
		const wait = this.heard + this.budget() - Date.now();
		this.timer = setTimeout(
			() => {
				this.timer = undefined;
				if (Date.now() >= this.heard + this.budget()) this.fault();
				else this.arm();
			},
			Math.max(0, wait)
		);
	}

	private emit(f: Fault) {
		for (const fn of this.faultListeners) fn(f);
	}

	/** Ends the worker; the next request starts a new one. */
	private retire() {
		this.worker?.terminate();
		this.worker = undefined;
		clearTimeout(this.timer);
		this.timer = undefined;
	}

	/** The worker died or hangs: a new one re-runs what was pending, unless it just did. */
	private fault() {
		const now = Date.now();
		const again =
			this.restartedAt !== undefined && now - this.restartedAt < WATCHDOG.restartWindowMs;
		this.retire();
		if (again) {
			// Left stopped: the next load (the reader's next request) starts from scratch.
			this.restartedAt = undefined;
			this.loaded = undefined;
			this.loading = undefined;
			const error = new ModelError(
				'The model worker stopped again soon after a restart.',
				undefined,
				'stopped'
			);
			this.failAll(error);
			this.emit({ kind: 'failed', error });
			return;
		}
		if (!this.pending.size && !this.loaded) return; // nothing to restore
		this.restartedAt = now;
		// The same requests, oldest first (a load before what needs it), to a new worker that
		// loads the model first if it had been loaded.
		const queued = [...this.pending.entries()].sort(([a], [b]) => a - b);
		this.ensureWorker(this.pending.has(0));
		for (const [, p] of queued) this.worker!.postMessage(p.message);
		this.heard = Date.now();
		this.arm();
		this.emit({ kind: 'restarted' });
	}

	private failAll(e: Error) {
		const all = [...this.pending.values()];
		this.pending.clear();
		this.arm();
		for (const p of all) p.reject(e);
	}

	private receive(m: FromWorker) {
		this.heard = Date.now();
		this.arm();
		if (m.kind === 'progress') {
			for (const fn of this.progressListeners) fn(m.progress);
			return;
		}
		const id = m.kind === 'ready' ? 0 : (m.id ?? 0);
		if (m.kind === 'error' && id === 0) {
			// Without the model nothing pending can run: all fail with the load's error, and
			// the next attempt gets a new worker.
			const reload = this.pending.get(0)?.reload;
			const error = new ModelError(m.message, m.file);
			this.loading = undefined;
			this.loaded = undefined;
			this.retire();
			this.failAll(error);
			if (reload) this.emit({ kind: 'failed', error });
			return;
		}
		const p = this.pending.get(id);
		if (!p) return; // cancelled or unknown: never reaches the views
		if (m.kind === 'step') {
			p.onStep?.(m.step, m.of, m.x0Image);
			return;
		}
		this.untrack(id);
		if (m.kind === 'ready') {
			if (m.report.unetMs) this.stepMs = m.report.unetMs;
			p.resolve({ report: m.report, manifest: m.manifest });
		} else if (m.kind === 'result') {
			const trace = (m.value as { trace?: Trace } | null)?.trace;
			const { steps, timings } = trace ?? {};
			if (steps?.length && timings && timings.unetMs > 0)
				this.stepMs = timings.unetMs / steps.length;
			p.resolve(m.value);
		} else if (m.kind === 'cancelled') p.reject(abortError());
		else if (m.kind === 'error') p.reject(new ModelError(m.message, m.file));
	}
}
