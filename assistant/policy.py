"""Every threshold of the answer decision in one place, each chosen from a measured curve on the bank's
train and dev splits, cross-validated (``python bench/policy_curves.py`` prints the curves; the README
shows them)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sikkerby.assistant.intents import ask_clause, asks_where_mentioned
from sikkerby.assistant.router import Route, RouteKind, find_department
from sikkerby.assistant.understanding.features import QuestionView
from sikkerby.assistant.understanding.models import Understanding
from sikkerby.ingest.danish import fold, terms

log = logging.getLogger(__name__)

#: the strategy's principles spoken of together: "hvor mange fagprincipper", "which principles"
_STRUCTURE = re.compile(r"princip(per|perne)\b|\bprinciples\b")
#: words for the document's own form and purpose: about the document, never a subject in it ("Hvad er
#: formålet med tabellen?", "er tabellen en komplet liste over alt, hvad kommunen gør?")
_ABOUT_DOCUMENT = re.compile(r"\b(tabel\w*|formal\w*|komplet\w*|udtommende|purpose|table|exhaustive|complete)\b")
#: whether a list is whole: asked of the document ("Er indsatserne i dokumentet en udtømmende oversigt over
#: kommunens tryghedsarbejde?"), whatever subject the list is said to cover
_WHOLE = re.compile(r"\b(komplet\w*|udtommende|fuldstendig\w*|exhaustive|complete)\b")
#: words that name the document itself
_DOCUMENT = re.compile(
    r"\b(dokument\w*|strategi\w*|tabel\w*|eksempl\w*|liste\w*|oversigt\w*|document|strategy|table|examples?|list)\b"
)
#: a question about a principle's own words, not its initiatives ("Hvordan lyder Fagprincip 2?")
_WORDING = re.compile(r"\b(lyder|ordlyd\w*|formuler\w*|siger|egne ord|principtekst\w*|wording|worded|says?|reads?)\b")
#: a question for every place in the document that speaks of something ("hvor nævnes …", "alt om …",
#: "everything involving …", "where does … come in")
_EVERY_MENTION = re.compile(
    r"\b(alt|alle steder|everything|all mentions|anything)\b.{0,20}\b(om|med|about|involving|on|with|related)\b"
    # "hvad står der i tabellen om …", "What does the document say about …": all it says of it
    r"|\bhvad\s+st[åa]r\s+der\b.{0,30}\bom\b|\bhvad\s+siger\s+(?:dokumentet|strategien|tabellen|teksten)\s+om\b"
    r"|\bwhat\s+does\s+the\s+(?:document|strategy|table|text)\s+say\s+about\b",
    re.IGNORECASE,
)
_INITIATIVES = re.compile(r"\b(indsats\w*|initiativ\w*|eksempl\w*|tiltag|initiatives?|examples?|measures?)\b")


@dataclass(frozen=True)
class AnswerPolicy:
    """Turns what the models understood into a route.

    ``abstain_at``: decline when p(the document does not answer) reaches this. Otherwise a question
    that asks for a kind of fact (a year, a number, an amount) the passages do not hold is answered
    with what they say and the missing piece named, never declined for it.
    ``scant_at``: below this p(the document answers fully), an answer to a question that asks for no
    particular kind of fact ends by saying that the document says no more about it.
    ``rank_keep``: an answer from passages quotes the ranker's best passage and those whose probability
    of answering is at least this share of the best one's.
    ``focus_at``: a word of the question says what it is about when the focus model gives it at least
    this.
    ``topic_at``: a topic list holds every initiative whose p(belongs) from the topic model reaches this
    (and always the likeliest one); ``topic_floor``: below this even for the likeliest, no initiative is
    about the topic, and the question is answered from the best passages instead.
    ``near_miss_at``: a declined question whose every subject word the ranker's best passage holds, at
    least this likely to answer, is told what that passage says after being told plainly that the
    document does not say what it asks (a declined question stays declined: the answer says so first).
    ``premise_holders``: a department asked about in something none of its initiatives names is told so,
    and what the document says of that thing, when at most this many passages name it (more, and the
    words are too common to be one thing: the department's whole list is the answer).
    """

    abstain_at: float = 0.5
    rank_keep: float = 0.9
    focus_at: float = 0.4
    scant_at: float = 0.3
    topic_at: float = 0.5
    topic_floor: float = 0.1
    near_miss_at: float = 0.9
    premise_holders: int = 3

    def route(self, view: QuestionView, understood: Understanding, *, patterns: Route | None = None) -> Route:
        """``patterns``, the pattern router's route, is not consulted: the models decide."""
        declined = self._declined(view, understood)
        if declined is not None:
            return declined
        kind, principle = understood.kind, view.principle
        if kind == "which_principle":
            return Route(RouteKind.WHICH_PRINCIPLE, principle=principle)
        if (
            kind == "list_department"
            and view.department is None
            and principle is None
            and not self._where_in_document(view)
        ):
            # "Hvilke forvaltninger samarbejder om …?" names no department: it asks who takes part in
            # something, which the passages about it answer
            return Route(RouteKind.GENERAL, partial=view.intent is not None)
        kind = self._kind(view, kind)
        if kind in ("list_principle", "list_topic", "list_department", "overview"):
            return self._list(view, kind)
        if principle and not view.rare_terms:
            return Route(RouteKind.PRINCIPLE_STATEMENT, principle=principle)
        scant = view.intent is None and understood.answers_proba.get("full", 1.0) < self.scant_at
        return Route(RouteKind.GENERAL, partial=view.intent is not None, scant=scant)

    def _kind(self, view: QuestionView, kind: str) -> str:
        """The kind model's call, read with what the question names: a subject, a department, the
        document itself, a place in the document or ages alone."""
        principle = view.principle
        if (
            kind == "overview"
            and set(view.focus) & set(terms(ask_clause(view.ask)))
            and principle is None
            and view.department is None
            and view.intent is None
            and not _STRUCTURE.search(fold(view.ask))
            and not self._about_document(view)
        ):
            # "hvad gør Sikker By i skolerne?" names the strategy, but asks about a subject in it
            kind = "list_topic"
        if kind in ("fact", "out_of_scope", "list_topic") and self._about_document(view):
            # "Hvilke år gælder eksemplerne for?", "What is the purpose of the table?": the document's
            # own introduction answers, or says plainly what it does not
            kind = "overview"
        if kind == "out_of_scope" and view.department is not None and principle is None:
            # never out of scope, since it names a department, and of no kind the model knows: the
            # department's initiatives ("Kan du finde alle de steder, hvor BIF optræder?")
            kind = "list_department"
        if kind in ("fact", "out_of_scope") and self._where_in_document(view):
            # "Hvor nævnes Tryghedsvagterne?", "Everything involving the night hosts": every passage
            # about it, not the one that says most
            kind = "list_topic"
        if view.by_age_alone and principle is None and view.department is None:
            # ages and nothing else to go by: the initiatives for those ages, whatever the kind model
            # made of the wording around them ("… en 12-årig dreng … Er der en indsats til den aldersgruppe?")
            kind = "list_topic"
        return kind

    def _declined(self, view: QuestionView, understood: Understanding) -> Route | None:
        """Whether the document does not answer is the answerability model's call (it weighs the kind
        model's "out of scope" together with what retrieval found); a principle or department named in
        the question is never out of scope."""
        # the strategy's own structure ("hvor mange fagprincipper …") is never out of scope either
        named = view.principle is not None or self._names_department(view) or bool(_STRUCTURE.search(fold(view.ask)))
        named = named or self._about_document(view)
        # an age with no other subject ("Er der en indsats til 12-årige?") is a slot too
        if named or (view.by_age_alone and not view.unknown_focus):
            return None
        if understood.answers_proba.get("none", 0.0) < self.abstain_at:
            return None
        # asked for a kind of fact about something the documents do speak of ("Hvor mange natteværter
        # er der?", not "Hvad koster et klippekort?"): what they say, and plainly what they do not
        if view.intent is not None and view.focus and not view.unknown_focus:
            return Route(RouteKind.GENERAL, partial=True)
        if self._where_in_document(view) and not view.unknown_focus and not view.unglossed:
            # "Hvor indgår Kriminalforsorgen?" about a subject the documents use: where they do
            return None
        return Route(RouteKind.OUT_OF_SCOPE)

    @staticmethod
    def _about_document(view: QuestionView) -> bool:
        """Whether the question asks about the document itself: it names the document (or its form and
        purpose) and no subject in it, no principle and no department."""
        ask = fold(view.ask)
        if view.principle is not None or view.department is not None or view.unglossed:
            # "Does the strategy say anything about CCTV?" asks about a subject the documents lack
            return False
        if not (_DOCUMENT.search(ask) or _ABOUT_DOCUMENT.search(ask)):
            return False
        if _WHOLE.search(ask) and _DOCUMENT.search(ask):
            return True
        meta = {t for pattern in (_ABOUT_DOCUMENT, _DOCUMENT) for m in pattern.finditer(ask) for t in terms(m.group())}
        return not [t for t in [*view.focus, *view.unknown_focus, *view.rare_terms] if t not in meta]

    @staticmethod
    def _where_in_document(view: QuestionView) -> bool:
        """Whether the question asks for every place in the document that speaks of its subject."""
        return (
            view.intent is None
            and bool(view.focus)
            and view.principle is None
            and view.department is None
            and (asks_where_mentioned(ask_clause(view.ask)) or bool(_EVERY_MENTION.search(ask_clause(view.ask))))
        )

    @staticmethod
    def _names_department(view: QuestionView) -> bool:
        """Whether the question asks about a department: one named only in a lead-in that says who asks
        ("Jeg arbejder i Sundheds- og Omsorgsforvaltningen – hvad siger strategien om hjemmepleje?") does
        not make the ask's own subject, which the documents never use, answerable."""
        if view.department is None:
            return False
        return not view.unknown_focus or find_department(ask_clause(view.ask)) is not None

    @staticmethod
    def _list(view: QuestionView, kind: str) -> Route:
        """A list question's answer; a principle's list starts with its wording, so a question about
        both ("Hvordan lyder Fagprincip 5, og hvilke indsatser …") gets both."""
        principle, department = view.principle, view.department
        if kind == "list_department" and department:
            return Route(RouteKind.DEPARTMENT_LIST, department=department, principle=principle)
        if principle:
            ask = fold(view.ask)
            if _WORDING.search(ask) and not _INITIATIVES.search(ask):
                return Route(RouteKind.PRINCIPLE_STATEMENT, principle=principle)
            return Route(RouteKind.PRINCIPLE_LIST, principle=principle)
        if kind == "list_principle":
            return Route(RouteKind.PRINCIPLE_LIST, topic=view.question)
        if kind == "overview" or (kind == "list_topic" and not department and not view.terms and view.age is None):
            # a list with no subject to list by ("Hvad handler dokumentet om?": every word names the
            # document itself) is the document's outline
            return Route(RouteKind.OVERVIEW, partial=view.intent is not None)
        return Route(RouteKind.TOPIC_LIST, department=department)
