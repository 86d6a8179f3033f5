"""A Danish lexicon: hunspell-da word forms (affixes expanded, compound rules kept) and wordfreq
frequencies. Used to judge OCR repair candidates; loaded once per process, only when needed."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from sikkerby.ingest.frequencies import zipf as zipf_frequency

log = logging.getLogger(__name__)

#: Where Debian's hunspell-da puts the Danish dictionary (apt-get install hunspell-da).
SYSTEM_HUNSPELL = Path("/usr/share/hunspell/da_DK")

WORD, BEGIN, MIDDLE, END = 1, 2, 4, 8
MAX_PARTS = 4


def find_hunspell() -> Path | None:
    """The hunspell-da dictionary (path without .dic/.aff): $SIKKERBY_HUNSPELL, else Debian's."""
    env = os.environ.get("SIKKERBY_HUNSPELL")
    for candidate in ([Path(env)] if env else []) + [SYSTEM_HUNSPELL]:
        if candidate.with_suffix(".dic").is_file() and candidate.with_suffix(".aff").is_file():
            return candidate
    return None


class DanishLexicon:
    """Answers "is this a Danish word?" for whole words and compounds, and how common a word is."""

    def __init__(self, *, hunspell: Path | None = None) -> None:
        self.hunspell = hunspell if hunspell is not None else find_hunspell()
        self._forms: dict[str, int] | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """True when hunspell-da is present; without it only word frequencies judge words."""
        return self.hunspell is not None

    @property
    def fingerprint(self) -> str:
        """Changes when the dictionary files change, so cached repairs are redone."""
        if self.hunspell is None:
            return "wordfreq-only"
        digest = hashlib.sha256()
        for suffix in (".dic", ".aff"):
            stat = self.hunspell.with_suffix(suffix).stat()
            digest.update(f"{suffix}:{stat.st_size}:{int(stat.st_mtime)}".encode())
        return digest.hexdigest()[:12]

    @property
    def forms(self) -> dict[str, int]:
        if self._forms is None:
            with self._lock:
                if self._forms is None:
                    self._forms = _expand(self.hunspell) if self.hunspell else {}
        return self._forms

    def flags(self, word: str) -> int:
        """Flags of a form; a capitalised word may be a common word at a sentence start, but a
        lowercase word never matches a proper noun ("pa" is not "Pa")."""
        forms = self.forms
        found = forms.get(word, 0)
        if word[:1].isupper():
            found |= forms.get(word.lower(), 0)
            if not word.istitle():
                found |= forms.get(word.capitalize(), 0)
        return found

    def zipf(self, word: str) -> float:
        return _zipf(word.lower())

    def is_word(self, word: str) -> bool:
        if self.available:
            return bool(self.flags(word) & WORD)
        return self.zipf(word) >= 3.0

    def compound_parts(self, word: str) -> tuple[str, ...]:
        """The parts of ``word`` if it is a valid compound by hunspell's compound rules, else ()."""
        if not self.available or len(word) < 5:
            return ()
        return _split(self, word.lower(), True)

    def valid(self, word: str) -> bool:
        return self.is_word(word) or bool(self.compound_parts(word))


@lru_cache(maxsize=500_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "da")


@lru_cache(maxsize=100_000)
def english_zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "en")


@lru_cache(maxsize=200_000)
def _split_cached(lexicon: DanishLexicon, word: str, first: bool, depth: int) -> tuple[str, ...]:
    if depth >= MAX_PARTS - 1:
        return ()
    forms = lexicon.forms
    for i in range(len(word) - 2, 1, -1):  # longest first part first
        head, tail = word[:i], word[i:]
        head_flags = forms.get(head, 0)
        # a first part may also be a common word the dictionary lacks as a compound start ("Sundby")
        first_ok = head_flags & BEGIN or (len(head) >= 4 and _zipf(head) >= 3.0)
        if not (first_ok if first else head_flags & MIDDLE):
            continue
        if forms.get(tail, 0) & END:
            return (head, tail)
        deeper = _split_cached(lexicon, tail, False, depth + 1)
        if deeper:
            return (head, *deeper)
    return ()


def _split(lexicon: DanishLexicon, word: str, first: bool) -> tuple[str, ...]:
    """Parts of a split of ``word`` into BEGIN (MIDDLE)* END forms; () if there is none."""
    return _split_cached(lexicon, word, first, 0)


def _expand(base: Path) -> dict[str, int]:
    """Every word form of the dictionary with WORD/BEGIN/MIDDLE/END flags (one- and two-level suffixes,
    prefixes with cross products)."""
    try:
        from spylls.hunspell import Dictionary
    except ImportError as exc:  # a dependency of the project; only missing in a broken install
        raise RuntimeError("the OCR repair needs spylls: pip install spylls") from exc
    dictionary = Dictionary.from_files(str(base))
    forms = _Forms(dictionary.aff)
    for word in dictionary.dic.words:
        forms.add_word(word.stem, set(word.flags))
    return forms.forms


class _Forms:
    """Word forms with their flags, collected from a hunspell dictionary's stems and affix rules."""

    def __init__(self, aff: Any) -> None:
        self.aff = aff
        self.flag_bits = {aff.COMPOUNDBEGIN: BEGIN, aff.COMPOUNDMIDDLE: MIDDLE, aff.COMPOUNDEND: END}
        self.forms: dict[str, int] = {}

    def add(self, form: str, flags: set[str] | frozenset[str], affixed: bool) -> None:
        aff = self.aff
        if aff.FORBIDDENWORD in flags:
            return
        bits = 0
        if aff.ONLYINCOMPOUND not in flags and (aff.NEEDAFFIX not in flags or affixed):
            bits |= WORD
        for flag, bit in self.flag_bits.items():
            if flag in flags:
                bits |= bit
        self.forms[form] = self.forms.get(form, 0) | bits

    def suffixed(self, stem: str, flags: set[str]) -> list[tuple[str, set[str]]]:
        out = []
        for flag in flags:
            for sfx in self.aff.SFX.get(flag, ()):
                if sfx.cond_regexp.search(stem):
                    form = (stem[: len(stem) - len(sfx.strip)] if sfx.strip else stem) + sfx.add
                    out.append((form, (flags - {flag}) | sfx.flags))
        return out

    def add_word(self, stem: str, flags: set[str]) -> None:
        """A stem, its one- and two-level suffixed forms and its prefixed forms."""
        self.add(stem, flags, False)
        level1 = self.suffixed(stem, flags)
        for form, form_flags in level1:
            self.add(form, form_flags, True)
            for form2, flags2 in self.suffixed(form, {f for f in form_flags if f in self.aff.SFX} - flags):
                self.add(form2, flags2, True)
        for flag in flags:
            for pfx in self.aff.PFX.get(flag, ()):
                for form, form_flags in [(stem, flags), *(level1 if pfx.crossproduct else [])]:
                    if pfx.cond_regexp.search(form):
                        prefixed = pfx.add + (form[len(pfx.strip) :] if pfx.strip else form)
                        self.add(prefixed, (form_flags - {flag}) | pfx.flags, True)


_DEFAULT: DanishLexicon | None = None


def default_lexicon() -> DanishLexicon:
    """The process-wide lexicon (loading it takes a few seconds, so it is shared)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = DanishLexicon()
    return _DEFAULT
