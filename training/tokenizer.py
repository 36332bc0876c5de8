"""A WordPiece tokenizer trained on our captions, written as an HF tokenizer.json.

Encoding follows the `tokenizers` library (the Rust crate, the reference for tokenizer.json):
special tokens typed in the text are split out first, then BertNormalizer (clean text, pad CJK,
strip accents, lowercase), BertPreTokenizer (split on whitespace and punctuation) and WordPiece
(greedy longest match, "##" continuations, [UNK] for a word that cannot be spelled). Where the
crate departs from Google's original BERT code, this follows the crate: unassigned code points
are kept (not dropped as controls), line and paragraph separators are whitespace, CJK
Extension E starts at U+2B920, and lowercasing is per character (no final sigma).
The page encodes with @huggingface/tokenizers (src/lib/pipeline/tokenizer.ts), tested
against this module.
"""
import collections
import json
import re
import unicodedata

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
PAD, UNK, CLS, SEP = range(4)
MAX_WORD_CHARS = 100


# Unicode's White_Space (Rust's char::is_whitespace): Zs and these. \v, \f and U+0085 are also
# controls, which clean_text drops first.
_WHITESPACE = " \t\n\v\f\r\x85\u2028\u2029"
_SPECIAL = re.compile("|".join(re.escape(t) for t in SPECIALS))


def _is_control(ch):
    # Control, format, private use, surrogate; not Cn: an unassigned code point is kept (and
    # becomes [UNK]), as the crate's BertNormalizer keeps it.
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_whitespace(ch):
    return ch in _WHITESPACE or unicodedata.category(ch) == "Zs"


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_chinese(cp):
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B920 <= cp <= 0x2CEAF  # the crate's bound (BERT's Python code has 0x2B820)
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def normalize(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if _is_whitespace(ch):
            out.append(" ")
        elif _is_chinese(cp):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    text = unicodedata.normalize("NFD", "".join(out))
    # Lowercased a character at a time, as the crate does: str.lower() would make a final
    # capital sigma ς, the crate makes every one σ.
    return "".join(ch.lower() for ch in text if unicodedata.category(ch) != "Mn")


def pre_tokenize(text):
    words, cur = [], []
    for ch in text:
        if _is_whitespace(ch) or _is_punctuation(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            if _is_punctuation(ch):
                words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


class WordPiece:
    def __init__(self, vocab):
        self.vocab = vocab  # token -> id
        self.inv = {i: t for t, i in vocab.items()}

    def word(self, w):
        if len(w) > MAX_WORD_CHARS:
            return [UNK]
        ids, start = [], 0
        while start < len(w):
            end, found = len(w), None
            while start < end:
                piece = w[start:end] if start == 0 else "##" + w[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [UNK]
            ids.append(found)
            start = end
        return ids

    def tokenize(self, text):
        """Ids of the text, without [CLS] and [SEP] around it. A special token typed in the text
        ("[UNK]", "[SEP]", ...) is that token, as in the crate (tokenizer.json's added_tokens)."""
        ids, start = [], 0
        for m in list(_SPECIAL.finditer(text)) + [None]:
            for w in pre_tokenize(normalize(text[start : m.start() if m else len(text)])):
                ids.extend(self.word(w))
            if m:
                ids.append(self.vocab[m.group()])
                start = m.end()
        return ids

    def encode(self, text, length):
        """[CLS] ids [SEP], truncated and padded to `length`; returns (ids, mask)."""
        ids = [CLS] + self.tokenize(text)[: length - 2] + [SEP]
        mask = [1] * len(ids) + [0] * (length - len(ids))
        return ids + [PAD] * (length - len(ids)), mask


def train(texts, max_words=4000, max_suffixes=400):
    """Vocabulary: every character, the frequent whole words, and frequent word endings,
    so that an unseen word is spelled from pieces instead of becoming [UNK]."""
    words = collections.Counter()
    for t in texts:
        words.update(pre_tokenize(normalize(t)))
    chars = sorted({c for w in words for c in w})
    suffixes = collections.Counter()
    for w, n in words.items():
        for k in range(2, min(6, len(w))):
            suffixes[w[-k:]] += n
    vocab = list(SPECIALS)
    vocab += chars + ["##" + c for c in chars]
    vocab += [w for w, _ in words.most_common(max_words) if w not in vocab]
    vocab += ["##" + s for s, _ in suffixes.most_common(max_suffixes)]
    seen, ordered = set(), []
    for t in vocab:
        if t not in seen:
            seen.add(t)
            ordered.append(t)
    return WordPiece({t: i for i, t in enumerate(ordered)})


def to_hf_json(wp, length):
    """The tokenizer.json that the page, `tokenizers` and transformers.js read."""
    special = [
        {
            "id": i,
            "content": t,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for i, t in enumerate(SPECIALS)
    ]
    return {
        "version": "1.0",
        "truncation": {
            "direction": "Right",
            "max_length": length,
            "strategy": "LongestFirst",
            "stride": 0,
        },
        "padding": {
            "strategy": {"Fixed": length},
            "direction": "Right",
            "pad_to_multiple_of": None,
            "pad_id": PAD,
            "pad_type_id": 0,
            "pad_token": "[PAD]",
        },
        "added_tokens": special,
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [CLS], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [SEP], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": MAX_WORD_CHARS,
            "vocab": wp.vocab,
        },
    }


def save(wp, path, length):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(to_hf_json(wp, length), f, ensure_ascii=False)


def load(path):
    with open(path, encoding="utf-8") as f:
        return WordPiece(json.load(f)["model"]["vocab"])


if __name__ == "__main__":
    # The page's tokenizer (src/lib/pipeline/tokenizer.ts) is checked against this one on odd
    # strings: python3 -m training.tokenizer static/models/clip/tokenizer.json < texts.json
    # prints each text of the JSON list with its ids (tests/unit/fixtures/tokenizer-odd.json;
    # tests/unit/tokenizer.test.ts also runs it on random strings).
    import sys
    wp = load(sys.argv[1])
    cases = [{"text": t, "ids": wp.tokenize(t)} for t in json.load(sys.stdin)]
    print(json.dumps(cases, ensure_ascii=False))
