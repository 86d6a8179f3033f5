"""The two fitted models: what kind of question it is, and whether the document answers it fully,
partly or not. Stored as JSON in ``assistant/data/understanding.json``, fitted by ``sikkerby train``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sikkerby.assistant.settings import package_data
from sikkerby.assistant.understanding.logreg import ModelFileError, SoftmaxRegression, load_json, save_models

log = logging.getLogger(__name__)

MODELS_FILE = package_data("sikkerby.assistant", "data", "understanding.json")
FORMAT = 1


@dataclass
class Understanding:
    kind: str
    kind_proba: dict[str, float]
    answers: str
    answers_proba: dict[str, float]


@dataclass
class QuestionModels:
    """The kind model (query embedding + slots) and the answerability model (retrieval features +
    the kind probabilities), fitted for one embedder."""

    embedder_id: str
    kind: SoftmaxRegression
    answers: SoftmaxRegression
    info: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "embedder_id": self.embedder_id,
            "info": self.info,
            "kind": self.kind.to_dict(),
            "answers": self.answers.to_dict(),
        }

    def save(self, path: Path = MODELS_FILE) -> None:
        save_models(path, self.to_dict())

    @classmethod
    def load(cls, path: Path = MODELS_FILE) -> QuestionModels:
        data = load_json(path)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a question-model file of format {FORMAT}; run `sikkerby train`")
        return cls(
            embedder_id=str(data.get("embedder_id", "")),
            kind=SoftmaxRegression.from_dict(data.get("kind"), f"{path}: kind"),
            answers=SoftmaxRegression.from_dict(data.get("answers"), f"{path}: answers"),
            info=dict(data.get("info") or {}),
        )

    def understand(self, kind_vector: np.ndarray, answer_vector_of: Any) -> Understanding:
        """``answer_vector_of(kind_proba)`` builds the answerability features once the kind is known."""
        kind_p = self.kind.proba(kind_vector)[0]
        answers_p = self.answers.proba(answer_vector_of(kind_p))[0]
        return Understanding(
            kind=self.kind.classes[int(kind_p.argmax())],
            kind_proba={c: float(p) for c, p in zip(self.kind.classes, kind_p)},
            answers=self.answers.classes[int(answers_p.argmax())],
            answers_proba={c: float(p) for c, p in zip(self.answers.classes, answers_p)},
        )
