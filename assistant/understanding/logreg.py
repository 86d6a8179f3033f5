"""Multinomial logistic regression in numpy: small, inspectable, stored as JSON (never pickle)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sikkerby.errors import SikkerbyError

log = logging.getLogger(__name__)


class ModelFileError(SikkerbyError):
    """A fitted model file that cannot be used; the message names the file and the field."""


@dataclass
class SoftmaxRegression:
    """p(class | x) = softmax(W · standardise(x) + b), fitted by full-batch gradient descent with L2."""

    classes: list[str]
    features: list[str]
    weights: np.ndarray  # (n_classes, n_features)
    bias: np.ndarray  # (n_classes,)
    mean: np.ndarray  # (n_features,)
    scale: np.ndarray  # (n_features,)

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        labels: list[str],
        *,
        features: list[str],
        classes: list[str] | None = None,
        l2: float = 1.0,
        steps: int = 600,
        rate: float = 0.5,
        class_weight: str | None = "balanced",
    ) -> SoftmaxRegression:
        classes = classes or sorted(set(labels))
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[label] for label in labels])
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-6] = 1.0
        z = (x - mean) / scale
        n, d = z.shape
        k = len(classes)
        onehot = np.eye(k)[y]
        counts = np.bincount(y, minlength=k).astype(float)
        sample = (n / (k * np.maximum(counts, 1)))[y] if class_weight == "balanced" else np.ones(n)
        w = np.zeros((k, d))
        b = np.zeros(k)
        # Adam on the weighted cross-entropy plus l2/n ‖W‖²
        m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
        for t in range(1, steps + 1):
            p = _softmax(z @ w.T + b)
            err = (p - onehot) * sample[:, None]
            g_w = err.T @ z / n + l2 * w / n
            g_b = err.mean(axis=0)
            for g, m, v in ((g_w, m_w, v_w), (g_b, m_b, v_b)):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
            w -= rate * 0.1 * (m_w / (1 - 0.9**t)) / (np.sqrt(v_w / (1 - 0.999**t)) + 1e-8)
            b -= rate * 0.1 * (m_b / (1 - 0.9**t)) / (np.sqrt(v_b / (1 - 0.999**t)) + 1e-8)
        return cls(list(classes), list(features), w, b, mean, scale)

    def proba(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(x)
        return _softmax(((x - self.mean) / self.scale) @ self.weights.T + self.bias)

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes[i] for i in self.proba(x).argmax(axis=1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": self.classes,
            "features": self.features,
            "weights": np.round(self.weights, 6).tolist(),
            "bias": np.round(self.bias, 6).tolist(),
            "mean": np.round(self.mean, 6).tolist(),
            "scale": np.round(self.scale, 6).tolist(),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> SoftmaxRegression:
        try:
            classes, features = list(data["classes"]), list(data["features"])
            arrays = [np.asarray(data[k], dtype=np.float64) for k in ("weights", "bias", "mean", "scale")]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{where}: not a fitted model ({exc})") from exc
        weights, bias, mean, scale = arrays
        k, d = len(classes), len(features)
        if weights.shape != (k, d) or bias.shape != (k,) or mean.shape != (d,) or scale.shape != (d,):
            raise ModelFileError(f"{where}: weights do not fit {k} classes and {d} features")
        if not np.all(np.isfinite(weights)) or np.any(scale <= 0):
            raise ModelFileError(f"{where}: weights are not finite numbers")
        return cls(classes, features, weights, bias, mean, scale)


def save_models(path: Path, models: dict[str, Any]) -> None:
    """Written whole or not at all (a temporary file renamed into place)."""
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(models, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write the fitted models ({exc.strerror or exc})") from exc


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path}: unreadable ({exc})") from exc


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)
