"""How well a passage or sentence covers a question's terms, Danish compounds included."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from functools import lru_cache

from sikkerby.index.bm25 import COMPOUND_MIN, PART_WEIGHT, BM25Index
from sikkerby.index.text import query_terms
from sikkerby.ingest.danish import SKELETON_MIN, skeleton, term, terms, words
from sikkerby.ingest.frequencies import zipf as zipf_frequency
from sikkerby.ingest.names import starts_name
from sikkerby.ingest.synonyms import read_synonyms

log = logging.getLogger(__name__)

# Words that name the corpus itself and so say nothing about which passage answers.
GENERIC_TERMS = frozenset(
    terms(
        "sikker by københavn københavns kommune kommunen strategi strategien princip principper "
        "principperne indsats indsatser indsatsen initiativ initiativer tiltag dokument dokumentet "
        "hører handler arbejder arbejde eksisterer nævnt nævnes står beskrevet beskrives "
        # the document as a thing ("eksemplerne i tabellen", "Sikker By-oversigten")
        "eksempel eksempler eksemplerne tabel tabellen oversigt oversigten "
        # what the document is examples of ("Eksempler på implementering af principperne")
        "implementering implementeringen implementeres implementere"
    )
)
_GENERIC_SKELETONS = frozenset(k for k in (skeleton(t) for t in GENERIC_TERMS) if len(k) >= SKELETON_MIN)


@lru_cache(maxsize=8192)
def is_generic(term: str) -> bool:
    """Whether ``term`` is one of :data:`GENERIC_TERMS`, misspelt ("arbjeder", "stratgien": no Danish
    word with the same skeleton) or as a hyphenated compound of them ("sikker by-tabellen")."""
    if term in GENERIC_TERMS:
        return True
    if "-" in term:
        parts = [p for p in term.split("-") if p]
        return bool(parts) and all(is_generic(p) for p in parts)
    if _generic_compound(term):
        return True
    # a misspelling is no Danish word of its own ("start" shares the skeleton of "strategi")
    key = skeleton(term)
    return len(key) >= SKELETON_MIN and key in _GENERIC_SKELETONS and zipf_frequency(term, "da") < 1.0


def _says_nothing(part: str) -> bool:
    """A compound's part is a stop word ("eksempel") or a word every passage is about ("tabel")."""
    found = terms(part)
    return all(t in GENERIC_TERMS for t in found)


def _generic_compound(term: str) -> bool:
    """A compound of two of the words every passage is about ("eksempeltabellen", "strategidokumentet")."""
    for i in range(COMPOUND_MIN, len(term) - COMPOUND_MIN + 1):
        head, rest = term[:i], term[i:]
        if _says_nothing(head) and (_says_nothing(rest) or (rest[0] in "se" and _says_nothing(rest[1:]))):
            return True
    return False


@lru_cache(maxsize=8192)
def _term_set(text: str) -> frozenset[str]:
    """A passage's terms (the same passages are weighed again and again)."""
    return frozenset(terms(text))


def content_terms(question: str) -> list[str]:
    """Search terms of a question without the words every passage of the corpus is about."""
    return [t for t in dict.fromkeys(query_terms(question)) if not is_generic(t)]


def _compound_splits(term: str, i: int) -> list[tuple[str, str]]:
    splits = [(term[:i], term[i:])]
    if term[i] in "se" and len(term) - i - 1 >= COMPOUND_MIN:
        splits.append((term[:i], term[i + 1 :]))
    return splits


#: heads that make a compound name an area of its first part ("bandeområdet", "støjproblemer",
#: "tryghedsindsatser"): the first part is what it is about
_AREA_HEADS = ("omrad", "indsat", "arbejd", "felt", "problem", "problematik", "tiltag", "initiativ")


def area_of(term: str) -> list[str]:
    """The first part of a compound with an area head, with and without a linking s ("trygheds")."""
    for head in _AREA_HEADS:
        first = term[: -len(head)]
        if term.endswith(head) and len(first) >= COMPOUND_MIN:
            return [first, first[:-1]] if first.endswith("s") and len(first) > COMPOUND_MIN else [first]
    return []


def term_in(term: str, candidates: set[str] | frozenset[str]) -> bool:
    """Whether ``term`` occurs among ``candidates``, as the start or end of a compound there, or with
    the same consonant skeleton (an OCR-damaged spelling of it); a compound with an area head
    ("bandeområdet") by its first part."""
    if _in(term, candidates):
        return True
    return any(not is_generic(first) and _in(first, candidates) for first in area_of(term))


def _in(term: str, candidates: set[str] | frozenset[str]) -> bool:
    if term in candidates:
        return True
    # "havn" is no part of "København" (a word every passage may use, not a compound of the topic)
    if len(term) >= COMPOUND_MIN and any(
        (c.startswith(term) and not starts_name(term, c)) or c.endswith(term)
        for c in candidates
        if len(c) > len(term) and c not in GENERIC_TERMS
    ):
        return True
    key = skeleton(term)
    if len(key) >= SKELETON_MIN and any(skeleton(c) == key for c in candidates):
        return True
    # a compound the text spells as its parts ("migrantsamarbejdet" ~ "migranter ... samarbejdet"),
    # also across a linking s or e ("diskriminationscharter" ~ "diskrimination ... charter") and with
    # the second part inside a compound of its own ("partnervoldssamarbejdet" ~ "partnervold ...
    # myndighedssamarbejde")
    return any(
        head in candidates and (rest in candidates or any(c.startswith(rest) or c.endswith(rest) for c in candidates))
        for i in range(COMPOUND_MIN, len(term) - COMPOUND_MIN + 1)
        for head, rest in _compound_splits(term, i)
    )


