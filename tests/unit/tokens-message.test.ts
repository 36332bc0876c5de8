import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, tokenizePrompt } from '../../src/lib/pipeline/tokenizer';
import { tokenWords, tokensMessage, wordText } from '../../src/lib/viz/tokens';
import { hasModels, modelsDir } from './golden';

const xylophone = ['x', '##y', '##lo', '##p', '##h', '##one'];

describe('the tokens figure’s message', () => {
	it('groups WordPiece pieces into words', () => {
		expect(tokenWords(['[CLS]', 'purple', ...xylophone, '!', '[SEP]'])).toEqual([
			['purple'],
			xylophone,
			['!']
		]);
		expect(wordText(xylophone)).toBe('xylophone');
	});

	it('says every word is in the vocabulary only when each word is one known token', () => {
		expect(tokensMessage(['[CLS]', 'smiling', 'cat', '[SEP]'])).toBe(
			'Every word is in the vocabulary.'
		);
		for (const tokens of [
			['[CLS]', ...xylophone, '[SEP]'],
			['[CLS]', 'purple', ...xylophone, '[SEP]'],
			['[CLS]', ...xylophone, '!', '[SEP]'],
			['[CLS]', '[UNK]', 'cat', '[SEP]']
		])
			expect(tokensMessage(tokens)).not.toContain('Every word');
	});

	it('names a word spelled from pieces, and the pieces', () => {
		expect(tokensMessage(['[CLS]', 'purple', ...xylophone, '[SEP]'])).toBe(
			'“xylophone” is not in the vocabulary: spelled from 6 pieces x · ##y · ##lo · ##p · ##h · ##one.'
		);
	});

	it('counts [UNK], many spelled words and dropped pieces', () => {
		expect(tokensMessage(['[CLS]', '[UNK]', 'cat', '[SEP]'])).toBe(
			'1 word the vocabulary cannot spell at all became [UNK] (dashed).'
		);
		expect(tokensMessage(['[CLS]', '[UNK]', '[UNK]', '[SEP]'])).toContain('2 words');
		const many = ['[CLS]', ...[1, 2, 3, 4, 5].flatMap((i) => [`a${i}`, '##b']), '[SEP]'];
		expect(tokensMessage(many)).toContain('“a3b” is not');
		expect(tokensMessage(many)).not.toContain('a4b');
		expect(tokensMessage(many)).toContain('2 more words are spelled from pieces.');
		expect(tokensMessage(['[CLS]', 'cat', '[SEP]'], 3)).toBe(
			'Every word is in the vocabulary. 3 word pieces did not fit and were dropped.'
		);
		expect(tokensMessage(['[CLS]', '[SEP]'])).toBe('No words: only [CLS] and [SEP].');
	});
});

describe.runIf(hasModels)('the message on the real tokenizer', () => {
	it('does not call “xylophone” a word of the vocabulary', () => {
		const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
		const json = readFileSync(join(modelsDir, manifest.files.tokenizer.path), 'utf8');
		const tok = loadTokenizer(JSON.parse(json));
		const L: number = manifest.text.context_length;
		const message = (text: string) => {
			const t = tokenizePrompt(tok, text, L);
			return tokensMessage(t.tokens, t.dropped);
		};
		for (const text of ['xylophone', 'purple xylophone', 'Xylophone!'])
			expect(message(text)).toMatch(
				/^“xylophone” is not in the vocabulary: spelled from \d+ pieces/
			);
		expect(message('🦄 cat')).toContain('became [UNK]');
		expect(message('cat')).toBe('Every word is in the vocabulary.');
	});
});
