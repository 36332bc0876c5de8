/**
 * What the reader is told when the live model fails: a plain sentence saying what happened and
 * what to do about it, with the runtime's own words kept apart for a "Details" toggle.
 */
import { ModelError } from './pipeline/client';
import { OFFLINE_MESSAGE } from './pipeline/files';

export interface Trouble {
	/** The sentence on the page. */
	text: string;
	/** The raw error, for the curious (empty when the sentence says it all). */
	details: string;
}

export const RESTARTED = 'The model stopped; restarted.';

const BACK_ONLINE = 'Check your connection: the page tries again by itself once it is back.';

const sentence = (e: unknown, during: 'load' | 'run'): string => {
	if (e instanceof ModelError && e.code === 'stopped')
		return 'The model stopped again right after a restart, so it was left off. Reload the page to try again.';
	const raw = e instanceof Error ? e.message : String(e);
	const file = e instanceof ModelError ? e.file : undefined;
	const network = /fetch|network|could not be downloaded|load failed/i.test(raw);
	// The worker says so where it can tell; the page can always tell (a worker's onLine may
	// not follow the browser's).
	if (raw.includes(OFFLINE_MESSAGE) || (network && globalThis.navigator?.onLine === false))
		return OFFLINE_MESSAGE;
	if (file) {
		if (network) return `The model file ${file} could not be downloaded. ${BACK_ONLINE}`;
		if (/is missing/.test(raw))
			return `The model file ${file} is missing on the server. Reload the page later to try again.`;
		if (/corrupted|truncated|larger than expected/.test(raw))
			return `The model file ${file} arrived damaged. Reload the page to download it again.`;
		return `The model file ${file} could not be used. Reload the page to try again.`;
	}
	if (/WebGPU was asked for/.test(raw))
		return 'This browser has no WebGPU, which the link asks for (backend=webgpu). Remove that from the link to run the model on WebAssembly.';
	// onnxruntime-web loads its .mjs and .wasm when the first session starts.
	if (/no available backend|ort-wasm|\.wasm|\.mjs/i.test(raw))
		return network
			? `The runtime that runs the model could not be downloaded. ${BACK_ONLINE}`
			: 'This browser could not start the runtime that runs the model. Reload the page, or try another browser.';
	if (network) return `Part of the model could not be downloaded. ${BACK_ONLINE}`;
	if (/out of memory|memory access|allocation/i.test(raw))
		return 'The model ran out of memory. Close some other tabs, then reload the page.';
	return during === 'load'
		? 'The live model could not be started. Reload the page to try again.'
		: 'The live model failed on this request. Change a setting to try again, or reload the page.';
};

/** The sentence for a failure of the live model, while loading it or while it runs. */
export function plainError(e: unknown, during: 'load' | 'run'): Trouble {
	const text = sentence(e, during);
	const raw = e instanceof Error ? e.message : String(e);
	const stopped = e instanceof ModelError && e.code === 'stopped';
	return { text, details: stopped || raw === text ? '' : raw };
}
