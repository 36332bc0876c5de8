/**
 * What every chapter's figures show, in one place: first the file precomputed at build time
 * (so the page is whole before the model arrives, and without it), then the live model's
 * results for the reader's own prompt, seed and guidance. Views read this; they never call
 * the model themselves.
 */
import { base } from '$app/paths';
import { model, readyClient } from './model.svelte';
import { plainError } from './model-messages';
import type { EditEntry, ImageCodes, TextCodes, TrainingExample } from './pipeline/explainer';
import type { ExplainRequest } from './pipeline/protocol';
import type { FirstPaint } from './pipeline/first-paint';
import type { Trace } from './pipeline/generate';
import { gridPlan, samplerPlan, type GridCell, type SamplerCell } from './pipeline/grid';
import type { BackendChoice } from './pipeline/load';
import { unpack } from './pipeline/pack';
import { modelEntry, type Manifest, type ModelName } from './pipeline/manifest';
import { resolveSettings, settingsKey, type GenerationSettings } from './pipeline/settings';

/** A grid's key: every setting of every cell, as each cell's generation resolves it. */
function gridKey(cells: Partial<GenerationSettings>[], manifest: Manifest): string {
	return cells.map((c) => settingsKey(resolveSettings(c, manifest).settings)).join('|');
}

export interface ExampleKey {
	sample: number;
	t: number;
	seed: number;
}

const other = (m: ModelName): ModelName => (m === 'teacher' ? 'student' : 'teacher');

/** A generation as the figures show it: its trace, each step's x0 decoded, where it came from. */
export interface Shown {
	trace: Trace;
	x0Images: Float32Array[];
	source: 'precomputed' | 'live';
}
const exampleKey = (k: ExampleKey) => `${k.sample}/${k.t}/${k.seed}`;

/** One set of edits the editing figure asks for (figures.ts editRequest), named by `key`. */
export type EditRequest = Omit<Extract<ExplainRequest, { op: 'edit' }>, 'op'> & { key: string };

class Live {
	firstPaint = $state.raw<FirstPaint | null>(null);
	firstPaintError = $state('');
	/** The generation on show, and each of its steps' clean-latent estimates decoded. */
	trace = $state.raw<Trace | null>(null);
	x0Images = $state.raw<Float32Array[]>([]);
	/** Where the trace came from: the build's precomputed file, or the model in this page. */
	source = $state<'none' | 'precomputed' | 'live'>('none');
	generating = $state(false);
	progress = $state({ step: 0, of: 0 });
	/** The newest step's clean estimate, decoded, while a generation runs. */
	forming = $state.raw<Float32Array | null>(null);
	/** Why a request to the live model failed, as a sentence; the raw error behind it. */
	error = $state('');
	errorDetails = $state('');
	images = $state.raw<ImageCodes | null>(null);
	labels = $state.raw<TextCodes | null>(null);
	example = $state.raw<(ExampleKey & { result: TrainingExample; live: boolean }) | null>(null);
	/** The same prompt, seed and guidance on the other model (teacher or student), for the
	 * distillation chapter's comparison; generated after the main one, when asked for. */
	pair = $state.raw<Shown | null>(null);
	/** Each model at each step count on the same prompt, seed and guidance (distillation
	 * chapter's grid); generated after the pair, when asked for. */
	grid = $state.raw<GridCell[]>([]);
	/** The teacher with each sampler at each step count on the same settings (the loop
	 * chapter's sampler grid); generated after the main generation, when asked for. */
	samplerGrid = $state.raw<SamplerCell[]>([]);
	/** Sets of edits of a picture (editing chapter): the first paint's, then the live model's. */
	edits = $state.raw<(EditEntry & { live: boolean })[]>([]);
	/**
	 * Whether some of the live generations' steps still wait for their estimate to be decoded
	 * (the final picture comes first; the steps' pictures fill in right after).
	 */
	get decoding(): boolean {
		return [this.mainShown(), this.pair].some(
			(s) => s?.source === 'live' && s.x0Images.filter(Boolean).length < s.trace.steps.length
		);
	}

