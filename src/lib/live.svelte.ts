/**
 * What every chapter's figures show, in one place: one cache of the model's results, by the
 * key each result declares (pipeline/results.ts). The build's first paint is that cache filled
 * for the default link (so the page is whole before the model arrives, and without it); the
 * live model adds its own results as the figures ask for them. Views read this; they never call
 * the model themselves.
 *
 * Who asks: the page for the link's generation (`want`), and each figure on show, and the
 * chapter for what its later steps will need (`need`). One queue runs what is asked and not yet
 * computed live, one request at a time, most urgent first; a request nobody asks for any more
 * is cancelled.
 */
import { base } from '$app/paths';
import { SvelteMap } from 'svelte/reactivity';
import { model, readyClient } from './model.svelte';
import { plainError } from './model-messages';
import type { FirstPaint } from './pipeline/first-paint-file';
import type { Trace } from './pipeline/generate';
import type { BackendChoice } from './pipeline/load';
import { unpack } from './pipeline/pack';
import type { ModelName } from './pipeline/manifest';
import {
	requestKey,
	type Generation,
	type Request,
	type ResultName,
	type ResultValue
} from './pipeline/results';
import { resolveSettings, type GenerationSettings } from './pipeline/settings';

/** A generation as the figures show it: its trace, each step's x0 decoded, where it came from. */
export interface Shown extends Generation {
	source: 'precomputed' | 'live';
}

/** Who asks, most urgent first: the link's generation, the figure on show, the chapter ahead. */
export type Asker = 'main' | 'figure' | 'chapter';
const URGENCY: Asker[] = ['main', 'figure', 'chapter'];

/** Generations are large (every step's tensors): the cache keeps this many not asked for. */
const KEEP_GENERATIONS = 16;
const KEEP_OTHERS = 200;

type Of<N extends ResultName> = Extract<Request, { name: N }>;

/** The steps of a generation whose estimate is not decoded yet. */
const holes = (g: Generation) => g.trace.steps.flatMap((_, i) => (g.x0Images[i] ? [] : [i]));

class Live {
	firstPaint = $state.raw<FirstPaint | null>(null);
	firstPaintError = $state('');
	/** Live results by request key (the first paint's stay in `firstPaint.results`). */
	private results = new SvelteMap<string, unknown>();
	/** What each asker wants now. */
	private asked = $state.raw<Record<Asker, Request[]>>({ main: [], figure: [], chapter: [] });
	/** The generation the link asks for (its request), and the last one shown for it. */
	private mainRequest = $state.raw<Of<'generation'> | null>(null);
	private lastMain = $state.raw<Shown | null>(null);
	generating = $state(false);
	progress = $state({ step: 0, of: 0 });
	/** The newest step's clean estimate, decoded, while the link's generation runs. */
	forming = $state.raw<Float32Array | null>(null);
	/** Why a request to the live model failed, as a sentence; the raw error behind it. */
	error = $state('');
	errorDetails = $state('');

	/** Each page's first-paint file, fetched once. */
	private firstPaintLoads: Record<string, Promise<void>> = {};
	private modelStarted = false;
	private backend: BackendChoice = 'auto';
	/** The model the page's link shows first: its U-Net loads first. */
	private first: ModelName | undefined;
	/** Whether the page on show has a live figure (set by its load function). */
	private figures = true;
	private watchingConnection = false;
	/** The settings the link asks for, as the page gave them. */
	private wantedSettings: Partial<GenerationSettings> | undefined;
	private pumping = false;
	private inFlight: { key: string; ctrl: AbortController } | undefined;
	/** Requests that failed: not retried until something new is asked. */
	private failed = new Set<string>();
	/** The last value each figure slot showed, shown while its next one is computed. */
	private held = new Map<string, unknown>();

