/**
 * What a reader is told when the live model fails (src/lib/model-messages.ts): a sentence that
 * says what to do, never the runtime's raw text, which stays available as details.
 */
import { describe, expect, it, vi } from 'vitest';
import { ModelError } from '../../src/lib/pipeline/client';
import { plainError } from '../../src/lib/model-messages';
import { OFFLINE_MESSAGE } from '../../src/lib/pipeline/files';

const RUNTIME_FETCH =
	'no available backend found. ERR: [wasm] TypeError: Failed to fetch dynamically imported module: http://localhost:4173/ort/ort-wasm-simd-threaded.mjs';

describe('plainError', () => {
	it('a runtime that did not download: check the connection, the page retries', () => {
		const t = plainError(new ModelError(RUNTIME_FETCH), 'load');
		expect(t.text).toBe(
			'The runtime that runs the model could not be downloaded. Check your connection: the page tries again by itself once it is back.'
		);
		expect(t.details).toBe(RUNTIME_FETCH);
	});

	it('offline: what was never saved is said plainly, whoever noticed the network was gone', () => {
		const e = (m: string) => new ModelError(`unet_student.onnx: ${m}`, 'unet_student.onnx');
		// The worker noticed.
		expect(plainError(e(OFFLINE_MESSAGE), 'load').text).toBe(OFFLINE_MESSAGE);
		// The worker did not (its onLine can lag), the page does.
		const fetchFailed = e('could not be downloaded (Failed to fetch)');
		vi.stubGlobal('navigator', { onLine: false });
		try {
			expect(plainError(fetchFailed, 'load').text).toBe(OFFLINE_MESSAGE);
		} finally {
			vi.unstubAllGlobals();
		}
		expect(plainError(fetchFailed, 'load').text).toMatch(/could not be downloaded/);
	});

	it('a runtime that would not start for another reason', () => {
		const t = plainError(new ModelError('no available backend found. ERR: [wasm] bad'), 'load');
		expect(t.text).toMatch(/^This browser could not start the runtime.*another browser\.$/);
	});

	it('model files: not downloaded, missing, damaged', () => {
		const e = (m: string) => new ModelError(`unet.onnx: ${m}`, 'unet.onnx');
		expect(plainError(e('could not be downloaded (Failed to fetch)'), 'load').text).toBe(
			'The model file unet.onnx could not be downloaded. Check your connection: the page tries again by itself once it is back.'
		);
		expect(plainError(e('is missing (the server answered 404)'), 'load').text).toMatch(
			/^The model file unet\.onnx is missing on the server\./
		);
		for (const m of [
			'is corrupted (its sha256 does not match the manifest)',
			'is truncated (10 of 20 bytes)'
		])
			expect(plainError(e(m), 'load').text).toBe(
				'The model file unet.onnx arrived damaged. Reload the page to download it again.'
			);
	});

	it('a worker that stopped twice says so, with nothing behind it', () => {
		const t = plainError(new ModelError('stopped', undefined, 'stopped'), 'run');
		expect(t).toEqual({
			text: 'The model stopped again right after a restart, so it was left off. Reload the page to try again.',
			details: ''
		});
	});

	it('anything else: what to do, by when it failed', () => {
		expect(plainError(new Error('Aborted(42)'), 'load').text).toBe(
			'The live model could not be started. Reload the page to try again.'
		);
		const run = plainError(new Error('Aborted(42)'), 'run');
		expect(run.text).toMatch(/^The live model failed on this request\./);
		expect(run.details).toBe('Aborted(42)');
	});

	it('every sentence is one a reader can act on, and none ends in “.).”', () => {
		const raws = [RUNTIME_FETCH, 'x', 'out of memory', 'WebGPU was asked for, but no adapter.'];
		for (const raw of raws)
			for (const during of ['load', 'run'] as const) {
				const { text } = plainError(new ModelError(raw), during);
				expect(text).toMatch(/^[A-Z].*\.$/);
				expect(text).not.toContain('.).');
				expect(text).not.toContain('ERR:');
			}
	});
});
