"""Byte-level BPE tokenizer for the demo model, trained with the project's own code and written as
a Hugging Face tokenizer.json (ByteLevel pre-tokenizer with its standard GPT-2 regex, BPE model,
ByteLevel decoder) that transformers.js loads.

The Python pre-split below equals the ByteLevel regex on ASCII text (\\p{L} = [A-Za-z],
\\p{N} = [0-9]); the generator asserts its text is ASCII. verify_js.mjs checks from Node that
transformers.js produces the same ids.
"""
import collections, json, re

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")
PRETOK_RE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()


def pretokenize(text):
    """Split into (is_special, piece) runs the way HF does: added tokens first, then the ByteLevel regex."""
    out = []
    for part in SPECIAL_RE.split(text):
        if not part:
            continue
        if part in SPECIALS:
            out.append((True, part))
        else:
            out.extend((False, "".join(B2U[b] for b in m.group(0).encode("utf-8"))) for m in PRETOK_RE.finditer(part))
    return out


def train(text, vocab_size):
    """Learns merges on `text` until the vocabulary (specials + 256 bytes + merges) has vocab_size entries."""
    counts = collections.Counter(p for special, p in pretokenize(text) if not special)
    words = {w: tuple(w) for w in sorted(counts)}
    vocab = list(SPECIALS) + [B2U[b] for b in range(256)]
    merges = []
    pair_counts = collections.Counter()
    for w, sym in words.items():
        for a, b in zip(sym, sym[1:]):
            pair_counts[(a, b)] += counts[w]
    while len(vocab) < vocab_size and pair_counts:
        # Most frequent pair; ties broken by the pair itself so training is deterministic.
        best = max(pair_counts.items(), key=lambda kv: (kv[1], [-ord(c) for c in kv[0][0] + "\0" + kv[0][1]]))[0]
        if pair_counts[best] < 2:
            break
        merges.append(best)
        new = best[0] + best[1]
        vocab.append(new)
        for w, sym in words.items():
            if best[0] not in sym:
                continue
            i, out = 0, []
            changed = False
            while i < len(sym):
                if i + 1 < len(sym) and sym[i] == best[0] and sym[i + 1] == best[1]:
                    out.append(new); i += 2; changed = True
                else:
                    out.append(sym[i]); i += 1
            if changed:
                c = counts[w]
                for a, b in zip(sym, sym[1:]):
                    pair_counts[(a, b)] -= c
                for a, b in zip(out, out[1:]):
                    pair_counts[(a, b)] += c
                words[w] = tuple(out)
        pair_counts = collections.Counter({k: v for k, v in pair_counts.items() if v > 0})
    return vocab, merges


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.merges = merges
        self.cache = {}
        self.u2b = {u: b for b, u in B2U.items()}

    def _bpe(self, word):
        sym = list(word)
        while len(sym) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(sym, sym[1:]))]
            r, i = min(pairs)
            if r == 1 << 30:
                break
            sym[i:i + 2] = [sym[i] + sym[i + 1]]
        return [self.ids[s] for s in sym]

    def encode(self, text):
        out = []
        for special, p in pretokenize(text):
            if special:
                out.append(self.ids[p])
            else:
                ids = self.cache.get(p)
                if ids is None:
                    ids = self.cache[p] = self._bpe(p)
                out.extend(ids)
        return out

    def decode(self, ids):
        parts, buf = [], []
        for i in ids:
            t = self.vocab[i]
            if t in SPECIALS:
                parts.append(bytes(buf).decode("utf-8", "replace")); buf = []; parts.append(t)
            else:
                buf.extend(self.u2b[c] for c in t)
        parts.append(bytes(buf).decode("utf-8", "replace"))
        return "".join(parts)

    def to_hf_json(self):
        added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for i, s in enumerate(SPECIALS)]
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.ids, "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    @staticmethod
    def from_hf_json(d):
        vocab = [None] * len(d["model"]["vocab"])
        for t, i in d["model"]["vocab"].items():
            vocab[i] = t
        return Tokenizer(vocab, [tuple(m.split(" ")) for m in d["model"]["merges"]])
