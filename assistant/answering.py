"""From a routed question to a drafted answer: which answer each kind of question gets, and when the
document cannot answer. Works on a loaded index; the service does the loading and timing."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from sikkerby.assistant.ages import asked_age, for_ages
from sikkerby.assistant.answer import Answer
from sikkerby.assistant.composer import AnswerComposer, Draft, merge_drafts
from sikkerby.assistant.followup import (
    FollowUp,
    continuation_subject,
    follow_up_topic,
    resolve_follow_up,
    substitute,
)
from sikkerby.assistant.generators.base import Evidence, Generator
from sikkerby.assistant.generators.extractive import ExtractiveGenerator
from sikkerby.assistant.intents import ask_clause, asked_words, asks_where_mentioned, question_intent
from sikkerby.assistant.matching import TermMatcher, content_terms, is_english, is_generic
from sikkerby.assistant.polar import PolarReader
from sikkerby.assistant.policy import AnswerPolicy
from sikkerby.assistant.router import (
    DEPARTMENT_LIST,
    EXPLICIT_PRINCIPLE,
    GENERAL,
    OUT_OF_SCOPE,
    OVERVIEW,
    PRINCIPLE_LIST,
    PRINCIPLE_STATEMENT,
    TOPIC_LIST,
    WHICH_PRINCIPLE,
    QuestionRouter,
    Route,
    find_department,
    find_departments_named,
    find_principle,
    find_principles,
    misspells_department,
)
from sikkerby.assistant.settings import Settings
from sikkerby.assistant.subjects import defined_by, leading_name
from sikkerby.assistant.understanding.features import ROUTING_TERMS, FeatureExtractor, QuestionView, rare_terms
from sikkerby.assistant.understanding.models import QuestionModels, Understanding, relevance
from sikkerby.assistant.understanding.parts import is_pair, split_parts
from sikkerby.assistant.wording import NO_MATCH, no_match, not_mentioned, wording
from sikkerby.index.catalog import Catalog, Principle
from sikkerby.index.hybrid import Hit, HybridRetriever, SearchFilter
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_INTRO, KIND_PRINCIPLE, Chunk
from sikkerby.ingest.danish import WORD_RE, fold, split_sentences, term, terms, words
from sikkerby.ingest.departments import Department, resolve_department
from sikkerby.ingest.glossary import gloss
from sikkerby.ingest.names import proper_names

log = logging.getLogger(__name__)

#: the principle slot's word ("princip", "principle") in a question the models read as a fact question
_PRINCIPLE_WORD = re.compile(r"princip", re.IGNORECASE)
#: a question that asks for the principles themselves: "hvor mange fagprincipper", "hvilke principper",
#: "overblik over principperne", "which principles", "all seven principles"
_ASKS_PRINCIPLES = re.compile(r"princip(?:per|perne|er|erne)?\b|principles?\b|\bprincipper")
#: words that refer back to something named before (a closed class)
_REFERS = re.compile(
    r"\b(den|det|de|dem|deres|dens|dets|denne|dette|disse|han|hun|it|its|they|them|their|this|that|these|those)\b"
    # "Den Korte Snor", "Det Gode Fritidsliv": the article of a name refers to nothing
    r"(?!(?-i:\s+[A-ZÆØÅ]))",
    re.IGNORECASE,
)
#: a question of at most this many words and no question word ("Din Betjent?", "EKI") that names an
#: initiative is also told its principle
SHORT_WORDS = 3
_QUESTION_WORD = re.compile(r"\b(hv\w+|what|which|who|whom|where|when|how|why|tell)\b")
#: "både TMF og ØKF", "both BUF and SOF": the initiatives the departments share
_BOTH = re.compile(r"\b(både|begge|both|fælles|sammen|samarbejd\w*|together|jointly|collaborat\w*)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Asked:
    """One question as the route handlers see it."""

    question: str
    route: Route
    search_filter: SearchFilter
    clock: RetrievalClock
    english: bool
    terms: list[str]
    #: the question's content terms without the words that only phrase a list or principle question
    residual: list[str]
    #: content terms whose words are rare in Danish and occur in the corpus: what the question is
    #: about, and the only words that may narrow a list ("… om migranter"); chat words never do
    focus: list[str]
    searched: tuple[Hit, ...] = ()
    view: QuestionView | None = None
    understood: Understanding | None = None
    #: the ask itself, without what it is read after (its kind of fact is its own)
    ask: str = ""


@dataclass(frozen=True)
class _Named:
    """A passage that is only a name: its words, and the principle it is listed under."""

    terms: list[str]
    principle: str | None


class RetrievalClock:
    """Accumulates time spent retrieving, for the answer's timing."""

    def __init__(self) -> None:
        self.retrieve_ms = 0.0
        self._start = 0.0

    def __enter__(self) -> RetrievalClock:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.retrieve_ms += (time.perf_counter() - self._start) * 1000


