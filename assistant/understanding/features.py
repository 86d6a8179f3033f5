"""What the models see of a question: the query embedding the retriever computes anyway, slots found by
name patterns, and how well the best passages cover the question (dense and BM25 scores, the share of
the question's rare words they hold, whether they hold the kind of fact asked for)."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sikkerby.assistant.composer import Intent, question_intent
from sikkerby.assistant.matching import TermMatcher, content_terms, is_english
from sikkerby.assistant.router import find_department, find_principle
from sikkerby.index.hybrid import Hit, HybridRetriever, SearchFilter
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE
from sikkerby.ingest.danish import split_sentences, term, words
from sikkerby.ingest.frequencies import zipf

log = logging.getLogger(__name__)

#: a content word rarer than this (Zipf scale, Danish) names what the question is about
RARE_ZIPF = 4.0
#: how many passages the answerability features look at
TOP = 3

SLOT_FEATURES = [
    "has_principle",
    "has_department",
    "english",
    "log_words",
    "asks_fact",
    "statement_cos",
    "initiative_cos",
    "statement_minus_initiative",
]
ANSWER_FEATURES = [
    "dense_top",
    "dense_gap",
    "bm25_top",
    "coverage_top",
    "coverage_best",
    "rare_coverage",
    "rare_words",
    "rare_unknown_share",
    "asks_fact",
    "fact_found",
    "english",
]


@dataclass
class QuestionView:
    """One question as the understanding models see it (computed once per question)."""

    question: str
    english: bool
    terms: list[str]
    rare_terms: list[str]
    principle: str | None
    department: str | None
    intent: Intent | None
    vector: np.ndarray
    hits: list[Hit] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    #: cosine to the closest principle statement and to the closest initiative: a paraphrase of a
    #: principle is closer to its statement than to any one initiative
    statement_cos: float = 0.0
    initiative_cos: float = 0.0

    def slot_vector(self) -> np.ndarray:
        return np.array(
            [
                float(self.principle is not None),
                float(self.department is not None),
                float(self.english),
                math.log1p(len(words(self.question))),
                float(self.intent is not None),
                self.statement_cos,
                self.initiative_cos,
                self.statement_cos - self.initiative_cos,
            ]
        )


class FeatureExtractor:
    """Builds a :class:`QuestionView` with one embedding and one hybrid search."""

    def __init__(self, *, retriever: HybridRetriever, matcher: TermMatcher) -> None:
        self.retriever = retriever
        self.matcher = matcher

    def view(self, question: str) -> QuestionView:
        english = is_english(question)
        question_terms = content_terms(question)
        department = find_department(question)
        vector = self.retriever.query_vector(question)
        hits = self.retriever.search(question, k=5, vector=vector, lexical=not english)
        return QuestionView(
            question=question,
            english=english,
            terms=question_terms,
            rare_terms=rare_terms(question, question_terms),
            principle=find_principle(question),
            department=department.name if department else None,
            intent=question_intent(question),
            vector=vector.reshape(-1),
            hits=hits,
            unknown=[] if english else self.matcher.unknown(question_terms),
            statement_cos=self._closest(question, vector, KIND_PRINCIPLE),
            initiative_cos=self._closest(question, vector, KIND_INITIATIVE),
        )

    def _closest(self, question: str, vector: np.ndarray, kind: str) -> float:
        hits = self.retriever.search(
            question, k=1, vector=vector, lexical=False, search_filter=SearchFilter(kinds=(kind,))
        )
        return hits[0].dense_score if hits else 0.0

    def kind_vector(self, view: QuestionView) -> np.ndarray:
        return np.concatenate([view.vector, view.slot_vector()])

    def answer_vector(self, view: QuestionView, kind_proba: Sequence[float]) -> np.ndarray:
        hits = view.hits[:TOP]
        dense = [h.dense_score for h in hits] + [0.0, 0.0]
        coverages = [self.matcher.coverage(view.terms, h.chunk.text) for h in hits] or [0.0]
        joined = " ".join(h.chunk.text for h in hits)
        rare_coverage = self.matcher.coverage(view.rare_terms, joined) if view.rare_terms else 1.0
        # only rare words can make the document silent: an everyday word it happens not to use ("dage",
        # "sker", "laver") says nothing about whether it answers
        n_rare = max(len(view.rare_terms), 1)
        values = [
            dense[0],
            dense[0] - dense[1],
            math.log1p(max((h.bm25_score for h in hits), default=0.0)),
            coverages[0],
            max(coverages),
            rare_coverage,
            float(len(view.rare_terms)),
            # a compound of which the document has a part ("klassetrin": "klasse") counts as known
            sum(t in view.rare_terms for t in view.unknown) / n_rare,
            float(view.intent is not None),
            float(self.fact_found(view)),
            float(view.english),
        ]
        return np.concatenate([np.array(values), np.asarray(kind_proba, dtype=float)])

    def fact_found(self, view: QuestionView) -> bool:
        """Whether a passage about the question states the kind of fact it asks for (a year for
        "hvornår", a number for "hvor mange", an amount for "hvad koster")."""
        if view.intent is None:
            return False
        subject = view.rare_terms or view.terms  # what the question is about, not how it asks
        for hit in view.hits[:TOP]:
            if subject and not view.english and self.matcher.coverage(subject, hit.chunk.text) < 0.5:
                continue
            if any(view.intent.answered_by(view.question, s) for s in split_sentences(hit.chunk.text)):
                return True
        return False


def rare_terms(question: str, question_terms: list[str]) -> list[str]:
    """The question's content terms whose words are rare in Danish (names, places, subject words)."""
    wanted = set(question_terms)
    out = []
    for word in words(question):
        t = term(word)
        if t in wanted and t not in out and zipf(word, "da") < RARE_ZIPF:
            out.append(t)
    return out
