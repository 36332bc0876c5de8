/**
 * One cleaner for generation settings (cleanSettings): a link, the prompt form and the worker
 * (resolveSettings) give the same cleaned values and the same notices for the same input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { submission } from '../../src/lib/components/PromptForm.svelte';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import {
	SETTING_LIMITS,
	cleanSettings,
	resolveSettings,
	stripControls
} from '../../src/lib/pipeline/settings';
import { linkLimits, parseViewState } from '../../src/lib/url-state';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const L = SETTING_LIMITS;
const current = { prompt: 'smiling cat', seed: 42, guidance: 4 };

/** The same input through each path: what comes out, and what the reader is told. */
function viaLink(key: 'prompt' | 'seed' | 'guidance', value: string | number) {
	const { state, notices } = parseViewState(new URLSearchParams([[key, String(value)]]), {
		maxStep: 1,
		...linkLimits(manifest, 16)
	});
	return { value: state[key], notices };
}
function viaForm(key: 'prompt' | 'seed' | 'guidance', value: string | number) {
	const { settings, notices } = submission({ ...current, [key]: value }, current);
	return { value: settings[key], notices };
}
function viaWorker(key: 'prompt' | 'seed' | 'guidance', value: string | number) {
	const { settings, notices } = resolveSettings({ [key]: value }, manifest);
	return { value: settings[key], notices };
}
const everyPath = (key: 'prompt' | 'seed' | 'guidance', value: string | number) => {
	const link = viaLink(key, value);
	expect(viaForm(key, value), `form: ${key}=${value}`).toEqual(link);
	expect(viaWorker(key, value), `worker: ${key}=${value}`).toEqual(link);
	return link;
};