@dataclass(frozen=True)
class Understander:
    """The fitted question models with what they need: the features and the policy that decides."""

    features: FeatureExtractor
    models: QuestionModels
    policy: AnswerPolicy

    def route(
        self, question: str, *, context: str = "", patterns: Route | None = None
    ) -> tuple[Route, QuestionView, Understanding]:
        view = self.features.view(question, context=context)
        understood = self._understand(view)
        route = self.policy.route(view, understood, patterns=patterns)
        top = understood.ranked[0] if understood.ranked else None
        log.debug(
            "understood %r: kind %s (%.2f), answers %s (%s), slots principle=%s department=%s focus=%s, "
            "best passage %s (p %.2f) -> %s",
            question[:200],
            understood.kind,
            understood.kind_proba[understood.kind],
            understood.answers,
            ", ".join(f"{k} {v:.2f}" for k, v in understood.answers_proba.items()),
            view.principles,
            view.departments,
            view.focus,
            top[0].chunk.id[:12] if top else None,
            top[1] if top else 0.0,
            route,
        )
        return route, view, understood

    def _understand(self, view: QuestionView) -> Understanding:
        """The fitted models' reading of one question: its kind, its passages ranked, whether answered."""
        return self.models.understand(
            self.features.kind_vector(view, self.models.frame),
            view.hits,
            self.features.pairs(view, view.hits),
            lambda kind_p, rank_p: self.features.answer_vector(view, kind_p, rank_p),
        )

    def rank(self, question: str, *, context: str = "", search_filter: SearchFilter | None = None) -> list[Hit]:
        """The question's candidate passages (those the filter accepts) in the ranker's order."""
        view = self.features.view(question, context=context)
        hits = view.hits
        if search_filter is not None and not search_filter.empty:
            lexical = self.features.danish_words(view.question) if view.english else None
            hits = self.features.retriever.search(
                view.question, k=len(view.hits), vector=view.vector, search_filter=search_filter, lexical_query=lexical
            )
            p = relevance(self.models.ranker, self.features.pairs(view, hits))
            return [hits[i] for i in sorted(range(len(hits)), key=lambda i: -p[i])]
        understood = self._understand(view)
        ranked = [hit for hit, _ in understood.ranked]
        route = self.policy.route(view, understood)
        chunks = self.features.retriever.chunks
        if route.kind == OVERVIEW:
            # a question about the document as a whole: its introduction first, found or not
            return _first(ranked, [c for c in chunks if c.kind == KIND_INTRO][:1])
        listed = route.kind == DEPARTMENT_LIST and route.department
        department = resolve_department(route.department) if listed and route.department else None
        if department is not None:
            # a department's list: its initiatives first, as the answer cites them
            return _first(ranked, [c for c in chunks if c.kind == KIND_INITIATIVE and department.name in c.departments])
        if view.age is not None:
            # "børn og unge mellem 10-17 år": the passages for those ages first, in the ranker's order
            aged = for_ages([hit.chunk for hit in ranked], view.age)
            if len(aged) < len(ranked):
                return _first(ranked, aged)
        return ranked

    def topic_members(self, view: QuestionView, search_filter: SearchFilter) -> list[tuple[Hit, float]]:
        """The initiatives of a topic list with the topic model's p(belongs), best first."""
        hits = self.features.initiative_candidates(view, search_filter=search_filter)
        p = relevance(self.models.topic, self.features.pairs(view, hits))
        return sorted(zip(hits, p.tolist()), key=lambda pair: -pair[1])


