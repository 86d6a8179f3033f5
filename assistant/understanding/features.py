"""What the models see of a question: the query embedding the retriever computes anyway, the question's
frame (its words with the names taken out), slots found by name patterns, and how well the passages
found cover it (dense and BM25 scores, the share of its rare words they hold, whether they hold the kind
of fact asked for)."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from sikkerby.assistant.ages import AgeRange, asked_age
from sikkerby.assistant.intents import (
    INTENTS,
    Intent,
    ask_clause,
    ask_lead_in,
    asked_words,
    asks_where_mentioned,
    question_intent,
)
from sikkerby.assistant.matching import (
    ENGLISH_ZIPF,
    TermMatcher,
    area_of,
    content_terms,
    english_words,
    is_english,
    term_in,
)
from sikkerby.assistant.router import find_departments_named, find_principles
from sikkerby.assistant.understanding.focus import TermCandidate, term_candidates
from sikkerby.assistant.understanding.frame import FrameVocabulary, frame_tokens, without_slots
from sikkerby.assistant.understanding.logreg import SoftmaxRegression
from sikkerby.index.bm25 import COMPOUND_MIN, SKELETON_WEIGHT
from sikkerby.index.hybrid import Hit, HybridRetriever, SearchFilter
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE
from sikkerby.ingest.danish import fold, split_sentences, term, terms, words
from sikkerby.ingest.frequencies import zipf
from sikkerby.ingest.glossary import gloss

log = logging.getLogger(__name__)

#: a content word rarer than this (Zipf scale, Danish) names what the question is about
RARE_ZIPF = 4.0
#: how many passages the answerability features look at
TOP = 3
#: how many passages the ranker chooses among, and how many initiatives a topic list
CANDIDATES = 20
TOPIC_CANDIDATES = 60

#: a principle named by its subject: "princippet om …", "bandeprincippet", "the … principle", "fagprincippet
#: om …" (singular; "principperne" asks about all of them)
_PRINCIPLE_MENTION = re.compile(r"\b(\w*?)(grund|fag)?-?princip(?:pet|le)?\b(?!per|les)")
_LAST = re.compile(r"\b(sidste|last|final)\b")
_ABOUT = re.compile(
    r"\s+(om|for|vedrorende|omkring|(?:der\s+)?(?:handler|drejer sig)\s+om|omhandler"
    r"|about|on|for|of|regarding|concerning|(?:that\s+)?(?:is|are)\s+about|covers|deals with|concerns)\b"
)
_NOT_DESCRIBING = frozenset(
    [
        "which",
        "what",
        "a",
        "the",
        "this",
        "that",
        "same",
        "each",
        "every",
        "any",
        "one",
        "hvilket",
        "hvilke",
        "hvad",
        "et",
        "det",
    ]
)
_KINDS = {"grund": "Grundprincip", "fag": "Fagprincip"}
#: an ask that points back at the asker's own unit ("hvad er vi med i?", "vores indsatser", "min
#: forvaltning") or at what the lead-in named ("Jeg koordinerer mellem BUF og BIF. Hvor arbejder de to sammen?")
_POINTS_BACK = re.compile(
    r"\b(vi|os|vores|vor|vore|min|mit|mine|we|us|our|my|de to|de tre|begge|dem|both|them|the two)\b"
)
#: the closest statement must be this much closer than the next for a description to name it
STATEMENT_MARGIN = 0.02

#: words that only say how a list or principle question is phrased, not what it is about
ROUTING_TERMS = frozenset(
    terms(
        "hvilke hvilket indsatser indsats initiativer tiltag eksempler projekter aktiviteter hører under falder "
        "ligger implementerer implementeres udmønter alle samtlige liste nævn vis giv udvalgte grundprincip "
        "grundprincippet fagprincip fagprincippet princip princippet nummer nr første andet anden tredje "
        "fjerde femte finder man står nævnes har laver gør bidrager deltager forvaltning forvaltningen "
        "disse heraf nævnte handler implementering eksemplerne eksempel "
        # what a request asks the assistant to do ("Kan du give mig et overblik …", "fortælle mig")
        "give fortælle vise finde hjælpe overblik"
    )
) | {str(n) for n in range(1, 10)}

#: the kinds of fact the question models tell apart, in the order of their features
INTENT_FEATURES = tuple(dict.fromkeys(intent.feature_name for intent in INTENTS))
SLOT_FEATURES = [
    "has_principle",
    "has_department",
    "departments",
    "english",
    "log_words",
    "asks_fact",
    "rare_words",
    "focus_words",
    "statement_cos",
    "initiative_cos",
    "statement_minus_initiative",
    # which kind of fact is asked for: a date or a frequency is never a list, a count may be
    *(f"asks:{name}" for name in INTENT_FEATURES),
]
ANSWER_FEATURES = [
    "dense_top",
    "dense_gap",
    "bm25_top",
    "coverage_top",
    "coverage_best",
    "rare_coverage",
    "rare_words",
    "rare_unknown_share",
    "rare_absent_share",
    "focus_words",
    "subject_p",
    "asks_fact",
    "fact_found",
    "focus_subject",
    "best_passage_words",
    "english",
    "rank_top",
    "rank_gap",
]


@dataclass
class QuestionView:
    """One question as the understanding models see it (computed once per question)."""

    #: the question as read: the ask after what it refers to (an earlier question, an earlier ask)
    question: str
    english: bool
    terms: list[str]
    rare_terms: list[str]
    principle: str | None
    department: str | None
    intent: Intent | None
    vector: np.ndarray
    hits: list[Hit] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    #: rare words of the question that the corpus uses (what it is about); never a word that only
    #: phrases a list or principle question
    focus: list[str] = field(default_factory=list)
    principles: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    #: the question's words with the names taken out (see frame.py)
    frame: list[str] = field(default_factory=list)
    #: cosine to the closest principle statement and to the closest initiative: a paraphrase of a
    #: principle is closer to its statement than to any one initiative
    statement_cos: float = 0.0
    initiative_cos: float = 0.0
    #: the ask itself, without what it refers to: its kind of fact, its frame and the embedding the
    #: kind model reads are its own
    ask: str = ""
    ask_vector: np.ndarray | None = None
    #: the content words the focus model judges (focus.py); ``focus`` holds those it chose that the
    #: documents use; ``unknown_focus`` the question's rare words they never use, or only as a part
    #: of a compound ("klippekort": "kort") (a subject that is not theirs)
    candidates: list[TermCandidate] = field(default_factory=list)
    unknown_focus: list[str] = field(default_factory=list)
    #: the focus model's highest p for a word of the question that the documents use
    subject_p: float = 0.0
    #: the principle was named by its subject ("princippet om nattelivet"), not by number
    described: bool = False
    #: the ages the question narrows to ("en 12-årig", "unge over 18"): a slot, like a department
    age: AgeRange | None = None
    #: an English question's words that are rare in English, have no Danish gloss and that the
    #: documents never use ("CCTV", "cyclists"): subjects they are silent on
    unglossed: list[str] = field(default_factory=list)

    @property
    def by_age_alone(self) -> bool:
        """Ages are all it gives to go by ("Er der en indsats til 12-årige?")."""
        return self.age is not None and not self.focus

    def slot_vector(self) -> np.ndarray:
        return np.array(
            [
                float(self.principle is not None),
                float(self.department is not None),
                float(len(self.departments)),
                float(self.english),
                math.log1p(len(words(self.question))),
                float(self.intent is not None),
                float(len(self.rare_terms)),
                float(len(self.focus)),
                self.statement_cos,
                self.initiative_cos,
                self.statement_cos - self.initiative_cos,
                *(float(self.intent is not None and self.intent.feature_name == name) for name in INTENT_FEATURES),
            ]
        )


class FeatureExtractor:
    """Builds a :class:`QuestionView` with one embedding and one hybrid search. ``focus_model`` judges
    which words say what a question is about (without it: its rare words that the documents use)."""

    def __init__(
        self,
        *,
        retriever: HybridRetriever,
        matcher: TermMatcher,
        focus_model: SoftmaxRegression | None = None,
        focus_at: float = 0.5,
    ) -> None:
        self.retriever = retriever
        self.matcher = matcher
        self.focus_model = focus_model
        self.focus_at = focus_at

    def with_focus(self, model: SoftmaxRegression | None, *, at: float | None = None) -> FeatureExtractor:
        return FeatureExtractor(
            retriever=self.retriever,
            matcher=self.matcher,
            focus_model=model,
            focus_at=self.focus_at if at is None else at,
        )

    def focus_of(
        self,
        candidates: Sequence[TermCandidate],
        *,
        rare: Sequence[str],
        unknown: Sequence[str],
        named: bool = False,
    ) -> tuple[list[str], float]:
        """The terms that say what the question is about, in its order, and the focus model's highest
        p for a word the documents use (how sure it is that the question names one of their subjects).
        ``named``: the question asks where the documents speak of something ("Hvor er politiet med?"),
        so its likeliest word they use is that thing, however common it is in them."""
        if self.focus_model is None or not candidates:
            known = [t for t in rare if t not in ROUTING_TERMS and t not in unknown]
            return known, float(bool(known))
        p = self.focus_model.proba(np.stack([c.features for c in candidates]))[:, -1]
        # a word that only phrases the question ("Kan du give mig …", "hvilke indsatser") names no subject
        scored = [
            (c.term, float(q)) for c, q in zip(candidates, p) if c.term not in unknown and c.term not in ROUTING_TERMS
        ]
        chosen = [t for t, q in scored if q >= self.focus_at]
        best = max(scored, key=lambda pair: pair[1], default=None)
        if named and not chosen and best is not None and best[1] > 0:
            chosen = [best[0]]
        return chosen, best[1] if best is not None else 0.0

    @cached_property
    def statements(self) -> dict[str, str]:
        """Each principle's statement, by label."""
        return {c.principle: c.text for c in self.retriever.chunks if c.kind == KIND_PRINCIPLE and c.principle}

    def pairs(self, view: QuestionView, hits: Sequence[Hit]) -> np.ndarray:
        """The ranker's and topic model's features of each of ``hits`` for the question (pairs.py)."""
        from sikkerby.assistant.understanding.pairs import pair_matrix

        return pair_matrix(view, hits, self.matcher, statements=self.statements)

    def corpus_frequency(self, t: str) -> int:
        """In how many passages a term occurs, as written or OCR-damaged ("natevaerterne")."""
        bm25 = self.matcher.bm25
        direct = bm25.document_frequency(t)
        if direct:
            return direct
        return max((bm25.document_frequency(f) for f, w in bm25.expand(t) if w >= SKELETON_WEIGHT), default=0)

    def view(self, ask: str, *, context: str = "") -> QuestionView:
        """The view of one ask, read after ``context`` (the earlier question or ask it refers to)."""
        # everyday words read as the documents' words ("radikalisering" as "ekstremisme"), a compound
        # the question splits in two ("kriminal forsorgen") as the one word they use
        ask, context = self.matcher.read(ask), self.matcher.read(context)
        question = f"{context} {ask}".strip()
        english = is_english(question)
        # an English question is searched and matched by its subject words glossed in Danish, and by the
        # names it shares with the documents ("What does KFF use MainManager for?")
        lexical = self.danish_words(question) if english else question
        # the English words of a Danish question are glossed too ("… for homeless people?"); one the
        # documents never use ("en quick overview") says how to answer, never what they are silent about
        loans = [] if english else english_words(question)
        if loans:
            lexical = " ".join([question, *gloss(" ".join(loans))])
        # an age is a slot, never a word the documents could be silent about ("12-årige")
        age = asked_age(ask_clause(ask)) or asked_age(question)
        ages = _age_terms(age)
        question_terms = [t for t in content_terms(lexical) if t not in ages]
        rare = rare_terms(lexical, question_terms)
        # a word of a chatty lead-in that the documents never use says who asks ("Jeg er jobkonsulent
        # …", "… sekretær for et byrådsmedlem."), never what the document is silent about
        chat = set(terms(ask_lead_in(question))) - set(terms(ask_clause(question)))
        chat |= set(terms(" ".join(loans)))
        unknown = [t for t in self.matcher.unknown(question_terms) if t not in chat]
        departments = [d.name for d in find_departments_named(question)]
        principles = find_principles(question)
        vector = self.retriever.query_vector(f"{question} {lexical}" if english else question)
        glossed = frozenset(w.lower() for w in gloss(question)) if english else frozenset()
        # the words of a department or principle the question names are a slot, never its topic
        candidates = term_candidates(
            lexical if english else without_slots(lexical),
            self.matcher,
            routing=ROUTING_TERMS,
            english=english,
            glossed=glossed,
            lead_in=frozenset(terms(ask_lead_in(question))),
        )
        subject, subject_p = self.focus_of(
            candidates, rare=rare, unknown=unknown, named=asks_where_mentioned(ask_clause(ask))
        )
        described = None
        if not principles:
            described = self.principle_described(question, lexical, subject, vector)
            principles = [described] if described else []
        departments = self._asked_departments(question, departments, subject, principles)
        if not english:
            # the ask's own lead-in, not the earlier question it is read after
            subject = self._asked_focus(ask, subject)
        hits = self.retriever.search(question, k=CANDIDATES, vector=vector, lexical_query=lexical)
        return QuestionView(
            question=question,
            english=english,
            terms=question_terms,
            rare_terms=rare,
            principle=principles[0] if principles else None,
            department=departments[0] if departments else None,
            intent=question_intent(ask),
            vector=vector.reshape(-1),
            hits=hits,
            unknown=unknown,
            focus=subject,
            subject_p=subject_p,
            unknown_focus=self.absent(rare, unknown, asked=frozenset([*terms(asked_words(ask)), *chat])),
            principles=principles,
            departments=departments,
            frame=frame_tokens(ask, document_frequency=self.corpus_frequency, documents=self.matcher.bm25.size),
            statement_cos=self._closest(question, vector, KIND_PRINCIPLE),
            initiative_cos=self._closest(question, vector, KIND_INITIATIVE),
            ask=ask,
            ask_vector=self.retriever.query_vector(ask).reshape(-1) if context else None,
            candidates=candidates,
            described=described is not None,
            age=age,
            unglossed=self.unglossed(ask) if english else [],
        )

    @staticmethod
    def _ask_of_its_own(question: str, subject: Sequence[str], *, principles: Sequence[str] = ()) -> str | None:
        """The ask's own clause when a lead-in before it only says who asks: the ask has a subject (or a
        principle) of its own and does not point back at the asker or the lead-in; else None."""
        if not ask_lead_in(question):
            return None
        ask = ask_clause(question)
        own_subject = bool(principles) or bool(set(subject) & set(terms(ask)))
        if not own_subject or _POINTS_BACK.search(fold(ask)):
            return None
        return ask

    @classmethod
    def _asked_departments(
        cls, question: str, departments: list[str], subject: Sequence[str], principles: Sequence[str]
    ) -> list[str]:
        """The departments the question asks about: one named only in a lead-in that says where the
        asker works ("Jeg sidder i Socialforvaltningen og skal holde et oplæg. Hvilke indsatser står
        under nattelivsprincippet?") is who asks."""
        ask = cls._ask_of_its_own(question, subject, principles=principles) if departments else None
        if ask is None:
            return departments
        asked = {d.name for d in find_departments_named(ask)}
        return [d for d in departments if d in asked]

    @classmethod
    def _asked_focus(cls, question: str, subject: list[str]) -> list[str]:
        """The subject without the words of a lead-in that says who asks ("Jeg er ny i en
        boligorganisation. Hvor nævnes almene boliger?", "Jeg er bibliotekar på Vesterbro …")."""
        ask = cls._ask_of_its_own(question, subject)
        if ask is None:
            return subject
        asked, lead_in = set(terms(ask)), set(terms(ask_lead_in(question)))
        # "SSP-medarbejder" is the lead-in's as its parts are ("ssp", "medarbejd")
        lead_in |= {term(w) for w in words(ask_lead_in(question))}
        return [t for t in subject if t in asked or t not in lead_in]

    def principle_described(self, question: str, lexical: str, focus: Sequence[str], vector: np.ndarray) -> str | None:
        """A principle the question names by its subject or place instead of its number ("princippet om
        nattelivet", "bandeprincippet", "the nightlife principle", "det sidste fagprincip")."""
        folded = fold(question)
        mention = _PRINCIPLE_MENTION.search(folded)
        if mention is None:
            return None
        before = folded[: mention.start()].split()[-1:] or [""]
        described = (
            mention.group(1)
            or _ABOUT.match(folded[mention.end() :])
            or _LAST.search(folded)
            or (before[0].isalpha() and before[0] not in _NOT_DESCRIBING and "principle" in mention.group(0))
        )
        if not described:
            return None
        statements = [c for c in self.retriever.chunks if c.kind == KIND_PRINCIPLE and c.principle]
        if not statements:
            return None
        head, kind = mention.group(1), mention.group(2)
        if _LAST.search(fold(question)):
            wanted = [
                c.principle
                for c in statements
                if c.principle and (kind is None or c.principle.startswith(_KINDS.get(kind, "")))
            ]
            return wanted[-1] if wanted else None
        subject = [*focus, *([term(head)] if head and len(head) >= 4 else [])]
        subject = [t for t in subject if t not in ROUTING_TERMS] or content_terms(lexical)
        scored = sorted(((self.matcher.coverage(subject, c.text), c.principle) for c in statements), reverse=True)
        if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return scored[0][1]
        hits = self.retriever.search(
            question, k=2, vector=vector, lexical=False, search_filter=SearchFilter(kinds=(KIND_PRINCIPLE,))
        )
        if len(hits) == 2 and hits[0].dense_score - hits[1].dense_score >= STATEMENT_MARGIN:
            return hits[0].chunk.principle
        return None

    def unglossed(self, question: str) -> list[str]:
        """The words of an English question that are rare in English (no everyday word that frames the
        ask), that no gloss turns into Danish, alone or with a neighbour ("night hosts"), and that the
        documents never use."""
        found = words(without_slots(question))
        out: list[str] = []
        for i, word in enumerate(found):
            if word[:1].isdigit() or len(word) < 3 or zipf(word, "en") >= ENGLISH_ZIPF or gloss(word):
                continue
            pairs = [(found[i - 1], word)] if i > 0 else []
            pairs += [(word, found[i + 1])] if i + 1 < len(found) else []
            # the pair glosses to more than its other word alone does
            if any(set(gloss(f"{a} {b}")) - set(gloss(b if a == word else a)) for a, b in pairs):
                continue
            if not self.corpus_frequency(term(word)):
                out.append(term(word))
        return out

    def danish_words(self, question: str) -> str:
        """An English question's subject words in Danish, and its rare words that the corpus uses (the
        departments and principles it names aside: they are slots)."""
        rest = without_slots(question)
        found = words(rest)
        # a name is rare in English, or capitalised inside the question as the documents write it
        # ("the Strong Cities Network", an English name in the Danish text)
        names = [
            w
            for i, w in enumerate(found)
            # as the documents spell it: "gangs" is no "gang" of "en gang årligt"
            if (zipf(w, "en") < RARE_ZIPF or (i > 0 and w[:1].isupper()))
            and w.lower() in self.retriever.normalizer.vocabulary
            and self.corpus_frequency(term(w))
        ]
        return " ".join(dict.fromkeys([*gloss(rest), *names]))

    def absent(self, rare: Sequence[str], unknown: Sequence[str], *, asked: frozenset[str] = frozenset()) -> list[str]:
        """The rare words of a question that the documents never use, or use only a part of: "klippekort"
        ("kort"), not "migrantindsatsen", whose parts are both theirs; never the words that ask for the
        kind of fact (``asked``: "aldersgruppe" in "Hvilken aldersgruppe er den for?")."""
        part_only = [
            t for t in self.matcher.partial(list(rare)) if not self._both_parts_known(t) and not self._area_known(t)
        ]
        return [t for t in rare if (t in unknown or t in part_only) and t not in ROUTING_TERMS and t not in asked]

    def _area_known(self, t: str) -> bool:
        """A compound with an area head ("støjproblemer", "bandeområdet") whose first part the documents
        use, if only inside a compound of their own ("Støjvagten"): they speak of its subject."""
        return any(self.matcher.bm25.expand(first) for first in area_of(t))

    def _both_parts_known(self, t: str) -> bool:
        vocab = self.matcher.bm25.vocab
        return any(
            t[:i] in vocab and (t[i:] in vocab or (t[i] in "se" and t[i + 1 :] in vocab))
            for i in range(COMPOUND_MIN, len(t) - COMPOUND_MIN + 1)
        )

    def initiative_candidates(self, view: QuestionView, *, search_filter: SearchFilter | None = None) -> list[Hit]:
        """The initiatives a topic list chooses from: the best TOPIC_CANDIDATES by both searches."""
        narrowed = replace(search_filter or SearchFilter(), kinds=(KIND_INITIATIVE,))
        return self.retriever.search(
            view.question,
            k=TOPIC_CANDIDATES,
            vector=view.vector,
            search_filter=narrowed,
            lexical_query=self.danish_words(view.question) if view.english else None,
        )

    def _closest(self, question: str, vector: np.ndarray, kind: str) -> float:
        hits = self.retriever.search(
            question, k=1, vector=vector, lexical=False, search_filter=SearchFilter(kinds=(kind,))
        )
        return hits[0].dense_score if hits else 0.0

    def kind_vector(self, view: QuestionView, vocabulary: FrameVocabulary) -> np.ndarray:
        own = view.ask_vector if view.ask_vector is not None else view.vector
        return np.concatenate([own, vocabulary.vector(view.frame), view.slot_vector()])

    def answer_vector(
        self,
        view: QuestionView,
        kind_proba: Sequence[float] | np.ndarray,
        rank_proba: Sequence[float] | np.ndarray = (),
    ) -> np.ndarray:
        hits = view.hits[:TOP]
        dense = [h.dense_score for h in hits] + [0.0, 0.0]
        coverages = [self.matcher.coverage(view.terms, h.chunk.text) for h in hits] or [0.0]
        joined = " ".join(h.chunk.text for h in hits)
        rare_coverage = self.matcher.coverage(view.rare_terms, joined) if view.rare_terms else 1.0
        # only rare words can make the document silent: an everyday word it happens not to use ("dage",
        # "sker", "laver") says nothing about whether it answers
        n_rare = max(len(view.rare_terms), 1)
        ranked = sorted(rank_proba, reverse=True) + [0.0, 0.0]
        best = hits[int(np.argmax(rank_proba))] if len(rank_proba) and hits else (hits[0] if hits else None)
        values = [
            dense[0],
            dense[0] - dense[1],
            math.log1p(max((h.bm25_score for h in hits), default=0.0)),
            coverages[0],
            max(coverages),
            rare_coverage,
            float(len(view.rare_terms)),
            # a compound of which the document has a part ("klassetrin": "klasse") counts as known
            sum(t in view.rare_terms for t in view.unknown) / n_rare,
            # … but one known only through a part ("klippekort": "kort") is not the documents' subject
            len(view.unknown_focus) / n_rare,
            float(len(view.focus)),
            view.subject_p,
            float(view.intent is not None),
            float(self.fact_found(view)),
            float(best is not None and self.focus_is_subject(view, best.chunk.text)),
            math.log1p(len(words(best.chunk.text))) if best is not None else 0.0,
            float(view.english),
            ranked[0],
            ranked[0] - ranked[1],
        ]
        return np.concatenate([np.array(values), np.asarray(kind_proba, dtype=float)])

    def fact_found(self, view: QuestionView) -> bool:
        """Whether a passage about the question states the kind of fact it asks for (a year for
        "hvornår", a number for "hvor mange", an amount for "hvad koster")."""
        if view.intent is None:
            return False
        subject = view.rare_terms or view.terms  # what the question is about, not how it asks
        for hit in view.hits[:TOP]:
            if subject and not view.english and self.matcher.coverage(subject, hit.chunk.text) < 0.5:
                continue
            if any(view.intent.answered_by(view.ask, s) for s in split_sentences(hit.chunk.text)):
                return True
        return False

    def focus_is_subject(self, view: QuestionView, text: str) -> bool:
        """Whether a sentence of the passage is about what the question names: one of its first words is
        a focus word ("Natteværter er …"), not a passing mention deep in a list."""
        if not view.focus:
            return False
        for sentence in split_sentences(text):
            head = frozenset(term(w) for w in words(sentence)[:4])
            if any(term_in(t, head) for t in view.focus):
                return True
        return False


#: the words with which a question gives an age ("12-årige", "på 12 år", "a 14-year-old", "aged 13")
_AGE_WORDS = frozenset({"ar", "arig", "aar", "year", "old", "aged", "age"})


def _age_terms(age: AgeRange | None) -> frozenset[str]:
    if age is None:
        return frozenset()
    return frozenset(t for t in terms(age.said) if any(c.isdigit() for c in t) or t in _AGE_WORDS)


def rare_terms(question: str, question_terms: list[str]) -> list[str]:
    """The question's content terms whose words are rare in Danish (names, places, subject words)."""
    wanted = set(question_terms)
    out = []
    for word in words(question):
        t = term(word)
        if t in wanted and t not in out and zipf(word, "da") < RARE_ZIPF:
            out.append(t)
    return out