	/** Milliseconds per U-Net step (batch 2) in the last live generation, else at start-up. */
	get msPerStep(): number | undefined {
		const t = this.source === 'live' ? this.trace : null;
		if (t && t.steps.length) return t.timings.unetMs / t.steps.length;
		return model.report?.unetMs;
	}

	private wanted: Partial<GenerationSettings> = {};
	private firstPaintLoad: Promise<void> | undefined;
	private modelStarted = false;
	private backend: BackendChoice = 'auto';
	/** The model the page's link shows first: its U-Net loads first. */
	private first: ModelName | undefined;
	/** Whether the page on show has a live figure (set by its load function). */
	private figures = true;
	private watchingConnection = false;
	/** Settings of the generation in flight: asking again for them must not restart it. */
	private running: string | undefined;
	private samplesLive = false;
	private pairWanted = false;
	private gridWanted = false;
	/** Prompt, seed and guidance of the live grid on show or being made. */
	private gridKey: string | undefined;
	private samplerGridWanted = false;
	private samplerGridKey: string | undefined;
	private exampleRun = 0;
	private editWanted: EditRequest | undefined;
	private editBusy = false;

	/**
	 * Fetches the precomputed file once. A chapter page waits for it before hydrating (its
	 * +page.ts), so the figures hydrate with the same data the server rendered them with.
	 */
	loadFirstPaint(): Promise<void> {
		this.firstPaintLoad ??= (async () => {
			try {
				const res = await fetch(`${base}/first-paint.bin`);
				if (!res.ok) throw new Error(`HTTP ${res.status}`);
				this.useFirstPaint(unpack<FirstPaint>(await res.arrayBuffer()));
			} catch (e) {
				this.firstPaintError = `The precomputed figures could not be loaded (${(e as Error).message}).`;
			}
		})();
		return this.firstPaintLoad;
	}

	/** Shows the precomputed results wherever nothing live is on show yet (also on the server). */
	useFirstPaint(fp: FirstPaint) {
		this.firstPaint = fp;
		if (!this.trace) {
			this.trace = fp.trace;
			this.x0Images = fp.x0Images;
			this.source = 'precomputed';
		}
		if (!this.pair && fp.student) this.pair = { ...fp.student, source: 'precomputed' };
		if (!this.grid.length && fp.grid) this.grid = fp.grid;
		if (!this.samplerGrid.length) this.samplerGrid = fp.samplerGrid ?? [];
		this.images ??= fp.images;
		this.labels ??= fp.labels;
		this.example ??= { ...fp.example, live: false };
		if (!this.edits.length) this.edits = (fp.edits ?? []).map((e) => ({ ...e, live: false }));
	}

	/** The teacher's or the student's generation on show (main or pair), if any. */
	shown(name: ModelName): Shown | null {
		const main = this.mainShown();
		if (main?.trace.settings.model === name) return main;
		return this.pair?.trace.settings.model === name ? this.pair : null;
	}

	private mainShown(): Shown | null {
		if (!this.trace || this.source === 'none') return null;
		return { trace: this.trace, x0Images: this.x0Images, source: this.source };
	}

	/** Whether the page wants the other model's generation too (the distillation chapter). */
	wantPair(on: boolean) {
		this.pairWanted = on;
		if (on && model.status === 'ready') void this.generate();
	}

	/** Whether the page wants every model at every step count (the distillation grid). */
	wantGrid(on: boolean) {
		this.gridWanted = on;
		if (on && model.status === 'ready') void this.generate();
	}

	/** Whether the page wants each sampler at each step count (the loop chapter's sampler grid). */
	wantSamplerGrid(on: boolean) {
		this.samplerGridWanted = on;
		if (on && model.status === 'ready') void this.generate();
	}

