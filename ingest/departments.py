"""The municipality's departments (forvaltninger) and how the strategy names them."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    pattern: re.Pattern[str]


def _dept(code: str, name: str, full: str, english: str) -> Department:
    # Matches the full name (tolerant of OCR'd Danish letters and line-break hyphens), its English name,
    # or the code, also in the genitive ("BUFs indsatser")
    code_re = code.replace("Ø", "(?:ø|@|o|0)").lower()
    return Department(code, name, re.compile(rf"{full}|{english}|(?<![\w@]){code_re}s?(?!\w)", re.IGNORECASE))


_ADMIN = r"\s+(?:administration|department)"
DEPARTMENTS: tuple[Department, ...] = (
    # the short forms ("Kultur og Fritid", "Teknik- og Miljø") need both halves, so that "kultur" alone
    # in a sentence is not taken for a department; "forv" is how staff shorten "forvaltning" ("soc forv")
    _dept(
        "KFF",
        "Kultur- og Fritidsforvaltningen",
        r"kultur-?\s*og\s+fritids\s*forv(?:altning|\b)|kultur-?\s*og\s+fritid\b(?!s\w)|kultur\s*forv(?:altning|\b)",
        rf"culture\s+and\s+leisure{_ADMIN}",
    ),
    _dept(
        "SOF",
        "Socialforvaltningen",
        r"soc(?:ial)?\.?\s*forv(?:altning|\b)",
        r"social\s+(?:services\s+|affairs\s+)?(?:administration|department)",
    ),
    _dept(
        "BUF",
        "Børne- og Ungdomsforvaltningen",
        r"b\S{1,3}rne-?\s*og\s+ung\w{0,4}\s*forv(?:altning|\b)|b\S{1,3}rne-?\s*og\s+unge\b(?:omr\S{1,2}det)?(?=\s+(?:er|har|laver|med|i)\b)"
        r"|b\S{1,3}rne\s*forv(?:altning|\b)|ungdoms\s*forv(?:altning|\b)",
        rf"children\s+and\s+youth{_ADMIN}|children\s+and\s+young\s+people{_ADMIN}",
    ),
    _dept(
        "BIF",
        "Beskæftigelses- og Integrationsforvaltningen",
        r"besk\S{1,4}ftigelses-?\s*og\s+integrations\s*forv(?:altning|\b)|besk\S{1,4}ftigelses\s*forv(?:altning|\b)"
        r"|integrations\s*forv(?:altning|\b)",
        rf"employment\s+and\s+integration{_ADMIN}",
    ),
    _dept(
        "TMF",
        "Teknik- og Miljøforvaltningen",
        r"teknik-?\s*og\s+milj\S{1,2}\s*forv(?:altning|\b)|teknik-?\s*og\s+milj\S{1,2}\b|teknik\s*forv(?:altning|\b)"
        r"|milj\S{1,2}\s*forv(?:altning|\b)",
        rf"technical\s+and\s+environment(?:al)?{_ADMIN}|technology\s+and\s+environment{_ADMIN}",
    ),
    _dept(
        "ØKF",
        "Økonomiforvaltningen",
        r"(?<!\w)\S{0,2}k(?:onomi)?\.?\s*forv(?:altning|\b)",
        rf"(?:finance|economy|economic\s+affairs|economics){_ADMIN}",
    ),
    _dept(
        "SUF",
        "Sundhedsforvaltningen",
        # its full name, "Sundheds- og Omsorgsforvaltningen", as staff write it
        r"sundheds\s*forv(?:altning|\b)|sundheds-?\s*og\s+omsorgs\s*forv(?:altning|\b)|omsorgs\s*forv(?:altning|\b)",
        rf"health\s+and\s+care{_ADMIN}|health{_ADMIN}",
    ),
)

_BY_KEY = {key.lower(): d for d in DEPARTMENTS for key in (d.code, d.name)}


def find_departments(text: str) -> tuple[str, ...]:
    """Full names of the departments a passage names, in the fixed order above."""
    flat = re.sub(r"\s+", " ", text)
    return tuple(d.name for d in DEPARTMENTS if d.pattern.search(flat))


def resolve_department(value: str) -> Department | None:
    """A department from its code ("SOF") or name, case-insensitive; None if unknown."""
    key = value.strip().lower()
    if key in _BY_KEY:
        return _BY_KEY[key]
    for d in DEPARTMENTS:
        if d.pattern.fullmatch(key):
            return d
    return None


def department_code(name: str) -> str:
    d = resolve_department(name)
    return d.code if d else name
