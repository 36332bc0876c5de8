/**
 * The reader's settings follow them from page to page through the links, one way: a page
 * remembers what its link says, the next page reads its own link over that.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { carried, readLink, remember } from '../../src/lib/reader-settings';

const limits = { maxStep: 5, wordMax: 23, levelMax: 999, imageMax: 15, latentSize: 8 };
const read = (q: string) => readLink(new URLSearchParams(q), limits);

beforeEach(() => remember({}));

describe('reader settings, carried from link to link', () => {
	it('a page without its own settings takes those of the page before', () => {
		remember(read('prompt=red+heart&seed=7&guidance=2&steps=4&model=student&t=3&step=2').state);
		expect(read('step=3')).toEqual({
			state: { prompt: 'red heart', seed: 7, guidance: 2, steps: 4, model: 'student', step: 3 },
			notices: []
		});
	});

	it("the link's own values win, key by key", () => {
		remember({ prompt: 'red heart', seed: 7, guidance: 2 });
		expect(read('guidance=0').state).toEqual({ prompt: 'red heart', seed: 7, guidance: 0 });
		expect(read('prompt=cat').state).toEqual({ prompt: 'cat', seed: 7, guidance: 2 });
	});

	it("carries only the generation settings, never a figure's own state or the page's step", () => {
		const state = read('step=2&prompt=cat&t=3&word=1&level=5&image=2&embed=1&backend=wasm').state;
		expect(carried(state)).toEqual({ prompt: 'cat' });
		remember(state);
		expect(read('').state).toEqual({ prompt: 'cat' });
	});

	it('a fresh page load, or a page that set nothing, carries nothing', () => {
		expect(read('')).toEqual({ state: {}, notices: [] });
		remember({ prompt: 'cat' });
		remember(read('').state);
		expect(read('').state).toEqual({ prompt: 'cat' });
		remember({});
		expect(read('').state).toEqual({});
	});

	it("a bad link's notices are its own: carried settings bring none", () => {
		remember({ prompt: 'cat', seed: 7 });
		expect(read('seed=abc')).toEqual({
			state: { prompt: 'cat', seed: 7 },
			notices: ['Ignored seed="abc": not a whole number.']
		});
	});
});
