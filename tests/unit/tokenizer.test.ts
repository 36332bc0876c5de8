import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenizePrompt } from '../../src/lib/pipeline/tokenizer';
import { hasModels, loadGolden, modelsDir } from './golden';

describe.runIf(hasModels)('tokenizer (transformers.js) against the Python tokenizer', () => {
	let tok: PreTrainedTokenizer;
	const { manifest, golden } = hasModels ? loadGolden() : ({} as ReturnType<typeof loadGolden>);
	const L = hasModels ? manifest.text.context_length : 0;

	beforeAll(async () => {
		env.allowRemoteModels = false;
		env.localModelPath = modelsDir + '/';
		tok = await AutoTokenizer.from_pretrained('clip');
	});

	it('gives the same ids on every golden prompt, odd Unicode and emoji included', () => {
		expect(golden.tokenizer.length).toBeGreaterThanOrEqual(manifest.files.unet ? 40 : 0);
		const mismatches = golden.tokenizer.filter((c) => {
			const t = tokenizePrompt(tok, c.text, L);
			return (
				JSON.stringify(t.ids) !== JSON.stringify(c.ids) ||
				JSON.stringify(t.mask) !== JSON.stringify(c.mask)
			);
		});
		expect(mismatches.map((m) => m.text)).toEqual([]);
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
});
