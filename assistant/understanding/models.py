"""The fitted models: what kind of question it is, which passages answer it, which initiatives a topic
list holds, and whether the document answers it fully, partly or not. Stored as JSON in
``assistant/data/understanding.json``, fitted by ``sikkerby train``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sikkerby.assistant.settings import package_data
from sikkerby.assistant.understanding.frame import FrameVocabulary
from sikkerby.assistant.understanding.logreg import ModelFileError, SoftmaxRegression, load_json, save_models
from sikkerby.index.hybrid import Hit

log = logging.getLogger(__name__)

MODELS_FILE = package_data("sikkerby.assistant", "data", "understanding.json")
FORMAT = 2
#: the class of the two passage models that means "this passage answers / belongs"
RELEVANT = "yes"


@dataclass
class Understanding:
    kind: str
    kind_proba: dict[str, float]
    answers: str
    answers_proba: dict[str, float]
    #: the candidate passages with the ranker's probability that each answers the question, best first
    ranked: list[tuple[Hit, float]] = field(default_factory=list)


@dataclass
class QuestionModels:
    """The focus model (which words say what a question is about), the kind model (query embedding +
    frame + slots), the passage ranker and the topic model (per passage: search scores, coverage,
    subject), and the answerability model (retrieval features, the ranker's confidence and the kind
    probabilities), fitted for one embedder."""

    embedder_id: str
    frame: FrameVocabulary
    kind: SoftmaxRegression
    answers: SoftmaxRegression
    ranker: SoftmaxRegression
    topic: SoftmaxRegression
    focus: SoftmaxRegression
    info: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "embedder_id": self.embedder_id,
            "info": self.info,
            "frame": self.frame.grams,
            "kind": self.kind.to_dict(),
            "answers": self.answers.to_dict(),
            "ranker": self.ranker.to_dict(),
            "topic": self.topic.to_dict(),
            "focus": self.focus.to_dict(),
        }

    def save(self, path: Path = MODELS_FILE) -> None:
        save_models(path, self.to_dict())

    @classmethod
    def load(cls, path: Path = MODELS_FILE) -> QuestionModels:
        data = load_json(path)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a question-model file of format {FORMAT}; run `sikkerby train`")
        grams = data.get("frame")
        if not isinstance(grams, list) or not all(isinstance(g, str) for g in grams):
            raise ModelFileError(f"{path}: frame: must be a list of strings")
        return cls(
            embedder_id=str(data.get("embedder_id", "")),
            frame=FrameVocabulary(grams),
            kind=SoftmaxRegression.from_dict(data.get("kind"), f"{path}: kind"),
            answers=SoftmaxRegression.from_dict(data.get("answers"), f"{path}: answers"),
            ranker=SoftmaxRegression.from_dict(data.get("ranker"), f"{path}: ranker"),
            topic=SoftmaxRegression.from_dict(data.get("topic"), f"{path}: topic"),
            focus=SoftmaxRegression.from_dict(data.get("focus"), f"{path}: focus"),
            info=dict(data.get("info") or {}),
        )

    def stale(self) -> str | None:
        """Why these models cannot read what the pipeline now computes (fitted before a feature was
        added or removed), or None."""
        from sikkerby.assistant.understanding.features import ANSWER_FEATURES, SLOT_FEATURES
        from sikkerby.assistant.understanding.focus import FOCUS_FEATURES
        from sikkerby.assistant.understanding.labels import KINDS
        from sikkerby.assistant.understanding.pairs import PAIR_FEATURES

        expected = {
            "answers": ANSWER_FEATURES + [f"p_{k}" for k in KINDS],
            "ranker": PAIR_FEATURES,
            "topic": PAIR_FEATURES,
            "focus": FOCUS_FEATURES,
        }
        for name, features in expected.items():
            if getattr(self, name).features != features:
                return f"the {name} model was fitted on other features than the pipeline computes"
        if self.kind.features[-len(SLOT_FEATURES) :] != SLOT_FEATURES:
            return "the kind model was fitted on other features than the pipeline computes"
        return None

    def understand(
        self,
        kind_vector: np.ndarray,
        hits: list[Hit],
        pair_matrix: np.ndarray,
        answer_vector_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ) -> Understanding:
        """``answer_vector_of(kind_proba, rank_proba)`` builds the answerability features once the kind
        and the passages' ranking are known."""
        kind_p = self.kind.proba(kind_vector)[0]
        rank_p = relevance(self.ranker, pair_matrix)
        answers_p = self.answers.proba(answer_vector_of(kind_p, rank_p[: min(3, len(rank_p))]))[0]
        order = np.argsort(-rank_p, kind="stable")
        return Understanding(
            kind=self.kind.classes[int(kind_p.argmax())],
            kind_proba={c: float(p) for c, p in zip(self.kind.classes, kind_p)},
            answers=self.answers.classes[int(answers_p.argmax())],
            answers_proba={c: float(p) for c, p in zip(self.answers.classes, answers_p)},
            ranked=[(hits[i], float(rank_p[i])) for i in order],
        )


def relevance(model: SoftmaxRegression, matrix: np.ndarray) -> np.ndarray:
    """p(relevant) of each row of a pair matrix."""
    if len(matrix) == 0:
        return np.zeros(0)
    return model.proba(matrix)[:, model.classes.index(RELEVANT)]