class Answerer:
    """Drafts the answer for one question over one loaded index."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        retriever: HybridRetriever,
        matcher: TermMatcher,
        composer: AnswerComposer,
        settings: Settings,
        understanding: Understander | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.catalog = catalog
        self.retriever = retriever
        self.matcher = matcher
        self.composer = composer
        self.settings = settings
        self.understanding = understanding
        self.generator: Generator = generator or ExtractiveGenerator(composer)
        self.router = QuestionRouter()
        self.polar = PolarReader(matcher)
        self._kinds = {c.id: c.kind for c in catalog.chunks}

    def draft(
        self,
        question: str,
        route: Route,
        search_filter: SearchFilter,
        clock: RetrievalClock,
        *,
        history: Sequence[Answer] = (),
    ) -> Draft:
        """The answer's text and citations; a follow-up is answered about what the history cited."""
        question = self.matcher.read(question)
        subject = continuation_subject(question) if history and self.understanding is not None else None
        if subject is not None:
            # "Og hvad med Bispebjerg?": the question before it again, about the new subject
            question = self._substituted(self._read_back(history), subject)
            route = self.router.route(question)
            log.debug("continuation read as %r", question)
        elif history and route.kind in (GENERAL, WHICH_PRINCIPLE):
            follow_up = resolve_follow_up(question, history, self._kinds)
            # "Hvilke af dem …" narrows the previous answer's list; with the question models, a follow-up
            # about one thing ("Hvilke dage er de på arbejde?") is understood in its context instead
            if follow_up is not None and (follow_up.plural or self.understanding is None):
                narrowed = self._follow_up(question, route, follow_up, clock)
                # "Hvilke dage er de på arbejde?" asks about them, not which of them: when narrowing the
                # previous list finds nothing, the question is read in its context instead
                if not narrowed.abstained or self.understanding is None:
                    return narrowed
                in_context = self._understood(question, route, search_filter, clock, history)
                return in_context if not in_context.abstained else narrowed
        if self.understanding is not None:
            return self._asks(question, route, search_filter, clock, history)
        return self._answer(question, route, search_filter, clock)

    def _asks(
        self,
        question: str,
        route: Route,
        search_filter: SearchFilter,
        clock: RetrievalClock,
        history: Sequence[Answer],
    ) -> Draft:
        """Each ask of the question answered in turn ("Hvad er HFI, og hvor mange millioner er der sat
        af?"), the later ones read after the earlier ones, and the answers joined."""
        parts = split_parts(question, substantive=self._substantive)
        if len(parts) == 1:
            return self._understood(question, route, search_filter, clock, history)
        drafts: list[Draft] = []
        earlier: list[str] = []
        # the things a comparison compares are each their own subject
        paired = is_pair(question)
        for part in parts:
            part = self._elided(part, earlier)
            route = self.router.route(part)
            drafts.append(self._understood(part, route, search_filter, clock, history, parts=earlier, paired=paired))
            earlier.append(part)
        return merge_drafts(drafts)

    def _read_back(self, history: Sequence[Answer]) -> str:
        """The last question of the conversation as it was read (a continuation of one before it
        read as that question about its new subject)."""
        read = ""
        for earlier in history:
            subject = continuation_subject(earlier.question) if read else None
            read = self._substituted(read, subject) if subject is not None else earlier.question
        return read

    def _substituted(self, previous: str, subject: str) -> str:
        """``previous`` asked about ``subject`` instead of what it named: a principle for a principle
        ("Og under Fagprincip 4?"), a department for a department, else its subject words."""
        if find_principle(subject):
            spans = _principle_spans(previous)
        elif find_department(subject):
            spans = sorted(
                m.span() for d in find_departments_named(previous) for m in [d.pattern.search(previous)] if m
            )
        else:
            english = is_english(previous)
            wanted = set(self._focus(previous, content_terms(previous), english=False))
            spans = [
                m.span()
                for m in WORD_RE.finditer(previous)
                if (not english and term(m.group()) in wanted)
                or (
                    english and (term(m.group()) in wanted or gloss(m.group())) and term(m.group()) not in ROUTING_TERMS
                )
            ]
            if english and spans:
                # the subject is the last run of such words ("… do about gangs"), not every word that
                # has a Danish gloss ("municipality")
                run = [spans[-1]]
                for span in reversed(spans[:-1]):
                    if previous[span[1] : run[0][0]].strip():
                        break
                    run.insert(0, span)
                spans = run
        return substitute(previous, subject, spans)

    def _substantive(self, part: str) -> bool:
        """Whether an ask names or asks for something of its own (a rare word, a principle, a department,
        a kind of fact), so that it is answered apart from the asks around it."""
        part_terms = content_terms(part)
        return bool(
            rare_terms(part, part_terms)
            or find_principle(part)
            or find_department(part)
            or question_intent(part)
            or (is_english(part) and len(part_terms) >= 2)
        )

    @staticmethod
    def _elided(part: str, earlier: Sequence[str]) -> str:
        """ "… har BUF under Fagprincip 1, og hvilke har SOF?": a short ask that names a department but
        no principle takes the principle of the ask before it."""
        if not earlier or find_principle(part) or len(words(part)) > 6:
            return part
        previous = find_principle(earlier[-1])
        if previous and find_department(part) and find_department(earlier[-1]):
            return f"{part} under {previous}"
        return part

    def _understood(
        self,
        question: str,
        route: Route,
        search_filter: SearchFilter,
        clock: RetrievalClock,
        history: Sequence[Answer],
        *,
        parts: Sequence[str] = (),
        paired: bool = False,
    ) -> Draft:
        """The answer the fitted models and the policy choose, the question read in its conversation
        (and an ask after the asks before it in the same question, ``parts``; one of a pair compared,
        ``paired``, after none of them, and after the conversation only when it names nothing itself:
        "Og hvordan adskiller det sig fra det andet grundprincip?")."""
        assert self.understanding is not None
        if paired:
            context = self.context_for(question, [a.question for a in history], referring=False)
        elif parts:
            context = self.part_context(question, parts)
        else:
            context = self.context_for(question, [a.question for a in history])
        with clock:
            route, view, understood = self.understanding.route(question, context=context, patterns=route)
        if route.kind == OUT_OF_SCOPE:
            near = self._near_miss(view, understood)
            if near is not None:
                # the document speaks of what the question names, but not of what it asks
                asked = self._answer(view.question, Route(GENERAL), search_filter, clock, view=view)
                if not asked.abstained:
                    known = [t for t in view.focus if t not in view.unknown_focus]
                    about = _words_for(view.question, known)
                    # what the document never names is said first, by name ("Er der halværter i
                    # Valbyhallen?": it names no «Valbyhallen»; of halværter it says …)
                    declined = self._declined(view, brief=True) if view.unknown_focus else None
                    missed = self.composer.near_miss(asked, about=about, english=view.english, declined=declined)
                    return self.polar.lead(view, route, missed)
            # name the question's rare words the document never uses, never an everyday word
            return self.polar.lead(view, route, self.composer.abstain(self._declined(view)))
        draft = self._answer(view.question, route, search_filter, clock, view=view, understood=understood)
        return self.polar.lead(view, route, self._placed(self._lacking(draft, route, view), route, view))

    def _placed(self, draft: Draft, route: Route, view: QuestionView) -> Draft:
        """A question of a name and little more ("Din Betjent?", "EKI") is told what the initiative is
        and which principle it is an example of."""
        if route.kind != GENERAL or draft.abstained or view.intent is not None or not draft.citations:
            return draft
        if len(words(view.ask)) > SHORT_WORDS or _QUESTION_WORD.search(fold(view.ask)):
            return draft
        first = self.catalog.by_id.get(draft.citations[0].chunk_id)
        if first is None or first.kind != KIND_INITIATIVE or not first.principle or first.principle in draft.text:
            return draft
        placed = wording(view.english).placed.format(label=first.principle)
        return replace(draft, text=f"{draft.text}\n\n{placed}")

    def _lacking(self, draft: Draft, route: Route, view: QuestionView) -> Draft:
        """A list that was also asked for a kind of fact none of its passages states ("Hvilke indsatser
        er TMF med i, og hvor mange medarbejdere har de sat af?") ends by saying plainly that the
        document does not say it; the number of initiatives is the list's own."""
        intent = view.intent
        if intent is None or draft.abstained or route.kind not in (DEPARTMENT_LIST, PRINCIPLE_LIST, TOPIC_LIST):
            return draft
        if intent.name == "count":
            counted = intent.asks.search(view.ask)
            if counted is None or is_generic(term(counted.group(1))):
                return draft
        texts = [self.catalog.by_id[c.chunk_id].text for c in draft.citations if c.chunk_id in self.catalog.by_id]
        if any(intent.answered_by(view.ask, sentence) for text in texts for sentence in split_sentences(text)):
            return draft
        return replace(draft, text=f"{draft.text}\n\n{intent.lacks(english=view.english)}")

    def _near_miss(self, view: QuestionView, understood: Understanding) -> Hit | None:
        """The passage a declined question names everything of: the ranker's best, sure to be about
        it, holding every subject word (none of which the documents lack)."""
        known = [t for t in view.focus if t not in view.unknown_focus]
        if not known or view.english or not understood.ranked:
            return None
        assert self.understanding is not None
        best, p = understood.ranked[0]
        if p < self.understanding.policy.near_miss_at or self.matcher.coverage(known, best.chunk.text) < 1.0:
            return None
        return best

    @staticmethod
    def _declined(view: QuestionView, *, brief: bool = False) -> str:
        """Why the document cannot answer: the question's subject words it never uses, else the kind of
        fact asked for that it does not hold, else that nothing in it answers."""
        unknown = list(
            dict.fromkeys([*view.unknown_focus, *(t for t in view.unknown if t in view.rare_terms), *view.unglossed])
        )
        if unknown:
            return not_mentioned(view.question, unknown, english=view.english, brief=brief)
        if view.intent is not None:
            return view.intent.declined(english=view.english)
        return no_match(view.english)

    def context_for(self, question: str, earlier: Sequence[str], *, referring: bool = True) -> str:
        """What a follow-up is read after: one that refers back ("Hvilken aldersgruppe er den for?") or
        names nothing itself ("Hvilke dage er de på arbejde?") is read together with the question before
        it; one that names its own subject, principle or department and refers to nothing stands alone."""
        if not earlier:
            return ""
        names = self._focus(question, content_terms(question), english=False)
        own = names or find_principle(question) or find_department(question)
        # ``referring``: "det", "de" may point back; one thing of a pair compared names its own subject
        if own and not (referring and _REFERS.search(question)):
            return ""
        return earlier[-1]

    def contextualize(self, question: str, earlier: Sequence[str]) -> str:
        """The question as it is read after the conversation's ``earlier`` questions."""
        return f"{self.context_for(question, earlier)} {question}".strip()

    def part_context(self, part: str, earlier: Sequence[str]) -> str:
        """What a later ask of a question is read after: the asks before it, unless it names a subject
        of its own and refers to nothing ("…, og hvilke handler om hjemløse?"); "den", "de", "it" refer
        back ("…, og hvor mange børn har det hjulpet?")."""
        # the words that ask for the kind of fact ("hvor meget skal der investeres?") name no subject
        asking = set(terms(asked_words(part)))
        own_terms = [t for t in content_terms(part) if t not in asking]
        own = self._focus(part, own_terms, english=is_english(part)) or find_principle(part)
        if own and not _REFERS.search(part):
            return ""
        return " ".join(earlier)

    def _answer(
        self,
        question: str,
        route: Route,
        search_filter: SearchFilter,
        clock: RetrievalClock,
        *,
        view: QuestionView | None = None,
        understood: Understanding | None = None,
    ) -> Draft:
        english = is_english(question)
        # an English question's terms are its subject words glossed in Danish
        question_terms = view.terms if view is not None else content_terms(question)
        searched: tuple[Hit, ...] = ()
        if understood is not None and search_filter.empty:
            # the passages in the ranker's order: the understanding step's own search, reused
            searched = tuple(hit for hit, _ in understood.ranked)
        elif view is not None and search_filter.empty:
            searched = tuple(view.hits)
        asked = _Asked(
            question=question,
            route=route,
            search_filter=search_filter,
            clock=clock,
            english=english,
            terms=question_terms,
            residual=[t for t in question_terms if t not in ROUTING_TERMS] if view is not None or not english else [],
            focus=view.focus if view is not None else self._focus(question, question_terms, english=english),
            searched=searched,
            view=view,
            understood=understood,
            ask=view.ask if view is not None else question,
        )
        handlers = {
            PRINCIPLE_LIST: self._principles,
            PRINCIPLE_STATEMENT: self._principles,
            OVERVIEW: self._overview,
            DEPARTMENT_LIST: self._department,
            WHICH_PRINCIPLE: self._which_principle,
            TOPIC_LIST: self._topic,
        }
        handler = handlers.get(route.kind, self._general)
        if route.kind == DEPARTMENT_LIST and not route.department:
            handler = self._general
        return handler(asked)

    def _focus(self, question: str, question_terms: list[str], *, english: bool) -> list[str]:
        if english:
            return []
        rare = [t for t in rare_terms(question, question_terms) if t not in ROUTING_TERMS]
        unknown = set(self.matcher.unknown(rare))
        return [t for t in rare if t not in unknown]

    def _overview(self, asked: _Asked) -> Draft:
        """The principles (all, or only the Grundprincipper or Fagprincipper asked about); a question
        about the document itself that does not ask for its principles is answered from its own text
        (the introduction: what it is, which period)."""
        if not _ASKS_PRINCIPLES.search(fold(asked.ask)):
            about = [h for h in asked.searched if h.chunk.kind not in (KIND_INITIATIVE, KIND_PRINCIPLE)]
            intro = self.catalog.intro
            if not about and intro is not None:
                # the search found initiatives that share its words ("formålet"), not the introduction
                about = [_unscored(intro)]
            if about:
                return self._general(replace(asked, searched=tuple(about[:1])))
        folded = " ".join(terms(asked.ask))
        only = None
        if "grundprincip" in folded and "fagprincip" not in folded:
            only = "Grundprincip"
        elif "fagprincip" in folded and "grundprincip" not in folded:
            only = "Fagprincip"
        evidence = Evidence(about=only, english=asked.english)
        return self.generator.generate(asked.question, asked.route, evidence)

    def _paraphrased(self, asked: _Asked, topic: str) -> Principle | None:
        """The principle whose statement is closest to a question that paraphrases one."""
        # an English paraphrase is matched by its glossed Danish words, as the search does
        lexical = " ".join(gloss(topic)) if asked.english else None
        with asked.clock:
            hits = self.retriever.search(
                topic, k=1, search_filter=SearchFilter(kinds=(KIND_PRINCIPLE,)), lexical_query=lexical
            )
        topic_terms = content_terms(" ".join(gloss(topic)) if asked.english else topic)
        if hits and not (topic_terms and len(self.matcher.unknown(topic_terms)) == len(topic_terms)):
            return self.catalog.principle(hits[0].chunk.principle or "")
        return None

    def _about_something_else(self, asked: _Asked, principle: Principle) -> bool:
        """Whether a list-by-principle question is about a subject that the closest principle's
        statement never names, and does not speak of a principle at all ("Hvilke indsatser har med
        elever at gøre?", not "the principle about using research")."""
        view = asked.view
        return (
            view is not None
            and bool(view.focus)
            and "princip" not in fold(asked.ask or asked.question)
            and self.understanding is not None
            and self.matcher.coverage(view.focus, principle.statement) == 0
            and not any(_first_part_in(t, principle.statement) for t in view.focus)
        )

    def _principles(self, asked: _Asked) -> Draft:
        """One principle's answer, or for several named ("Fagprincip 1 og 2") each one's in turn."""
        each = _each_principle(asked)
        return merge_drafts([self._principle(one) for one in each]) if each else self._principle(asked)

    def _principle(self, asked: _Asked) -> Draft:
        """A principle's statement, or its initiatives (all, or those of a department or about a topic)."""
        catalog, composer, matcher, route = self.catalog, self.composer, self.matcher, asked.route
        residual = [t for t in asked.residual if t in _narrowing(asked)]
        principle = catalog.principle(route.principle) if route.principle else None
        if principle is None and route.topic:
            principle = self._paraphrased(asked, route.topic)
            if principle is not None and self._about_something_else(asked, principle):
                # the closest statement says nothing of what the question is about ("Hvilke indsatser
                # har med elever at gøre?"): the initiatives about that, across principles
                return self._topic(replace(asked, route=replace(route, kind=TOPIC_LIST, topic=None)))
            residual = []
        if principle is None:
            if route.principle:
                known = ", ".join(catalog.principles)
                return composer.abstain(f"Strategien har ikke et {route.principle}. Principperne er: {known}.")
            return composer.abstain(no_match(asked.english))
        if route.kind == PRINCIPLE_STATEMENT:
            return self.generator.generate(asked.question, route, Evidence(principle=principle, english=asked.english))
        # a department the question asks about filters by the initiatives' departments (one named only
        # in a lead-in that says where the asker works does not: the view has left it out)
        department = find_department(asked.question)
        if department is not None and asked.view is not None and department.name not in asked.view.departments:
            department = None
        if department is not None:
            own = _department_words(asked.question, [department])
            residual = [t for t in residual if t not in own]
            only = [c for c in principle.initiatives if department.name in c.departments]
            if residual:
                only = [c for c in only if matcher.coverage(residual, c.text) > 0] or only
            evidence = Evidence(
                principle=principle, initiatives=tuple(only), about=department.name, english=asked.english
            )
            return self.generator.generate(asked.question, route, evidence)
        narrowed = self._narrowed_principle(asked, principle, residual)
        if narrowed is not None:
            return narrowed
        return self.generator.generate(asked.question, route, Evidence(principle=principle, english=asked.english))

    def _narrowed_principle(self, asked: _Asked, principle: Principle, residual: list[str]) -> Draft | None:
        """A principle's initiatives narrowed by the ages or the subject words the question adds, or None
        when it adds none that narrow them."""
        matcher = self.matcher
        age = asked_age(ask_clause(asked.ask or asked.question))
        aged = for_ages(principle.initiatives, age) if age is not None else []
        if age is not None and aged and len(aged) < len(principle.initiatives):
            evidence = Evidence(principle=principle, initiatives=tuple(aged), about=age.said, english=asked.english)
            return self.generator.generate(asked.question, asked.route, evidence)
        # "Fagprincip 1 om børn og unge" names the principle's own topic; "... der handler om
        # Nørrebro" asks for the initiatives that concern something (and only words some initiative
        # uses narrow the list: "… til et lokaludvalgsmøde" does not)
        if residual and not self._describes(residual, principle):
            only = [c for c in principle.initiatives if matcher.coverage(residual, c.text) > 0]
            if only:
                about = _words_for(asked.question, residual)
                evidence = Evidence(principle=principle, initiatives=tuple(only), about=about, english=asked.english)
                return self.generator.generate(asked.question, asked.route, evidence)
        return None

    def _describes(self, words: list[str], principle: Principle) -> bool:
        """Whether ``words`` name the principle's own subject: its statement holds at least half of them,
        or holds more of them than any other statement does ("Fagprincip 2 om rocker- og
        bandekriminalitet": "rocker" is in its statement only)."""
        covered = {p.label: self.matcher.coverage(words, p.statement) for p in self.catalog.principles.values()}
        own = covered.pop(principle.label, 0.0)
        return own >= 0.5 or (own > 0 and all(own > other for other in covered.values()))

    def _department(self, asked: _Asked, *, alone: bool = False) -> Draft:
        """The initiatives a department takes part in (those two departments share, for "både … og …"),
        narrowed only by words the question adds."""
        code = asked.route.department or ""
        named = [d.name for d in find_departments_named(asked.question)]
        both = len(named) > 1 and _BOTH.search(asked.question)
        if len(named) > 1 and not both and not alone and code in named:
            # "SOF og BUF", "Hvad laver KFF og SOF?": each department's list in turn
            each = [replace(asked, route=replace(asked.route, department=name)) for name in named]
            return merge_drafts([self._department(one, alone=True) for one in each])
        initiatives = self.catalog.initiatives_of_department(code)
        if both:
            initiatives = [c for c in initiatives if all(n in c.departments for n in named)]
        initiatives, within = _under_principles(asked, initiatives)
        own = _department_words(asked.question, [resolve_department(name) for name in named or [code]])
        age = asked_age(ask_clause(asked.ask or asked.question))
        extra = [t for t in asked.residual if t not in own and t in _narrowing(asked) and not (age and t.isdigit())]
        limited = self.catalog.principle(asked.route.principle) if asked.route.principle and within else None
        if limited is not None and asked.view is not None and asked.view.described:
            # "under princippet om rocker- og bandekriminalitet": the words that found the principle
            # describe it, and narrow nothing within it
            extra = []
        initiatives, extra, limited = self._principle_scope(initiatives, extra, limited)
        if extra:
            whole = any(self.matcher.coverage(extra, c.text) >= 1.0 for c in initiatives)
            premise = None if whole or both or asked.route.principle else self._premise(asked, code, extra)
            if premise is not None:
                return premise
            # those that name all the words asked about, else those that name any of them
            filtered = [c for c in initiatives if self.matcher.coverage(extra, c.text) >= 1.0] or [
                c for c in initiatives if self.matcher.coverage(extra, c.text) > 0
            ]
            if filtered:
                initiatives = filtered
        if age is not None:
            initiatives = for_ages(initiatives, age) or initiatives
        about = " og ".join(named) if both else None
        evidence = Evidence(
            department=code,
            initiatives=tuple(initiatives),
            about=about,
            principle=self.catalog.principle(within) if within else limited,
            english=asked.english,
        )
        return self.generator.generate(asked.question, asked.route, evidence)

    def _principle_scope(
        self, initiatives: list[Chunk], extra: list[str], limited: Principle | None
    ) -> tuple[list[Chunk], list[str], Principle | None]:
        """A department's initiatives, the words that still narrow them, and the principle they are under:
        words that name a principle by its subject never narrow by themselves. Under the principle the
        question names ("under the gang principle") they say nothing more; without one, words that only
        one principle's statement holds ("eksemplerne på vidensbaseret arbejde") put the list under it."""
        if not extra:
            return initiatives, extra, limited
        if limited is not None:
            return initiatives, [] if self.matcher.coverage(extra, limited.statement) >= 0.5 else extra, limited
        if any(self.matcher.coverage(extra, c.text) >= 1.0 for c in initiatives):
            # the department's own initiatives name them ("Samarbejder KFF med politiet?"): a subject
            # to narrow by, whichever statement also names it
            return initiatives, extra, limited
        described = [p for p in self.catalog.principles.values() if self.matcher.coverage(extra, p.statement) >= 0.5]
        under = [c for c in initiatives if len(described) == 1 and c.principle == described[0].label]
        return (under, [], described[0]) if under else (initiatives, extra, None)

    def _premise(self, asked: _Asked, code: str, extra: list[str]) -> Draft | None:
        """A department asked about in something none of its initiatives names ("Er BUF med i Den Korte
        Snor?", "Hvorfor hører Tryghedsvagterne under Socialforvaltningen?"): when a few other passages
        name that thing, the answer says plainly that the document does not name the department there,
        then what it says of the thing, cited (whoever the passage names instead). None otherwise."""
        if self.understanding is None or asked.view is None:
            return None
        initiatives = [c for c in self.catalog.chunks if c.kind == KIND_INITIATIVE]
        holding = [c for c in initiatives if self.matcher.coverage(extra, c.text) >= 1.0]
        if not holding or len(holding) > self.understanding.policy.premise_holders:
            return None
        if not _named_thing(" ".join([asked.question, *(c.text for c in holding)]), extra, asked.view.rare_terms):
            return None
        ids = {c.id for c in holding}
        ranked = [hit for hit in asked.searched if hit.chunk.id in ids]
        have = {hit.chunk.id for hit in ranked}
        ranked += [_unscored(c) for c in holding if c.id not in have]
        general = replace(asked, route=Route(GENERAL), searched=tuple(ranked[: self.settings.top_k]))
        draft = self._general(general)
        if draft.abstained:
            return None
        department = resolve_department(code)
        name = f"{department.name} ({department.code})" if department is not None else code
        about = _name_in(asked.question, extra)
        return self.composer.premise(draft, department=name, about=about, english=asked.english)

    def _topic(self, asked: _Asked) -> Draft:
        """Every initiative about the question's topic, across principles, as the topic model judges
        them (p(belongs) at least the policy's cut-off, and always the likeliest one). Whether the
        document speaks of the topic at all the answerability model has decided already."""
        assert self.understanding is not None and asked.view is not None
        policy = self.understanding.policy
        search_filter = asked.search_filter
        department = resolve_department(asked.route.department) if asked.route.department else None
        if department is not None:
            search_filter = replace(search_filter, departments=(department.name,))
        with asked.clock:
            members = self.understanding.topic_members(asked.view, search_filter)
            if not members and department is not None:
                members = self.understanding.topic_members(asked.view, asked.search_filter)
        if not members:
            return self.composer.abstain(no_match(asked.english))
        best = members[0][1]
        chosen = [hit.chunk for hit, p in members if p >= min(policy.topic_at, best)]
        age = asked.view.age
        if age is not None:
            # "unge over 18": the initiatives whose stated ages meet the asked ones; with no other
            # subject word, every initiative the search found is a candidate
            pool = chosen if asked.focus else [hit.chunk for hit, _p in members]
            aged = for_ages(pool, age)
            if aged and aged != pool:
                about = age.said
                evidence = Evidence(initiatives=tuple(aged), about=about, english=asked.english)
                return self.generator.generate(asked.question, asked.route, evidence)
        if best < policy.topic_floor:
            return self._general(asked)
        candidates = [hit.chunk for hit, _p in members]
        naming = self._naming(asked, candidates)
        if naming:
            # "Hvor nævnes SSP?", "Hvor er politiet med?": the passages that name it, each of them
            chosen = naming
        else:
            own = self._topic_principle(asked.focus, members[0][0].chunk.principle)
            if own is not None:
                # the topic is one principle's own subject ("rockere og bander", "nattelivet"): every
                # initiative of that principle is about it, besides those the topic model finds elsewhere
                have = {c.id for c in chosen}
                chosen += [c for c in own.initiatives if c.id not in have]
            chosen += _same_initiatives(chosen, candidates, asked.focus, self._names)
        about = _words_for(asked.question, asked.focus or asked.residual) or asked.question.strip(" ?")
        evidence = Evidence(initiatives=tuple(chosen), about=about, english=asked.english)
        return self.generator.generate(asked.question, asked.route, evidence)

    @cached_property
    def _names(self) -> frozenset[str]:
        """The proper names of this index's passages (ingest/names.py), its own whatever else is loaded."""
        return proper_names(c.text for c in self.catalog.chunks)[0]

    def _naming(self, asked: _Asked, candidates: Sequence[Chunk]) -> list[Chunk]:
        """For a question that asks where the documents speak of its subject, the candidates that name
        it ("Hvor er SSP med?": those that name SSP; "Hvor nævnes boligorganisationer eller almene
        boliger?": those that name either); [] for any other question."""
        if not asked.focus or not asks_where_mentioned(ask_clause(asked.ask or asked.question)):
            return []
        return [c for c in candidates if self.matcher.coverage(list(asked.focus), c.text) > 0]

    def _topic_principle(self, focus: Sequence[str], likeliest: str | None) -> Principle | None:
        """The principle whose statement, alone of all, names every subject word of a topic question,
        when the topic's likeliest initiative is under it; None when no or several statements do."""
        if not focus or likeliest is None:
            return None
        named = [p for p in self.catalog.principles.values() if self.matcher.coverage(list(focus), p.statement) >= 1.0]
        if len(named) != 1 or named[0].label != likeliest:
            return None
        return named[0]

    def _general(self, asked: _Asked) -> Draft:
        """The best sentences of the best passages, unless the document does not answer."""
        unknown = [] if asked.english else self.matcher.unknown(asked.terms)
        if asked.understood is not None and asked.searched:
            hits = self._likely(asked)
        elif len(asked.searched) >= self.settings.top_k:
            hits = list(asked.searched[: self.settings.top_k])
        else:
            with asked.clock:
                hits = self.retriever.search(
                    asked.question, k=self.settings.top_k, search_filter=asked.search_filter, lexical=not asked.english
                )
        verdict = self._abstention(asked.question, asked.terms, unknown, hits, english=asked.english)
        if verdict is not None:
            return self.composer.abstain(verdict)
        evidence = Evidence(
            hits=tuple(hits),
            terms=tuple(asked.terms),
            focus=tuple(asked.focus),
            english=asked.english,
            about=_words_for(asked.question, asked.focus) if asked.focus else None,
            ask=asked.ask,
        )
        draft = self.generator.generate(asked.question, replace(asked.route, kind=GENERAL), evidence)
        named = self._named_only(asked, draft)
        if named is not None:
            # "Hvad står der i Restaurations- og Nattelivsplanen?": the passage is the bare name
            return self.composer.named_only(
                draft, about=_name_in(asked.question, named.terms), label=named.principle or "", english=asked.english
            )
        if _PRINCIPLE_WORD.search(asked.ask) and draft.citations and not draft.abstained:
            # a fact question that also asks which principle ("… og hvilket princip hører den under?")
            first = draft.citations[0]
            if first.principle:
                said = "It belongs under" if asked.english else "Det hører under"
                draft = replace(draft, text=f"{draft.text}\n\n{said} {first.principle}. [{first.n}]")
        return draft

    def _named_only(self, asked: _Asked, draft: Draft) -> _Named | None:
        """The one passage an answer cites when it is no more than the name the question asks about
        (every word of it is the question's own), with those words; None otherwise."""
        if draft.abstained or len(draft.citations) != 1:
            return None
        chunk = self.catalog.by_id.get(draft.citations[0].chunk_id)
        own = content_terms(chunk.text) if chunk is not None and chunk.kind == KIND_INITIATIVE else []
        if not own or self.matcher.coverage(own, asked.question) < 1.0:
            return None
        return _Named(terms=own, principle=chunk.principle if chunk is not None else None)

    def _likely(self, asked: _Asked) -> list[Hit]:
        """The passages the ranker finds likely enough to answer from: the best, and those within the
        policy's share of its probability (a passage far behind it is left out, not cited)."""
        assert asked.understood is not None and self.understanding is not None
        keep = self.understanding.policy.rank_keep
        p = {h.chunk.id: q for h, q in asked.understood.ranked}
        searched = list(asked.searched[: self.settings.top_k])
        best = max((p.get(h.chunk.id, 0.0) for h in searched), default=0.0)
        return [h for i, h in enumerate(searched) if i == 0 or p.get(h.chunk.id, 0.0) >= keep * best]

    def _follow_up(self, question: str, route: Route, follow_up: FollowUp, clock: RetrievalClock) -> Draft:
        """Answer about the chunks the previous answer cited."""
        composer = self.composer
        scope = [self.catalog.by_id[i] for i in follow_up.scope if i in self.catalog.by_id]
        if route.kind == WHICH_PRINCIPLE and not follow_up.plural:
            with clock:
                hits = self.retriever.search(question, k=1, search_filter=SearchFilter(chunk_ids=follow_up.scope))
            return composer.which_principle(hits)
        about = [t for t in content_terms(question) if t not in ROUTING_TERMS]
        if follow_up.plural and about:
            matches = self._narrowed_scope(question, scope, about)
            return composer.follow_up_list(matches, total=len(scope), about=follow_up_topic(question))
        with clock:
            hits = self.retriever.search(
                question, k=min(self.settings.top_k, len(scope)), search_filter=SearchFilter(chunk_ids=follow_up.scope)
            )
        if not hits:
            return composer.abstain(NO_MATCH)
        return composer.general(question, hits, content_terms(question) or about)

    def _narrowed_scope(self, question: str, scope: list[Chunk], about: list[str]) -> list[tuple[Chunk, str]]:
        """The previous list's initiatives that the follow-up's words pick out, each with the sentence
        that shows it: one that names them; one that states the kind of fact asked for ("Hvilke af dem
        nævner en aldersgruppe?": an age); or, in a list across principles, any initiative under a
        principle whose statement is about them ("Hvilke af dem handler om ekstremisme?")."""
        intent = question_intent(question)
        asking = set(terms(asked_words(question))) if intent is not None else set()
        subject = [t for t in about if t not in asking]
        labels = {c.principle for c in scope if c.principle} if subject else set()
        about_principle = {
            label
            for label in (labels if len(labels) > 1 else ())
            if (principle := self.catalog.principle(label))
            and self.matcher.coverage(subject, principle.statement) >= 1.0
        }
        matches: list[tuple[Chunk, str]] = []
        for chunk in scope:
            if intent is not None and asking and not subject:
                stated = [s for s in split_sentences(chunk.text) if intent.answered_by(question, s)]
                if stated:
                    matches.append((chunk, stated[0]))
                continue
            sentence, coverage = self.composer.best_sentence(chunk, about)
            if coverage > 0 or chunk.principle in about_principle:
                matches.append((chunk, sentence))
        return matches

    def _which_principle(self, asked: _Asked) -> Draft:
        question, search_filter = asked.question, asked.search_filter
        if asked.view is not None and asked.view.described and asked.route.principle:
            # "Hvilket princip handler om nattelivet?": the principle whose wording is about it
            principle = self.catalog.principle(asked.route.principle)
            if principle is not None:
                evidence = Evidence(principle=principle, english=asked.english)
                return self.generator.generate(question, asked.route, evidence)
        if asked.understood is not None and asked.searched:
            # the ranker's best initiative, and those it finds as likely
            ranked = [(h, p) for h, p in asked.understood.ranked if h.chunk.kind == KIND_INITIATIVE]
            if ranked:
                best = ranked[0][1]
                matches = [h for h, p in ranked if p >= 0.8 * best][:3]
                evidence = Evidence(hits=tuple(matches), english=asked.english)
                return self.generator.generate(question, replace(asked.route, kind=WHICH_PRINCIPLE), evidence)
        unknown = [] if asked.english else self.matcher.unknown(asked.terms)
        focus = asked.residual or content_terms(question)
        with asked.clock:
            hits = self.retriever.search(
                question,
                k=8,
                search_filter=SearchFilter(kinds=(KIND_INITIATIVE,), departments=search_filter.departments),
                lexical=not asked.english,
            )
        if asked.english and hits:  # no shared words to weigh: the embedding's first choice
            return self.generator.generate(question, asked.route, Evidence(hits=tuple(hits[:1]), english=True))
        focus_unknown = [t for t in unknown if t in focus]
        verdict = self._abstention(question, focus, focus_unknown, hits, english=is_english(question))
        if verdict is not None:
            return self.composer.abstain(verdict)
        covered = [(self.matcher.coverage(focus, h.chunk.text), h) for h in hits]
        best_cover = max(c for c, _ in covered)
        if best_cover >= 0.5:
            matches = [h for c, h in covered if c >= 0.8 * best_cover][:4]
        elif hits[0].dense_score >= self.settings.min_similarity + 0.05:
            matches = [hits[0]]
        else:
            return self.composer.abstain(NO_MATCH)
        return self.generator.generate(
            question, replace(asked.route, kind=WHICH_PRINCIPLE), Evidence(hits=tuple(matches))
        )

    def _abstention(
        self,
        question: str,
        question_terms: list[str],
        unknown: list[str],
        hits: Sequence[Hit],
        *,
        english: bool = False,
    ) -> str | None:
        """Why the document cannot answer, or None when the hits are good enough to answer from.

        With the fitted question models the policy has already decided that the document answers; then
        only an empty search declines here.

        A question whose words are largely absent from the corpus (a compound of which only a part
        occurs counts half) is about something the document does not cover, however similar some
        passage looks; otherwise the most similar passage must be similar enough."""
        if not hits:
            return no_match(english)
        if self.understanding is not None:
            return None
        top = max(h.dense_score for h in hits)
        floor = self.settings.min_similarity - (0.02 if english else 0.0)
        partial = [] if english else self.matcher.partial(question_terms)
        if question_terms and (unknown or partial):
            share = (len(unknown) + 0.5 * len(partial)) / len(question_terms)
            if share >= 0.5 or top < floor + 0.05:
                return not_mentioned(question, unknown or partial)
        if top < floor:
            return NO_MATCH
        return None