	/**
	 * The settings the page's link says (settings flow one way: link → page → here; nothing
	 * reads them back). Regenerates once the live model is ready; asking again for what is on
	 * show or in flight starts nothing.
	 */
	want(settings: Partial<GenerationSettings>) {
		// Something new asked for: a restart the reader was told of is old news.
		if (JSON.stringify(settings) !== JSON.stringify(this.wanted)) model.notice = '';
		this.wanted = settings;
		if (model.status === 'ready') void this.generate();
	}

	/**
	 * Whether the page on show has a live figure; a page without one never starts the model
	 * (its load function says so before the page asks for the model).
	 */
	page(hasLiveFigure: boolean) {
		this.figures = hasLiveFigure;
	}

	/**
	 * Starts the live model, unless the page has no live figure; once ready it recomputes what
	 * the page shows. `first`: the model the page's link shows, whose U-Net loads first. After
	 * a failure (model.error says why) the next call tries again, and so does the browser
	 * coming back online: most failures to load are a download that did not arrive.
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
		await this.generate();
	}

	/** Shows why a request failed, unless a newer one took over or the model's own error says it. */
	private fail(e: unknown) {
		if ((e as Error).name === 'AbortError' || model.status === 'error') return;
		const { text, details } = plainError(e, 'run');
		this.error = text;
		this.errorDetails = details;
	}

	private isShown(settings: GenerationSettings) {
		return (
			this.source === 'live' &&
			this.trace &&
			settingsKey(this.trace.settings) === settingsKey(settings)
		);
	}

	/** Brings the figures up to date: the wanted generation, then its pair if asked for. */
	async generate() {
		const manifest = model.manifest;
		if (!manifest || model.status !== 'ready') return;
		const { settings } = resolveSettings(this.wanted, manifest);
		if (!this.isShown(settings)) {
			if (this.running === settingsKey(settings)) return; // in flight; it does the pair after
			const shown = await this.run(settings, true);
			if (!shown) return;
			// After a model switch the old main generation is the new pair: no need to rerun it.
			const old = this.source === 'live' ? this.mainShown() : null;
			if (old && old.trace.settings.model === other(settings.model)) this.pair = old;
			this.trace = shown.trace;
			this.x0Images = shown.x0Images;
			this.source = 'live';
			const x0Images = await this.decodeRest(shown);
			if (!x0Images || this.trace !== shown.trace) return;
			this.x0Images = x0Images;
			// The whole trace, for curious readers (and tests) to inspect in the console.
			(globalThis as { diffusion?: unknown }).diffusion = { ...shown, x0Images };
		}
		if (this.samplerGridWanted) await this.runSamplerGrid(manifest);
		if (!this.pairWanted || !modelEntry(manifest, 'student')) return;
		// The other model with the same prompt, seed and guidance, at its own number of steps.
		const pair = resolveSettings(
			{ ...this.wanted, model: other(settings.model), steps: undefined },
			manifest
		);
		const key = settingsKey(pair.settings);
		const current = this.pair;
		const done = current?.source === 'live' && settingsKey(current.trace.settings) === key;
		if (this.running === key) return; // in flight; it does the grid after
		if (!done) {
			const shown = await this.run(pair.settings, false);
			if (!shown) return;
			this.pair = shown;
			const x0Images = await this.decodeRest(shown);
			if (x0Images && this.pair === shown) this.pair = { ...shown, x0Images };
		}
		if (this.gridWanted) await this.runGrid(manifest);
	}

	/** The distillation grid: each model at each step count, on the wanted settings. */
	private async runGrid(manifest: NonNullable<typeof model.manifest>) {
		const plan = gridPlan(manifest);
		const cellSettings = (c: (typeof plan)[number]) => ({
			...this.wanted,
			model: c.model,
			steps: c.steps
		});
		const key = gridKey(plan.map(cellSettings), manifest);
		if (this.gridKey === key) return;
		this.gridKey = key;
		const done = await this.runCells(
			plan,
			this.grid,
			cellSettings,
			manifest,
			() => this.gridKey === key,
			(cells) => (this.grid = cells)
		);
		if (!done && this.gridKey === key) this.gridKey = undefined;
	}

