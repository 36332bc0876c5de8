/**
 * The prompt as the text encoder sees it: [CLS] word pieces [SEP], padded to the context length.
 *
 * Our CLIP's tokenizer is WordPiece: training/tokenizer.py trains it and writes it as a
 * Hugging Face tokenizer.json, and @huggingface/tokenizers (Hugging Face's tokenizers in plain
 * JS, without transformers.js or its runtime) reads that file here: BERT's normalizer (drop
 * control characters, space out CJK ideographs, strip accents, lowercase), a split on
 * whitespace and punctuation, then each word as the longest vocabulary pieces first ("##"
 * marks a piece that continues a word), or [UNK] if it cannot be spelled. Two corrections
 * before the library make it encode as the `tokenizers` crate (the reference) and the Python
 * side do; see `toCrate`. Truncation keeps [SEP] and cuts word pieces, as the reference does,
 * and is reported.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizedPrompt {
	/** Token ids, padded: length = context length. */
	ids: number[];
	/** 1 for real tokens (with [CLS] and [SEP]), 0 for padding. */
	mask: number[];
	/** The text of each real token, [CLS] and [SEP] included. */
	tokens: string[];
	/** Positions (in `tokens`) of [UNK] tokens: words the vocabulary cannot spell. */
	unknown: number[];
	/** How many word pieces were cut off to fit the context length. */
	dropped: number;
}

export interface WordPiece {
	/** The library's tokenizer over tokenizer.json. */
	tokenizer: Tokenizer;
	special: { pad: number; unk: number; cls: number; sep: number };
}

interface TokenizerJson {
	normalizer?: { type?: string };
	pre_tokenizer?: { type?: string };
	model?: { type?: string; vocab?: Record<string, number> };
}

/** The tokenizer in a tokenizer.json as training/tokenizer.py writes it; throws on any other kind. */
export function loadTokenizer(json: unknown): WordPiece {
	const t = json as TokenizerJson;
	const kind = [t.model?.type, t.normalizer?.type, t.pre_tokenizer?.type].join(' + ');
	if (kind !== 'WordPiece + BertNormalizer + BertPreTokenizer' || !t.model?.vocab)
		throw new Error(`tokenizer.json: expected a BERT-style WordPiece tokenizer, found ${kind}`);
	const vocab = t.model.vocab;
	const id = (token: string) => {
		const i = vocab[token];
		if (i === undefined) throw new Error(`tokenizer.json: the vocabulary lacks ${token}`);
		return i;
	};
	const special = { pad: id('[PAD]'), unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]') };
	return { tokenizer: new Tokenizer(json as object, {}), special };
}

/**
 * CJK ideographs beyond the BMP (Extensions B to F, the compatibility supplement), with the
 * crate's bounds (its Extension E range starts at U+2B920, where BERT's Python code has U+2B820).
 */
const ASTRAL_CJK =
	/[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;

/**
 * The text with the two changes that make @huggingface/tokenizers 0.2 encode as the crate:
 * - Its BertNormalizer spaces out CJK ideographs a UTF-16 unit at a time, so it never sees one
 *   outside the BMP (𠀀 stays inside its word); spacing them out first is what the crate's
 *   normalizer does (the spaces are only word breaks, whatever runs after).
 * - It lowercases the whole string, so a capital sigma that ends a word becomes ς; the crate
 *   lowercases a character at a time and gives σ. Writing σ first gives the crate's text.
 */
export function toCrate(text: string): string {
	return text.replace(ASTRAL_CJK, ' $& ').replaceAll('Σ', 'σ');
}

/** The text's token ids, without [CLS] and [SEP]. */
export function tokenize(tok: WordPiece, text: string): number[] {
	return tok.tokenizer.encode(toCrate(text), { add_special_tokens: false }).ids;
}

/**
 * [CLS] pieces [SEP], cut and padded to `length` here: the library's encode ignores the
 * truncation and padding in tokenizer.json, and we report what was cut.
 */
export function tokenizePrompt(tok: WordPiece, text: string, length: number): TokenizedPrompt {
	const { pad, unk, cls, sep } = tok.special;
	const pieces = tokenize(tok, text);
	const kept = pieces.slice(0, length - 2);
	const real = [cls, ...kept, sep];
	const ids = [...real, ...new Array<number>(length - real.length).fill(pad)];
	return {
		ids,
		mask: ids.map((_, i) => (i < real.length ? 1 : 0)),
		tokens: real.map((id) => tok.tokenizer.id_to_token(id) ?? '[UNK]'),
		unknown: real.flatMap((id, i) => (id === unk ? [i] : [])),
		dropped: pieces.length - kept.length
	};
}