	/**
	 * Fetches a page's precomputed file once ('home', or a chapter's slug). A chapter page waits
	 * for it before hydrating (its +page.ts), so the figures hydrate with the same data the
	 * server rendered them with.
	 */
	loadFirstPaint(page: string): Promise<void> {
		this.firstPaintLoads[page] ??= (async () => {
			try {
				const res = await fetch(`${base}/first-paint/${page}.bin`);
				if (!res.ok) throw new Error(`HTTP ${res.status}`);
				this.useFirstPaint(unpack<FirstPaint>(await res.arrayBuffer()));
			} catch (e) {
				delete this.firstPaintLoads[page]; // the next page (or visit) tries again
				this.firstPaintError = `The precomputed figures could not be loaded (${(e as Error).message}).`;
			}
		})();
		return this.firstPaintLoads[page];
	}

	/** Precomputed results, added to those already in (also on the server, where it is all of them). */
	useFirstPaint(fp: FirstPaint) {
		const had = this.firstPaint;
		this.firstPaint = had ? { ...fp, results: { ...had.results, ...fp.results } } : fp;
		this.firstPaintError = '';
		this.askMain();
	}

	/** A result: the live model's if it has computed it, else the first paint's; undefined if neither. */
	get<N extends ResultName>(r: Of<N>): ResultValue<N> | undefined {
		const key = requestKey(r);
		return (this.results.get(key) ?? this.firstPaint?.results[key]) as ResultValue<N> | undefined;
	}

	/** Whether the live model computed this result (not the build). */
	isLive(r: Request): boolean {
		return this.results.has(requestKey(r));
	}

	/**
	 * A result for one place of a figure (`slot`): the request's if there is one, else the last
	 * one that place showed, else `fallback`'s, so a figure keeps its picture while the next is
	 * computed.
	 */
	latest<N extends ResultName>(
		slot: string,
		r: Of<N>,
		fallback?: Of<N>
	): ResultValue<N> | undefined {
		const v = this.get(r);
		if (v !== undefined) this.held.set(slot, v);
		const held = this.held.get(slot) as ResultValue<N> | undefined;
		return v ?? held ?? (fallback && this.get(fallback));
	}

	/**
	 * The generation on show: the link's, once computed; until then the last one shown, or the
	 * first paint's (the default prompt) while the model loads.
	 */
	private get main(): Shown | null {
		const r = this.mainRequest;
		const key = r && requestKey(r);
		const live = key ? (this.results.get(key) as Generation | undefined) : undefined;
		if (live) return { ...live, source: 'live' };
		const fp = this.firstPaint;
		const pre = key ? (fp?.results[key] as Generation | undefined) : undefined;
		if (pre) return { ...pre, source: 'precomputed' };
		if (this.lastMain) return this.lastMain;
		const fallback = fp && fp.results[fp.defaultGeneration];
		return fallback ? { ...(fallback as Generation), source: 'precomputed' } : null;
	}

	/** The generation on show and each of its steps' clean-latent estimates decoded. */
	get trace(): Trace | null {
		return this.main?.trace ?? null;
	}
	get x0Images(): Float32Array[] {
		return this.main?.x0Images ?? [];
	}
	/** Where the generation on show came from: the build's precomputed file, or the model in this page. */
	get source(): 'none' | 'precomputed' | 'live' {
		return this.main?.source ?? 'none';
	}

	/**
	 * Whether some live generation asked for still waits for its steps' estimates to be decoded
	 * (the final picture comes first; the steps' pictures fill in right after).
	 */
	get decoding(): boolean {
		return Object.values(this.asked)
			.flat()
			.some((r) => {
				if (r.name !== 'generation') return false;
				const g = this.results.get(requestKey(r)) as Generation | undefined;
				return !!g && g.x0Images.filter(Boolean).length < g.trace.steps.length;
			});
	}

	/** Milliseconds per U-Net step (batch 2) in the last live generation, else at start-up. */
	get msPerStep(): number | undefined {
		const t = this.source === 'live' ? this.trace : null;
		if (t && t.steps.length) return t.timings.unetMs / t.steps.length;
		return model.report?.unetMs;
	}

	/**
	 * The settings the page's link says (settings flow one way: link → page → here; nothing
	 * reads them back). Generates once the live model is ready; asking again for what is on
	 * show or in flight starts nothing.
	 */
	want(settings: Partial<GenerationSettings>) {
		this.wantedSettings = settings;
		this.askMain();
	}