describe('the shared cleaner, through the link, the prompt form and the worker', () => {
	it('says what an empty prompt draws, with and without a negative prompt', () => {
		const alone = resolveSettings({ prompt: '' }, manifest).notices;
		expect(alone).toContain(
			'The prompt is empty: this is the unconditional image, guided by nothing.'
		);
		const withNeg = resolveSettings({ prompt: '', negativePrompt: 'cat' }, manifest).notices;
		expect(withNeg.join(' ')).toContain('pushed away from the negative prompt');
		expect(withNeg.join(' ')).not.toContain('guided by nothing');
		// The student ignores the negative prompt, so its empty prompt is guided by nothing.
		const student = resolveSettings(
			{ prompt: '', negativePrompt: 'cat', model: 'student' },
			manifest
		);
		expect(student.notices).toContain(
			'The prompt is empty: this is the unconditional image, guided by nothing.'
		);
	});

	it('strips control, format and bidi characters', () => {
		const r = everyPath('prompt', '\u202Esmiling\u0000 cat\u200B\u0007');
		expect(r).toEqual({ value: 'smiling cat', notices: [] });
		// Both cleaners once disagreed here: the worker kept control characters.
		expect(cleanSettings({ prompt: 'a\u0000b' }).settings.prompt).toBe('ab');
	});

	it('turns odd Unicode into one canonical text', () => {
		const cases: [string, string][] = [
			['cafe\u0301', 'caf\u00e9'], // decomposed: NFC composes it
			['  smiling \u00a0\u3000 cat  ', 'smiling cat'], // every kind of space, collapsed
			['smiling\tcat\nface', 'smiling cat face'], // tabs and line breaks are spaces
			['\uFEFFcat\u2028dog', 'cat dog'], // byte-order mark dropped, line separator a space
			['👩\u200d👩\u200d👧 family', '👩\u200d👩\u200d👧 family'], // joiners in emoji stay
			['\uE000private\uFDD0', 'private'], // private use and noncharacters dropped
			['<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'] // text, never HTML
		];
		for (const [input, clean] of cases)
			expect(everyPath('prompt', input), JSON.stringify(input)).toEqual({
				value: clean,
				notices: []
			});
		// A lone surrogate cannot be in a link (it arrives as U+FFFD); the form and worker drop it.
		expect(viaForm('prompt', 'cat\uD800')).toEqual(viaWorker('prompt', 'cat\uD800'));
		expect(viaForm('prompt', 'cat\uD800').value).toBe('cat');
	});

	it('cuts an overlong prompt by characters, and says so in the same words', () => {
		const r = everyPath('prompt', '🐱'.repeat(L.promptChars + 50));
		expect([...(r.value as string)]).toHaveLength(L.promptChars);
		expect(r.notices).toEqual([
			`The prompt was longer than ${L.promptChars} characters; cut short.`
		]);
		// Cut where a space falls: trimmed again, so the cleaned prompt cleans to itself.
		const spaced = everyPath('prompt', 'a'.repeat(L.promptChars - 1) + ' b');
		expect(spaced.value).toBe('a'.repeat(L.promptChars - 1));
	});

	it('clamps out-of-range numbers, with one notice in one wording', () => {
		expect(everyPath('seed', 2 ** 40)).toEqual({
			value: L.seedMax,
			notices: [`seed ${2 ** 40} is out of range (0 to ${L.seedMax}); using ${L.seedMax}.`]
		});
		expect(everyPath('seed', -1)).toEqual({
			value: 0,
			notices: [`seed -1 is out of range (0 to ${L.seedMax}); using 0.`]
		});
		expect(everyPath('guidance', 25)).toEqual({
			value: L.guidanceMax,
			notices: [`guidance 25 is out of range (0 to ${L.guidanceMax}); using ${L.guidanceMax}.`]
		});
		expect(everyPath('guidance', 4.567)).toEqual({ value: 4.57, notices: [] });
		expect(everyPath('guidance', 7.5)).toEqual({ value: 7.5, notices: [] });
	});

	it('leaves what it already cleaned as it is: the worker adds nothing to a page’s settings', () => {
		for (const input of ['  a \u0000 b\t', 'cafe\u0301', '🐱'.repeat(300), ' x '.repeat(150)]) {
			const once = cleanSettings({ prompt: input, seed: 1.5, guidance: 99, steps: 0 }).settings;
			expect(cleanSettings(once)).toEqual({ settings: once, notices: [] });
			expect(resolveSettings(once, manifest).settings).toMatchObject(once);
			expect(resolveSettings(once, manifest).notices).toEqual([]);
		}
	});

	it('rounds whole-number settings, and drops what is not a number', () => {
		expect(cleanSettings({ seed: 1.5, steps: 2.4 })).toEqual({
			settings: { seed: 2, steps: 2 },
			notices: [
				'seed 1.5 is not a whole number; using 2.',
				'steps 2.4 is not a whole number; using 2.'
			]
		});
		const nan = cleanSettings({ seed: NaN, guidance: Infinity });
		expect(nan.settings).toEqual({});
		expect(nan.notices).toEqual([
			'Ignored seed NaN: not a number.',
			'Ignored guidance Infinity: not a number.'
		]);
		// The worker then takes the model's defaults, the form keeps what it had.
		expect(resolveSettings({ seed: NaN }, manifest).settings.seed).toBe(manifest.sampler.seed);
		const form = submission({ prompt: 'cat', seed: NaN, guidance: 4 }, current);
		expect(form.settings.seed).toBe(current.seed);
		expect(form.notices).toEqual(['Ignored seed NaN: not a number.']);
		// A number field left empty is no input at all: the current value, nothing said.
		expect(submission({ prompt: 'cat', seed: null, guidance: null }, current)).toEqual({
			settings: { prompt: 'cat', seed: 42, guidance: 4 },
			notices: []
		});
	});

	it('takes other limits when given them', () => {
		const tight = { ...L, promptChars: 3, seedMax: 9 };
		expect(cleanSettings({ prompt: 'abcdef', seed: 12 }, tight)).toEqual({
			settings: { prompt: 'abc', seed: 9 },
			notices: [
				'The prompt was longer than 3 characters; cut short.',
				'seed 12 is out of range (0 to 9); using 9.'
			]
		});
	});

	it('keeps only the keys it was given', () => {
		expect(cleanSettings({})).toEqual({ settings: {}, notices: [] });
		expect(cleanSettings({ prompt: '' })).toEqual({ settings: { prompt: '' }, notices: [] });
	});
});

