"""Everyday Danish words for the strategy's subjects, read as the words the documents use for them.

Staff say "radikalisering" where the strategy writes "ekstremisme", "kollektiv trafik" where it names the
S-trains, the Metro and Movia, "arbejdsløse" where it writes "ledige". Such a word shares no letters with
the passages, so neither the lexical search nor the subject matching finds them, and a question could be
declined for the very word that names its subject. Reading the synonym as the document's word fixes that
for every question that uses it. Like the English glossary (glossary.py), the list covers the vocabulary of
crime prevention and safety work, not particular questions; a word not listed is read as written.
"""

from __future__ import annotations

import logging

from sikkerby.ingest.danish import WORD_RE, fold

log = logging.getLogger(__name__)

#: folded stems of a word or phrase (its words' starts, in order) -> the documents' words. A stem matches a
#: word that starts with it and has at most ``_TAIL`` more letters ("radikalis" matches "radikaliseringen").
SYNONYMS: dict[tuple[str, ...], str] = {
    ("radikalis",): "ekstremisme",
    ("radikaliz",): "ekstremisme",
    ("exitprogram",): "exit-forløb",
    ("exitforlob",): "exit-forløb",
    ("udtredelsesprogram",): "exit-forløb",
    ("kollektiv", "trafik"): "S-tog, metro og Movia",
    ("kollektiv", "transport"): "S-tog, metro og Movia",
    ("offentlig", "transport"): "S-tog, metro og Movia",
    ("larm",): "støj",
    ("stojgener",): "støj",
    ("hjemloshed",): "hjemløse",
    ("vold", "i", "hjemmet"): "partnervold",
    ("vold", "i", "nere", "relationer"): "partnervold",
    ("kerestevold",): "partnervold",
    ("parforholdsvold",): "partnervold",
    ("natklub",): "nattelivet",
    ("diskotek",): "nattelivet",
    ("vertshus",): "nattelivet",
    ("bevertning",): "nattelivet",
    ("sportshal",): "idrætsanlæg og haller",
    ("idretshal",): "idrætsanlæg og haller",
    ("arbejdslos",): "ledige",
    ("joblos",): "ledige",
    ("ledighed",): "ledige",
    ("jobsogend",): "ledige",
    ("ghetto",): "udsatte boligområder",
    ("belastede", "boligomrad"): "udsatte boligområder",
    ("belastede", "omrad"): "udsatte byområder",
    ("indvandrer",): "migranter",
    ("flygtning",): "migranter",
    ("racism",): "diskrimination",
    ("racistisk",): "diskrimination",
    ("tryghedsmaling",): "tryghedsundersøgelse",
    ("tryghedsindeks",): "tryghedsundersøgelse",
    ("vegter",): "tryghedsvagter",
    ("sikkerhedsvagt",): "tryghedsvagter",
    ("fengsel",): "fængsler",
    ("fengslet",): "fængsler",
    ("socialradgiver",): "socialfaglige medarbejdere",
    ("teenager",): "unge",
    ("ungdomsklub",): "fritidscentrene",
    ("fritidsklub",): "fritidscentrene",
    ("klassetrin",): "klasse",
    ("skoleelev",): "elever",
    ("lovovertredels",): "kriminalitet",
    ("lovbrud",): "kriminalitet",
    ("forbrydels",): "kriminalitet",
    ("tvergend",): "på tværs",
    ("midtby",): "Indre By",
    ("barer",): "nattelivet",
    # a declaration against discrimination is the documents' charter
    ("erklering", "om", "ligebehandling"): "charter for et natteliv uden diskrimination",
    ("ligebehandling",): "uden diskrimination",
    ("bebyggelse",): "boligområde",
    # the city's districts by the neighbourhoods the documents name in them
    ("bronshoj",): "Tingbjerg og Husum",
    ("nordvest",): "Bispebjerg",
}
_TAIL = 8
_LONGEST = max(len(k) for k in SYNONYMS)
#: the stems a listed word or phrase can start with
_STEMS = frozenset(k[0] for k in SYNONYMS)


def _starts(word: str, stem: str) -> bool:
    return word.startswith(stem) and len(word) - len(stem) <= _TAIL


def _at(folded: list[str], i: int) -> tuple[int, str] | None:
    """The longest listed phrase starting at word ``i``: its length in words and the documents' words."""
    if not any(_starts(folded[i], s) for s in _STEMS):
        return None
    for n in range(min(_LONGEST, len(folded) - i), 0, -1):
        for key, words in SYNONYMS.items():
            if len(key) == n and all(_starts(w, s) for w, s in zip(folded[i : i + n], key)):
                return n, words
    return None


def read_synonyms(text: str) -> str:
    """``text`` with each listed everyday word or phrase replaced by the documents' words for it."""
    found = list(WORD_RE.finditer(text))
    if not found:
        return text
    folded = [fold(m.group()) for m in found]
    out: list[str] = []
    last = 0
    i = 0
    while i < len(found):
        hit = _at(folded, i)
        if hit is None:
            i += 1
            continue
        n, words = hit
        out.append(text[last : found[i].start()])
        out.append(words)
        last = found[i + n - 1].end()
        i += n
    if not out:
        return text
    out.append(text[last:])
    read = "".join(out)
    log.debug("read %r as %r", text[:200], read[:200])
    return read
