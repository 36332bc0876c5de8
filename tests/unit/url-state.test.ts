import { describe, expect, it } from 'vitest';
import { parseViewState, serializeViewState, stripControls, LIMITS } from '../../src/lib/url-state';

const parse = (q: string, maxStep = 5) => parseViewState(new URLSearchParams(q), { maxStep });

describe('parseViewState', () => {
	it('reads valid values as they are', () => {
		const { state, notices } = parse('step=3&prompt=smiling%20cat&seed=7&guidance=4&steps=25&t=12');
		expect(state).toEqual({
			step: 3,
			prompt: 'smiling cat',
			seed: 7,
			guidance: 4,
			steps: 25,
			t: 12
		});
		expect(notices).toEqual([]);
	});

	it('clamps out-of-range numbers and says so', () => {
		const { state, notices } = parse('step=-5&seed=99999999999&guidance=1e9');
		expect(state.step).toBe(1);
		expect(state.seed).toBe(LIMITS.seedMax);
		expect(state.guidance).toBeUndefined();
		expect(notices).toHaveLength(3);
		expect(parse('step=99').state.step).toBe(5);
		expect(parse('guidance=25').state.guidance).toBe(LIMITS.guidanceMax);
	});

	it("reads and clamps the figures' own settings: noise level, sample image, word", () => {
		expect(parse('level=800&image=3&word=2').state).toEqual({ level: 800, image: 3, word: 2 });
		const { state, notices } = parse('level=5000&image=-1&word=99');
		expect(state).toEqual({ level: LIMITS.levelMax, image: 0, word: LIMITS.wordMax });
		expect(notices).toHaveLength(3);
		expect(serializeViewState({ step: 2, level: 10, image: 4 })).toBe('?step=2&level=10&image=4');
	});

	it('drops values that are not numbers', () => {
		for (const bad of ['abc', '1.5', '0x10', '', ' ', 'NaN', 'Infinity', '1e3']) {
			const { state, notices } = parse(`step=${encodeURIComponent(bad)}`);
			expect(state.step, bad).toBeUndefined();
			expect(notices.length, bad).toBe(1);
		}
	});

	it('keeps a hostile prompt as plain text and quotes it short in notices', () => {
		const hostile = '<img src=x onerror=alert(1)>';
		const { state } = parse(`prompt=${encodeURIComponent(hostile)}`);
		expect(state.prompt).toBe(hostile); // escaped at render time, never parsed as HTML
		const { notices } = parse(`model=${encodeURIComponent('x'.repeat(10_000))}`);
		expect(notices[0]!.length).toBeLessThan(120);
	});

	it('cuts overlong prompts by characters, not UTF-16 units', () => {
		const cats = '🐱'.repeat(LIMITS.promptChars + 50);
		const { state, notices } = parse(`prompt=${encodeURIComponent(cats)}`);
		expect([...state.prompt!]).toHaveLength(LIMITS.promptChars);
		expect(state.prompt!.endsWith('🐱')).toBe(true);
		expect(notices).toHaveLength(1);
	});

	it('removes control and bidi characters but keeps emoji sequences', () => {
		expect(stripControls('a\u0000b\u202Ec\u0007')).toBe('abc');
		const family = '👩\u200d👩\u200d👧';
		expect(stripControls(family)).toBe(family);
	});

	it('notices unknown and repeated keys, but not tracking parameters', () => {
		const { notices } = parse('foo=1&step=2&step=3&utm_source=x');
		expect(notices).toHaveLength(2);
	});

	it('clamps the scrubber to the number of steps', () => {
		expect(parse('steps=10&t=30').state.t).toBe(9);
		expect(parse('t=30&steps=10').state.t).toBe(9);
	});

	it('accepts only known models and embed flags', () => {
		expect(parse('model=student&embed=1').state).toEqual({ model: 'student', embed: true });
		expect(parse('model=gpt&embed=maybe').notices).toHaveLength(2);
	});
});

describe('serializeViewState', () => {
	it('writes keys in a fixed order and round-trips', () => {
		const state = { word: 2, seed: 7, step: 3, prompt: 'red heart', guidance: 4.5 };
		const q = serializeViewState(state);
		expect(q).toBe('?step=3&prompt=red+heart&seed=7&guidance=4.5&word=2');
		expect(parse(q.slice(1)).state).toEqual(state);
	});

	it('is empty for an empty state', () => {
		expect(serializeViewState({})).toBe('');
	});
});
