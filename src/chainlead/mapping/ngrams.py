"""Vectorised character n-gram TF-IDF (字符 n-gram 向量化) with a fitted scikit-learn vocabulary.

scikit-learn's `TfidfVectorizer(analyzer="char")` cuts every document into n-grams in Python and
looks each one up in a dict — the largest single cost of mapping a million enterprises. This does
the same transform for a whole chunk at once with numpy: the documents are joined with a
separator, every n-gram (n ≤ 3) becomes one 63-bit integer (21 bits per code point), integers are
looked up in an open-addressing hash table built from the vocabulary, and counts per (row, column) give the
sublinear-tf × idf rows, L2-normalised. The result equals the vectoriser's own `transform`
(tests/mapping/test_ngrams.py checks it).
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

BITS = 21  # every Unicode code point fits in 21 bits; three of them in a positive int64
MAX_N = 3
_WHITE = re.compile(r"\s\s+")  # as scikit-learn's _VectorizerMixin._white_spaces


def _key(gram: str) -> int:
    key = 0
    for ch in gram:
        key = (key << BITS) | ord(ch)
    return key


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class _HashTable:
    """int64 key → column, open addressing with linear probing; lookups vectorised."""

    def __init__(self, keys: np.ndarray, cols: np.ndarray) -> None:
        self.bits = max(10, int(np.ceil(np.log2(max(len(keys), 1) * 2.5))))
        self.mask = (1 << self.bits) - 1
        self.keys = np.full(1 << self.bits, -1, dtype=np.int64)
        self.cols = np.full(1 << self.bits, -1, dtype=np.int64)
        slot, todo = self._slot(keys), np.arange(len(keys))
        while len(todo):
            s = slot[todo]
            free = self.keys[s] == -1
            first = np.zeros(len(todo), dtype=bool)
            _, at = np.unique(s, return_index=True)
            first[at] = True
            put = free & first
            self.keys[s[put]], self.cols[s[put]] = keys[todo[put]], cols[todo[put]]
            slot[todo[~put]] = (s[~put] + 1) & self.mask
            todo = todo[~put]

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The column of every key, -1 for keys not in the table."""
        out = np.full(len(keys), -1, dtype=np.int64)
        slot, todo = self._slot(keys), np.arange(len(keys))
        while len(todo):
            s = slot[todo]
            found = self.keys[s]
            hit = found == keys[todo]
            out[todo[hit]] = self.cols[s[hit]]
            go_on = ~hit & (found != -1)
            slot[todo[go_on]] = (s[go_on] + 1) & self.mask
            todo = todo[go_on]
        return out


class FastCharTfidf:
    """`transform` of a fitted char-n-gram `TfidfVectorizer`, vectorised over many documents."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        lo, hi = vec.ngram_range
        if not self.supports(vec):
            raise ValueError("only fitted char n-gram vectorisers with n ≤ 3, l2 norm, lowercase")
        self.ngram_range = (lo, hi)
        self.sublinear = bool(vec.sublinear_tf)
        vocab = vec.vocabulary_
        keys = np.fromiter((_key(g) for g in vocab), dtype=np.int64, count=len(vocab))
        cols = np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))
        self.table = _HashTable(keys, cols)
        self.n_features = len(vocab)
        self.idf = np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else np.ones(len(vocab))

    @staticmethod
    def supports(vec: TfidfVectorizer) -> bool:
        return (
            vec.analyzer == "char"
            and vec.ngram_range[1] <= MAX_N
            and vec.lowercase
            and not vec.strip_accents
            and vec.preprocessor is None
            and vec.norm == "l2"
            and not vec.binary
            and hasattr(vec, "vocabulary_")
        )

    def transform(self, docs: list[str]) -> sparse.csr_matrix:
        n_docs = len(docs)
        shape = (n_docs, self.n_features)
        if not n_docs:
            return sparse.csr_matrix(shape)
        text = _WHITE.sub(" ", "\x00".join(d.replace("\x00", "") for d in docs).lower())
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        sep = codes == 0
        seps_before = np.concatenate(([0], np.cumsum(sep)))  # separators in codes[:i]
        rows_parts, cols_parts = [], []
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            m = len(codes) - n + 1
            if m <= 0:
                continue
            key = codes[:m].copy()
            for k in range(1, n):
                key = (key << BITS) | codes[k : k + m]
            ok = seps_before[n : n + m] == seps_before[:m]  # no separator inside the window
            key, start = key[ok], np.nonzero(ok)[0]
            col = self.table.get(key)
            hit = col >= 0
            rows_parts.append(seps_before[start[hit]])
            cols_parts.append(col[hit])
        rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, np.int64)
        cols = np.concatenate(cols_parts) if cols_parts else np.zeros(0, np.int64)
        counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)  # sums duplicates
        counts.sum_duplicates()
        if self.sublinear:
            np.log(counts.data, out=counts.data)
            counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        counts.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(counts.indptr))
        return counts
