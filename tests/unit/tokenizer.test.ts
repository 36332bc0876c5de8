/**
 * Our WordPiece tokenizer (pipeline/tokenizer.ts) against the Python reference's ids: on the
 * golden prompts, and on odd Unicode strings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	loadTokenizer,
	tokenize,
	tokenizePrompt,
	type WordPiece
} from '../../src/lib/pipeline/tokenizer';
import { hasModels, loadGolden, modelsDir } from './golden';

describe.runIf(hasModels)('tokenizer against the Python tokenizer', () => {
	const { manifest, golden } = hasModels ? loadGolden() : ({} as ReturnType<typeof loadGolden>);
	const L = hasModels ? manifest.text.context_length : 0;
	let tok: WordPiece;

	beforeAll(() => {
		const path = join(modelsDir, manifest.files.tokenizer!.path);
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

	it('gives the Python ids on odd strings where transformers.js did not', () => {
		// Random strings of accents, CJK, Greek, Cyrillic, punctuation, controls, emoji: most
		// of them strings on which transformers.js (the page's tokenizer before this one)
		// disagreed with the Python reference. Made by `python3 -m training.tokenizer`.
		const cases = JSON.parse(readFileSync('tests/unit/fixtures/tokenizer-odd.json', 'utf8')) as {
			text: string;
			ids: number[];
		}[];
		expect(cases.length).toBeGreaterThanOrEqual(100);
		const differ = cases.filter(
			(c) => JSON.stringify(tokenize(tok, c.text)) !== JSON.stringify(c.ids)
		);
		expect(differ.map((c) => c.text)).toEqual([]);
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
		expect(tokenizePrompt(tok, '', L).tokens).toEqual(['[CLS]', '[SEP]']);
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
