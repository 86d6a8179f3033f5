"""OCR repair of Danish letters: confusion classes, words that must stay, and the measurement on the
hand-corrected gold of the bundled document (goal: at least 95 % of damaged words fixed, none broken)."""

from __future__ import annotations

import difflib
import random
import re

import pytest

from sikkerby.ingest.lexicon import default_lexicon
from sikkerby.ingest.repair import OcrRepairer
from tests.conftest import CORPUS_FILE, FIXTURES

pytestmark = pytest.mark.slow

GOLD = (FIXTURES / "ocr_gold.txt").read_text(encoding="utf-8")
OCR = CORPUS_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def repairer() -> OcrRepairer:
    assert default_lexicon().available, "hunspell-da is missing: apt-get install hunspell-da (make setup does it)"
    return OcrRepairer()


@pytest.fixture(scope="module")
def document(repairer: OcrRepairer):
    return repairer.for_document(OCR)


def _strip(token: str) -> str:
    return token.strip(".,;:!?()\"'")


def _align(a: list[str], b: list[str]) -> dict[int, str]:
    """Token i of ``a`` -> what it became in ``b`` (a split token maps to the words it became)."""
    out: dict[int, str] = {}
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal" or (a2 - a1) == (b2 - b1):
            out.update({a1 + k: b[b1 + k] for k in range(a2 - a1)})
        elif a2 - a1 == 1:
            out[a1] = " ".join(b[b1:b2])
        else:
            out.update({a1 + k: (b[b1 + k] if b1 + k < b2 else "") for k in range(a2 - a1)})
    return out


