"""The initiative a passage is about when it names it first ("Natteværterne holder ugentlige møder …"),
and whether the passage says what that initiative is or does. A topic list that holds the passage
defining an initiative by the topic ("Natteværter er … til stede i Indre Bys natteliv") is about every
passage of that initiative: the others need not repeat the topic's word."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sikkerby.assistant.matching import is_generic, term_in
from sikkerby.ingest.danish import split_sentences, term, terms, words
from sikkerby.ingest.departments import find_departments

log = logging.getLogger(__name__)

#: the verbs that make a sentence say what its subject is or does ("Natteværter er …", "… arbejder …")
DEFINING = frozenset(["er", "var", "har", "skal", "kan", "bliver", "arbejder", "is", "are", "was", "has", "works"])
#: how many words after the subject a defining verb may stand ("Natteværter i Indre By er …")
_VERB_WITHIN = 4


def _first_sentence(text: str) -> list[str]:
    sentences = split_sentences(text)
    return words(sentences[0]) if sentences else []


def leading_name(text: str, names: frozenset[str]) -> str | None:
    """The term of the proper name (one of ``names``, the corpus's: ingest/names.py) a passage starts
    with, when it names an initiative: not a department ("Kultur- og Fritidsforvaltningen …", "ØKF …")
    nor a word every passage is about."""
    return _leading_name(_first_sentence(text), names)


def _leading_name(first: list[str], names: frozenset[str]) -> str | None:
    if not first:
        return None
    name = term(first[0])
    if not name or name not in names or is_generic(name) or find_departments(" ".join(first[:_VERB_WITHIN])):
        return None
    return name


def defined_by(text: str, focus: Sequence[str], names: frozenset[str]) -> str | None:
    """The initiative a passage starts by saying what it is or does, in a sentence that names a word of
    ``focus`` ("Natteværter er præventivt … til stede i Indre Bys natteliv"); None otherwise."""
    first = _first_sentence(text)
    name = _leading_name(first, names)
    if name is None or not focus:
        return None
    if not any(w.lower() in DEFINING for w in first[1 : _VERB_WITHIN + 1]):
        return None
    said = frozenset(terms(" ".join(first)))
    return name if any(term_in(t, said) for t in focus) else None
