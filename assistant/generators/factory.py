"""Chooses the generator by name (``SIKKERBY_GENERATOR``); one file per generator."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sikkerby.assistant.composer import AnswerComposer
from sikkerby.assistant.generators.base import Generator
from sikkerby.assistant.settings import SettingsError

log = logging.getLogger(__name__)


def _extractive(composer: AnswerComposer) -> Generator:
    from sikkerby.assistant.generators.extractive import ExtractiveGenerator

    return ExtractiveGenerator(composer)


GENERATORS: dict[str, Callable[[AnswerComposer], Generator]] = {"extractive": _extractive}


def create_generator(name: str, composer: AnswerComposer) -> Generator:
    try:
        factory = GENERATORS[name]
    except KeyError:
        known = ", ".join(sorted(GENERATORS))
        raise SettingsError(f"setting generator: unknown generator {name!r}; known: {known}") from None
    return factory(composer)
