"""GPT-2's byte-level BPE tokenizer, from `vocab.json` + `merges.txt`, and a tiny trainer for test models.

Pre-tokenization follows GPT-2's pattern
`'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+`, written as a
scanner because Python's `re` has no `\\p{L}`: a letter is a character whose Unicode category starts
with "L", a number one whose category starts with "N" (exactly `\\p{L}` / `\\p{N}`, as of the
interpreter's Unicode database), and whitespace is `str.isspace()`. The one known difference from
the `regex` module's `\\s` (Unicode White_Space): U+001C..U+001F count as whitespace here and not
there. Every piece is mapped byte by byte through GPT-2's `bytes_to_unicode` table, then merged by
rank from `merges.txt`.
"""

import json
import os
import unicodedata
from collections import Counter

CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")
EOS = "<|endoftext|>"


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable unicode characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def _kind(ch):
    if ch.isspace():
        return "s"
    cat = unicodedata.category(ch)
    return "L" if cat[0] == "L" else ("N" if cat[0] == "N" else "o")


def pretokenize(text):
    """The pieces GPT-2's pre-tokenization pattern yields for `text`, in order."""
    pieces, i, n = [], 0, len(text)
    while i < n:
        contraction = next((c for c in CONTRACTIONS if text.startswith(c, i)), None)
        if contraction:
            pieces.append(contraction)
            i += len(contraction)
            continue
        start = i + 1 if text[i] == " " and i + 1 < n and _kind(text[i + 1]) != "s" else i
        kind = _kind(text[start])
        if kind != "s":
            j = start + 1
            while j < n and _kind(text[j]) == kind:
                j += 1
            pieces.append(text[i:j])
            i = j
            continue
        j = i
        while j < n and text[j].isspace():
            j += 1
        # \s+(?!\S): a run followed by a non-space gives its last character to the next piece.
        end = j if j == n or j - i == 1 else j - 1
        pieces.append(text[i:end])
        i = end
    return pieces


class Tokenizer:
    """Byte-level BPE over a GPT-2 vocabulary: encode(str) -> ids, decode(ids) -> str."""

    def __init__(self, vocab, merges):
        self.encoder = dict(vocab)
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        self.eos_id = self.encoder.get(EOS)
        self._cache = {}

    @classmethod
    def from_dir(cls, model_dir):
        with open(os.path.join(model_dir, "vocab.json"), encoding="utf-8") as f:
            vocab = json.load(f)
        with open(os.path.join(model_dir, "merges.txt"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")]
        return cls(vocab, merges)

    def _bpe(self, word):
        if word in self._cache:
            return self._cache[word]
        parts = list(word)
        while len(parts) > 1:
            ranked = [(self.ranks.get(pair, float("inf")), k) for k, pair in enumerate(zip(parts, parts[1:]))]
            rank, first = min(ranked)
            if rank == float("inf"):
                break
            pair = (parts[first], parts[first + 1])
            merged, k = [], 0
            while k < len(parts):
                if k < len(parts) - 1 and (parts[k], parts[k + 1]) == pair:
                    merged.append(pair[0] + pair[1])
                    k += 2
                else:
                    merged.append(parts[k])
                    k += 1
            parts = merged
        self._cache[word] = parts
        return parts

    def encode(self, text):
        ids = []
        for piece in pretokenize(text):
            word = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[p] for p in self._bpe(word))
        return ids

    def decode(self, ids):
        text = "".join(self.decoder[i] for i in ids)
        return bytes(self.byte_decoder[c] for c in text).decode("utf-8", errors="replace")


def train_bpe(text, vocab_size):
    """A byte-level BPE trained on `text`: (vocab, merges) with `vocab_size` entries, EOS last.

    Deterministic: each round merges the most frequent adjacent pair, ties broken by the smaller
    pair (string order). Stops early when no pair occurs twice.
    """
    byte_encoder = bytes_to_unicode()
    words = Counter("".join(byte_encoder[b] for b in p.encode("utf-8")) for p in pretokenize(text))
    splits = {w: list(w) for w in words}
    vocab = {byte_encoder[b]: b for b in range(256)}
    merges = []
    while len(vocab) < vocab_size - 1:
        pairs = Counter()
        for w, count in words.items():
            parts = splits[w]
            for pair in zip(parts, parts[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if best[1] < 2:
            break
        pair = best[0]
        merges.append(pair)
        vocab[pair[0] + pair[1]] = len(vocab)
        for w in words:
            parts, merged, k = splits[w], [], 0
            while k < len(parts):
                if k < len(parts) - 1 and (parts[k], parts[k + 1]) == pair:
                    merged.append(pair[0] + pair[1])
                    k += 2
                else:
                    merged.append(parts[k])
                    k += 1
            splits[w] = merged
    vocab[EOS] = len(vocab)
    return vocab, merges
