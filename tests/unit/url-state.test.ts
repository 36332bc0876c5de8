import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { stripControls } from '../../src/lib/pipeline/settings';
import {
	generationSettings,
	linkBackend,
	linkLimits,
	linkModel,
	parseViewState,
	serializeViewState,
	withoutDefaults,
	LIMITS
} from '../../src/lib/url-state';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const samples = JSON.parse(readFileSync('static/samples/samples.json', 'utf8')) as {
	images: unknown[];
};
/** The shipped model's and samples' limits, as the pages get them. */
const limits = linkLimits(manifest, samples.images.length);
const parse = (q: string, maxStep = 5) =>
	parseViewState(new URLSearchParams(q), { maxStep, ...limits });

describe('linkLimits', () => {
	it("come from the model's text length and schedule and the number of samples", () => {
		expect(limits).toEqual({
			wordMax: manifest.text.context_length - 1,
			levelMax: manifest.schedule.num_train_timesteps - 1,
			imageMax: samples.images.length - 1,
			latentSize: manifest.latent.size
		});
		// The shipped model: 24 tokens, 1000 timesteps, 16 samples (what links were made for).
		expect(limits).toEqual({ wordMax: 23, levelMax: 999, imageMax: 15, latentSize: 8 });
	});

	it('follow another model and another sample set', () => {
		const other = {
			...manifest,
			text: { ...manifest.text, context_length: 77 },
			schedule: { ...manifest.schedule, num_train_timesteps: 500 }
		};
		const l = linkLimits(other, 4);
		expect(l).toEqual({ wordMax: 76, levelMax: 499, imageMax: 3, latentSize: 8 });
		const { state, notices } = parseViewState(new URLSearchParams('word=60&level=700&image=4'), {
			maxStep: 1,
			...l
		});
		expect(state).toEqual({ word: 60, level: 499, image: 3 });
		expect(notices).toEqual([
			'level 700 is out of range (0 to 499); using 499.',
			'image 4 is out of range (0 to 3); using 3.'
		]);
	});
});

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
		expect(state).toEqual({ level: limits.levelMax, image: 0, word: limits.wordMax });
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