	/** The link's generation, asked for once a manifest says what its settings resolve to. */
	private askMain() {
		const manifest = model.manifest ?? this.firstPaint?.manifest;
		if (!manifest || !this.wantedSettings) return;
		const r: Of<'generation'> = {
			name: 'generation',
			args: { settings: resolveSettings(this.wantedSettings, manifest).settings }
		};
		const same = this.mainRequest && requestKey(this.mainRequest) === requestKey(r);
		if (!same) {
			// Something new asked for: a restart the reader was told of is old news.
			model.notice = '';
			this.failed.clear();
			const shown = this.main;
			if (shown?.source === 'live') this.lastMain = shown;
			this.mainRequest = r;
			if (this.complete(r, requestKey(r))) this.expose(requestKey(r));
		}
		this.need('main', [r]);
	}

	/** What one asker wants now (replacing what it wanted before). */
	need(asker: Asker, requests: Request[]) {
		const keys = (rs: Request[]) => rs.map(requestKey).join('\n');
		if (keys(this.asked[asker]) === keys(requests)) return void this.pump();
		this.asked = { ...this.asked, [asker]: requests };
		// What nobody asks for any more stops.
		if (this.inFlight && !this.wanted().some((r) => requestKey(r) === this.inFlight!.key))
			this.inFlight.ctrl.abort();
		void this.pump();
	}

	/** Every request asked for, most urgent first, each once. */
	private wanted(): Request[] {
		const seen: Record<string, true> = {};
		return URGENCY.flatMap((a) => this.asked[a]).filter((r) => {
			const k = requestKey(r);
			if (seen[k]) return false;
			return (seen[k] = true);
		});
	}

	/**
	 * Whether the page on show has a live figure; a page without one never starts the model
	 * (its load function says so before the page asks for the model).
	 */
	page(hasLiveFigure: boolean) {
		this.figures = hasLiveFigure;
	}

	/**
	 * Starts the live model, unless the page has no live figure; once ready it computes what
	 * is asked for. `first`: the model the page's link shows, whose U-Net loads first. After a
	 * failure (model.error says why) the next call tries again, and so does the browser coming
	 * back online: most failures to load are a download that did not arrive.
	 */
	async start(backend: BackendChoice = 'auto', first?: ModelName) {
		this.backend = backend;
		if (first) this.first = first;
		if (!this.figures) return;
		if (!this.watchingConnection && typeof window !== 'undefined') {
			this.watchingConnection = true;
			window.addEventListener('online', () => {
				if (model.status === 'error' && this.figures) void this.start(this.backend);
			});
		}
		if (this.modelStarted && model.status !== 'error') return;
		this.modelStarted = true;
		try {
			await readyClient(backend, this.first);
		} catch {
			this.modelStarted = false;
			return;
		}
		this.failed.clear();
		this.askMain();
		await this.pump();
	}

	/** Shows why a request failed, unless the model's own error says it. */
	private fail(e: unknown) {
		if ((e as Error).name === 'AbortError' || model.status === 'error') return;
		const { text, details } = plainError(e, 'run');
		this.error = text;
		this.errorDetails = details;
	}

	/** Runs what is asked for and not yet computed live, one at a time, most urgent first. */
	private async pump(): Promise<void> {
		if (this.pumping || model.status !== 'ready') return;
		this.pumping = true;
		try {
			for (;;) {
				const next = this.wanted().find((r) => {
					const k = requestKey(r);
					return !this.complete(r, k) && !this.failed.has(k);
				});
				if (!next || model.status !== 'ready') return;
				await this.run(next);
			}
		} finally {
			this.pumping = false;
		}
	}

	/** Whether a result is computed live in full (a generation with every step's estimate decoded). */
	private complete(r: Request, key: string): boolean {
		const v = this.results.get(key);
		if (v === undefined) return false;
		return r.name !== 'generation' || !holes(v as Generation).length;
	}