describe('the sampler and its timestep spacing', () => {
	it("default to the manifest's (DDIM, trailing); each sampler it lists and either spacing is taken", () => {
		expect(resolveSettings({}, manifest).settings).toMatchObject({
			scheduler: 'ddim',
			spacing: 'trailing'
		});
		for (const scheduler of manifest.sampler.available)
			for (const spacing of ['trailing', 'leading'] as const)
				expect(resolveSettings({ scheduler, spacing }, manifest).settings).toMatchObject({
					scheduler,
					spacing
				});
	});

	it('refuses a sampler the manifest does not list and an unknown spacing', () => {
		const ddimOnly = {
			...manifest,
			sampler: { ...manifest.sampler, available: ['ddim' as const] }
		};
		expect(() => resolveSettings({ scheduler: 'ddpm' }, ddimOnly)).toThrow(/unknown scheduler/);
		const odd = { spacing: 'linspace' } as unknown as Parameters<typeof resolveSettings>[0];
		expect(() => resolveSettings(odd, manifest)).toThrow(/unknown timestep spacing/);
	});
});

describe('stripControls', () => {
	it('removes control and bidi characters but keeps emoji sequences', () => {
		expect(stripControls('a\u0000b\u202Ec\u0007')).toBe('abc');
		const family = '👩\u200d👩\u200d👧';
		expect(stripControls(family)).toBe(family);
		expect(stripControls('a\tb\r\nc')).toBe('a b  c');
	});
});

describe('the student and the sampler', () => {
	it('keeps the DDIM steps on trailing timesteps it learned, and says so', () => {
		const { settings, notices } = resolveSettings(
			{ model: 'student', scheduler: 'euler_a', spacing: 'leading' },
			manifest
		);
		expect(settings).toMatchObject({ scheduler: 'ddim', spacing: 'trailing' });
		expect(notices).toContain(
			'The student learned ddim steps on trailing timesteps; using those instead of euler_a on leading.'
		);
		const teacher = resolveSettings({ scheduler: 'euler_a', spacing: 'leading' }, manifest);
		expect(teacher.settings).toMatchObject({ scheduler: 'euler_a', spacing: 'leading' });
		expect(teacher.notices).toEqual([]);
	});
});

describe('the negative prompt', () => {
	const link = (q: string) =>
		parseViewState(new URLSearchParams(q), { maxStep: 1, ...linkLimits(manifest, 16) });

	it('is cleaned like the prompt, through the link, the form and the worker, with its own notice', () => {
		const raw = `  no\u202e  ${'x'.repeat(300)}`;
		const viaLink = link(`neg=${encodeURIComponent(raw)}`);
		const viaForm = submission({ ...current, neg: raw }, current);
		const viaWorker = resolveSettings({ negativePrompt: raw }, manifest);
		const expected = `no ${'x'.repeat(197)}`;
		expect(viaLink.state.neg).toBe(expected);
		expect(viaForm.settings.neg).toBe(expected);
		expect(viaWorker.settings.negativePrompt).toBe(expected);
		const notice = 'The negative prompt was longer than 200 characters; cut short.';
		expect(viaLink.notices).toEqual([notice]);
		expect(viaForm.notices).toEqual([notice]);
		expect(viaWorker.notices).toContain(notice);
	});

	it('left empty (or only spaces) is no negative prompt: out of the link, the form and the settings', () => {
		expect(resolveSettings({}, manifest).settings.negativePrompt).toBe('');
		expect(resolveSettings({ negativePrompt: ' \t ' }, manifest).settings.negativePrompt).toBe('');
		expect(submission({ ...current, neg: '  ' }, current).settings.neg).toBeUndefined();
		expect(link('neg=%20').state.neg).toBeUndefined();
	});

	it('is not used by the student, which has no unconditional half, and says so', () => {
		const { settings, notices } = resolveSettings(
			{ model: 'student', negativePrompt: 'blurry' },
			manifest
		);
		expect(settings.negativePrompt).toBe('');
		expect(notices).toContain(
			'The student guides inside its U-Net and has no unconditional half: the negative prompt is not used.'
		);
	});
});
