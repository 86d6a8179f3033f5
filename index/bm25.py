"""Sparse BM25 over Danish search terms (stemmed, folded).

bm25s computes the term-by-document score matrix at build time; questions are scored from its saved
column arrays with numpy alone, so answering a question never imports bm25s or scipy.
"""

from __future__ import annotations

import bisect
import io
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from sikkerby.ingest.danish import SKELETON_MIN, skeleton
from sikkerby.ingest.names import starts_name

log = logging.getLogger(__name__)

#: Query terms at least this long also match the compounds they start or end
#: ("fritidsjob" -> "fritidsjobindsats", "indsats" -> "skoleindsats").
COMPOUND_MIN = 4
COMPOUND_WEIGHT = 0.5
#: A query term missing from the vocabulary also matches terms with the same consonant skeleton
#: (OCR-damaged spellings such as "natteveert" for "nattevært").
SKELETON_WEIGHT = 0.8
#: A query compound missing from the vocabulary matches its known parts ("bandekriminalitet").
PART_MIN = 4
PART_WEIGHT = 0.4


#: the files bm25s writes (and this class reads), with the parameters that made the scores
_ARRAYS = ("data", "indices", "indptr")
VOCAB_FILE = "vocab.index.json"
PARAMS_FILE = "params.index.json"
#: every file of a saved index, by name
FILES = (*(f"{name}.csc.index.npy" for name in _ARRAYS), VOCAB_FILE, PARAMS_FILE)


class BM25Error(ValueError):
    """Saved BM25 arrays that do not form a usable index; the message names the file."""


class BM25Index:
    """BM25 scores for every document for a list of query terms."""

    def __init__(
        self,
        *,
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        vocab: dict[str, int],
        num_docs: int,
        params: dict[str, Any] | None = None,
    ) -> None:
        # column t of the (documents x terms) score matrix: rows indices[indptr[t]:indptr[t+1]]
        self._data, self._indices, self._indptr = data, indices, indptr
        self._num_docs = num_docs
        self.params = dict(params or {})
        self._vocab_all = vocab
        self.vocab: dict[str, int] = {t: i for t, i in vocab.items() if t}
        self._sorted = sorted(self.vocab)
        self._reversed = sorted(t[::-1] for t in self.vocab)
        self._df = np.diff(indptr)
        self._skeletons: dict[str, list[str]] = {}
        for t in self.vocab:
            key = skeleton(t)
            if len(key) >= SKELETON_MIN:
                self._skeletons.setdefault(key, []).append(t)

    @classmethod
    def build(cls, documents: list[list[str]]) -> BM25Index:
        import bm25s

        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(bm25s.tokenization.Tokenized(*_to_ids(documents)), show_progress=False)
        scores = model.scores
        params = {
            "k1": model.k1,
            "b": model.b,
            "delta": model.delta,
            "method": model.method,
            "idf_method": model.idf_method,
            "dtype": model.dtype,
            "int_dtype": model.int_dtype,
            "num_docs": int(scores["num_docs"]),
            "version": bm25s.__version__,
            "backend": model.backend,
        }
        return cls(
            data=np.asarray(scores["data"]),
            indices=np.asarray(scores["indices"]),
            indptr=np.asarray(scores["indptr"]),
            vocab=dict(model.vocab_dict),
            num_docs=int(scores["num_docs"]),
            params=params,
        )

    @property
    def size(self) -> int:
        return self._num_docs

    def term_scores(self, token_id: int) -> np.ndarray:
        """The BM25 score of one vocabulary term in every document."""
        out = np.zeros(self._num_docs, dtype=np.float32)
        start, end = self._indptr[token_id], self._indptr[token_id + 1]
        out[self._indices[start:end]] = self._data[start:end]
        return out

    def expand(self, term: str) -> list[tuple[str, float]]:
        """The vocabulary terms a query term matches, with weights (compound parts count half)."""
        out: list[tuple[str, float]] = []
        if term in self.vocab:
            out.append((term, 1.0))
        else:
            out.extend((found, SKELETON_WEIGHT) for found in self._skeletons.get(skeleton(term), ()))
            if not out:
                out.extend((part, PART_WEIGHT) for part in self.known_parts(term))
        if len(term) >= COMPOUND_MIN:
            for found in _with_prefix(self._sorted, term):
                if found != term and not starts_name(term, found):
                    out.append((found, COMPOUND_WEIGHT))
            for found in _with_prefix(self._reversed, term[::-1]):
                found = found[::-1]
                if found != term:
                    out.append((found, COMPOUND_WEIGHT))
        return out

    def known_parts(self, term: str) -> list[str]:
        """Vocabulary terms that a compound query term starts or ends with (at least 4 letters)."""
        parts = []
        for i in range(PART_MIN, len(term) - 2):
            if term[:i] in self.vocab:
                parts.append(term[:i])
        for i in range(2, len(term) - PART_MIN + 1):
            if term[i:] in self.vocab:
                parts.append(term[i:])
        return parts

    def scores(self, query_terms: list[str]) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.float32)
        weights: dict[str, float] = {}
        for term in query_terms:
            for found, weight in self.expand(term):
                weights[found] = max(weights.get(found, 0.0), weight)
        for found, weight in weights.items():
            total += weight * self.term_scores(self.vocab[found])
        return total

    def document_frequency(self, term: str) -> int:
        """In how many documents ``term`` occurs (compound matches not counted)."""
        token_id = self.vocab.get(term)
        return 0 if token_id is None else int(self._df[token_id])

    def to_files(self) -> dict[str, bytes]:
        """bm25s's own file layout as bytes: three .npy arrays (never pickled), the vocabulary and the
        parameters, by file name."""
        files: dict[str, bytes] = {}
        for name, array in zip(_ARRAYS, (self._data, self._indices, self._indptr)):
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            files[f"{name}.csc.index.npy"] = buffer.getvalue()
        files[VOCAB_FILE] = json.dumps(self._vocab_all, ensure_ascii=False).encode("utf-8")
        params = {**self.params, "num_docs": self._num_docs}
        files[PARAMS_FILE] = json.dumps(params, indent=4).encode("utf-8")
        return files

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in self.to_files().items():
            (directory / name).write_bytes(data)

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        """Reads and checks the saved files; anything inconsistent is a :class:`BM25Error` naming the file."""
        files: dict[str, bytes] = {}
        for name in FILES:
            try:
                files[name] = (directory / name).read_bytes()
            except OSError as exc:
                raise BM25Error(f"{directory / name}: unreadable ({exc.strerror})") from exc
        return cls.from_files(files, directory)

    @classmethod
    def from_files(cls, files: dict[str, bytes], directory: Path) -> BM25Index:
        """The index from the bytes of its files (``directory`` names them in errors)."""
        arrays = {
            name: _load_array(files[f"{name}.csc.index.npy"], directory / f"{name}.csc.index.npy") for name in _ARRAYS
        }
        vocab = _load_json(files[VOCAB_FILE], directory / VOCAB_FILE)
        params = _load_json(files[PARAMS_FILE], directory / PARAMS_FILE)
        if not isinstance(vocab, dict) or not all(isinstance(k, str) and type(v) is int for k, v in vocab.items()):
            raise BM25Error(f"{directory / VOCAB_FILE}: must map terms to integer ids")
        num_docs = _check_params(params, directory / PARAMS_FILE)
        data, indices, indptr = (arrays[n] for n in _ARRAYS)
        if indices.dtype.kind not in "iu" or indptr.dtype.kind not in "iu":
            raise BM25Error(f"{directory}: document numbers and column pointers must be integers")
        if indptr.ndim != 1 or len(indptr) != len(vocab) + 1 or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise BM25Error(f"{directory}: column pointers do not fit a vocabulary of {len(vocab)} terms")
        if data.shape != indices.shape or data.ndim != 1 or int(indptr[-1]) != len(data):
            raise BM25Error(f"{directory}: score arrays have inconsistent lengths")
        if not np.all(np.isfinite(data)):
            raise BM25Error(f"{directory}: scores must be finite numbers")
        if len(vocab) and sorted(vocab.values()) != list(range(len(vocab))):
            raise BM25Error(f"{directory / VOCAB_FILE}: term ids must be 0..{len(vocab) - 1}")
        if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= num_docs):
            raise BM25Error(f"{directory}: document numbers out of range for {num_docs} documents")
        return cls(
            data=data.astype(np.float32, copy=False),
            indices=indices,
            indptr=indptr,
            vocab=vocab,
            num_docs=num_docs,
            params=params,
        )


