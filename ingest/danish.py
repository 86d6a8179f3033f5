"""Danish text analysis for search: tokens, Danish Snowball stems, and a folded key.

The folded key lets a query typed without æ/ø/å ("Norrebro", "born") or with the ae/oe/aa
spellings ("Noerrebro") meet the passage that has the Danish letters ("Nørrebro", "børn").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import Stemmer

log = logging.getLogger(__name__)

# Letters (with hyphens and apostrophes inside a word), or numbers such as 2023, 18+ and 17½.
WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)?[+½]?")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[\"“«(]?[A-ZÆØÅ0-9|@])")
#: the words that turn a claim around, in Danish and English
NEGATIONS = frozenset({"ikke", "ingen", "intet", "aldrig", "hverken", "not", "no", "never", "neither", "nor"})

_STOPWORDS = {
    "af",
    "alle",
    "alt",
    "anden",
    "at",
    "blev",
    "blevet",
    "blive",
    "bliver",
    "både",
    "da",
    "de",
    "dem",
    "den",
    "denne",
    "der",
    "deres",
    "det",
    "dette",
    "dig",
    "din",
    "dine",
    "dit",
    "dog",
    "du",
    "efter",
    "ej",
    "eller",
    "en",
    "end",
    "er",
    "et",
    "for",
    "fordi",
    "fra",
    "før",
    "ham",
    "han",
    "hans",
    "har",
    "havde",
    "have",
    "hende",
    "hendes",
    "her",
    "hun",
    "hvad",
    "hvem",
    "hver",
    "hvilke",
    "hvilken",
    "hvilket",
    "hvis",
    "hvor",
    "hvordan",
    "hvorfor",
    "hvornår",
    "i",
    "ikke",
    "ind",
    "ingen",
    "intet",
    "ja",
    "jeg",
    "jo",
    "kan",
    "kom",
    "kun",
    "kunne",
    "man",
    "med",
    "meget",
    "mellem",
    "men",
    "mig",
    "min",
    "mine",
    "mit",
    "mod",
    "må",
    "måske",
    "ned",
    "nogen",
    "noget",
    "nogle",
    "nu",
    "når",
    "og",
    "også",
    "om",
    "op",
    "os",
    "over",
    "på",
    "samme",
    "selv",
    "selvom",
    "sig",
    "sin",
    "sine",
    "sit",
    "skal",
    "skulle",
    "som",
    "så",
    "sådan",
    "sådanne",
    "sådant",
    "til",
    "ud",
    "uden",
    "under",
    "var",
    "ved",
    "vi",
    "vil",
    "ville",
    "vor",
    "vores",
    "vort",
    "være",
    "været",
    # question and filler words that carry no topic
    "hvorledes",
    "hvorhen",
    "fortæl",
    "beskriv",
    "forklar",
    "findes",
    "gør",
    "gøre",
    "laver",
    "mon",
    "nævn",
    "list",
    "giv",
    "eksempel",
    "eksempler",
    "bl",
    "mv",
    "fx",
    "ml",
    "mhp",
    "ifm",
    "vha",
    "samt",
    "ifølge",
    # prepositions, adverbs and light verbs that say how, not what
    "bag",
    "blandt",
    "gennem",
    "hos",
    "inden",
    "langs",
    "omkring",
    "siden",
    "via",
    "udover",
    "foran",
    "hen",
    "frem",
    "tilbage",
    "igen",
    "stadig",
    "allerede",
    "altid",
    "aldrig",
    "ofte",
    "mere",
    "mest",
    "flere",
    "fleste",
    "lidt",
    "nok",
    "vel",
    "især",
    "enten",
    "hverken",
    "står",
    "stå",
    "ligger",
    "gives",
    "kommer",
    "går",
    "gik",
    "fik",
    "fået",
    "får",
    "egentlig",
    "nogensinde",
}


def fold(text: str) -> str:
    """Lowercase search key with æ/ø/å and their ae/oe/aa spellings reduced to plain vowels."""
    text = unicodedata.normalize("NFC", text).lower()
    text = text.replace("æ", "e").replace("ø", "o").replace("å", "a")
    text = text.replace("ae", "e").replace("oe", "o").replace("aa", "a")
    return text


_FOLDED_STOPWORDS = frozenset(fold(w) for w in _STOPWORDS)

# Vowels, and the characters OCR puts where æ/ø/å belonged (ø->g/z/@/0, å->4/é).
_SKELETON_DROP = str.maketrans("", "", "aeiouyæøåéèáóúü@04|gz")
SKELETON_MIN = 4


@lru_cache(maxsize=200_000)  # answering compares the same terms' skeletons question after question
def skeleton(text: str) -> str:
    """Consonant skeleton of a folded term, blind to the letters OCR confuses with æ/ø/å:
    "Kgbenhavn" and "København" share "kbnhvn". Only used when a term is not found as written."""
    # doubled letters collapse too, so that a typo's "natevaerterne" meets "natteværterne"
    return _DOUBLED.sub(r"\1", fold(text).translate(_SKELETON_DROP))


_DOUBLED = re.compile(r"(.)\1+")


_STEMMER = Stemmer.Stemmer("danish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Danish Snowball stem, applied until it settles (indsatser -> indsats -> indsat)."""
    word = word.lower()
    for _ in range(3):
        nxt = _STEMMER.stemWord(word)
        if nxt == word:
            break
        word = nxt
    return word


def words(text: str) -> list[str]:
    """Word tokens in reading order, original spelling kept."""
    return WORD_RE.findall(unicodedata.normalize("NFC", text))


def is_stopword(word: str) -> bool:
    return fold(word) in _FOLDED_STOPWORDS


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The search term of one word: folded stem."""
    return fold(stem(word))


def terms(text: str) -> list[str]:
    """Search terms of a text: stopwords dropped, each word stemmed and folded."""
    out: list[str] = []
    for word in words(text):
        # "Infohus-samarbejdet" is searched as "infohus" and "samarbejdet"
        for part in re.split(r"['’-]", word) if ("-" in word or "'" in word or "’" in word) else (word,):
            if part and not is_stopword(part):
                out.append(term(part))
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; abbreviations like "ml." and "bl.a." do not end a sentence."""
    pieces = SENTENCE_END_RE.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences and re.search(
            r"(?:\b(?:ml|bl\.a|mv|fx|mhp|ifm|vha|nr|ca|jf|dvs|evt|inkl|kl)\.)$", sentences[-1], re.IGNORECASE
        ):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences
