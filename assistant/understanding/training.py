"""Fit the question models on the bank's train and dev splits (never test or blind) and report
cross-validated accuracy. Run by ``sikkerby train``; the fitted file is committed.

Four models, each a small logistic regression (logreg.py):
- kind: the query embedding, the question's frame (frame.py) and its slots -> one of KINDS;
- ranker: per candidate passage (pairs.py) -> does it answer the question (fact and which-principle
  questions, labelled by their evidence passages);
- topic: per initiative -> does a topic list hold it (topic questions, labelled by their evidence);
- answers: retrieval features, the ranker's confidence and the kind probabilities -> full/partial/none.
Cross-validation refits all four on each fold's training rows (the frame vocabulary too), so the
reported accuracies and the per-question predictions (for the policy's curves) are held-out figures.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from sikkerby.assistant.ages import asked_age
from sikkerby.assistant.intents import ask_clause, asks_where_mentioned
from sikkerby.assistant.matching import term_in
from sikkerby.assistant.understanding.features import (
    ANSWER_FEATURES,
    SLOT_FEATURES,
    FeatureExtractor,
    QuestionView,
)
from sikkerby.assistant.understanding.focus import FOCUS_FEATURES
from sikkerby.assistant.understanding.frame import FrameVocabulary
from sikkerby.assistant.understanding.labels import ANSWERS, KINDS, Labelled
from sikkerby.assistant.understanding.logreg import SoftmaxRegression
from sikkerby.assistant.understanding.models import RELEVANT, QuestionModels, relevance
from sikkerby.assistant.understanding.pairs import PAIR_FEATURES
from sikkerby.index.hybrid import Hit
from sikkerby.ingest.danish import terms

log = logging.getLogger(__name__)

FOLDS = 5
KIND_L2 = 30.0
ANSWER_L2 = 3.0
PAIR_L2 = 3.0
FRAME_MIN_COUNT = 3
#: kinds whose evidence is the passage that answers (the ranker learns from them)
RANKED_KINDS = ("fact", "which_principle")


@dataclass
class Example:
    """One labelled question with everything the models read of it (computed once)."""

    row: Labelled
    kind: str | None
    answers: str
    view: QuestionView
    #: candidate passages and which of them are evidence (ranker rows)
    hits: list[Hit]
    relevant: list[bool]
    #: candidate initiatives of a topic question and which of them the list must hold
    topic_hits: list[Hit] = field(default_factory=list)
    topic_relevant: list[bool] = field(default_factory=list)
    pairs: np.ndarray | None = None
    topic_pairs: np.ndarray | None = None


@dataclass
class Prediction:
    """What models fitted without a question said of it (cross-validation)."""

    kind: str
    kind_proba: dict[str, float]
    answers_proba: dict[str, float]
    #: ranker: whether its first choice is an evidence passage (None: not a ranked question), and
    #: p(answers) per candidate passage with the truth
    ranked_right: bool | None = None
    ranked: list[tuple[float, bool]] = field(default_factory=list)
    #: topic model: p(belongs) per candidate initiative, with the truth
    topic: list[tuple[float, bool]] = field(default_factory=list)
    #: focus model: p(says what the question is about) per content word of a topic question, with the truth
    focus: list[tuple[float, bool]] = field(default_factory=list)


@dataclass
class TrainingReport:
    rows: int
    kind_cv_accuracy: float
    answers_cv_accuracy: float
    ranker_cv_accuracy: float
    topic_cv_f1: float
    kind_confusion: dict[str, dict[str, int]]
    answers_confusion: dict[str, dict[str, int]]
    predictions: list[Prediction]
    examples: list[Example]


def prepare(rows: Sequence[Labelled], extractor: FeatureExtractor) -> list[Example]:
    examples = []
    for row in rows:
        view = extractor.view(row.question, context=row.refers_to)
        hits = view.hits
        relevant = [row.is_evidence(h.chunk.text) for h in hits]
        example = Example(row, row.kind, row.answers, view, hits, relevant)
        example.pairs = extractor.pairs(view, hits)
        # a list narrowed by an age ("unge over 18") is the age slot's to decide (ages.py), not the
        # topic model's: its words say nothing about which initiatives meet the ages
        if row.kind == "list_topic" and row.answers != "none" and asked_age(row.question) is None:
            topic_hits = extractor.initiative_candidates(view)
            example.topic_hits = topic_hits
            example.topic_relevant = [row.is_evidence(h.chunk.text) for h in topic_hits]
            if any(example.topic_relevant):
                example.topic_pairs = extractor.pairs(view, topic_hits)
        examples.append(example)
    return examples


def fit_focus(examples: Sequence[Example]) -> SoftmaxRegression:
    """The focus model. A word of a topic question is about the topic when it is a word of the labelled
    topic (or a compound of one); a word of a fact or which-principle question is its subject when the
    answer's labelled key words (its answer words and evidence phrases) hold it."""
    rows, labels = [], []
    for e in examples:
        if e.row.topic:
            wanted = frozenset(terms(e.row.topic))
        elif e.kind in RANKED_KINDS and e.answers != "none" and e.row.key_phrases:
            wanted = frozenset(terms(" ".join(e.row.key_phrases)))
        else:
            continue
        for candidate in e.view.candidates:
            rows.append(candidate.features)
            labels.append(RELEVANT if term_in(candidate.term, wanted) else "no")
    return SoftmaxRegression.fit(np.stack(rows), labels, features=FOCUS_FEATURES, classes=["no", RELEVANT], l2=PAIR_L2)


