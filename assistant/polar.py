"""A yes/no question ("Er SOF med i 18+ indsatsen?", "Har BUF indsatser under Fagprincip 5?", "Does KFF
take part in …?") is answered first with Ja or Nej when what the answer cites settles it, then with the
cited text as before; when the cited text does not settle it, no verdict is given.

The verdict is read off the draft, never guessed: Ja when a cited sentence holds every content word of
the ask and denies none of it; Nej when that sentence denies it ("Indsatsen er ikke tilknyttet en fast
matrikel"), when the answer says plainly that the document does not name what was asked about (a
department where the document names another, a place it never names), or when a principle named in
the ask is not the one the initiative is under. An answer that says the document lacks the kind of fact
asked for ("… siger ikke, hvornår") gets no verdict: the document says neither yes nor no.

A yes/no question is told by the closed class of Danish and English words that open one: the finite
verbs of being, having, taking part and being about, before their subject ("Er der …", "Deltager SOF
…", "Is there …", "Does …"); "Kan du …"/"Can you …" asks for something, and "… eller …" for a choice."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sikkerby.assistant.composer import Draft
from sikkerby.assistant.matching import TermMatcher
from sikkerby.assistant.router import DEPARTMENT_LIST, PRINCIPLE_LIST, TOPIC_LIST, WHICH_PRINCIPLE, Route
from sikkerby.assistant.understanding.features import ROUTING_TERMS, QuestionView
from sikkerby.assistant.wording import wording
from sikkerby.ingest.danish import NEGATIONS, fold, split_sentences, terms, words

log = logging.getLogger(__name__)

#: the verbs that open a yes/no question (folded; Danish present and past, English auxiliaries)
_OPENERS = frozenset(
    fold(w)
    for w in [
        "er",
        "var",
        "bliver",
        "blev",
        "har",
        "havde",
        "findes",
        "fandtes",
        "fins",
        "kan",
        "skal",
        "vil",
        "må",
        "bør",
        "får",
        "gør",
        "gjorde",
        "deltager",
        "deltog",
        "arbejder",
        "samarbejder",
        "indgår",
        "hører",
        "dækker",
        "omfatter",
        "nævner",
        "nævnes",
        "står",
        "tilbyder",
        "eksisterer",
        "ligger",
        "foregår",
        "sker",
        "gælder",
        "handler",
        "indeholder",
        "bruger",
        "giver",
        "hjælper",
        "inddrager",
        "involverer",
        "rummer",
        "beskriver",
        "bidrager",
        "koordinerer",
        "støtter",
        "kender",
        "is",
        "are",
        "was",
        "were",
        "does",
        "do",
        "did",
        "has",
        "have",
        "can",
        "will",
        "should",
        "could",
    ]
)
#: the subject that makes "Kan du …", "Vil I …", "Can you …" a request, not a yes/no question
_REQUEST = frozenset(["du", "i", "jeg", "you", "u", "me"])
#: "… eller …" / "… or …" asks which of two, not whether
_CHOICE = re.compile(r"\b(eller|or|hvilke\w*|hvilk\w+|which|what)\b")
_NUMBER = re.compile(r"\d+")


def is_polar(ask: str) -> bool:
    """Whether ``ask`` is a yes/no question: it opens with a finite verb before its subject."""
    tokens = [w.lower() for w in words(ask)]
    if len(tokens) < 3 or fold(tokens[0]) not in _OPENERS or tokens[1] in _REQUEST:
        return False
    folded = fold(ask)
    return not _CHOICE.search(folded) and not (NEGATIONS & set(tokens))


@dataclass(frozen=True)
class PolarReader:
    """Puts the verdict the cited text settles in front of a yes/no question's answer."""

    matcher: TermMatcher

    def lead(self, view: QuestionView, route: Route, draft: Draft) -> Draft:
        if not is_polar(view.ask):
            return draft
        verdict = self.verdict(view, route, draft)
        log.debug("yes/no question %r: verdict %s", view.ask, verdict)
        if verdict is None:
            return draft
        say = wording(view.english)
        return replace(draft, text=f"{say.yes if verdict else say.no} {draft.text}")

    def verdict(self, view: QuestionView, route: Route, draft: Draft) -> bool | None:
        """True (yes), False (no) or None (the cited text does not settle it)."""
        say = wording(view.english)
        if draft.abstained:
            # the question names something the document never does ("Er der halværter i Valbyhallen?")
            return False if view.unknown_focus else None
        first = draft.text.split("\n", 1)[0]
        if any(first.startswith(p) for p in say.not_named):
            # "Dokumentet nævner ikke BUF ved «Den Korte Snor»", "… nævner ikke BUF i nogen indsats …"
            return False
        if draft.route == "partial" or any(p in draft.text for p in say.lacking):
            return None
        if route.kind == WHICH_PRINCIPLE and view.principle and draft.citations:
            cited = {c.principle for c in draft.citations if c.principle}
            return view.principle in cited
        wanted = self._asked_terms(view)
        if not wanted:
            return None
        sentences = [s for c in draft.citations for s in split_sentences(c.text)]
        if route.kind in (TOPIC_LIST, DEPARTMENT_LIST, PRINCIPLE_LIST):
            # "Er der indsatser for hjemløse?": a listed initiative that names the subject
            return True if any(self._holds(wanted, s) for s in sentences) else None
        holding = [(s, c.text) for c in draft.citations for s in split_sentences(c.text) if self._holds(wanted, s)]
        if not holding:
            return None
        sentence, passage = holding[0]
        # a year or number the ask names must be the passage's too ("… since 2023?" of "… i 2024")
        if not set(_NUMBER.findall(view.ask)) <= set(_NUMBER.findall(passage)):
            return None
        return not NEGATIONS & {w.lower() for w in words(sentence)}

    def _asked_terms(self, view: QuestionView) -> list[str]:
        """The ask's subject words: the focus, or its content words with the list phrasing left out."""
        # an English ask's words are matched as their Danish glosses, which the view's terms are
        own = set(view.terms) if view.english else set(terms(view.ask))
        focus = [t for t in view.focus if t in own]
        if focus:
            return focus
        return [t for t in view.terms if t in own and t not in ROUTING_TERMS]

    def _holds(self, wanted: Sequence[str], sentence: str) -> bool:
        return self.matcher.coverage(list(wanted), sentence) >= 1.0
