"""How a question is put, apart from what it is about: its words with the names taken out.

"Hvad laver Natteværterne?" and "Hvad laver Idrætsprojektet?" are the same kind of question. The frame
keeps the everyday and question words (folded stems: "hvad", "lav", "hvilk", "indsats", "hor", "under")
and replaces what names a thing by its class: a principle, a department, an abbreviation, a number, a
word of the corpus that only a few passages use (a name, a place), or a rare word the corpus never uses.
The kind model reads these as a bag of words and word pairs, so what it learns of one initiative's
questions carries over to every other's.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from sikkerby.assistant.router import EXPLICIT_PRINCIPLE
from sikkerby.ingest.danish import WORD_RE, fold, stem, term
from sikkerby.ingest.departments import DEPARTMENTS
from sikkerby.ingest.frequencies import zipf

log = logging.getLogger(__name__)

PRINCIPLE, DEPARTMENT, ABBREVIATION, NUMBER, NAME, UNKNOWN = (
    "<princip>",
    "<forvaltning>",
    "<forkortelse>",
    "<tal>",
    "<navn>",
    "<ukendt>",
)
#: a corpus word in at most this share of the passages, and rarer than COMMON in everyday Danish and
#: English, names something
NAME_SHARE = 0.15
COMMON = 4.5
#: a word the corpus never uses, rarer than this in both languages, is an unknown name
UNKNOWN_ZIPF = 3.0
_ABBREVIATION = re.compile(r"^[A-ZÆØÅ]{2,6}\+?$")


def frame_tokens(question: str, *, document_frequency: Callable[[str], int], documents: int) -> list[str]:
    """The question's frame: folded stems of its words, names replaced by their class, in order."""
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", question))
    found = list(WORD_RE.finditer(text))
    tokens: list[str] = []
    for match, slot in zip(found, _slots(text, found)):
        token = slot or _token(match.group(), document_frequency, documents)
        if slot and tokens and tokens[-1] == slot:  # "Kultur- og Fritidsforvaltningen" is one department
            continue
        tokens.append(token)
    return tokens


def without_slots(text: str) -> str:
    """``text`` with the departments and principles it names blanked out: what is left names the rest of
    what the question is about ("hvilke indsatser har socialforvaltningn om byrum" -> "… byrum")."""
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))
    found = list(WORD_RE.finditer(text))
    out, last = [], 0
    for match, slot in zip(found, _slots(text, found)):
        if slot:
            out.append(text[last : match.start()])
            last = match.end()
    out.append(text[last:])
    return "".join(out)


def _slots(text: str, found: Sequence[re.Match[str]]) -> list[str | None]:
    """Per word: the slot it is part of (a department or principle named), else None."""
    slots: list[str | None] = [None] * len(found)

    def mark(start: int, end: int, slot: str, spans: Sequence[tuple[int, int]]) -> None:
        for i, (a, b) in enumerate(spans):
            if a < end and b > start:
                slots[i] = slot

    spans = [m.span() for m in found]
    for department in DEPARTMENTS:
        for m in department.pattern.finditer(text):
            mark(m.start(), m.end(), DEPARTMENT, spans)
    # principle patterns read folded words; find them in the words joined by single spaces
    folded = [fold(m.group()) for m in found]
    offsets, position = [], 0
    for word in folded:
        offsets.append((position, position + len(word)))
        position += len(word) + 1
    joined = " ".join(folded)
    for pattern in EXPLICIT_PRINCIPLE:
        for m in pattern.finditer(joined):
            mark(m.start(), m.end(), PRINCIPLE, offsets)
    return slots


def _token(word: str, document_frequency: Callable[[str], int], documents: int) -> str:
    if word[:1].isdigit():
        return NUMBER if word not in ("0", "1") else word
    if _ABBREVIATION.match(word):
        return ABBREVIATION
    common = max(max(zipf(v, "da") for v in _spellings(word)), zipf(word, "en"))
    df = document_frequency(term(word))
    if 0 < df <= max(1, NAME_SHARE * documents) and common < COMMON:
        return NAME
    if df == 0 and common < UNKNOWN_ZIPF:
        return UNKNOWN
    # folded before stemming, so that "gør", "gor" and "goer" are one token
    return stem(fold(word))


def _spellings(word: str) -> list[str]:
    """The word and its spellings with æ/ø/å put back where a keyboard without them wrote "ae"/"oe"/"aa"
    or a plain vowel ("goer", "gor" -> "gør"), so that a typo of an everyday word is not a name."""
    lower = word.lower()
    out = [lower]
    for plain, danish in (("ae", "æ"), ("oe", "ø"), ("aa", "å")):
        if plain in lower:
            out.append(lower.replace(plain, danish))
    for i, letter in enumerate(lower):
        for danish in {"o": "ø", "a": "åæ", "e": "æ"}.get(letter, ""):
            out.append(lower[:i] + danish + lower[i + 1 :])
    return out[:12]


def frame_features(tokens: Sequence[str]) -> set[str]:
    """Unigrams and adjacent pairs of a frame."""
    grams = set(tokens)
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
    return grams


class FrameVocabulary:
    """The frame grams seen in enough training questions; a question becomes their presence vector."""

    def __init__(self, grams: Sequence[str]) -> None:
        self.grams = list(grams)
        self._index = {g: i for i, g in enumerate(self.grams)}

    @classmethod
    def fit(cls, frames: Sequence[Sequence[str]], *, min_count: int = 3) -> FrameVocabulary:
        counts: Counter[str] = Counter()
        for tokens in frames:
            counts.update(frame_features(tokens))
        return cls(sorted(g for g, n in counts.items() if n >= min_count))

    def vector(self, tokens: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(self.grams))
        for gram in frame_features(tokens):
            i = self._index.get(gram)
            if i is not None:
                out[i] = 1.0
        return out