def refocus(e: Example, extractor: FeatureExtractor) -> Example:
    """The example as ``extractor``'s focus model reads it (its focus, and what depends on it)."""
    subject, subject_p = extractor.focus_of(
        e.view.candidates,
        rare=e.view.rare_terms,
        unknown=e.view.unknown,
        named=asks_where_mentioned(ask_clause(e.view.ask)),
    )
    view = replace(e.view, focus=subject, subject_p=subject_p)
    out = replace(e, view=view, pairs=extractor.pairs(view, e.hits))
    if e.topic_pairs is not None:
        out.topic_pairs = extractor.pairs(view, e.topic_hits)
    return out


class _Fitter:
    """Fits the five models on a subset of the examples."""

    def __init__(self, examples: list[Example], extractor: FeatureExtractor, *, k: int = FOLDS) -> None:
        self.examples = examples
        self.extractor = extractor
        self.k = k

    def fit(self, idx: Sequence[int] | np.ndarray, *, embedder_id: str) -> tuple[QuestionModels, list[Example]]:
        """The models fitted on the examples at ``idx``, and every example as their focus model reads it."""
        focus = fit_focus([self.examples[i] for i in idx])
        focused = self.extractor.with_focus(focus)
        examples = [refocus(e, focused) for e in self.examples]
        chosen = [examples[i] for i in idx]
        vocabulary = FrameVocabulary.fit([e.view.frame for e in chosen], min_count=FRAME_MIN_COUNT)
        kind = self._fit_kind(chosen, vocabulary)
        ranker = _fit_pairs(_ranked(chosen))
        topic = _fit_pairs([(e.topic_pairs, e.topic_relevant) for e in chosen if e.topic_pairs is not None])
        x = self._stacked(chosen, vocabulary)
        answers = SoftmaxRegression.fit(
            x,
            [e.answers for e in chosen],
            features=ANSWER_FEATURES + [f"p_{k}" for k in KINDS],
            classes=list(ANSWERS),
            l2=ANSWER_L2,
        )
        info = {"trained_on": f"{len(chosen)} questions ({sum(1 for e in chosen if e.kind)} with a kind label)"}
        return QuestionModels(embedder_id, vocabulary, kind, answers, ranker, topic, focus, info), examples

    def _stacked(self, chosen: list[Example], vocabulary: FrameVocabulary) -> np.ndarray:
        """The answerability features of ``chosen``, each with the kind and ranker probabilities that
        models fitted without it give (inner folds): fitted on in-sample probabilities, the answerability
        model would learn to trust them more than they deserve on a new question."""
        rows: list[np.ndarray | None] = [None] * len(chosen)
        for inner, held in folds(len(chosen), k=self.k):
            subset = [chosen[i] for i in inner]
            kind, ranker = self._fit_kind(subset, vocabulary), _fit_pairs(_ranked(subset))
            for i in held:
                rows[i] = self.answer_vector(chosen[i], vocabulary, kind, ranker)
        return np.stack([r for r in rows if r is not None])

    def _fit_kind(self, chosen: list[Example], vocabulary: FrameVocabulary) -> SoftmaxRegression:
        labelled = [e for e in chosen if e.kind]
        x = np.stack([self.extractor.kind_vector(e.view, vocabulary) for e in labelled])
        dims = len(labelled[0].view.vector)
        names = [f"e{i}" for i in range(dims)] + [f"frame:{g}" for g in vocabulary.grams] + SLOT_FEATURES
        return SoftmaxRegression.fit(
            x, [e.kind or "" for e in labelled], features=names, classes=list(KINDS), l2=KIND_L2
        )

    def answer_vector(
        self, e: Example, vocabulary: FrameVocabulary, kind: SoftmaxRegression, ranker: SoftmaxRegression
    ) -> np.ndarray:
        kind_p = kind.proba(self.extractor.kind_vector(e.view, vocabulary))[0]
        rank_p = relevance(ranker, e.pairs[:3]) if e.pairs is not None else np.zeros(0)
        return self.extractor.answer_vector(e.view, kind_p, rank_p)

    def predict(self, models: QuestionModels, e: Example) -> Prediction:
        kind_p = models.kind.proba(self.extractor.kind_vector(e.view, models.frame))[0]
        rank_p = relevance(models.ranker, e.pairs) if e.pairs is not None else np.zeros(0)
        answers_p = models.answers.proba(self.extractor.answer_vector(e.view, kind_p, rank_p[:3]))[0]
        prediction = Prediction(
            kind=models.kind.classes[int(kind_p.argmax())],
            kind_proba={c: float(p) for c, p in zip(models.kind.classes, kind_p)},
            answers_proba={c: float(p) for c, p in zip(models.answers.classes, answers_p)},
        )
        if e.kind in RANKED_KINDS and e.answers != "none" and any(e.relevant) and len(rank_p):
            prediction.ranked_right = e.relevant[int(rank_p.argmax())]
            prediction.ranked = list(zip(rank_p.tolist(), e.relevant))
        if e.topic_pairs is not None:
            p = relevance(models.topic, e.topic_pairs)
            prediction.topic = list(zip(p.tolist(), e.topic_relevant))
        if e.row.topic and e.view.candidates:
            wanted = frozenset(terms(e.row.topic))
            p = relevance(models.focus, np.stack([c.features for c in e.view.candidates]))
            prediction.focus = [(float(q), term_in(c.term, wanted)) for q, c in zip(p, e.view.candidates)]
        return prediction