describe('link compatibility', () => {
	it('reads every parameter a link may carry, with the meaning it always had', () => {
		const q =
			'step=2&prompt=red+heart&seed=7&guidance=4.5&steps=25&t=3&word=1&level=250&image=3&model=student&embed=1&backend=wasm';
		const { state, notices } = parse(q);
		expect(notices).toEqual([]);
		expect(state).toEqual({
			step: 2,
			prompt: 'red heart',
			seed: 7,
			guidance: 4.5,
			steps: 25,
			t: 3,
			word: 1,
			level: 250,
			image: 3,
			model: 'student',
			embed: true,
			backend: 'wasm'
		});
		// Written back in the same order, so a clean link is its own canonical form.
		expect(serializeViewState(state)).toBe(`?${q}`);
		expect(generationSettings(state)).toEqual({
			prompt: 'red heart',
			seed: 7,
			guidance: 4.5,
			steps: 25,
			model: 'student'
		});
	});

	it('keeps the notices links have always had', () => {
		expect(parse('seed=abc&guidance=x&steps=0&t=-1').notices).toEqual([
			'Ignored seed="abc": not a whole number.',
			'Ignored guidance="x": not a number.',
			`steps 0 is out of range (${LIMITS.stepsMin} to ${LIMITS.stepsMax}); using ${LIMITS.stepsMin}.`,
			`t -1 is out of range (0 to ${LIMITS.stepsMax - 1}); using 0.`
		]);
		expect(parse('guidance=4.567').state.guidance).toBe(4.57);
		expect(parse('embed=0&embed=1').state).toEqual({});
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

describe('sampler and spacing in links', () => {
	it('are read, handed to the live model as its scheduler and spacing, and written back', () => {
		const { state, notices } = parse('steps=25&sampler=dpmpp_2m&spacing=leading&t=3');
		expect(notices).toEqual([]);
		expect(state).toEqual({ steps: 25, sampler: 'dpmpp_2m', spacing: 'leading', t: 3 });
		expect(generationSettings(state)).toMatchObject({ scheduler: 'dpmpp_2m', spacing: 'leading' });
		expect(serializeViewState(state)).toBe('?steps=25&sampler=dpmpp_2m&spacing=leading&t=3');
	});

	it('ignore unknown values with a notice', () => {
		const { state, notices } = parse('sampler=plms&spacing=%3Cb%3E');
		expect(state).toEqual({});
		expect(notices).toEqual([
			'Ignored sampler="plms": expected ddim, euler, euler_a, ddpm, dpmpp_2m.',
			'Ignored spacing="<b>": expected trailing or leading.'
		]);
	});

	it('offer only samplers the shipped model lists', () => {
		const { state } = parse('sampler=euler_a');
		expect(manifest.sampler.available).toContain(state.sampler);
	});
});

describe('linkBackend', () => {
	it('reads the backend a link asks for, and auto for anything else', () => {
		const read = (q: string) => linkBackend(new URLSearchParams(q));
		expect(read('backend=wasm')).toBe('wasm');
		expect(read('step=2&backend=webgpu')).toBe('webgpu');
		expect(read('backend=auto')).toBe('auto');
		expect(read('')).toBe('auto');
		expect(read('backend=WASM')).toBe('auto');
		expect(read('backend=%3Cscript%3E')).toBe('auto');
	});

	it('agrees with the full link parser', () => {
		for (const raw of ['wasm', 'webgpu', 'auto', 'gpu', ''])
			expect(linkBackend(new URLSearchParams({ backend: raw }))).toBe(
				parseViewState(new URLSearchParams({ backend: raw }), { ...limits, maxStep: 1 }).state
					.backend ?? 'auto'
			);
	});
});

describe('linkModel', () => {
	it('reads the model a link shows, as the full parser does; anything else is the teacher', () => {
		for (const raw of ['student', 'teacher', 'STUDENT', 'x', ''])
			expect(linkModel(new URLSearchParams({ model: raw }))).toBe(
				parseViewState(new URLSearchParams({ model: raw }), { ...limits, maxStep: 1 }).state
					.model ?? 'teacher'
			);
		expect(linkModel(new URLSearchParams('step=2'))).toBe('teacher');
	});
});

describe('defaults stay out of links', () => {
	const d = manifest.sampler;
	it('the prompt form’s defaults are dropped, the reader’s own values kept', () => {
		const form = { prompt: d.prompt, seed: d.seed, guidance: d.guidance };
		const cleaned = withoutDefaults(form, manifest);
		expect(cleaned).toEqual({ prompt: undefined, seed: undefined, guidance: undefined });
		// Over a link that set them: the page's state loses them, and so does its link.
		const link = { step: 2, prompt: 'red heart', seed: 7, guidance: 6 };
		expect(serializeViewState({ ...link, ...cleaned })).toBe('?step=2');
		const mine = { prompt: 'red heart', seed: 7, guidance: 6, neg: 'blue' };
		expect(withoutDefaults(mine, manifest)).toEqual(mine);
		expect(serializeViewState(withoutDefaults({ ...form, seed: 43 }, manifest))).toBe('?seed=43');
	});

	it('guidance is compared with the chosen model’s own default', () => {
		const student = manifest.models?.student;
		if (!student) return;
		const g = student.guidance;
		expect(withoutDefaults({ guidance: g }, manifest, 'student').guidance).toBeUndefined();
		const other = {
			...manifest,
			models: { ...manifest.models, student: { ...student, guidance: g + 1 } }
		};
		expect(withoutDefaults({ guidance: g }, other, 'student').guidance).toBe(g);
		expect(withoutDefaults({ guidance: g + 1 }, other, 'student').guidance).toBeUndefined();
	});
});

describe('the negative prompt in links', () => {
	it('round-trips as neg, right after the prompt', () => {
		const state = { prompt: 'cat', neg: 'blurry, red', seed: 3, sampler: 'euler' as const };
		const query = serializeViewState(state);
		expect(query).toBe('?prompt=cat&neg=blurry%2C+red&seed=3&sampler=euler');
		expect(parse(query.slice(1)).state).toEqual(state);
		expect(generationSettings(state).negativePrompt).toBe('blurry, red');
	});

	it('shows hostile text as text and drops an empty one', () => {
		const { state } = parse(`neg=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
		expect(state.neg).toBe('<img src=x onerror=alert(1)>');
		expect(serializeViewState(parse('neg=&seed=1').state)).toBe('?seed=1');
	});
});

describe('image-to-image and inpainting in links', () => {
	it('restore the strength and the mask, written back in canonical form', () => {
		const { state, notices } = parse('image=2&strength=0.5&mask=centre');
		expect(notices).toEqual([]);
		expect(state).toEqual({ image: 2, strength: 0.5, mask: 'centre' });
		expect(serializeViewState(state)).toBe('?image=2&strength=0.5&mask=centre');
		// A painted mask that happens to be a preset is written as the preset's name.
		expect(parse('mask=FFFFFFFF00000000').state.mask).toBe('top');
		expect(parse('mask=8000000000000001').state.mask).toBe('8000000000000001');
		expect(parse('mask=none').state.mask).toBe('none');
		expect(parse('strength=.333').state.strength).toBe(0.33);
	});

	it('clamp or refuse what cannot be used, with a notice', () => {
		expect(parse('strength=1.5')).toEqual({
			state: { strength: 1 },
			notices: ['strength 1.5 is out of range (0 to 1); using 1.']
		});
		expect(parse('strength=-2').state.strength).toBe(0);
		for (const raw of ['abc', 'Infinity', '1e400', '0x1', ''])
			expect(parse(`strength=${raw}`).state.strength, raw).toBeUndefined();
		const { state, notices } = parse('mask=%3Cscript%3E');
		expect(state.mask).toBeUndefined();
		expect(notices[0]).toMatch(
			/^Ignored mask="<script>": expected none, a preset .* or 16 hex digits\.$/
		);
	});

	it('do not change the generation: the editing figure reads them', () => {
		expect(generationSettings(parse('strength=0.5&mask=top').state)).toEqual({});
	});
});

describe('the comparison’s settings (vs.*)', () => {
	it('reads B as the settings that differ from A, and writes them back in a fixed order', () => {
		const { state, notices } = parse(
			'step=7&prompt=cat&vs.prompt=cat+wearing+a+hat&vs.seed=43&vs.sampler=euler_a&t=3',
			8
		);
		expect(notices).toEqual([]);
		expect(state).toEqual({
			step: 7,
			prompt: 'cat',
			t: 3,
			vs: { prompt: 'cat wearing a hat', seed: 43, sampler: 'euler_a' }
		});
		expect(serializeViewState(state)).toBe(
			'?step=7&prompt=cat&t=3&vs.prompt=cat+wearing+a+hat&vs.seed=43&vs.sampler=euler_a'
		);
		expect(parse(serializeViewState(state).slice(1), 8).state).toEqual(state);
		// A's settings are A's alone: B changes nothing of the link's own generation.
		expect(generationSettings(state)).toMatchObject({ prompt: 'cat', seed: undefined });
		expect(generationSettings(state.vs!)).toMatchObject({ prompt: 'cat wearing a hat', seed: 43 });
	});

	it('clamps and ignores bad values as it does A’s, saying they were the comparison’s', () => {
		const { state, notices } = parse(
			'vs.seed=abc&vs.guidance=50&vs.steps=999&vs.sampler=foo&vs.model=giant&vs.spacing=x&vs.foo=1'
		);
		expect(state.vs).toEqual({
			guidance: LIMITS.guidanceMax,
			steps: LIMITS.stepsMax
		});
		expect(notices).toHaveLength(7);
		for (const n of notices.slice(0, 6)) expect(n).toMatch(/^Comparison: /);
		expect(notices.at(-1)).toBe('Ignored unknown link setting "vs.foo".');
		// Nothing usable: no comparison at all.
		expect(parse('vs.seed=x').state).toEqual({});
	});

	it('leaves links without vs.* as they were', () => {
		const q = 'step=2&prompt=red+heart&seed=7&guidance=6&steps=10&sampler=euler&t=4&model=teacher';
		expect(parse(q).state.vs).toBeUndefined();
		expect(serializeViewState(parse(q).state)).toBe(`?${q}`);
	});
});