	private async run(r: Request) {
		const key = requestKey(r);
		const ctrl = new AbortController();
		this.inFlight = { key, ctrl };
		this.error = '';
		this.errorDetails = '';
		try {
			const client = await readyClient();
			if (r.name === 'generation') await this.generate(r, key, ctrl.signal);
			else this.store(key, await client.run(r, { signal: ctrl.signal }));
		} catch (e) {
			if ((e as Error).name !== 'AbortError') {
				this.failed.add(key);
				this.fail(e);
			}
		} finally {
			if (this.inFlight?.key === key) this.inFlight = undefined;
			this.generating = false;
		}
	}

	private store(key: string, value: unknown) {
		this.results.delete(key);
		this.results.set(key, value);
		this.evict();
	}

	/** Drops the oldest results nobody asks for, past what the cache keeps. */
	private evict() {
		const wanted = new Set(this.wanted().map(requestKey));
		const drop = (generations: boolean, keep: number) => {
			const keys = [...this.results.keys()].filter(
				(k) => k.startsWith('generation:') === generations
			);
			for (const k of keys.slice(0, Math.max(0, keys.length - keep)))
				if (!wanted.has(k)) this.results.delete(k);
		};
		drop(true, KEEP_GENERATIONS);
		drop(false, KEEP_OTHERS);
	}

	/**
	 * A live generation: its steps reported as they come (some with their estimate decoded),
	 * the final picture shown at once, then the steps' estimates it did not decode.
	 */
	private async generate(r: Of<'generation'>, key: string, signal: AbortSignal) {
		const client = await readyClient();
		const have = this.results.get(key) as Generation | undefined;
		if (have) return this.decodeRest(key, have, signal); // computed, not all decoded
		const isMain = () => this.mainRequest !== null && requestKey(this.mainRequest) === key;
		this.generating = true;
		this.progress = { step: 0, of: r.args.settings.steps };
		const images: Float32Array[] = [];
		const g = await client.run(r, {
			signal,
			onStep: (s, of, x0Image) => {
				if (x0Image) {
					images[s.index] = x0Image;
					if (isMain()) this.forming = x0Image;
				}
				this.progress = { step: s.index + 1, of };
			}
		});
		this.generating = false;
		const shown: Generation = { trace: g.trace, x0Images: images };
		this.store(key, shown);
		await this.decodeRest(key, shown, signal);
	}

	/** The steps' estimates a live generation did not decode while it ran. */
	private async decodeRest(key: string, g: Generation, signal: AbortSignal) {
		const missing = holes(g);
		if (missing.length) {
			const client = await readyClient();
			const steps = g.trace.steps;
			const decoded = await client.run(
				{ name: 'decode', args: { latents: missing.map((i) => steps[i]!.x0) } },
				{ signal }
			);
			const all = [...g.x0Images];
			missing.forEach((i, k) => (all[i] = decoded[k]!));
			if (this.results.get(key) === g) this.store(key, { ...g, x0Images: all });
		}
		this.expose(key);
	}

	/**
	 * The link's whole generation as `globalThis.diffusion`, in test builds only (the end-to-end
	 * tests and the bench build with VITE_TEST_HOOKS=1 and read its tensors); the shipped site
	 * never sets it.
	 */
	private expose(key: string) {
		if (import.meta.env.VITE_TEST_HOOKS !== '1') return;
		if (!this.mainRequest || requestKey(this.mainRequest) !== key) return;
		const g = this.results.get(key) as Generation;
		(globalThis as { diffusion?: unknown }).diffusion = { ...g, source: 'live' };
	}

	/** A result the page asks for once (the reader's own picture), by the live model; null while it loads. */
	async compute<N extends ResultName>(r: Of<N>): Promise<ResultValue<N> | null> {
		if (model.status !== 'ready') return null;
		const key = requestKey(r);
		const have = this.results.get(key);
		if (have !== undefined) return have as ResultValue<N>;
		const client = await readyClient();
		const value = await client.run(r);
		this.store(key, value);
		return value;
	}
}

/**
 * Everything the figures show, not only the live model's results: until the model is ready it
 * holds the build's precomputed first paint, and the live model's results replace those by key
 * as it computes them.
 */
export const live = new Live();
