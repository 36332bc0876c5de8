// Benchmark: prints medians, never fails on a number. Needs a build (npm run build) and
// Debian's Chromium. Compares the browser's WASM backend with onnxruntime-node on the same
// graphs. Usage: npm run bench [-- --runs 5]
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { startPreview } from './preview-server.mjs';
import { writeReadmeTable } from './bench-table.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
/** The loop chapter's step that compares two prompts (the comparison row opens it). */
const compareStep = 7;
const models = 'static/models';
const manifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8'));
/** The middle value, or the mean of the two middle ones (as numpy's median, which the card uses). */
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => `${x.toFixed(1)} ms`;

async function time(fn, n) {
	await fn(); // warm-up
	const t = [];
	for (let i = 0; i < n; i++) {
		const t0 = performance.now();
		await fn();
		t.push(performance.now() - t0);
	}
	return median(t);
}

/** Inputs of one U-Net run: the teacher's guided batch of 2, or the student's batch of 1
 * with its guidance and step-count inputs. */
function inputs(ort, student = false) {
	const { channels: C, size: S } = manifest.latent;
	const { context_length: L, hidden_size: H } = manifest.text;
	const B = student ? 1 : 2;
	const f = (n, v) => new Float32Array(n).fill(v);
	return {
		unet: {
			sample: new ort.Tensor('float32', f(B * C * S * S, 0.1), [B, C, S, S]),
			timestep: new ort.Tensor('float32', f(B, 500), [B]),
			...(student && {
				guidance: new ort.Tensor('float32', f(1, 4), [1]),
				num_steps: new ort.Tensor('float32', f(1, 2), [1])
			}),
			encoder_hidden_states: new ort.Tensor('float32', f(B * L * H, 0.01), [B, L, H])
		},
		vae: { latent: new ort.Tensor('float32', new Float32Array(C * S * S).fill(0.1), [1, C, S, S]) }
	};
}

async function nodeTimes(ort, label, options, unetKey = 'unet') {
	const unet = await ort.InferenceSession.create(
		join(models, manifest.files[unetKey].path),
		options
	);
	const vae = await ort.InferenceSession.create(
		join(models, manifest.files.vae_decoder.path),
		options
	);
	const x = inputs(ort, unetKey !== 'unet');
	const r = {
		unet: await time(() => unet.run(x.unet), runs * 10),
		vae: await time(() => vae.run(x.vae), runs * 10)
	};
	const run = unetKey === 'unet' ? 'U-Net step (batch 2)' : 'U-Net step (batch 1)';
	console.log(`${label.padEnd(34)} ${run} ${fmt(r.unet)}   VAE decode ${fmt(r.vae)}`);
	return r;
}

ortWeb.env.wasm.numThreads = 1;
const onnxNode = await nodeTimes(ortNode, 'onnxruntime-node (CPU, 1 thread)', {
	intraOpNumThreads: 1,
	interOpNumThreads: 1
});
await nodeTimes(ortWeb, 'onnxruntime-web WASM in Node', {});
const studentKey = manifest.models?.student?.unet;
if (studentKey)
	await nodeTimes(
		ortNode,
		'student: onnxruntime-node',
		{ intraOpNumThreads: 1, interOpNumThreads: 1 },
		studentKey
	);

/**
 * Generations on the home page, with the model loaded, a new seed each (the page does not
 * regenerate what it already shows). The first ones run while the browser still compiles
 * the runtime's optimized code in the background (a fresh page's first second or two: a
 * 4-step generation then takes twice as long), so warm-up lasts at least 3 s and two
 * generations; then `n` are timed.
 */
async function generations(page, n, seed) {
	// Nothing else of the page's start-up (files still downloading) shares the two cores.
	await page.waitForLoadState('networkidle');
	const out = [];
	const t0 = Date.now();
	let warm = 0;
	while (warm < 2 || Date.now() - t0 < 3000) {
		await generate(page, seed + 1000 + warm);
		warm += 1;
	}
	for (let k = 0; k < n; k++) {
		const t = await generate(page, seed + k);
		out.push({ ...t.timings, steps: t.steps.length });
	}
	return out;
}

