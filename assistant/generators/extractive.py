"""The default generator: the document's own sentences and lists, each cited; nothing is invented."""

from __future__ import annotations

import logging

from sikkerby.assistant.composer import AnswerComposer, Draft
from sikkerby.assistant.generators.base import Evidence
from sikkerby.assistant.router import Route, RouteKind
from sikkerby.assistant.wording import no_match

log = logging.getLogger(__name__)


class ExtractiveGenerator:
    """Renders each route's evidence with the composer's templates."""

    name = "extractive"

    def __init__(self, composer: AnswerComposer) -> None:
        self.composer = composer

    def generate(self, question: str, route: Route, evidence: Evidence) -> Draft:
        composer = self.composer
        kind, english = route.kind, evidence.english
        if kind in (RouteKind.PRINCIPLE_LIST, RouteKind.PRINCIPLE_STATEMENT) and evidence.principle is not None:
            if kind == RouteKind.PRINCIPLE_STATEMENT:
                return composer.principle_statement(evidence.principle, english=english)
            return composer.principle_list(
                evidence.principle, only=evidence.initiatives, about=evidence.about, english=english
            )
        if kind == RouteKind.OVERVIEW:
            return composer.overview(only=evidence.about, english=english)
        if kind == RouteKind.DEPARTMENT_LIST and evidence.department is not None:
            return composer.department_list(
                evidence.department,
                evidence.initiatives or (),
                shared=evidence.about,
                under=evidence.principle.label if evidence.principle is not None else None,
                english=english,
            )
        if kind == RouteKind.TOPIC_LIST and evidence.initiatives:
            return composer.topic_list(evidence.about or question, evidence.initiatives, english=english)
        if kind == RouteKind.WHICH_PRINCIPLE and evidence.principle is not None:
            return composer.principle_statement(evidence.principle, english=english, which=True)
        if kind == RouteKind.WHICH_PRINCIPLE and evidence.hits:
            return composer.which_principle(evidence.hits, english=english)
        if evidence.hits:
            return composer.general(
                question,
                evidence.hits,
                list(evidence.terms),
                english=english,
                partial=route.partial,
                scant=route.scant,
                focus=evidence.focus,
                about=evidence.about,
                ask=evidence.ask,
            )
        return composer.abstain(no_match(english))
