/**
 * The loading progress (pipeline/load.ts LoadMeter, files.ts fetchBytes): the model's files
 * and the runtime's .wasm download side by side and count together, the total right from
 * the first report; 'start' (compiling, sessions) only once both have arrived.
 */
import { describe, expect, it } from 'vitest';
import { fetchBytes } from '../../src/lib/pipeline/files';
import { LoadMeter, type LoadProgress } from '../../src/lib/pipeline/load';
import { plainError } from '../../src/lib/model-messages';

const RUNTIME = 14_239_897;
const FILES = 6_243_000;

function meter(withRuntime = true) {
	const seen: LoadProgress[] = [];
	return { seen, m: new LoadMeter((p) => seen.push(p), withRuntime) };
}

describe('LoadMeter', () => {
	it('counts the runtime with the model files, its share named, the total fixed from the start', () => {
		const { seen, m } = meter();
		m.runtimeBytes(0, RUNTIME);
		m.runtimeBytes(1_000_000, RUNTIME);
		// Nothing before the manifest gives the model's total: the total never jumps.
		expect(seen).toEqual([]);
		m.modelFiles({ allLoaded: 500_000, allTotal: FILES });
		m.runtimeBytes(5_000_000, RUNTIME);
		m.modelFiles({ allLoaded: FILES, allTotal: FILES });
		m.modelDone(FILES);
		m.runtimeBytes(RUNTIME, RUNTIME);
		expect(seen.every((p) => p.total === FILES + RUNTIME)).toBe(true);
		expect(seen.every((p) => p.runtimeTotal === RUNTIME)).toBe(true);
		expect(seen[0]).toMatchObject({
			phase: 'download',
			loaded: 1_500_000,
			runtimeLoaded: 1_000_000
		});
		// The model's files all in, the runtime not yet: still downloading, not 100%.
		const filesIn = seen.filter((p) => p.loaded - p.runtimeLoaded === FILES);
		expect(filesIn.length).toBeGreaterThan(0);
		for (const p of filesIn.filter((p) => p.runtimeLoaded < RUNTIME)) {
			expect(p.phase).toBe('download');
			expect(p.loaded).toBeLessThan(p.total);
		}
		expect(seen.at(-1)!.phase).toBe('download');
		const loaded = seen.map((p) => p.loaded);
		expect([...loaded].sort((a, b) => a - b)).toEqual(loaded);
	});

	it("says 'start' once, when both have arrived, whichever comes last", () => {
		for (const runtimeLast of [true, false]) {
			const { seen, m } = meter();
			m.runtimeBytes(0, RUNTIME);
			m.modelFiles({ allLoaded: 0, allTotal: FILES });
			const runtime = () => {
				m.runtimeBytes(RUNTIME, RUNTIME);
				m.runtimeDone();
			};
			if (!runtimeLast) runtime();
			m.modelFiles({ allLoaded: FILES, allTotal: FILES });
			m.modelDone(FILES);
			if (runtimeLast) runtime();
			const starts = seen.filter((p) => p.phase === 'start');
			expect(starts).toEqual([
				{
					phase: 'start',
					loaded: FILES + RUNTIME,
					total: FILES + RUNTIME,
					runtimeLoaded: RUNTIME,
					runtimeTotal: RUNTIME
				}
			]);
			expect(seen.at(-1)).toBe(starts[0]);
		}
	});

	it('without a runtime to fetch (onnxruntime-web fetches its own), the files alone', () => {
		const { seen, m } = meter(false);
		m.modelFiles({ allLoaded: FILES, allTotal: FILES });
		m.modelDone(FILES);
		expect(seen.at(-1)).toMatchObject({ phase: 'start', total: FILES, runtimeTotal: 0 });
	});

	it('a part loaded later (the other U-Net) is reported apart, never as the load', () => {
		const { seen, m } = meter();
		m.runtimeBytes(0, RUNTIME);
		m.modelFiles({ allLoaded: FILES, allTotal: FILES });
		m.modelDone(FILES);
		m.runtimeDone();
		m.more({ allLoaded: 10, allTotal: 3_700_000 });
		expect(seen.at(-1)).toMatchObject({ phase: 'more', loaded: 10, total: 3_700_000 });
	});
});

/** A fetch answering one body in chunks, with the given headers. */
function serve(bytes: number, headers: Record<string, string> = {}, status = 200) {
	return (async () => {
		const chunk = 1000;
		let sent = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(c) {
				if (sent >= bytes) return c.close();
				const n = Math.min(chunk, bytes - sent);
				sent += n;
				c.enqueue(new Uint8Array(n));
			}
		});
		return new Response(status === 200 ? body : 'no', { status, headers });
	}) as unknown as typeof fetch;
}

describe('fetchBytes (the runtime’s .wasm)', () => {
	it('reports every chunk against the size known ahead', async () => {
		const seen: [number, number][] = [];
		const bytes = await fetchBytes('http://x.test/ort/a.wasm', 5500, (l, t) => seen.push([l, t]), {
			fetch: serve(5500)
		});
		expect(bytes.length).toBe(5500);
		expect(seen.map(([, t]) => t).every((t) => t === 5500)).toBe(true);
		expect(seen.at(-1)).toEqual([5500, 5500]);
		expect(seen.length).toBeGreaterThan(2);
	});

	it('without a known size, reads it from an uncompressed response only', async () => {
		const seen: number[] = [];
		await fetchBytes('http://x.test/a.wasm', undefined, (_, t) => seen.push(t), {
			fetch: serve(3000, { 'content-length': '3000' })
		});
		expect(seen[0]).toBe(3000);
		const gz: number[] = [];
		// A compressed response's length is not the file's: the total grows with what arrived.
		await fetchBytes('http://x.test/a.wasm', undefined, (_, t) => gz.push(t), {
			fetch: serve(3000, { 'content-length': '900', 'content-encoding': 'gzip' })
		});
		expect(gz).toEqual([1000, 2000, 3000, 3000]);
	});

	it('a failed download names the runtime file, and the reader is told the runtime did not arrive', async () => {
		const down = (async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof fetch;
		for (const fetch of [down, serve(0, {}, 404)]) {
			const run = fetchBytes('http://x.test/ort/ort-wasm-simd-threaded.wasm', 10, () => {}, {
				fetch
			});
			await expect(run).rejects.toThrow(/^ort-wasm-simd-threaded\.wasm could not be downloaded/);
			const error = await run.catch((e: unknown) => e);
			expect(plainError(error, 'load').text).toMatch(
				/^The runtime that runs the model could not be downloaded/
			);
		}
	});
});
