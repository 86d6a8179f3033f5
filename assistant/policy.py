"""Every threshold of the answer decision in one place, each chosen from a measured curve on the bank's
dev split (``python bench/policy_curves.py`` prints the curves; the README shows them)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sikkerby.assistant.router import Route, RouteKind
from sikkerby.assistant.understanding.features import QuestionView
from sikkerby.assistant.understanding.models import Understanding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerPolicy:
    """Turns what the models understood into a route.

    ``abstain_at``: decline when p(the document does not answer) reaches this. Otherwise a question
    that asks for a kind of fact (a year, a number, an amount) the passages do not hold is answered
    with what they say and the missing piece named, never declined for it.
    ``topic_relative``: a topic list takes every initiative whose BM25 score for the topic's rare words
    is at least this share of the best initiative's (a relative cut-off, not top-k).
    ``topic_margin``: when no initiative names those words (an English question, a paraphrase), every
    initiative whose cosine similarity is within this of the best one.
    """

    abstain_at: float = 0.5
    topic_margin: float = 0.015
    topic_relative: float = 0.5

    def route(self, view: QuestionView, understood: Understanding, *, patterns: Route | None = None) -> Route:
        """``patterns`` is the pattern router's route: it still tells a principle's wording ("Hvordan lyder
        Fagprincip 2?") from its initiatives, which the bank has too few questions to learn."""
        kind, p = understood.kind, understood.answers_proba
        principle, department = view.principle, view.department
        named = principle is not None or department is not None
        # whether the document answers is the answerability model's call (it weighs the kind model's
        # "out of scope" together with what retrieval found); the kind only chooses the answer's form
        if not named and p.get("none", 0.0) >= self.abstain_at:
            return Route(RouteKind.OUT_OF_SCOPE)
        if kind == "which_principle":
            return Route(RouteKind.WHICH_PRINCIPLE, principle=principle)
        if kind == "list_department" and department:
            return Route(RouteKind.DEPARTMENT_LIST, department=department, principle=principle)
        if kind in ("list_principle", "list_topic", "list_department", "overview") and principle:
            if patterns is not None and patterns.kind == RouteKind.PRINCIPLE_STATEMENT:
                return Route(RouteKind.PRINCIPLE_STATEMENT, principle=principle)
            return Route(RouteKind.PRINCIPLE_LIST, principle=principle)
        if kind == "list_principle":
            return Route(RouteKind.PRINCIPLE_LIST, topic=view.question)
        if kind in ("list_topic", "list_department"):
            return Route(RouteKind.TOPIC_LIST, department=department)
        if kind == "overview":
            return Route(RouteKind.OVERVIEW)
        if principle and not view.rare_terms:
            return Route(RouteKind.PRINCIPLE_STATEMENT, principle=principle)
        return Route(RouteKind.GENERAL, partial=view.intent is not None)
