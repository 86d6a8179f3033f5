"""Municipal abbreviations in the strategy, expanded for search and explained when shown."""

from __future__ import annotations

import logging
import re

from sikkerby.ingest.departments import DEPARTMENTS

log = logging.getLogger(__name__)

ABBREVIATIONS: dict[str, str] = {
    **{d.code: d.name for d in DEPARTMENTS},
    "SSP": "samarbejdet mellem skole, socialforvaltning og politi",
    "SSP+": "SSP-samarbejdet for unge over 18 år",
    "EKI": "Enheden for Kriminalpræventive Indsatser",
    "HFI": "helhedsorienteret familieindsats",
    "FILT": "Flerstrenget Indsats for Ledige i Tingbjerg",
    "ØU": "Økonomiudvalget",
    "KFU": "Kultur- og Fritidsudvalget",
    "SIRI": "Styrelsen for International Rekruttering og Integration",
    "DSB": "Danske Statsbaner",
}

# OCR reads Ø as @ or 0: "@KF", "@U".
_OCR_O = "(?:Ø|@|0)"
_ABBR_RE = re.compile(
    r"(?<![\w@])("
    + "|".join(re.escape(code).replace("Ø", _OCR_O) for code in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w+])"
)


def canonical_abbreviation(token: str) -> str:
    return re.sub(r"^[@0]", "Ø", token)


def find_abbreviations(text: str) -> list[str]:
    """Abbreviations used in ``text`` (case-sensitive, as written in capitals), in first-use order."""
    found: dict[str, None] = {}
    for match in _ABBR_RE.finditer(text):
        found.setdefault(canonical_abbreviation(match.group(1)), None)
    return list(found)


def expand_abbreviations(text: str) -> str:
    """``text`` followed by the expansions of the abbreviations it uses (for search only)."""
    found = find_abbreviations(text)
    if not found:
        return text
    return text + " " + " ".join(ABBREVIATIONS[code] for code in found)


def explain_abbreviations(text: str) -> list[tuple[str, str]]:
    """(abbreviation, meaning) for each abbreviation ``text`` uses, to show beside a passage."""
    return [(code, ABBREVIATIONS[code]) for code in find_abbreviations(text)]


def expand_inline(text: str) -> str:
    """``text`` with each abbreviation followed by its meaning: "SOF" -> "SOF (Socialforvaltningen)"."""
    return _ABBR_RE.sub(lambda m: f"{m.group(1)} ({ABBREVIATIONS[canonical_abbreviation(m.group(1))]})", text)
