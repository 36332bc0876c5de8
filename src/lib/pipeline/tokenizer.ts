/**
 * The prompt as the text encoder sees it: [CLS] word pieces [SEP], padded to the context length.
 *
 * Our CLIP's tokenizer is WordPiece: training/tokenizer.py trains it and writes it as a
 * Hugging Face tokenizer.json, and this reads that file and encodes as the Python reference
 * does: BERT's normalizer (drop control characters, space out CJK ideographs, strip accents,
 * lowercase), a split on whitespace and punctuation, then each word as the longest vocabulary
 * pieces first ("##" marks a piece that continues a word), or [UNK] if it cannot be spelled.
 * Truncation keeps [SEP] and cuts word pieces, as the reference does, and is reported.
 */

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
	vocab: Map<string, number>;
	/** Token text by id. */
	names: string[];
	prefix: string;
	maxWordChars: number;
	special: { pad: number; unk: number; cls: number; sep: number };
}

interface TokenizerJson {
	normalizer?: { type?: string };
	pre_tokenizer?: { type?: string };
	model?: {
		type?: string;
		vocab?: Record<string, number>;
		continuing_subword_prefix?: string;
		max_input_chars_per_word?: number;
	};
}

/** The tokenizer in a tokenizer.json as training/tokenizer.py writes it; throws on any other kind. */
export function loadTokenizer(json: unknown): WordPiece {
	const t = json as TokenizerJson;
	const kind = [t.model?.type, t.normalizer?.type, t.pre_tokenizer?.type].join(' + ');
	if (kind !== 'WordPiece + BertNormalizer + BertPreTokenizer' || !t.model?.vocab)
		throw new Error(`tokenizer.json: expected a BERT-style WordPiece tokenizer, found ${kind}`);
	const vocab = new Map(Object.entries(t.model.vocab));
	const names: string[] = [];
	for (const [token, id] of vocab) names[id] = token;
	const id = (token: string) => {
		const i = vocab.get(token);
		if (i === undefined) throw new Error(`tokenizer.json: the vocabulary lacks ${token}`);
		return i;
	};
	return {
		vocab,
		names,
		prefix: t.model.continuing_subword_prefix ?? '##',
		maxWordChars: t.model.max_input_chars_per_word ?? 100,
		special: { pad: id('[PAD]'), unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]') }
	};
}

const isWhitespace = (ch: string) => ' \t\n\r'.includes(ch) || /^\p{Zs}$/u.test(ch);
const isControl = (ch: string) => !'\t\n\r'.includes(ch) && /^\p{C}$/u.test(ch);

function isPunctuation(ch: string) {
	const cp = ch.codePointAt(0)!;
	const ascii = (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96);
	return ascii || (cp >= 123 && cp <= 126) || /^\p{P}$/u.test(ch);
}

/** CJK ideographs, which BERT treats as words of their own. */
const CJK: [number, number][] = [
	[0x4e00, 0x9fff],
	[0x3400, 0x4dbf],
	[0x20000, 0x2a6df],
	[0x2a700, 0x2b73f],
	[0x2b740, 0x2b81f],
	[0x2b820, 0x2ceaf],
	[0xf900, 0xfaff],
	[0x2f800, 0x2fa1f]
];
const isCjk = (cp: number) => CJK.some(([a, b]) => cp >= a && cp <= b);

export function normalize(text: string): string {
	let out = '';
	for (const ch of text) {
		const cp = ch.codePointAt(0)!;
		if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
		out += isWhitespace(ch) ? ' ' : isCjk(cp) ? ` ${ch} ` : ch;
	}
	return out
		.normalize('NFD')
		.replace(/\p{Mn}/gu, '')
		.toLowerCase();
}

/** Words: split on whitespace, and every punctuation mark a word of its own. */
export function preTokenize(text: string): string[] {
	const words: string[] = [];
	let cur = '';
	for (const ch of text) {
		const punct = isPunctuation(ch);
		if (!punct && !isWhitespace(ch)) {
			cur += ch;
			continue;
		}
		if (cur) words.push(cur);
		cur = '';
		if (punct) words.push(ch);
	}
	if (cur) words.push(cur);
	return words;
}

/** One word's pieces, longest first; [UNK] alone if any part of it cannot be spelled. */
function wordPieces(tok: WordPiece, word: string): number[] {
	const chars = Array.from(word); // code points, as the reference counts them
	if (chars.length > tok.maxWordChars) return [tok.special.unk];
	const ids: number[] = [];
	for (let start = 0; start < chars.length;) {
		let end = chars.length;
		let found: number | undefined;
		for (; end > start; end--) {
			const piece = (start ? tok.prefix : '') + chars.slice(start, end).join('');
			found = tok.vocab.get(piece);
			if (found !== undefined) break;
		}
		if (found === undefined) return [tok.special.unk];
		ids.push(found);
		start = end;
	}
	return ids;
}

/** The text's token ids, without special tokens. */
export function tokenize(tok: WordPiece, text: string): number[] {
	return preTokenize(normalize(text)).flatMap((w) => wordPieces(tok, w));
}

export function tokenizePrompt(tok: WordPiece, text: string, length: number): TokenizedPrompt {
	const { pad, unk, cls, sep } = tok.special;
	const pieces = tokenize(tok, text);
	const kept = pieces.slice(0, length - 2);
	const real = [cls, ...kept, sep];
	const ids = [...real, ...new Array<number>(length - real.length).fill(pad)];
	return {
		ids,
		mask: ids.map((_, i) => (i < real.length ? 1 : 0)),
		tokens: real.map((id) => tok.names[id] ?? '[UNK]'),
		unknown: real.flatMap((id, i) => (id === unk ? [i] : [])),
		dropped: pieces.length - kept.length
	};
}
