"""Which words of a question say what it is about (its subject or topic: "Nørrebro", "politiet", "ledige
borgere") and which only chat or phrase the ask ("Jeg er lige startet …", "hvilke indsatser involverer …").

Word frequency alone cannot tell them apart ("involverer" is rarer in Danish than "bibliotek"), and
neither can a list of words. A small model fitted on the bank's labelled topics weighs what tells them
apart together: how rare the word is in Danish, whether and how often the documents use it, whether a
preposition stands before it ("om", "i", "på", "med"), whether it is capitalised, where in the question
it stands, and whether it only phrases a list question.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sikkerby.assistant.matching import TermMatcher, is_generic
from sikkerby.ingest.danish import WORD_RE, fold, is_stopword, skeleton, term
from sikkerby.ingest.frequencies import zipf

log = logging.getLogger(__name__)

FOCUS_FEATURES = [
    "zipf_da",
    "zipf_en",
    "corpus_df",
    "corpus_share",
    "in_vocabulary",
    "through_compound",
    "unknown",
    "routing",
    "after_preposition",
    "capitalised",
    "abbreviation",
    "position",
    "last",
    "length",
    "english",
    "glossed",
    "lead_in",
]

_PREPOSITIONS = frozenset(
    [
        "om",
        "i",
        "på",
        "pa",
        "med",
        "mod",
        "for",
        "ved",
        "til",
        "fra",
        "omkring",
        "vedrørende",
        "vedrorende",
        "angående",
        "angaende",
        "about",
        "in",
        "on",
        "with",
        "against",
        "for",
        "at",
        "around",
        "regarding",
        "concerning",
    ]
)


@lru_cache(maxsize=8)
def _skeletons(routing: frozenset[str]) -> frozenset[str]:
    return frozenset(skeleton(r) for r in routing)


@dataclass(frozen=True)
class TermCandidate:
    """One content word of a question, with what the focus model reads of it."""

    term: str
    word: str
    features: np.ndarray


def term_candidates(
    text: str,
    matcher: TermMatcher,
    *,
    routing: frozenset[str],
    english: bool = False,
    glossed: frozenset[str] = frozenset(),
    lead_in: frozenset[str] = frozenset(),
) -> list[TermCandidate]:
    """The content words of ``text`` (for an English question: its words glossed in Danish and the
    names it shares with the documents) with their features, first occurrence of each term only;
    ``lead_in``: the terms of the question's lead-in before its ask."""
    found = [m for m in WORD_RE.finditer(text) if not m.group()[:1].isdigit()]
    # a typo of a word that only phrases the ask ("indsater") phrases it all the same
    routing_skeletons = _skeletons(routing)
    words = [m.group() for m in found]
    n_docs = max(matcher.bm25.size, 1)
    out: list[TermCandidate] = []
    seen: set[str] = set()
    for i, word in enumerate(words):
        if is_stopword(word) or len(word) < 2:
            continue
        t = term(word)
        # the words every passage is about ("København", "kommunen", "strategien") name no topic
        if not t or t in seen or is_generic(t):
            continue
        seen.add(t)
        df = matcher.bm25.document_frequency(t)
        expanded = matcher.bm25.expand(t) if not df else []
        before = fold(words[i - 1]) if i > 0 else ""
        features = [
            zipf(word, "da"),
            zipf(word, "en"),
            math.log1p(df),
            df / n_docs,
            float(df > 0),
            float(not df and bool(expanded)),
            float(not df and not expanded),
            float(t in routing or skeleton(t) in routing_skeletons),
            float(before in _PREPOSITIONS),
            float(word[:1].isupper() and i > 0),
            float(word.isupper() and len(word) >= 2),
            i / max(len(words) - 1, 1),
            float(i == len(words) - 1),
            math.log(len(word)),
            float(english),
            float(word.lower() in glossed),
            # a word of a chatty lead-in ("Jeg koordinerer med DSB – …") rather than of the ask
            float(t in lead_in),
        ]
        out.append(TermCandidate(t, word, np.array(features)))
    return out
