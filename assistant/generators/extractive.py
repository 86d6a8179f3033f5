"""The default generator: the document's own sentences and lists, each cited; nothing is invented."""

from __future__ import annotations

import logging

from sikkerby.assistant.composer import NO_MATCH, AnswerComposer, Draft
from sikkerby.assistant.generators.base import Evidence
from sikkerby.assistant.router import Route, RouteKind

log = logging.getLogger(__name__)


class ExtractiveGenerator:
    """Renders each route's evidence with the composer's templates."""

    name = "extractive"

    def __init__(self, composer: AnswerComposer) -> None:
        self.composer = composer

    def generate(self, question: str, route: Route, evidence: Evidence) -> Draft:
        composer = self.composer
        kind = route.kind
        if kind in (RouteKind.PRINCIPLE_LIST, RouteKind.PRINCIPLE_STATEMENT) and evidence.principle is not None:
            if kind == RouteKind.PRINCIPLE_STATEMENT:
                return composer.principle_statement(evidence.principle)
            return composer.principle_list(evidence.principle, only=evidence.initiatives, about=evidence.about)
        if kind == RouteKind.OVERVIEW:
            return composer.overview()
        if kind == RouteKind.DEPARTMENT_LIST and evidence.department is not None:
            return composer.department_list(evidence.department, evidence.initiatives or ())
        if kind == RouteKind.TOPIC_LIST and evidence.initiatives:
            return composer.topic_list(evidence.about or question, evidence.initiatives)
        if kind == RouteKind.WHICH_PRINCIPLE and evidence.hits:
            return composer.which_principle(evidence.hits)
        if evidence.hits:
            return composer.general(
                question,
                evidence.hits,
                list(evidence.terms),
                english=evidence.english,
                partial=route.partial,
                focus=evidence.focus,
            )
        return composer.abstain(NO_MATCH)
