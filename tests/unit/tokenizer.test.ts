/**
 * The page's tokenizer (pipeline/tokenizer.ts: @huggingface/tokenizers over our tokenizer.json)
 * against the Python tokenizer's ids (training/tokenizer.py): on the golden prompts, on odd
 * Unicode strings, and on random ones. Both follow the `tokenizers` crate, the reference for
 * tokenizer.json; the fixture's ids were checked against it (its Python package, 0.23.2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	loadTokenizer,
	toCrate,
	tokenize,
	tokenizePrompt,
	type WordPiece
} from '../../src/lib/pipeline/tokenizer';
import { hasModels, loadGolden, modelsDir } from './golden';

const PYTHON = '/usr/bin/python3';

/** Seeded random strings: letters, accents, combining marks, Greek, Cyrillic, CJK (in and beyond
 * the BMP), kana, half- and fullwidth forms, punctuation, controls, whitespace of every kind,
 * private use, unassigned, emoji, special tokens, a few words the vocabulary knows. Only
 * characters whose Unicode properties are the same in Python 3.11's tables and Node's. */
function randomStrings(n: number, seed: number): string[] {
	let a = seed >>> 0;
	const rand = () => {
		a = (a + 0x6d2b79f5) >>> 0; // mulberry32
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
	};
	const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
	const ranges: [number, number][] = [
		[0x21, 0x7e],
		[0xc0, 0x24f],
		[0x300, 0x36f],
		[0x370, 0x4ff],
		[0x4e00, 0x4e7f],
		[0x3040, 0x30ff],
		[0xff00, 0xffef],
		[0x2000, 0x206f],
		[0x3000, 0x303f],
		[0x0, 0x1f],
		[0x7f, 0x9f],
		[0x1f300, 0x1faff],
		[0x20000, 0x2000f],
		[0x2b810, 0x2b92f],
		[0xe000, 0xe00f]
	];
	const spaces = [
		' ',
		' ',
		' ',
		'\t',
		'\n',
		'\v',
		'\f',
		'\r',
		'\u0085',
		'\u00a0',
		'\u1680',
		'\u2028',
		'\u2029',
		'\u202f',
		'\u205f',
		'\u3000',
		'\ufeff',
		'\u200b'
	];
	const words = ['cat', 'red', 'apple', 'Über', 'café', 'naïve', 'ΟΔΟΣ', '[UNK]', '[SEP]'];
	return Array.from({ length: n }, () => {
		let s = '';
		for (let k = 1 + Math.floor(rand() * 12); k > 0; k--) {
			const r = rand();
			if (r < 0.12) s += pick(spaces);
			else if (r < 0.22) s += pick(words);
			else {
				const [lo, hi] = pick(ranges);
				s += String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
			}
		}
		return s;
	});
}

/** Ids from training/tokenizer.py for each text. */
function pythonIds(tokenizerJson: string, texts: string[]): number[][] {
	const r = spawnSync(PYTHON, ['-m', 'training.tokenizer', tokenizerJson], {
		input: JSON.stringify(texts),
		encoding: 'utf8',
		maxBuffer: 64 << 20
	});
	if (r.status !== 0) throw new Error(`python3 -m training.tokenizer: ${r.stderr}`);
	return (JSON.parse(r.stdout) as { ids: number[] }[]).map((c) => c.ids);
}

