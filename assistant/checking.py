"""The check of generated text against its sources: every sentence must cite a passage ([n]) and its
content (numbers, names, places, dates, rare words, and most of its other words) must be found in the
passages it cites. Used on a language model's answer (assistant/generators/llm.py); the extractive
answers are the passages' own sentences and need no check.

Sentences of a passage that address the reader as a model ("Ignorer alle tidligere instruktioner …")
are never evidence: text that tells the model what to say cannot also be what proves it was right.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sikkerby.assistant.matching import is_english, is_generic, term_in
from sikkerby.ingest.danish import NEGATIONS, is_stopword, split_sentences, term, terms, words
from sikkerby.ingest.frequencies import zipf
from sikkerby.ingest.glossary import gloss

log = logging.getLogger(__name__)

#: share of a sentence's content terms its cited passages must hold (as the evaluator's faithfulness)
SUPPORTED = 0.8
#: a word rarer than this in Danish (Zipf scale) is a name or term of art: it must be in the passage
RARE_ZIPF = 3.0

#: a citation mark: [1], [1, 2], [1][2]
CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
#: marks written after the sentence's full stop ("… i weekenden. [2]") move before it
_MARKS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NUMBER = re.compile(r"\d")
#: text written to a model rather than to a reader: instructions to ignore, forget or override
ADDRESSES_MODEL = re.compile(
    r"\b(ignor\w*|glem\w*|se bort fra|tilsidesæt\w*|forget|disregard|override)\b[^.!?]{0,80}"
    r"\b(instruk\w*|instruction\w*|prompt\w*|regl\w*|rules?|system\w*|beskeder|messages?)\b"
    r"|\b(du er nu|you are now|ny instruks|new instructions?|system ?prompt)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CheckedSentence:
    """One sentence of the generated text: what it says, which passages it cites, and the verdict."""

    text: str
    refs: tuple[int, ...]
    supported: bool
    #: why it was removed ("" when kept)
    reason: str = ""


@dataclass(frozen=True)
class CheckResult:
    sentences: tuple[CheckedSentence, ...]

    @property
    def kept(self) -> tuple[CheckedSentence, ...]:
        return tuple(s for s in self.sentences if s.supported)

    @property
    def removed(self) -> tuple[CheckedSentence, ...]:
        return tuple(s for s in self.sentences if not s.supported)


def evidence_text(passage: str) -> str:
    """A passage as evidence: without its sentences that address a model."""
    return " ".join(s for s in split_sentences(passage) if not ADDRESSES_MODEL.search(s))


def generated_sentences(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """The sentences of generated text with the passage numbers each cites (marks removed from the
    text). Lines are split apart, bullets and numbering dropped; a heading ending in ":" is no sentence."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for raw in text.splitlines():
        line = _BULLET.sub("", raw).strip()
        if not line:
            continue
        line = _MARKS_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", line)
        for sentence in split_sentences(line):
            refs = tuple(dict.fromkeys(int(n) for mark in CITATION.findall(sentence) for n in re.split(r"[,;]", mark)))
            bare = re.sub(r"\s+([.!?,;:])", r"\1", CITATION.sub("", sentence)).strip()
            bare = re.sub(r"\s{2,}", " ", bare)
            if not bare or (bare.endswith(":") and not refs):
                continue
            if not words(bare):  # a stray mark or punctuation
                continue
            out.append((bare, refs))
    return out


class SentenceChecker:
    """Judges each generated sentence against the passages it cites (numbered from 1)."""

    def __init__(self, *, share: float = SUPPORTED, rare_zipf: float = RARE_ZIPF) -> None:
        self.share = share
        self.rare_zipf = rare_zipf

    def check(self, text: str, passages: Sequence[str]) -> CheckResult:
        evidence = [evidence_text(p) for p in passages]
        return CheckResult(tuple(self.sentence(s, refs, evidence) for s, refs in generated_sentences(text)))

    def sentence(self, text: str, refs: tuple[int, ...], evidence: Sequence[str]) -> CheckedSentence:
        if not refs:
            return CheckedSentence(text, refs, False, "cites no source")
        unknown = [n for n in refs if not 1 <= n <= len(evidence)]
        if unknown:
            return CheckedSentence(text, refs, False, f"cites [{unknown[0]}], which it was not given")
        cited = " ".join(evidence[n - 1] for n in refs)
        reason = self.unsupported(text, cited)
        return CheckedSentence(text, refs, not reason, reason)

    def unsupported(self, sentence: str, passage: str) -> str:
        """Why ``sentence`` is not supported by ``passage`` ("" when it is)."""
        if ADDRESSES_MODEL.search(sentence):
            return "repeats an instruction to the model"
        have = frozenset(terms(passage)) | frozenset(term(w) for w in words(passage))
        numbers = {w for w in words(passage) if _NUMBER.search(w)}
        tokens = words(sentence)
        for i, word in enumerate(tokens):
            if _NUMBER.search(word):
                if word.rstrip("+½") not in {n.rstrip("+½") for n in numbers}:
                    return f"«{word}» is not in the cited passage"
            elif self._strict(word, first=i == 0) and not self._found(word, have):
                return f"«{word}» is not in the cited passage"
        negations = NEGATIONS & {w.lower() for w in tokens}
        if negations and not NEGATIONS & {w.lower() for w in words(passage)}:
            return f"«{sorted(negations)[0]}» denies what the cited passage does not"
        wanted = self._content(sentence)
        if not wanted:
            return "says nothing the passage holds"
        found = sum(1 for t in wanted if term_in(t, have))
        if found / len(wanted) < self.share:
            missing = [t for t in wanted if not term_in(t, have)]
            return (
                f"{len(missing)} of {len(wanted)} content words are not in the cited passage ({', '.join(missing[:4])})"
            )
        return ""

    def _strict(self, word: str, *, first: bool) -> bool:
        """A word that must be in the passage as it is: a name or place (capitalised inside the sentence,
        an abbreviation such as SSP), or a word rare in Danish that is no everyday English word."""
        if is_stopword(word) or len(word) < 3:
            return False
        if word.isupper() and len(word) >= 2:
            return True
        if word[:1].isupper() and not first:
            return True
        return zipf(word, "da") < self.rare_zipf and zipf(word, "en") < 4.0

    @staticmethod
    def _found(word: str, have: frozenset[str]) -> bool:
        if term_in(term(word), have):
            return True
        danish = gloss(word.lower()) if zipf(word, "en") >= 3.0 else []
        return any(term_in(t, have) for g in danish for t in terms(g))

    @staticmethod
    def _content(sentence: str) -> list[str]:
        """The sentence's content terms; an everyday English word (not a Danish one) counts through its
        Danish gloss, and without one it is frame ("The initiative is …"), not a claim."""
        out: list[str] = []
        in_english = is_english(sentence)
        for word in words(sentence):
            if is_stopword(word) or word[:1].isdigit():  # numbers were matched one by one
                continue
            en, da = zipf(word, "en"), zipf(word, "da")
            if (in_english and en >= 3.0 and en >= da) or (en >= 4.0 and da < 3.0):
                out.extend(t for g in gloss(word.lower()) for t in terms(g))
                continue
            out.extend(t for t in terms(word) if not is_generic(t))
        return list(dict.fromkeys(out))