def measure(ocr: str, gold: str, repaired: str) -> tuple[int, int, list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(damaged, fixed, misses, broken) over whitespace tokens, line by line."""
    damaged = fixed = 0
    misses, broken = [], []
    for line_ocr, line_gold, line_rep in zip(ocr.splitlines(), gold.splitlines(), repaired.splitlines(), strict=True):
        a = [_strip(t) for t in line_ocr.split()]
        to_gold = _align(a, [_strip(t) for t in line_gold.split()])
        to_rep = _align(a, [_strip(t) for t in line_rep.split()])
        for i, token in enumerate(a):
            gold_word, rep_word = to_gold.get(i, ""), to_rep.get(i, "")
            if token != gold_word:
                damaged += 1
                if rep_word == gold_word:
                    fixed += 1
                else:
                    misses.append((token, gold_word, rep_word))
            elif rep_word != gold_word:
                broken.append((token, rep_word))
    return damaged, fixed, misses, broken


def test_gold_measurement(document, capsys: pytest.CaptureFixture[str]):
    repaired = document.repair(OCR)
    assert len(repaired.splitlines()) == len(OCR.splitlines())
    damaged, fixed, misses, broken = measure(OCR, GOLD, repaired)
    with capsys.disabled():
        print(
            f"\n[repair] gold: {damaged} OCR-damaged words, {fixed} fixed ({fixed / damaged:.1%}), "
            f"{len(broken)} correct words damaged; misses: {misses}"
        )
    assert damaged >= 300  # the whole document (5 pages) is hand-corrected, not just two
    assert fixed / damaged >= 0.95
    assert broken == []


def test_correct_danish_is_left_alone(repairer: OcrRepairer):
    document = repairer.for_document(GOLD)
    assert document.damage == 0.0
    assert document.changes(GOLD) == []


def test_synthetic_damage_is_repaired(repairer: OcrRepairer, capsys: pytest.CaptureFixture[str]):
    """Damage the gold with the confusions at random (fixed seed) and repair it again."""
    confusions = {"æ": ["ae", "ee", "e", "a"], "ø": ["g", "e", "o", "@"], "å": ["a", "é", "d", "a"]}
    rng = random.Random(7)
    words = re.split(r"(\s+)", GOLD)
    damaged_words = [
        "".join(rng.choice(confusions[c]) if c in confusions and rng.random() < 0.8 else c for c in w) for w in words
    ]
    ocr = "".join(damaged_words)
    repaired = re.split(r"(\s+)", repairer.for_document(ocr).repair(ocr))
    pairs = [(g, o, r) for g, o, r in zip(words, damaged_words, repaired, strict=True) if not g.isspace()]
    damaged = [(g, r) for g, o, r in pairs if o != g]
    fixed = sum(1 for g, r in damaged if g == r)
    broken = [(g, r) for g, o, r in pairs if o == g and r != g]
    with capsys.disabled():
        print(
            f"\n[repair] synthetic: {len(damaged)} damaged words, {fixed} fixed ({fixed / len(damaged):.1%}), "
            f"{len(broken)} broken"
        )
    assert fixed / len(damaged) >= 0.95
    assert broken == []


@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        ("Kebenhavn", "København"),  # ø read as e
        ("Kgbenhavns", "Københavns"),  # ø read as g
        ("lzsladelsessamtaler", "løsladelsessamtaler"),  # ø read as z
        ("opswgende", "opsøgende"),  # ø read as w
        ("@konomiforvaltningen", "Økonomiforvaltningen"),  # Ø read as @
        ("@vrige", "øvrige"),  # ø read as @, lowercase
        ("pa", "på"),  # å read as a
        ("pé", "på"),  # å read as é
        ("pd", "på"),  # å read as d
        ("p4", "på"),  # å read as 4
        ("udgédende", "udgående"),  # å read as éd
        ("Natteveerter", "Natteværter"),  # æ read as ee
        ("Beskaeftigelses-", "Beskæftigelses-"),  # æ read as ae, a compound's first part
        ("Beskeaeftigelses-", "Beskæftigelses-"),  # æ read as eae
        ("forlaeengelse", "forlængelse"),  # æ read as aee
        ("sammenheang", "sammenhæng"),  # æ read as ea
        ("lgangveerende", "Igangværende"),  # I read as l
        ("kontingentstatteordning", "kontingentstøtteordning"),  # a compound, judged by its parts
        ("Bellahgjhallerne", "Bellahøjhallerne"),
    ],
)
def test_confusion_classes(document, ocr: str, expected: str):
    assert document.repair(ocr) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Husum",
        "Tingbjerg",
        "MainManager",
        "FerieCamps",
        "FritidsGuiderne",
        "SSP",
        "KFF",
        "FILT",
        "EKI",
        "DSB",
        "ØKF",
        "2023",
        "18+",
        "Voldparken",
        "Bispebjerg",
        "Movia",
        "Metroselskabet",
        "Natteværterne holder ugentlige møder med nattelivsbranchen.",
    ],
)
def test_words_that_must_stay(document, text: str):
    assert document.repair(text) == text


def test_case_punctuation_and_lines_are_kept(document):
    assert document.repair("Kebenhavn.\n(Kgbenhavns Politi), pa") == "København.\n(Københavns Politi), på"


def test_ocr_stand_ins_for_capital_i_and_half(document):
    assert document.repair("| et samarbejde") == "I et samarbejde"
    assert document.repair("efter to ar. 1 2024 har") == "efter to år. I 2024 har"
    assert document.repair("unge mellem 17%2-25 &r") == "unge mellem 17½-25 år"
    assert document.repair("@U og @KF") == "ØU og ØKF"


def test_glued_words_are_split(document):
    assert document.repair("som ledien kriminalitetsforebyggende") == "som led i en kriminalitetsforebyggende"
    assert document.repair("for eleveri 3., 6. og 9. klasse") == "for elever i 3., 6. og 9. klasse"
    # a letter the scan doubled is one glued word, never the same word twice ("migranter i i")
    assert (
        document.repair("arbejdet for og med migranterii\nKebenhavn.") == "arbejdet for og med migranter i\nKøbenhavn."
    )


def test_real_word_misreadings_only_in_a_damaged_document(repairer: OcrRepairer, document):
    # "ar" is a Danish word (a scar), but in this visibly damaged document it is "år"
    assert document.repair("afrapporteres efter to ar") == "afrapporteres efter to år"
    clean = "Han har et ar på armen. Der er mange gode grunde."
    assert repairer.for_document(clean).repair(clean) == clean


def test_english_words_are_not_danish_misreadings(document):
    assert document.repair("Strong Cities Network and parent") == "Strong Cities Network and parent"


# Residue users saw in answers; each is judged in context, not by a list of words.
@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        # "f" for "g" is a letter-shape confusion, taken only because the document itself writes "rocker- og"
        ("unge finder vejen ind i rocker\nof bandemiljeet.", "unge finder vejen ind i rocker\nog bandemiljøet."),
        # two confusions, one of them capital I for l, on a word no æ/ø/å confusion alone explains
        ("Kultur- og Fritidsforvaltningen udvikler Isbende", "Kultur- og Fritidsforvaltningen udvikler løbende"),
        # a real word: this scan never prints "å" right, and no article or possessive makes "far" a noun
        (
            "at alle brugere og ansatte far en god og tryg oplevelse",
            "at alle brugere og ansatte får en god og tryg oplevelse",
        ),
        ("forvaltningerne far laering ud af", "forvaltningerne får læring ud af"),
        ("indsats far positive erfaringer", "indsats får positive erfaringer"),
        # a compound's head: the document writes "måling" in its own compounds ("vurderingsmålingsværktøj")
        ("som sikrer systematisk effektmaling.", "som sikrer systematisk effektmåling."),
    ],
)
def test_residue_repaired_in_context(document, ocr: str, expected: str):
    assert document.repair(ocr) == expected


@pytest.mark.xfail(strict=True, reason="no evidence in the document, wordfreq or hunspell outweighs a→æ / l→n")
@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        ("for at koordinere den genedampende og", "for at koordinere den genedæmpende og"),
        ("der starter op i andel halvar af 2024.", "der starter op i anden halvår af 2024."),
    ],
)
def test_residue_still_unrepaired(document, ocr: str, expected: str):
    assert document.repair(ocr) == expected


def test_context_repairs_need_evidence(repairer: OcrRepairer, document):
    # after a possessive "far" is the noun; "of" with no Danish pair for "og" stays English
    assert document.repair("min far og mor") == "min far og mor"
    assert document.repair("Department of Justice") == "Department of Justice"
    assert document.repair("Island og Isen") == "Island og Isen"
    # an undamaged document is never corrected in context
    clean = "Min far tog of til byen med rocker og bander."
    assert repairer.for_document(clean).repair(clean) == clean