/** One generation through the home page's form; its trace. */
async function generate(page, seed) {
	await page.evaluate(() => (globalThis.diffusion = undefined));
	await page.getByLabel('Seed').fill(String(seed));
	await page.getByRole('button', { name: 'Generate' }).click();
	await page.waitForFunction(() => globalThis.diffusion?.trace, null, { timeout: 120_000 });
	return page.evaluate(() => globalThis.diffusion.trace);
}

// The browser: the built site, served by vite preview, in headless Chromium. The server is
// stopped (its whole process group) however this ends: normally, on an error, or on Ctrl-C.
const server = await startPreview(4174);
let browser;
try {
	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-background-networking']
	});
	const loads = [];
	const loadsAllSteps = [];
	const secondLoads = [];
	const gens = [];
	let report;
	for (let i = 0; i < runs; i++) {
		const context = await browser.newContext(); // a fresh cache each time: a first visit
		const page = await context.newPage();
		const t0 = Date.now();
		await page.goto('http://localhost:4174/?backend=wasm');
		// The final picture is on show (its caption gives the generation's time)...
		await page.waitForFunction(
			() => /steps in \d+ ms/.test(document.querySelector('.live .meta')?.textContent ?? ''),
			null,
			{ timeout: 300_000 }
		);
		loads.push(Date.now() - t0);
		// ...and then every step's estimate is decoded for the chapters' figures.
		await page.waitForFunction(() => globalThis.diffusion?.trace, null, { timeout: 300_000 });
		loadsAllSteps.push(Date.now() - t0);
		report = await page.locator('.backend').textContent();
		// Further generations with the model loaded: the full 25-step guided run with trace.
		gens.push(...(await generations(page, 3, 100)));
		// A second visit in the same profile: the service worker has saved the site and the
		// runtime once the first picture was drawn.
		await page.waitForFunction(
			async () => !!(await caches.match(new URL('ort/ort-wasm-simd-threaded.wasm', location.href))),
			null,
			{ timeout: 120_000 }
		);
		await page.close();
		const again = await context.newPage();
		const t1 = Date.now();
		await again.goto('http://localhost:4174/?backend=wasm');
		await again.waitForFunction(
			() => /steps in \d+ ms/.test(document.querySelector('.live .meta')?.textContent ?? ''),
			null,
			{ timeout: 300_000 }
		);
		secondLoads.push(Date.now() - t1);
		await context.close();
	}

	// Scrubbing the cached trace: the work from an input event to a laid-out page (Svelte's
	// update, the canvases redrawn, style and layout), per frame; paint is the browser's.
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	await page.goto('http://localhost:4174/denoising-loop?step=3&backend=wasm');
	await page.waitForSelector('.model-bar .status[data-source="live"]', { timeout: 300_000 });
	const redraws = await page.evaluate(async () => {
		const input = document.querySelector('.scrubber input');
		const out = [];
		for (let i = 0; i < 60; i++) {
			const t0 = performance.now();
			input.value = String(i % 25);
			input.dispatchEvent(new Event('input', { bubbles: true }));
			for (let k = 0; k < 3; k++) await Promise.resolve();
			document.body.getBoundingClientRect();
			out.push(performance.now() - t0);
			await new Promise((r) => requestAnimationFrame(r));
		}
		return out;
	});
	await page.close(); // its worker would share the cores with the timed runs

	// Every model at every step count of the distillation chapter's grid, each on a fresh
	// home page, warm, timed the same way: prompt to pixels with the trace, U-Net time per run.
	// `oneThread`: the page sees one core, so the runtime runs single-threaded (its default
	// here is one thread per core, up to 4): for graphs this small, a thread pool's hand-offs
	// can cost more than they save.
	async function gridRow(model, steps, oneThread = false) {
		const r = await timedRow(`model=${model}&steps=${steps}`, steps, oneThread);
		return { model, steps, unet_runs: model === 'teacher' ? 2 * steps : steps, ...r };
	}
	async function timedRow(query, steps, oneThread = false) {
		const context = await browser.newContext();
		if (oneThread)
			await context.addInitScript(() =>
				Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 1 })
			);
		const p = await context.newPage();
		await p.goto(`http://localhost:4174/?${query}&backend=wasm`);
		await p.waitForFunction(() => globalThis.diffusion?.trace, null, { timeout: 300_000 });
		const g = await generations(p, Math.max(3, runs * 2), 300 + steps);
		await context.close();
		return {
			ms: median(g.map((x) => x.totalMs - x.callbackMs)),
			unet_ms_per_step: median(g.map((x) => x.unetMs / steps)),
			text_ms: median(g.map((x) => x.textMs)),
			decode_ms: median(g.map((x) => x.decodeMs))
		};
	}
	// Each sampler at 25 steps: its own arithmetic is small next to 50 U-Net runs.
	const samplers = [];
	for (const sampler of manifest.sampler.available)
		samplers.push({ sampler, steps: 25, ...(await timedRow(`sampler=${sampler}&steps=25`, 25)) });

	/**
	 * Image-to-image in the editing chapter, at one strength: the edit's own prompt-to-pixels
	 * time (the worker's, without the per-step estimates' decodes), a new seed on a new page
	 * each time; the page's main generation has warmed the model up by then.
	 */
	async function editRow(strength) {
		const times = [];
		for (let k = 0; k < Math.max(3, runs); k++) {
			const context = await browser.newContext();
			const p = await context.newPage();
			await p.goto(
				`http://localhost:4174/editing?step=2&strength=${strength}&seed=${500 + k}&backend=wasm`
			);
			const ms = await p
				.waitForFunction(
					() =>
						[...document.querySelectorAll('.edit .row figcaption[data-ms]')].pop()?.dataset.ms ||
						false,
					null,
					{ timeout: 300_000 }
				)
				.then((h) => h.jsonValue());
			times.push(Number(ms));
			await context.close();
		}
		const steps = manifest.sampler.steps;
		return {
			strength,
			steps,
			steps_run: Math.min(Math.floor(steps * strength), steps),
			ms: median(times)
		};
	}
	const edits = [await editRow(0.5)];

	/**
	 * The comparison figure's second generation (B) on the loop chapter's default pair (the
	 * prompt with words added), on a new page each time with a new seed: B runs right after A,
	 * the page's first generation, in its first seconds: neither is warm by this bench's
	 * standard (see generations). Prompt to pixels in the worker, as the figure's data-ms says.
	 */
	async function compareRow() {
		const times = [];
		const first = [];
		for (let k = 0; k < Math.max(3, runs); k++) {
			const context = await browser.newContext();
			const p = await context.newPage();
			await p.goto(
				`http://localhost:4174/denoising-loop?step=${compareStep}&seed=${600 + k}&backend=wasm`
			);
			const ms = (side) =>
				p
					.waitForFunction((s) => document.querySelector(`.side.${s}`)?.dataset.ms || false, side, {
						timeout: 300_000
					})
					.then((h) => h.jsonValue());
			first.push(Number(await ms('a')));
			times.push(Number(await ms('b')));
			await context.close();
		}
		return { steps: manifest.sampler.steps, ms: median(times), first_ms: median(first) };
	}
	const compare = await compareRow();

	const grid = [];
	const studentCounts = manifest.models?.student?.step_counts ?? [];
	for (const [model, counts] of [
		['teacher', [1, 2, 4, 8, 25]],
		['student', studentCounts]
	])
		for (const steps of counts) grid.push(await gridRow(model, steps));
	// The same rows for the few-step comparison, single-threaded.
	const oneThread = [];
	for (const [model, steps] of [
		['teacher', 1],
		['teacher', 2],
		['student', 1],
		['student', 2]
	])
		if (model === 'teacher' || studentCounts.includes(steps))
			oneThread.push(await gridRow(model, steps, true));

	const sorted = [...redraws].sort((a, b) => a - b);
	console.log(
		`  scrubber redraw on the cached trace: median ${fmt(median(redraws))}, 95th percentile ${fmt(sorted[Math.floor(sorted.length * 0.95)])} per frame (budget 16 ms)`
	);
	const unetStep = median(gens.map((g) => g.unetMs / 25));
	console.log(`Chromium WASM: ${report?.replace(/\s+/g, ' ').trim()}`);
	console.log(
		`  page load to first live image (download + init + 25 steps): ${fmt(median(loads))}` +
			` (${fmt(median(loadsAllSteps))} with every step's estimate decoded);` +
			` second visit ${fmt(median(secondLoads))}`
	);
	console.log(
		`  full 25-step guided generation with trace: ${fmt(median(gens.map((g) => g.totalMs - g.callbackMs)))}` +
			` (${fmt(median(gens.map((g) => g.totalMs)))} with the estimates the page decodes while the loop runs)`
	);
	console.log(
		`  U-Net step (batch 2): ${fmt(unetStep)}   VAE decode: ${fmt(median(gens.map((g) => g.decodeMs)))}`
	);
	console.log(
		`  ratio browser WASM / onnxruntime-node, U-Net step: ${(unetStep / onnxNode.unet).toFixed(2)}`
	);
	console.log(
		'  every model at every step count (prompt to pixels, with the trace; warm medians):'
	);
	for (const r of grid)
		console.log(
			`    ${r.model.padEnd(8)} ${String(r.steps).padStart(2)} steps, ${String(r.unet_runs).padStart(2)} U-Net runs: ${fmt(r.ms)}` +
				`   (U-Net ${fmt(r.unet_ms_per_step)} per step, text encoder ${fmt(r.text_ms)}, VAE decode ${fmt(r.decode_ms)})`
		);
	const teacherStep = median(
		grid.filter((r) => r.model === 'teacher').map((r) => r.unet_ms_per_step)
	);
	const studentRuns = grid.filter((r) => r.model === 'student');
	if (studentRuns.length) {
		// At the same step count, so both carry the same share of a generation's cold first run.
		const ratios = studentRuns.map(
			(r) =>
				r.unet_ms_per_step /
				grid.find((t) => t.model === 'teacher' && t.steps === r.steps).unet_ms_per_step
		);
		console.log(
			`  student U-Net run (batch 1) / teacher guided step (batch 2) at the same step count: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`
		);
		const one = studentRuns.find((r) => r.steps === 1);
		if (one) console.log(`  student, 1-step generation with trace: ${fmt(one.ms)}`);
	}
	console.log('  the same, with the runtime on one thread (the page told it has one core):');
	for (const r of oneThread) {
		const multi = grid.find((g) => g.model === r.model && g.steps === r.steps);
		console.log(
			`    ${r.model.padEnd(8)} ${String(r.steps).padStart(2)} steps: ${fmt(r.ms)} (${multi ? fmt(multi.ms) : '?'} threaded)` +
				`   (U-Net ${fmt(r.unet_ms_per_step)} per step, text encoder ${fmt(r.text_ms)}, VAE decode ${fmt(r.decode_ms)})`
		);
	}
	console.log('  each sampler at 25 steps (the teacher, prompt to pixels with the trace):');
	for (const r of samplers)
		console.log(
			`    ${r.sampler.padEnd(8)} ${fmt(r.ms)}   (U-Net ${fmt(r.unet_ms_per_step)} per step)`
		);
	for (const r of edits)
		console.log(
			`  image-to-image at strength ${r.strength}: ${r.steps_run} of ${r.steps} steps, ${fmt(r.ms)}`
		);
	console.log(
		`  comparison, the second generation (B, ${compare.steps} steps): ${fmt(compare.ms)} (A, the first: ${fmt(compare.first_ms)})`
	);
	// For the model card (training/evaluate.py reads it into its grid) and the README's table.
	const bench = {
		date: new Date().toISOString().slice(0, 10),
		browser: 'headless Chromium, WASM backend',
		cores: availableParallelism(),
		grid,
		one_thread: oneThread,
		samplers,
		edits,
		compare,
		teacher_step_ms: teacherStep,
		page_load_ms: median(loads),
		page_load_all_steps_ms: median(loadsAllSteps),
		second_visit_ms: median(secondLoads)
	};
	writeFileSync(join(models, 'bench.json'), JSON.stringify(bench, null, 1) + '\n');
	writeReadmeTable('README.md', bench);
} finally {
	try {
		await browser?.close();
	} finally {
		server.stop();
	}
}
