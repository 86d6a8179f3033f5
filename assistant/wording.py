"""What the answers say around the document's own words, in Danish, or in English for a question asked
in English (the quotes stay Danish: they are the document's)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sikkerby.ingest.danish import term, words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wording:
    """Templates of one language; ``{n}`` counts go through :meth:`count`."""

    initiative: str
    initiatives: str
    statement: str
    principle_is: str
    all_of_principle: str
    some_of_principle: str
    none_of_principle: str
    overview: str
    overview_only: str
    department: str
    departments_share: str
    department_none: str
    department_none_under: str
    topic_many: str
    topic_one: str
    belongs: str
    several: str
    the_initiative: str
    also_belongs: str
    follow_up: str
    follow_up_none: str
    no_more: str
    near_miss: str
    said_about: str
    premise: str
    named_only: str
    counted: str
    no_match: str
    not_mentioned: str
    names_not: str
    kind_names: tuple[str, str]
    #: the principle of an initiative asked about by name alone
    placed: str = ""
    #: the verdict in front of a yes/no question's answer (polar.py)
    yes: str = ""
    no: str = ""
    #: how an answer's first line says that the document does not name what was asked about
    not_named: tuple[str, ...] = ()
    #: how an answer says that the document lacks the kind of fact asked for
    lacking: tuple[str, ...] = ()

    def count(self, n: int) -> str:
        """ "1 indsats", "2 indsatser" """
        return f"{n} {self.initiative if n == 1 else self.initiatives}"


DANISH = Wording(
    initiative="indsats",
    initiatives="indsatser",
    statement="{label} lyder: «{statement}» {ref}",
    principle_is="Det er {label}: «{statement}» {ref}",
    all_of_principle="Alle {n} udvalgte indsatser under {label}:",
    some_of_principle="{k} af de {count} under {label} nævner «{about}»:",
    none_of_principle="Ingen af de {count} under {label} nævner «{about}».",
    overview="Sikker By-strategien har {n} principper, {grund} grundprincipper og {fag} fagprincipper:",
    overview_only="Sikker By-strategien har {n} {kinds} (af {total} principper i alt):",
    department="{department} ({code}) nævnes i {count}:",
    departments_share="{departments} nævnes begge i {count}:",
    department_none="Sikker By-strategien nævner ikke {department} ({code}) i nogen indsats.",
    department_none_under="Sikker By-strategien nævner ikke {department} ({code}) i nogen indsats under {label}.",
    topic_many="{count} handler om «{about}», under {places}:",
    topic_one="{count} handler om «{about}», under {label}:",
    belongs="Indsatsen hører under {label}",
    several="Det nævnes under flere principper:",
    the_initiative="Indsatsen:",
    also_belongs="Det hører under",
    follow_up="{k} af de {count} i det forrige svar er svaret på «{about}»:",
    follow_up_none="Ingen af de {count} i det forrige svar er svaret på «{about}».",
    no_more="Men dokumentet siger ikke mere om {about}, end det der står her.",
    near_miss="Dokumentet siger ikke noget om det, du spørger om. Om {about} står der:",
    said_about="Om {about} står der:",
    premise="Dokumentet nævner ikke {department} ved {about}. Om {about} står der:",
    named_only="Dokumentet nævner kun {about} ved navn, som en indsats under {label}, og siger ikke mere om den:",
    counted="Dokumentet nævner ikke et antal, men den citerede tekst opregner {n}.",
    no_match=(
        "Det kan jeg ikke finde svar på i Sikker By-strategien. Spørg gerne om en indsats, et princip eller en "
        "forvaltning."
    ),
    not_mentioned="Det står der ikke noget om i Sikker By-strategien: dokumentet nævner ikke {listed}.",
    names_not="Dokumentet nævner ikke {listed}.",
    kind_names=("grundprincipper", "fagprincipper"),
    placed="Indsatsen er et eksempel under {label}.",
    yes="Ja:",
    no="Nej:",
    not_named=("Dokumentet nævner ikke", "Sikker By-strategien nævner ikke", "Det står der ikke noget om", "Ingen af"),
    lacking=("siger ikke", "nævner ikke et antal", "oplyser ikke"),
)

ENGLISH = Wording(
    initiative="initiative",
    initiatives="initiatives",
    statement="{label} reads (in Danish): «{statement}» {ref}",
    principle_is="That is {label}, which reads (in Danish): «{statement}» {ref}",
    all_of_principle="All {n} selected initiatives under {label} (quoted in Danish):",
    some_of_principle="{k} of the {count} under {label} mention «{about}»:",
    none_of_principle="None of the {count} under {label} mention «{about}».",
    overview="The Sikker By strategy has {n} principles, {grund} core principles (grundprincipper) and {fag} "
    "specific principles (fagprincipper):",
    overview_only="The Sikker By strategy has {n} {kinds} (of {total} principles in all):",
    department="{department} ({code}) is named in {count} (quoted in Danish):",
    departments_share="{departments} are both named in {count}:",
    department_none="The Sikker By strategy names {department} ({code}) in no initiative.",
    department_none_under="The Sikker By strategy names {department} ({code}) in no initiative under {label}.",
    topic_many="{count} {concern} «{about}», under {places} (quoted in Danish):",
    topic_one="{count} {concern} «{about}», under {label} (quoted in Danish):",
    belongs="The initiative belongs under {label}",
    several="It is mentioned under several principles:",
    the_initiative="The initiative:",
    also_belongs="It belongs under",
    follow_up="{k} of the {count} in the previous answer are the answer to «{about}»:",
    follow_up_none="None of the {count} in the previous answer is the answer to «{about}».",
    no_more="But the document does not say more about {about} than this.",
    near_miss="The document does not say what you ask. About {about} it says (in Danish):",
    said_about="About {about} it says (in Danish):",
    premise="The document does not mention {department} in connection with {about}. About {about} it says (in Danish):",
    named_only="The document only names {about}, as an initiative under {label}, and does not say more about it:",
    counted="The document does not state a number, but the quoted text lists {n}.",
    no_match=(
        "I cannot find an answer to that in the Sikker By strategy. Try asking about an initiative, a principle "
        "or a department."
    ),
    not_mentioned="The Sikker By strategy says nothing about that: the document does not mention {listed}.",
    names_not="The document does not mention {listed}.",
    kind_names=("core principles (grundprincipper)", "specific principles (fagprincipper)"),
    placed="The initiative is an example under {label}.",
    yes="Yes:",
    no="No:",
    not_named=(
        "The document does not mention",
        "The Sikker By strategy names",
        "The Sikker By strategy says nothing",
        "None of",
    ),
    lacking=("does not say", "does not state"),
)


def wording(english: bool) -> Wording:
    return ENGLISH if english else DANISH


def indsatser(n: int) -> str:
    """ "1 indsats", "2 indsatser" """
    return DANISH.count(n)


def no_match(english: bool = False) -> str:
    return wording(english).no_match


def not_mentioned(question: str, unknown_terms: Sequence[str], *, english: bool = False, brief: bool = False) -> str:
    """An abstention that names the words of the question the document never uses (``brief``: only
    that, before what it says of the rest)."""
    shown = [w for w in dict.fromkeys(words(question)) if term(w) in set(unknown_terms)]
    fallback = "what you ask about" if english else "det, du spørger om"
    listed = ", ".join(f"«{w}»" for w in shown) or fallback
    said = wording(english)
    return (said.names_not if brief else said.not_mentioned).format(listed=listed)


NO_MATCH = DANISH.no_match
