"""A question with several asks in one ("Hvad er HFI, hvilke bydele dækker den, og hvor mange millioner er
der sat af?") is answered ask by ask. The split is by the language's closed classes only: an ask starts
at a question word after a sentence end, a comma, "og"/"samt"/"and" or a semicolon. A comparison ("Hvad er
forskellen på Natteværter og Aftenværter?") becomes one ask per thing compared."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from sikkerby.ingest.danish import fold

log = logging.getLogger(__name__)

#: words that open an ask (folded); "kan"/"is" and friends only after a sentence end
_ASK_WORDS = (
    "hvad|hvilke|hvilken|hvilket|hvem|hvor|hvornar|hvordan|hvorfor|hvorhenne|findes|nevn|giv|"
    "what|which|who|whom|where|when|how|why|list|name"
)
_OPENERS = rf"(?:{_ASK_WORDS}|kan|er|har|is|are|does|do|can)"
#: a boundary before a new ask: "…, og hvor mange", "…; hvem", "…, hvilke", "… and when"
#: (the split reads the question as written, so the ask words in their Danish spelling too)
#: (a preposition may go before the ask word: "…, og på hvilke dage er vedkommende her?")
_SPLIT = re.compile(
    rf"(?:\s*[,;]\s*(?:og|samt|and|or|eller)?|\s+(?:og|samt|and))\s+"
    rf"(?=(?:(?:på|i|til|fra|for|med|om|under|in|on|at|to|from|for|with|under)\s+)?(?:{_ASK_WORDS}|hvornår|nævn)\b)"
)
_SENTENCE = re.compile(r"(?<=[?!.])\s+(?=\S)")
_ASKS = re.compile(rf"^\s*(?:{_OPENERS})\b|\?\s*$")
_COMPARE = (
    re.compile(
        r"^(?P<lead>.*?)\b(?:forskellen|forskel|difference|differences)\s+(?:p[aå]|mellem|imellem|between|of)\s+"
        r"(?P<a>.+?)\s+(?:og|and|&)\s+(?P<b>.+?)\s*[?.!]*$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?P<lead>.*?)\b(?:adskiller|skiller)\s+(?P<a>.+?)\s+sig\s+(?:\w+\s+)?fra\s+(?P<b>.+?)\s*[?.!]*$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?P<lead>.*?)\b(?:adskiller|skiller)\s+(?P<a>.+?)\s+fra\s+(?P<b>.+?)\s*[?.!]*$", re.IGNORECASE),
    re.compile(
        r"^(?P<lead>.*?)\b(?:compare|sammenlign)\s+(?P<a>.+?)\s+(?:and|with|to|og|med)\s+(?P<b>.+?)\s*[?.!]*$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?P<lead>)(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+?)\s*[?.!]*$", re.IGNORECASE),
)
#: "… Natteværterne og Aftenværterne sammen – hvad er forskellen på dem?": the two things named before
_COMPARE_THEM = re.compile(r"\b(?:forskel\w*|difference\w*|adskiller)\b.*\b(?:dem|de to|them|the two)\b", re.IGNORECASE)
_PAIR = re.compile(
    r"(?P<a>\b[A-ZÆØÅ][\wæøå-]+(?:\s+[a-zæøå-]+){0,2}?)\s+(?:og|and)\s+(?P<b>[A-ZÆØÅ][\wæøå-]+(?:\s+[\wæøå-]+){0,2}?)\b"
)
#: "Hvilke principper hører henholdsvis Din Betjent og charteret … under?": one ask per thing, each
#: with the words around the pair (a preposition that ends the question stays after each)
_RESPECTIVELY = re.compile(
    r"^(?P<pre>.*?)\s*\bhenholdsvis\s+(?P<a>.+?)\s+og\s+(?P<b>.+?)(?P<post>\s+(?:under|i|med|til|for|om|på))?\s*[?.!]*$",
    re.IGNORECASE,
)
#: "the age groups of A" / "aldersgrupperne for A": what is compared, and the thing it is of
_ASPECT = re.compile(
    r"^(?P<aspect>(?:the\s+)?[a-zæøå][\wæøå-]*(?:\s+[a-zæøå][\wæøå-]*)?)\s+(?:of|for|af)\s+(?P<thing>.+)$"
)
#: at most this many asks are answered in one question
MAX_PARTS = 4


def split_parts(question: str, *, substantive: Callable[[str], bool] = lambda part: True) -> list[str]:
    """The question's asks in order. A sentence that asks nothing ("Jeg arbejder på Nørrebro.") is kept
    in front of the ask after it, since it says what the ask is about (or after the last ask); so is a
    piece that ``substantive`` says names nothing to answer ("Kan du fortælle mig, hvad …")."""
    sentences = [s.strip() for s in _SENTENCE.split(question.strip()) if s.strip()]
    parts: list[str] = []
    lead = ""
    for sentence in sentences:
        if not _ASKS.search(fold(sentence)) and (parts or sentence is not sentences[-1]):
            lead = f"{lead} {sentence}".strip()
            continue
        pieces = [p.strip(" ,;") for p in _SPLIT.split(sentence) if p.strip(" ,;")]
        if len(pieces) > 1 and _embeds(sentence, pieces[0], pieces[1]):
            pieces[:2] = [f"{pieces[0]}, {pieces[1]}"]
        if lead and pieces:
            pieces[0] = f"{lead} {pieces[0]}"
            lead = ""
        parts.extend(pieces)
    if lead:
        parts = [*parts[:-1], f"{parts[-1]} {lead}"] if parts else [lead]
    parts = _merge_empty([p for p in parts if p], substantive) or [question.strip()]
    parts = [ask for part in parts for ask in (_comparison(part) or [part])]
    if len(parts) > MAX_PARTS:
        parts = [*parts[: MAX_PARTS - 1], " ".join(parts[MAX_PARTS - 1 :])]
    return parts


_ASK_WORD = re.compile(rf"\b(?:{_ASK_WORDS})\b")


def _embeds(sentence: str, first: str, second: str) -> bool:
    """Whether ``second`` is a question embedded in ``first`` ("Jeg sidder i BIF og vil gerne vide, hvor
    vi er nævnt"): ``first`` asks nothing itself and only a comma, no "og"/"and", stands between them."""
    if _ASKS.search(fold(first)) or _ASK_WORD.search(fold(first)):
        return False
    start = sentence.find(first) + len(first)
    between = sentence[start : sentence.find(second, start)]
    return between.strip() == ","


def _merge_empty(parts: list[str], substantive: Callable[[str], bool]) -> list[str]:
    """Pieces with nothing of their own to answer join the next piece (the last one joins the one before)."""
    out: list[str] = []
    carry = ""
    for i, part in enumerate(parts):
        text = f"{carry} {part}".strip()
        if i + 1 < len(parts) and not substantive(part):
            carry = text
            continue
        out.append(text)
        carry = ""
    return out


def _comparison(question: str) -> list[str] | None:
    """The two things a comparison asks about, as one definition question each."""
    text = question.strip()
    english = bool(re.search(r"\b(difference|differences|between|compare|versus|vs)\b", text, re.IGNORECASE))
    pair: tuple[str, str] | None = None
    # the sentence that compares, without what the asker adds after it ("… ? De lyder lidt ens for mig")
    for sentence in [s for s in _SENTENCE.split(text) if s.strip()]:
        for pattern in _COMPARE:
            match = pattern.match(sentence.strip())
            if match:
                pair = (match.group("a"), match.group("b"))
                break
        if pair is not None:
            break
    if pair is None and _COMPARE_THEM.search(text):
        named = _PAIR.search(text)
        if named:
            pair = (named.group("a"), named.group("b"))
    if pair is None:
        return _respectively(text)
    a, b = (p.strip(" ?.,") for p in pair)
    # "Compare the age groups of A and B": the age group of each
    things = (a, b)
    aspect = _ASPECT.match(a)
    if aspect is not None and not _ASPECT.match(b):
        things = (aspect.group("thing"), b)
        of = "of" if english else "for"
        a, b = (f"{aspect.group('aspect')} {of} {thing}" for thing in things)
    if not all(things) or any(len(t.split()) > 6 for t in things):
        return None
    ask = "What is" if english else "Hvad er"
    return [f"{ask} {a}?", f"{ask} {b}?"]


def is_pair(question: str) -> bool:
    """Whether the question asks the same of two things (a comparison, "henholdsvis A og B"): its asks
    are about one thing each, never read after each other."""
    return _comparison(question.strip()) is not None


def _respectively(question: str) -> list[str] | None:
    """ "Hvilke principper hører henholdsvis A og B under?" as one ask about A and one about B."""
    match = _RESPECTIVELY.match(question)
    if match is None or not match.group("pre"):
        return None
    pre, post = match.group("pre").strip(), (match.group("post") or "").strip()
    things = [match.group("a").strip(" ,"), match.group("b").strip(" ,")]
    if any(not t or len(t.split()) > 8 for t in things):
        return None
    return [" ".join(w for w in (pre, thing, post) if w) + "?" for thing in things]