	/** The sampler grid: the teacher with each sampler at each step count, on the wanted settings. */
	private async runSamplerGrid(manifest: NonNullable<typeof model.manifest>) {
		const plan = samplerPlan(manifest);
		const cellSettings = (c: (typeof plan)[number]) => ({
			...this.wanted,
			model: 'teacher' as const,
			scheduler: c.scheduler,
			steps: c.steps
		});
		const key = gridKey(plan.map(cellSettings), manifest);
		if (this.samplerGridKey === key) return;
		this.samplerGridKey = key;
		const done = await this.runCells(
			plan,
			this.samplerGrid,
			cellSettings,
			manifest,
			() => this.samplerGridKey === key,
			(cells) => (this.samplerGrid = cells)
		);
		if (!done && this.samplerGridKey === key) this.samplerGridKey = undefined;
	}

	/**
	 * A grid's cells, one generation each (no per-step decodes), timed in this browser, shown
	 * as they come. A cell whose every setting is that of the picture it shows is kept. False if
	 * it stopped: a newer generation took over (it will ask again), or one failed.
	 */
	private async runCells<P extends object>(
		plan: P[],
		shown: (P & { image: Float32Array; ms: number | null; key?: string })[],
		settings: (cell: P) => Partial<GenerationSettings>,
		manifest: NonNullable<typeof model.manifest>,
		current: () => boolean,
		show: (cells: (P & { image: Float32Array; ms: number | null; key?: string })[]) => void
	): Promise<boolean> {
		const cells = [...shown];
		for (const [i, cell] of plan.entries()) {
			try {
				const wanted = resolveSettings(settings(cell), manifest).settings;
				const key = settingsKey(wanted);
				if (cells[i]?.key === key) continue;
				const client = await readyClient();
				const trace = await client.generate(wanted);
				if (!current()) return false;
				const t = trace.timings;
				cells[i] = { ...cell, image: trace.image, ms: t.totalMs - t.callbackMs, key };
				show([...cells]);
			} catch (e) {
				if (current()) this.fail(e);
				return false;
			}
		}
		return true;
	}

	/**
	 * The steps' estimates a live generation did not decode while it ran (the worker decodes
	 * only some, so that the final picture is not held back), decoded now; null on failure.
	 */
	private async decodeRest(shown: Shown): Promise<Float32Array[] | null> {
		const steps = shown.trace.steps;
		const missing = steps.flatMap((_, i) => (shown.x0Images[i] ? [] : [i]));
		if (!missing.length) return shown.x0Images;
		try {
			const client = await readyClient();
			const decoded = await client.explain({
				op: 'decode',
				latents: missing.map((i) => steps[i]!.x0)
			});
			const all = [...shown.x0Images];
			missing.forEach((i, k) => (all[i] = decoded[k]!));
			return all;
		} catch (e) {
			this.fail(e);
			return null;
		}
	}

	/** One live generation, some steps' x0 decoded as it runs; null if a newer one took over. */
	private async run(settings: GenerationSettings, main: boolean): Promise<Shown | null> {
		const key = settingsKey(settings);
		this.running = key;
		this.generating = true;
		this.error = '';
		this.errorDetails = '';
		this.progress = { step: 0, of: settings.steps };
		const images: Float32Array[] = [];
		try {
			const client = await readyClient();
			const trace = await client.generate(
				settings,
				(s, of, x0Image) => {
					if (x0Image) {
						images[s.index] = x0Image;
						if (main) this.forming = x0Image;
					}
					this.progress = { step: s.index + 1, of };
				},
				true
			);
			this.generating = false;
			return { trace, x0Images: images, source: 'live' };
		} catch (e) {
			if ((e as Error).name === 'AbortError') return null; // a newer generation took over
			this.fail(e);
			this.generating = false;
			return null;
		} finally {
			if (this.running === key) this.running = undefined;
		}
	}

