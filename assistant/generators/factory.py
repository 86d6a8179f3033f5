"""Chooses the generator by name (``SIKKERBY_GENERATOR``); one file per generator."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sikkerby.assistant.composer import AnswerComposer
from sikkerby.assistant.generators.base import Generator
from sikkerby.assistant.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def _extractive(composer: AnswerComposer, settings: Settings | None) -> Generator:
    from sikkerby.assistant.generators.extractive import ExtractiveGenerator

    return ExtractiveGenerator(composer)


def _llm(composer: AnswerComposer, settings: Settings | None) -> Generator:
    # imported only when chosen: LangChain's OpenAI client is an optional dependency (sikkerby[llm])
    from sikkerby.assistant.generators.llm import LLMGenerator

    if settings is None:
        raise SettingsError("setting generator: the llm generator needs the settings of its endpoint")
    return LLMGenerator.from_settings(composer, settings)


GENERATORS: dict[str, Callable[[AnswerComposer, Settings | None], Generator]] = {
    "extractive": _extractive,
    "llm": _llm,
}


def create_generator(name: str, composer: AnswerComposer, *, settings: Settings | None = None) -> Generator:
    try:
        factory = GENERATORS[name]
    except KeyError:
        known = ", ".join(sorted(GENERATORS))
        raise SettingsError(f"setting generator: unknown generator {name!r}; known: {known}") from None
    return factory(composer, settings)