def _first(ranked: list[Hit], wanted: Sequence[Chunk]) -> list[Hit]:
    """``ranked`` with the passages of ``wanted`` first: those it holds in its order, then the others."""
    ids = {c.id for c in wanted}
    held = [hit for hit in ranked if hit.chunk.id in ids]
    have = {hit.chunk.id for hit in held}
    found = [_unscored(c) for c in wanted if c.id not in have]
    return held + found + [hit for hit in ranked if hit.chunk.id not in ids]


def _named_thing(written: str, wanted: Sequence[str], rare: Sequence[str]) -> bool:
    """Whether ``wanted`` names one thing: each word rare in Danish, or written with a capital inside a
    sentence of ``written`` (the question and the passages: "Den Korte Snor", "Tryghedsvagterne"), not
    an everyday word ("et par")."""
    named = {term(w) for part in split_sentences(written) for i, w in enumerate(words(part)) if i and w[:1].isupper()}
    return all(t in rare or t in named for t in wanted)


def _name_in(question: str, wanted: Sequence[str]) -> str:
    """The question's words for ``wanted`` as it writes the name they are part of: a run of words from
    the first such word to the last, with a capitalised article before it ("Den Korte Snor")."""
    wanted_set = set(wanted)
    found = [m for m in WORD_RE.finditer(question) if term(m.group()) in wanted_set]
    if not found:
        return _words_for(question, wanted)
    start, end = found[0].start(), found[-1].end()
    article = re.search(r"\b(?:Den|Det|De)\s+$", question[:start])
    if article is not None and question[start].isupper():
        start = article.start()
    span = question[start:end]
    return span if len(span.split()) <= 2 * len(found) + 1 else _words_for(question, wanted)