const ASTRAL_CJK =
	/[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/u;

describe.runIf(hasModels)('tokenizer against the Python tokenizer', () => {
	const { manifest, golden } = hasModels ? loadGolden() : ({} as ReturnType<typeof loadGolden>);
	const L = hasModels ? manifest.text.context_length : 0;
	const path = hasModels ? join(modelsDir, manifest.files.tokenizer!.path) : '';
	let tok: WordPiece;

	beforeAll(() => {
		tok = loadTokenizer(JSON.parse(readFileSync(path, 'utf8')));
	});

	it('gives the Python ids on every golden prompt, odd Unicode and emoji included', () => {
		expect(golden.tokenizer.length).toBeGreaterThanOrEqual(40);
		const mismatches = golden.tokenizer.filter((c) => {
			const t = tokenizePrompt(tok, c.text, L);
			return (
				JSON.stringify(t.ids) !== JSON.stringify(c.ids) ||
				JSON.stringify(t.mask) !== JSON.stringify(c.mask)
			);
		});
		expect(mismatches.map((m) => m.text)).toEqual([]);
	});

	it('gives the Python ids on odd strings', () => {
		// Accents, CJK, Greek, Cyrillic, punctuation, controls, unassigned code points, emoji;
		// special tokens typed in the text, line and paragraph separators, CJK beyond the BMP
		// and at the crate's Extension E bound, a final capital sigma, words over 100 characters.
		// Made by `python3 -m training.tokenizer`; every case checked against the crate.
		const cases = JSON.parse(readFileSync('tests/unit/fixtures/tokenizer-odd.json', 'utf8')) as {
			text: string;
			ids: number[];
		}[];
		expect(cases.length).toBeGreaterThanOrEqual(100);
		expect(new Set(cases.map((c) => c.text)).size).toBe(cases.length);
		const differ = cases.filter(
			(c) => JSON.stringify(tokenize(tok, c.text)) !== JSON.stringify(c.ids)
		);
		expect(differ.map((c) => c.text)).toEqual([]);
	});

	it.runIf(existsSync(PYTHON))('gives the Python ids on 3,000 random odd strings', () => {
		const texts = randomStrings(3000, 20240607);
		const py = pythonIds(path, texts);
		const differ = texts.filter(
			(t, i) => JSON.stringify(tokenize(tok, t)) !== JSON.stringify(py[i])
		);
		expect(differ).toEqual([]);
		// The library alone differs only where toCrate spaces out a CJK ideograph beyond the BMP
		// (the final sigma it also corrects changes no id: the vocabulary has no Greek letter).
		const bare = texts.filter(
			(t, i) =>
				JSON.stringify(tok.tokenizer.encode(t, { add_special_tokens: false }).ids) !==
				JSON.stringify(py[i])
		);
		expect(bare.length).toBeGreaterThan(0);
		expect(bare.filter((t) => !ASTRAL_CJK.test(t))).toEqual([]);
	});

	it("still needs toCrate: the library's two departures from the crate", () => {
		// If one of these fails, @huggingface/tokenizers has fixed it: drop that correction.
		const bare = (t: string) => tok.tokenizer.encode(t, { add_special_tokens: false }).ids;
		const a = tok.tokenizer.token_to_id('a')!;
		const b = tok.tokenizer.token_to_id('b')!;
		expect(bare('a\u{20000}b')).toEqual([tok.special.unk]); // one word, 'a𠀀b'
		expect(tokenize(tok, 'a\u{20000}b')).toEqual([a, tok.special.unk, b]);
		const normalize = (t: string) => tok.tokenizer.normalizer!.normalize(t);
		expect(normalize('ΟΔΟΣ')).toBe('οδος');
		expect(normalize(toCrate('ΟΔΟΣ'))).toBe('οδοσ');
	});

	it('marks unknown symbols and reports truncation', () => {
		const t = tokenizePrompt(tok, '🦄 cat', L);
		expect(t.tokens[0]).toBe('[CLS]');
		expect(t.tokens.at(-1)).toBe('[SEP]');
		expect(t.unknown).toEqual([1]);
		const perWord = tokenizePrompt(tok, 'cat', L).tokens.length - 2;
		const long = tokenizePrompt(tok, 'cat '.repeat(40), L);
		expect(long.dropped).toBe(40 * perWord - (L - 2));
		expect(long.mask.every((m) => m === 1)).toBe(true);
		expect(long.ids.at(-1)).toBe(tok.special.sep);
		expect(tokenizePrompt(tok, '', L).tokens).toEqual(['[CLS]', '[SEP]']);
		expect(tokenizePrompt(tok, 'red heart', L).tokens).toEqual(['[CLS]', 'red', 'heart', '[SEP]']);
	});

	it('refuses a tokenizer.json of another kind, saying what it found', () => {
		expect(() => loadTokenizer({ model: { type: 'BPE', vocab: {} } })).toThrow(
			/expected a BERT-style WordPiece tokenizer, found BPE/
		);
		const noUnk = {
			model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[CLS]': 1, '[SEP]': 2 } },
			normalizer: { type: 'BertNormalizer' },
			pre_tokenizer: { type: 'BertPreTokenizer' }
		};
		expect(() => loadTokenizer(noUnk)).toThrow(/lacks \[UNK\]/);
	});
});