def _ranked(examples: Sequence[Example]) -> list[tuple[np.ndarray | None, list[bool]]]:
    """The ranker's training rows: fact and which-principle questions the document answers, with the
    candidate passages that are their evidence."""
    return [
        (e.pairs, e.relevant) for e in examples if e.kind in RANKED_KINDS and e.answers != "none" and any(e.relevant)
    ]


def _fit_pairs(groups: list[tuple[np.ndarray | None, list[bool]]]) -> SoftmaxRegression:
    matrices = [m for m, _ in groups if m is not None and len(m)]
    labels = [RELEVANT if y else "no" for m, ys in groups if m is not None and len(m) for y in ys]
    return SoftmaxRegression.fit(
        np.concatenate(matrices), labels, features=PAIR_FEATURES, classes=["no", RELEVANT], l2=PAIR_L2
    )


def fit_models(
    rows: Sequence[Labelled], extractor: FeatureExtractor, *, embedder_id: str, k: int = FOLDS
) -> tuple[QuestionModels, TrainingReport]:
    """Fit on ``rows`` (the train and dev splits); cross-validate every model over the same ``k`` folds
    (the stacked answerability features use ``k`` inner folds too)."""
    examples = prepare(rows, extractor)
    fitter = _Fitter(examples, extractor, k=k)
    predictions: list[Prediction | None] = [None] * len(examples)
    for train, held in folds(len(examples), k=k):
        models, focused = fitter.fit(train, embedder_id=embedder_id)
        for i in held:
            predictions[i] = fitter.predict(models, focused[i])
    done = [p for p in predictions if p is not None]
    models, _ = fitter.fit(np.arange(len(examples)), embedder_id=embedder_id)
    report = _report(examples, done)
    models.info.update(
        kind_cv_accuracy=round(report.kind_cv_accuracy, 4),
        answers_cv_accuracy=round(report.answers_cv_accuracy, 4),
        ranker_cv_accuracy=round(report.ranker_cv_accuracy, 4),
        topic_cv_f1=round(report.topic_cv_f1, 4),
        folds=k,
    )
    return models, report


def _report(examples: list[Example], predictions: list[Prediction]) -> TrainingReport:
    kinds = [(e.kind, p.kind) for e, p in zip(examples, predictions) if e.kind]
    answers = [
        (e.answers, max(p.answers_proba, key=p.answers_proba.__getitem__)) for e, p in zip(examples, predictions)
    ]
    ranked = [p.ranked_right for p in predictions if p.ranked_right is not None]
    pairs = [pair for p in predictions for pair in p.topic]
    tp = sum(1 for p, y in pairs if p >= 0.5 and y)
    fp = sum(1 for p, y in pairs if p >= 0.5 and not y)
    fn = sum(1 for p, y in pairs if p < 0.5 and y)
    return TrainingReport(
        rows=len(examples),
        kind_cv_accuracy=float(np.mean([t == p for t, p in kinds])),
        answers_cv_accuracy=float(np.mean([t == p for t, p in answers])),
        ranker_cv_accuracy=float(np.mean(ranked)) if ranked else 0.0,
        topic_cv_f1=2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        kind_confusion=_confusion([t for t, _ in kinds if t], [p for t, p in kinds if t]),
        answers_confusion=_confusion([t for t, _ in answers], [p for _, p in answers]),
        predictions=predictions,
        examples=examples,
    )


def folds(n: int, *, k: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` fixed train/held-out splits of n rows."""
    if k < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, not {k}")
    order = np.random.default_rng(7).permutation(n)
    return [(np.setdiff1d(order, order[f::k]), order[f::k]) for f in range(k)]


def _confusion(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for t, p in zip(truth, predicted):
        out.setdefault(t, {}).setdefault(p, 0)
        out[t][p] += 1
    return out