#: what bm25s can have written in params.index.json, and the types each must have
_PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "k1": (int, float),
    "b": (int, float),
    "delta": (int, float),
    "method": (str,),
    "idf_method": (str, type(None)),
    "dtype": (str,),
    "int_dtype": (str,),
    "version": (str,),
    "backend": (str,),
}
_METHODS = ("robertson", "lucene", "atire", "bm25l", "bm25+")
_BACKENDS = ("numpy", "numba", "auto")


def _check_params(params: Any, path: Path) -> int:
    """The number of documents, after checking every parameter's type and value."""
    if not isinstance(params, dict):
        raise BM25Error(f"{path}: must be a JSON object")
    num_docs = params.get("num_docs")
    if type(num_docs) is not int or num_docs < 0:
        raise BM25Error(f"{path}: 'num_docs' must be a non-negative integer")
    for name, value in params.items():
        kinds = _PARAM_TYPES.get(name)
        if name == "num_docs":
            continue
        if kinds is None:
            raise BM25Error(f"{path}: unknown parameter {name!r}")
        if not isinstance(value, kinds) or isinstance(value, bool):
            raise BM25Error(f"{path}: {name!r} has the wrong type ({type(value).__name__})")
    if params.get("method", "lucene") not in _METHODS or params.get("idf_method") not in (*_METHODS, None):
        raise BM25Error(f"{path}: unknown scoring method; expected one of {', '.join(_METHODS)}")
    if params.get("backend", "numpy") not in _BACKENDS:
        raise BM25Error(f"{path}: unknown backend {params.get('backend')!r}; expected one of {', '.join(_BACKENDS)}")
    return num_docs


def _load_array(data: bytes, path: Path) -> np.ndarray:
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise BM25Error(f"{path}: unreadable array ({exc or type(exc).__name__})") from exc
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iuf":
        raise BM25Error(f"{path}: not a numeric array")
    return array


def _load_json(data: bytes, path: Path) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BM25Error(f"{path}: unreadable ({type(exc).__name__}: {exc})") from exc


def _to_ids(documents: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {"": 0}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in documents]
    return ids, vocab


def _with_prefix(sorted_terms: list[str], prefix: str, limit: int = 64) -> list[str]:
    start = bisect.bisect_left(sorted_terms, prefix)
    out = []
    for term in sorted_terms[start : start + limit]:
        if not term.startswith(prefix):
            break
        out.append(term)
    return out
