"""What a labelled question says: its kind, whether the document answers it, and which passages are its
evidence. The question bank (eval/golden/) is written in these terms; the models are fitted on them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: what the answer must be
KINDS = (
    "list_principle",
    "list_topic",
    "list_department",
    "which_principle",
    "fact",
    "overview",
    "out_of_scope",
)
#: whether the document answers a question, and what piece it lacks when it does not
ANSWERS = ("full", "partial", "none")
MISSING = ("when", "how_many", "cost", "who", "where", "result", "how", "other")


@dataclass(frozen=True)
class Labelled:
    """One question to fit on: ``kind`` None when its label says nothing of the kind; ``is_evidence``
    tells whether a passage's text is evidence for the answer."""

    question: str
    kind: str | None
    answers: str
    is_evidence: Callable[[str], bool]
    context: tuple[str, ...] = ()
    #: kinds whose evidence is a set of passages (a list)
    many: bool = False
    #: what a topic question is about, in the document's words ("hjemløse", "Nørrebro")
    topic: str | None = None
    #: the words a right answer holds and the phrases of its evidence, as labelled
    key_phrases: tuple[str, ...] = ()

    @property
    def refers_to(self) -> str:
        """What a follow-up is read after: the question before it."""
        return self.context[-1] if self.context else ""