def _first_part_in(compound: str, text: str) -> bool:
    """Whether ``text`` names the first part of a compound term ("rockergrup": "rocker" in "rocker- og
    bandemedlem"), a part of at least five letters."""
    have = set(terms(text))
    return any(term(compound[:i]) in have for i in range(5, len(compound) - 3))


def _unscored(chunk: Chunk) -> Hit:
    """A passage the search did not return, put in a list of hits without a score of its own."""
    return Hit(chunk, score=0.0, dense_score=0.0, bm25_score=0.0, dense_rank=None, bm25_rank=None)


def _department_words(question: str, departments: Sequence[Department | None]) -> set[str]:
    """The terms that name the departments: their names and codes, and the question's own words the
    department was found by ("socialforvaltningn", "Socialforvaltningens"), which never narrow its list."""
    own: set[str] = set()
    flat = re.sub(r"\s+", " ", question)
    for department in departments:
        if department is None:
            continue
        own |= set(terms(f"{department.name} {department.code}"))
        own |= {t for w in words(flat) if misspells_department(fold(w), department) for t in terms(w)}
        for match in department.pattern.finditer(flat):
            start, end = match.span()
            while start > 0 and flat[start - 1].isalnum():
                start -= 1
            while end < len(flat) and flat[end].isalnum():
                end += 1
            own |= set(terms(flat[start:end]))
    return own


