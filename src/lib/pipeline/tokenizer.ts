/**
 * The prompt as the text encoder sees it: [CLS] tokens [SEP], padded to the context length.
 *
 * Tokenizing itself is transformers.js's (from the model's tokenizer.json). Truncation is
 * ours: transformers.js cuts after adding the special tokens, dropping [SEP], while the
 * Python reference keeps [SEP] and cuts the words; we do as the reference does, and report it.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';

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

export function tokenizePrompt(
	tokenizer: PreTrainedTokenizer,
	text: string,
	length: number
): TokenizedPrompt {
	const pieces = tokenizer.encode(text, { add_special_tokens: false });
	const vocab = tokenizer.get_vocab();
	const cls = vocab.get('[CLS]');
	const sep = vocab.get('[SEP]');
	const pad = vocab.get('[PAD]') ?? 0;
	const unk = vocab.get('[UNK]');
	if (cls === undefined || sep === undefined) throw new Error('tokenizer lacks [CLS] or [SEP]');
	const names = new Map([...vocab].map(([token, id]) => [id, token]));
	const kept = pieces.slice(0, length - 2);
	const real = [cls, ...kept, sep];
	const ids = [...real, ...new Array<number>(length - real.length).fill(pad)];
	const tokens = real.map((id) => names.get(id) ?? '[UNK]');
	return {
		ids,
		mask: ids.map((_, i) => (i < real.length ? 1 : 0)),
		tokens,
		unknown: real.flatMap((id, i) => (id === unk ? [i] : [])),
		dropped: pieces.length - kept.length
	};
}