	/** The sample images through the live VAE and CLIP (replacing the precomputed codes). */
	async liveSamples() {
		if (this.samplesLive || model.status !== 'ready' || !this.firstPaint) return;
		this.samplesLive = true;
		const { samples } = this.firstPaint;
		try {
			const client = await readyClient();
			this.images = await client.explain({ op: 'images', pixels: samples.pixels });
			this.labels = await client.explain({ op: 'texts', texts: samples.labels });
		} catch (e) {
			this.samplesLive = false;
			this.fail(e);
		}
	}

	/** The reader's own picture (upload or drawing) through the live VAE; null while it loads. */
	async encodeImage(
		pixels: Float32Array
	): Promise<{ latent: Float32Array | undefined; decoded: Float32Array | undefined } | null> {
		if (model.status !== 'ready') return null;
		const client = await readyClient();
		const codes = await client.explain({ op: 'images', pixels: [pixels] });
		return { latent: codes.latents[0], decoded: codes.decoded[0] };
	}

	/**
	 * The edits the editing figure asks for, by the live model: the strengths it has not run yet
	 * for that key. One request at a time; the newest one waiting runs next, older ones never.
	 */
	async wantEdits(req: EditRequest) {
		if (model.status !== 'ready') return;
		this.editWanted = req;
		if (this.editBusy) return;
		this.editBusy = true;
		try {
			while (this.editWanted) {
				const q = this.editWanted;
				this.editWanted = undefined;
				const have = this.edits.find((e) => e.key === q.key && e.live);
				const missing = q.strengths.filter((st) => {
					const r = have?.results.find((x) => x.strength === st);
					return !r || (q.detailed.includes(st) && r.start < r.steps && !r.x0Images.length);
				});
				if (!missing.length) continue;
				const client = await readyClient();
				const results = await client.explain({
					op: 'edit',
					settings: q.settings,
					edit: q.edit,
					strengths: missing,
					detailed: q.detailed
				});
				const old = this.edits.find((e) => e.key === q.key && e.live);
				const kept = old?.results.filter((r) => !results.some((n) => n.strength === r.strength));
				const merged = [...(kept ?? []), ...results].sort((a, b) => a.strength - b.strength);
				// The first paint's sets stay (they are what the page opens on); a few live ones more.
				const others = this.edits.filter((e) => e !== old);
				this.edits = [
					{ key: q.key, results: merged, live: true },
					...others.filter((e) => !e.live),
					...others.filter((e) => e.live).slice(0, 5)
				];
			}
		} catch (e) {
			this.fail(e);
		} finally {
			this.editBusy = false;
		}
	}

	/** A training example for the noise and U-Net chapters: live when possible. */
	async wantExample(key: ExampleKey) {
		const fp = this.firstPaint;
		const ready = model.status === 'ready';
		if (
			this.example &&
			exampleKey(this.example) === exampleKey(key) &&
			(this.example.live || !ready)
		)
			return;
		if (!ready || !fp) {
			if (fp && exampleKey(fp.example) === exampleKey(key))
				this.example = { ...fp.example, live: false };
			return;
		}
		const run = ++this.exampleRun;
		const latent = (this.images ?? fp.images).latents[key.sample];
		if (!latent) return;
		try {
			const client = await readyClient();
			const result = await client.explain({
				op: 'example',
				latent,
				caption: fp.samples.labels[key.sample]!,
				t: key.t,
				seed: key.seed
			});
			if (run === this.exampleRun) this.example = { ...key, result, live: true };
		} catch (e) {
			if (run === this.exampleRun) this.fail(e);
		}
	}
}

/**
 * Everything the figures show, not only the live model's results: until the model is ready its
 * fields hold the build's precomputed first paint (`trace`, `x0Images`, `pair`, `grid`, `images`,
 * `labels`, `example`, copied from `firstPaint` by loadFirstPaint), and the live model replaces
 * each as it recomputes it; `source`, `pair.source` and `example.live` say which one is on show.
 */
export const live = new Live();