def _narrowing(asked: _Asked) -> list[str]:
    """The subject words that may narrow a list: those of the ask's own clause, not of a lead-in that
    says who asks ("Jeg arbejder i TMF med byrum – hvilke indsatser er vi med i?")."""
    clause = ask_clause(asked.ask)
    if clause == asked.ask:
        return asked.focus
    own = set(terms(clause))
    return [t for t in asked.focus if t in own]


def _principle_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names a principle by number (spans of its folded form, which keeps the length of
    ASCII principle names)."""
    folded = fold(text)
    if len(folded) != len(text):
        return []
    return sorted(m.span() for pattern in EXPLICIT_PRINCIPLE for m in pattern.finditer(folded))


def _same_initiatives(
    chosen: Sequence[Chunk], candidates: Sequence[Chunk], focus: Sequence[str], names: frozenset[str]
) -> list[Chunk]:
    """The candidates about an initiative that a chosen passage defines by the topic ("Natteværter er …
    til stede i Indre Bys natteliv"): the other passages of the Natteværter are about the nightlife too.
    ``names``: the corpus's proper names."""
    defined = {name for c in chosen if (name := defined_by(c.text, focus, names)) is not None}
    if not defined:
        return []
    have = {c.id for c in chosen}
    return [c for c in candidates if c.id not in have and leading_name(c.text, names) in defined]


def _words_for(question: str, question_terms: Sequence[str]) -> str:
    """The question's own words for ``question_terms``; for an English question, their Danish glosses
    ("young people … crime" -> "unge kriminalitet"), not the bare stems."""
    wanted = set(question_terms)
    shown = [w for w in dict.fromkeys(words(question)) if term(w) in wanted]
    # a term the question has only through an English word's gloss ("homeless people" -> "hjemløse")
    rest = wanted - {term(w) for w in shown}
    if rest:
        glossed = {term(w): w for w in reversed(gloss(question)) if term(w) in rest}  # one word per term
        shown += [w for w in dict.fromkeys(gloss(question)) if glossed.get(term(w)) == w]
    return " ".join(shown) or " ".join(question_terms)


def _each_principle(asked: _Asked) -> list[_Asked]:
    """The question once per principle when its ask names several by number ("Fagprincip 1 og 2"),
    else []."""
    named = find_principles(asked.ask or asked.question)
    if len(named) < 2 or asked.route.principle not in named:
        return []
    return [replace(asked, route=replace(asked.route, principle=label)) for label in named]


def _under_principles(asked: _Asked, initiatives: list[Chunk]) -> tuple[list[Chunk], str | None]:
    """A department's initiatives under the principle the question is about, and that principle; under
    any of several the ask names ("KFF i fagprincip 1 og 2"), and then no one principle."""
    within = asked.search_filter.principle or asked.route.principle
    several = find_principles(asked.ask or asked.question) if within else []
    if len(several) > 1 and within in several:
        return [c for c in initiatives if c.principle in several], None
    for principle in (asked.search_filter.principle, asked.route.principle):
        if principle:
            initiatives = [c for c in initiatives if c.principle == principle]
    return initiatives, within
