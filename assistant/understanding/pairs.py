"""What the ranker and the topic model see of one passage for one question: how it scored in both
searches (absolute, relative to the best candidate, and by rank), how much of the question's words and
subject it holds, whether it is about the subject or names it in passing, what kind of passage it is,
and whether it holds the kind of fact the question asks for."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np

from sikkerby.assistant.matching import TermMatcher, term_in
from sikkerby.assistant.subjects import DEFINING
from sikkerby.assistant.understanding.features import QuestionView
from sikkerby.index.hybrid import Hit
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE
from sikkerby.ingest.danish import split_sentences, term, words

log = logging.getLogger(__name__)

PAIR_FEATURES = [
    "dense",
    "dense_gap",
    "dense_rank",
    "bm25",
    "bm25_share",
    "bm25_rank",
    "focus_bm25_share",
    "fused_rank",
    "coverage",
    "focus_coverage",
    "focus_subject",
    "focus_first",
    "focus_defined",
    "is_statement",
    "is_initiative",
    "is_other",
    "log_words",
    "fact_found",
    "fact_on_subject",
    "department_match",
    "principle_match",
    "principle_about",
    "english",
    "english_dense_gap",
    "english_dense_rank",
]


def pair_matrix(
    view: QuestionView,
    hits: Sequence[Hit],
    matcher: TermMatcher,
    *,
    statements: Mapping[str, str] | None = None,
    focus_scores: np.ndarray | None = None,
) -> np.ndarray:
    """One row of PAIR_FEATURES per candidate passage. ``statements``: each principle's statement (a
    passage under the principle whose statement is about the question's subject is about it too, "the
    principle about gangs"); ``focus_scores``: BM25 of the question's subject words alone, per passage
    row (the topic model's strongest signal); None to compute it here."""
    if not hits:
        return np.zeros((0, len(PAIR_FEATURES)))
    dense = np.array([h.dense_score for h in hits])
    bm25 = np.array([h.bm25_score for h in hits])
    if focus_scores is None:
        focus_scores = matcher.bm25.scores(view.focus) if view.focus else np.zeros(matcher.bm25.size)
    dense_rank = _ranks(dense)
    bm25_rank = _ranks(bm25)
    best_dense, best_bm25 = float(dense.max()), float(bm25.max())
    about = {
        label: matcher.coverage(view.focus, text) if view.focus else 0.0 for label, text in (statements or {}).items()
    }
    focus = np.array([float(focus_scores[h.row]) for h in hits])
    best_focus = float(focus.max())
    out = []
    for position, hit in enumerate(hits):
        chunk = hit.chunk
        focus_bm25 = focus[position]
        english = float(view.english)
        gap = best_dense - hit.dense_score
        subject, first, defined = _subject(view.focus, chunk.text)
        on_subject = (
            matcher.coverage(view.focus, chunk.text) if view.focus else matcher.coverage(view.terms, chunk.text)
        )
        fact = float(
            view.intent is not None and any(view.intent.answered_by(view.ask, s) for s in split_sentences(chunk.text))
        )
        out.append(
            [
                hit.dense_score,
                gap,
                1.0 / dense_rank[position],
                math.log1p(hit.bm25_score),
                hit.bm25_score / best_bm25 if best_bm25 > 0 else 0.0,
                1.0 / bm25_rank[position] if hit.bm25_score > 0 else 0.0,
                focus_bm25 / best_focus if best_focus > 0 else 0.0,
                1.0 / (position + 1),
                matcher.coverage(view.terms, chunk.text),
                matcher.coverage(view.focus, chunk.text) if view.focus else 0.0,
                subject,
                first,
                defined,
                float(chunk.kind == KIND_PRINCIPLE),
                float(chunk.kind == KIND_INITIATIVE),
                float(chunk.kind not in (KIND_PRINCIPLE, KIND_INITIATIVE)),
                math.log1p(len(words(chunk.text))),
                fact,
                # a fact of the kind asked for answers only in a passage about the question's subject
                fact * on_subject,
                float(bool(set(view.departments) & set(chunk.departments))),
                float(chunk.principle in view.principles),
                about.get(chunk.principle or "", 0.0),
                english,
                english * gap,
                english / dense_rank[position],
            ]
        )
    return np.array(out)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each score, best first (ties share the better rank)."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def _subject(focus: Sequence[str], text: str) -> tuple[float, float, float]:
    """(a sentence starts with a focus word, the passage's first sentence does, a sentence starting
    with one says what it is or does: a verb among its first words)."""
    if not focus:
        return 0.0, 0.0, 0.0
    any_sentence = first = defined = 0.0
    for i, sentence in enumerate(split_sentences(text)):
        head_words = words(sentence)[:4]
        head = frozenset(term(w) for w in head_words)
        if any(term_in(t, head) for t in focus):
            any_sentence = 1.0
            first = first or float(i == 0)
            defined = defined or float(any(w.lower() in DEFINING for w in head_words))
    return any_sentence, first, defined
