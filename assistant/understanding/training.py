"""Fit the question models on the bank's dev split (never test or blind) and report cross-validated
accuracy. Run by ``sikkerby train``; the fitted file is committed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sikkerby.assistant.understanding.features import ANSWER_FEATURES, SLOT_FEATURES, FeatureExtractor
from sikkerby.assistant.understanding.logreg import SoftmaxRegression
from sikkerby.assistant.understanding.models import QuestionModels
from sikkerby.eval.golden import ANSWERS, KINDS, GoldenRow

log = logging.getLogger(__name__)

FOLDS = 5
KIND_L2 = 30.0
ANSWER_L2 = 3.0


@dataclass
class TrainingReport:
    rows: int
    kind_cv_accuracy: float
    answers_cv_accuracy: float
    kind_confusion: dict[str, dict[str, int]]
    answers_confusion: dict[str, dict[str, int]]


#: the first golden set's types as bank kinds (None: the type says nothing of the kind)
FIRST_SET_KINDS = {
    "list": "list_principle",
    "which_principle": "which_principle",
    "statement": "fact",
    "fact": "fact",
    "department": "list_department",
    "overview": "overview",
}


def training_labels(row: GoldenRow) -> tuple[str | None, str]:
    """(kind or None, answers) of a golden row of either set."""
    if row.answers and row.type in KINDS:
        return row.type, row.answers
    return FIRST_SET_KINDS.get(row.type), "full" if row.answerable else "none"


def fit_models(
    rows: Sequence[GoldenRow], extractor: FeatureExtractor, *, embedder_id: str
) -> tuple[QuestionModels, TrainingReport]:
    """Fit on ``rows`` (the dev split); cross-validate both models over the same folds."""
    views = [extractor.view(r.question) for r in rows]
    x_kind = np.stack([extractor.kind_vector(v) for v in views])
    labels = [training_labels(r) for r in rows]
    kinds = [k or "" for k, _ in labels]
    answers = [a for _, a in labels]
    # rows whose kind is unknown (the first set's paraphrases, English and unanswerable rows) teach only
    # the answerability model
    has_kind = np.array([bool(k) for k in kinds])
    kind_names = [f"e{i}" for i in range(x_kind.shape[1] - len(SLOT_FEATURES))] + SLOT_FEATURES

    def fit_kind(idx: np.ndarray) -> SoftmaxRegression:
        idx = idx[has_kind[idx]]
        return SoftmaxRegression.fit(
            x_kind[idx], [kinds[i] for i in idx], features=kind_names, classes=list(KINDS), l2=KIND_L2
        )

    def answer_matrix(model: SoftmaxRegression, idx: np.ndarray) -> np.ndarray:
        proba = model.proba(x_kind[idx])
        return np.stack([extractor.answer_vector(views[i], p) for i, p in zip(idx, proba)])

    answer_names = ANSWER_FEATURES + [f"p_{k}" for k in KINDS]

    def fit_answers(kind_model: SoftmaxRegression, idx: np.ndarray) -> SoftmaxRegression:
        return SoftmaxRegression.fit(
            answer_matrix(kind_model, idx),
            [answers[i] for i in idx],
            features=answer_names,
            classes=list(ANSWERS),
            l2=ANSWER_L2,
        )

    kind_pred: list[str] = [""] * len(rows)
    answer_pred: list[str] = [""] * len(rows)
    for train, held in folds(len(rows)):
        kind_model = fit_kind(train)
        answers_model = fit_answers(kind_model, train)
        for i, k, a in zip(
            held, kind_model.predict(x_kind[held]), answers_model.predict(answer_matrix(kind_model, held))
        ):
            kind_pred[i], answer_pred[i] = k, a
    everything = np.arange(len(rows))
    kind_model = fit_kind(everything)
    answers_model = fit_answers(kind_model, everything)
    report = TrainingReport(
        rows=len(rows),
        kind_cv_accuracy=float(np.mean([p == t for p, t in zip(kind_pred, kinds) if t])),
        answers_cv_accuracy=float(np.mean([p == t for p, t in zip(answer_pred, answers)])),
        kind_confusion=_confusion([k for k in kinds if k], [p for p, k in zip(kind_pred, kinds) if k]),
        answers_confusion=_confusion(answers, answer_pred),
    )
    info = {
        "trained_on": f"{len(rows)} dev questions ({int(has_kind.sum())} with a kind label)",
        "kind_cv_accuracy": round(report.kind_cv_accuracy, 4),
        "answers_cv_accuracy": round(report.answers_cv_accuracy, 4),
        "folds": FOLDS,
    }
    return QuestionModels(embedder_id, kind_model, answers_model, info), report


def folds(n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """FOLDS fixed train/held-out splits of n rows."""
    order = np.random.default_rng(7).permutation(n)
    return [(np.setdiff1d(order, order[f::FOLDS]), order[f::FOLDS]) for f in range(FOLDS)]


def _confusion(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for t, p in zip(truth, predicted):
        out.setdefault(t, {}).setdefault(p, 0)
        out[t][p] += 1
    return out