class TermMatcher:
    """Scores text against a question with IDF weights taken from the BM25 index."""

    def __init__(self, bm25: BM25Index, *, respell: Callable[[str], str] | None = None) -> None:
        self.bm25 = bm25
        #: a query word as the corpus spells it (index/query.py), for words it never uses as typed
        self.respell = respell
        self._idf: dict[str, float] = {}  # coverage asks for the same terms sentence after sentence

    def idf(self, term: str) -> float:
        """IDF from the index; a term found only inside compounds counts as rare, a term found only
        through its parts as absent (the most specific, so the most telling when missing)."""
        cached = self._idf.get(term)
        if cached is None:
            n = max(self.bm25.size, 1)
            df = self.bm25.document_frequency(term)
            if df == 0 and self.bm25.expand(term) and not self.partial([term]):
                df = 1
            if len(self._idf) > 100_000:  # a long-running server meets unbounded query words
                self._idf.clear()
            cached = self._idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return cached

    def read(self, text: str) -> str:
        """A question as the documents would write it: everyday words as their words (synonyms.py), a
        compound split in two as one word (:meth:`joined`), a word typed without æ/ø/å or misspelt as
        the corpus spells it ("hjemlose", "tryghedsvagtr")."""
        text = self.joined(read_synonyms(text))
        if self.respell is not None:
            respell = self.respell
            text = re.sub(r"[^\W\d_]+", lambda m: respell(m.group()), text)
        return text

    def joined(self, text: str) -> str:
        """``text`` with a compound the documents use but the question splits in two ("kriminal
        forsorgen", "trygheds vagter") written as one word."""
        found = list(re.finditer(r"[^\W\d_]+", text))
        out: list[str] = []
        last = 0
        i = 0
        while i < len(found) - 1:
            a, b = found[i], found[i + 1]
            between = text[a.end() : b.start()]
            if (
                between == " "
                and min(len(a.group()), len(b.group())) >= 4
                and self._splits_compound(a.group(), b.group())
            ):
                out += [text[last : a.start()], a.group() + b.group().lower()]
                last = b.end()
                i += 2
                continue
            i += 1
        return "".join(out) + text[last:] if out else text

    def _splits_compound(self, first: str, second: str) -> bool:
        # the first word is no everyday word of its own ("trygheds", "kriminal"; not "social")
        joined = term(first + second.lower())
        return zipf_frequency(first.lower(), "da") < 3.0 and self.bm25.document_frequency(joined) > 0

    def unknown(self, question_terms: list[str]) -> list[str]:
        """Terms that occur nowhere in the corpus, not even inside a compound or through a part."""
        return [t for t in question_terms if not self.bm25.expand(t)]

    def partial(self, question_terms: list[str]) -> list[str]:
        """Compound terms absent from the corpus of which only a part occurs ("klassetrin")."""
        out = []
        for t in question_terms:
            found = self.bm25.expand(t)
            if found and all(w == PART_WEIGHT for _, w in found):
                out.append(t)
        return out

    def coverage(self, question_terms: list[str], text: str) -> float:
        """IDF-weighted share of the question's terms found in ``text``."""
        if not question_terms:
            return 0.0
        have = _term_set(text)
        total = sum(self.idf(t) for t in question_terms) or 1.0
        return sum(self.idf(t) for t in question_terms if term_in(t, have)) / total


#: how common a word must be in English to be read as an English word in a Danish question
ENGLISH_ZIPF = 4.0


def english_words(question: str) -> list[str]:
    """The English words of a Danish question ("Kan du give mig en quick overview af …"): common in
    English, and commoner there than in Danish; never a name ("Netflix")."""
    return [
        w
        for w in words(question)
        if len(w) > 2
        and w[:1].islower()
        and zipf_frequency(w.lower(), "en") >= ENGLISH_ZIPF
        and zipf_frequency(w.lower(), "en") > zipf_frequency(w.lower(), "da") + 0.5
    ]


_EN_HINT = re.compile(r"\b(the|which|what|who|when|where|how|does|do|is|are|of|in|for|and)\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_english(question: str) -> bool:
    """True for a question written in English rather than Danish (compared by word frequencies)."""
    found = words(question)
    # names ("BUF", "Den Korte Snor") are neither language: the words around them decide
    tokens = [w.lower() for i, w in enumerate(found) if len(w) > 1 and not (i > 0 and w[:1].isupper())]
    if not tokens:
        return False
    english = sum(
        1 for w in tokens if zipf_frequency(w, "en") > zipf_frequency(w, "da") + 0.5 and zipf_frequency(w, "en") > 2.5
    )
    return english / len(tokens) >= 0.5 and bool(_EN_HINT.search(question))
