/**
 * What the tokens figure says about a tokenized prompt: which words the vocabulary holds
 * whole, which it spells from WordPiece pieces (a piece after the first starts with "##"),
 * and which became [UNK]. Pure, for the figure and its unit test.
 */

const SPECIAL = new Set(['[CLS]', '[SEP]', '[PAD]']);
const UNK = '[UNK]';
/** How many spelled words are named one by one; the rest are counted. */
const LISTED = 3;

/** The prompt's tokens grouped into words: each word's pieces, in order. */
export function tokenWords(tokens: readonly string[]): string[][] {
	const words: string[][] = [];
	for (const t of tokens) {
		if (SPECIAL.has(t)) continue;
		const last = words.at(-1);
		if (t.startsWith('##') && last) last.push(t);
		else words.push([t]);
	}
	return words;
}

/** A word as written, from its pieces: x ##y ##lo → "xylo". */
export function wordText(pieces: readonly string[]): string {
	return pieces.map((p) => (p.startsWith('##') ? p.slice(2) : p)).join('');
}

/**
 * One or more sentences for the figure: "Every word is in the vocabulary." only when every
 * word is exactly one known token; otherwise which words are spelled from pieces (and the
 * pieces) and how many became [UNK]. `dropped`: word pieces cut off to fit the context.
 */
export function tokensMessage(tokens: readonly string[], dropped = 0): string {
	const words = tokenWords(tokens);
	const unknown = words.filter((w) => w.length === 1 && w[0] === UNK).length;
	const spelled = words.filter((w) => w.length > 1);
	const out: string[] = [];
	if (words.length === 0) out.push('No words: only [CLS] and [SEP].');
	else if (!unknown && !spelled.length) out.push('Every word is in the vocabulary.');
	for (const w of spelled.slice(0, LISTED))
		out.push(
			`“${wordText(w)}” is not in the vocabulary: spelled from ${w.length} pieces ${w.join(' · ')}.`
		);
	if (spelled.length > LISTED) {
		const more = spelled.length - LISTED;
		out.push(`${more} more ${more === 1 ? 'word is' : 'words are'} spelled from pieces.`);
	}
	if (unknown)
		out.push(
			unknown === 1
				? '1 word the vocabulary cannot spell at all became [UNK] (dashed).'
				: `${unknown} words the vocabulary cannot spell at all became [UNK] (dashed).`
		);
	if (dropped)
		out.push(
			`${dropped} word ${dropped === 1 ? 'piece' : 'pieces'} did not fit and ${dropped === 1 ? 'was' : 'were'} dropped.`
		);
	return out.join(' ');
}
