"""The kinds of fact a question can ask for (a year, an amount, a number, a place, who, how, contact
details), how a question asks for one (its question words, a closed class), how a sentence states one,
and what an answer says when the document does not."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sikkerby.ingest.danish import fold, term, words
from sikkerby.ingest.names import is_name

log = logging.getLogger(__name__)

_MONTHS = "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
_NUMBER_WORDS = "to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|tyve|tredive|fyrre|halvtreds|hundrede|tusind"
_ROLES = r"leder|direktør|direktor|chef|formand|borgmester|rådmand|radmand|minister|koordinator|kontaktperson"
#: organisations a sentence can name as "who": departments, the police, SSP, companies, councils …
_ORGANISATIONS = (
    r"\b[\wæøå-]*(?:forvaltning\w*|udvalg\w*|selskab\w*|politi\w*|forsorg\w*|kommune\w*|gruppe\w*|centra\w*"
    r"|team\w*|enhed\w*|[Ss]tyrelse\w*|[Nn]etværk\w*)\b|\b(?:SSP|DSB|Movia|Banedanmark|KFF|SOF|BUF|BIF|TMF|ØKF|SUF"
    r"|ØU|EKI|SIRI|Sikker By)\b"
)
#: a verb of being in the document: "hvor nævnes X?" asks where in the document, not where X takes place
MENTIONED = re.compile(
    r"\b(n(?:æ|ae|a|e)vn\w*|omtal\w*|optr[æa]de\w*|forekom\w*|indg[åa]r|indgaar|figurer\w*|st[åa]r\s+(?:der|det|de)\b"
    r"|mentioned|mentions?|appears?|features?|comes? in|come up|turns? up|involved|involving"
    r"|i\s+(?:dokumentet|strategien|teksten|eksemplerne)|in\s+the\s+(?:document|strategy|text))\b",
    re.IGNORECASE,
)
#: "Hvor er politiet med?", "Hvor deltager SSP?": where in the document it takes part
_TAKES_PART = re.compile(r"\bhvor\s+(?:er\s+(?:[\wæøå+-]+\s+){1,3}med|deltager|medvirker)\b", re.IGNORECASE)
_WHERE_MENTIONED = re.compile(
    r"\b(hvor|where|i hvilke[nt]?|in which)\b.*" + MENTIONED.pattern + "|" + _TAKES_PART.pattern, re.IGNORECASE
)
#: measuring or evaluating an effect: how it is found out, not what it was
_MEASURED = re.compile(
    r"\b(m[åa]le\w*|m[åa]ler|evaluer\w*|unders[øo]g\w*|f[øo]lge\w* op|measur\w*|evaluat\w*|assess\w*)\s+"
    r"(?:\w+\s+){0,3}?(effekt\w*|virkning\w*|resultat\w*|effects?|impact|results?|outcomes?)\b"
    # "Hvordan undersøger Sikker By, om indsatserne virker?"
    r"|\b(m[åa]le\w*|m[åa]ler|evaluer\w*|unders[øo]g\w*|f[øo]lge\w* op|measur\w*|evaluat\w*|assess\w*|check\w*)\b"
    r".{0,40}\b(om|whether|if)\b.{0,40}\b(virker|virket|works?|worked)\b",
    re.IGNORECASE,
)
#: a capitalised name after "i/på/ved" that is an organisation, not a place
#: names after "i"/"på" that say no place: a unit, and the city as a whole (where every passage is)
_NOT_PLACE = r"(?![\wæøå]*(?:forvaltning|[Kk]ommune|[Pp]oliti|udvalg|selskab))(?!K[øo]benhavns?\b)"


def _named_subject(sentence: str) -> bool:
    """Whether the sentence's subject is a named unit or initiative of the documents ("Natteværterne
    holder ugentlige møder …", "Tryghedsvagterne …"): it says who does the thing as well as an
    organisation's name does."""
    first = words(sentence)[:1]
    return bool(first) and first[0][:1].isupper() and is_name(term(first[0]))


@dataclass(frozen=True)
class Intent:
    """A kind of fact a question asks for, how to recognise a sentence that states one, and the sentence
    that says plainly that the document does not (``missing``: the bank's name for the piece)."""

    name: str
    missing: str
    asks: re.Pattern[str]
    answer: re.Pattern[str] | None
    lacks_da: str
    lacks_en: str
    #: the question models' feature for it: a finer kind shares the feature of the kind it was split
    #: from ("days" from "time"), so the fitted models read it as before
    feature: str = ""

    @property
    def feature_name(self) -> str:
        return self.feature or self.name

    def answered_by(self, question: str, sentence: str) -> bool:
        if self.name == "count":  # "hvor mange natteværter": a number next to the counted word
            match = self.asks.search(question)
            noun = match.group(1) if match else ""
            if noun.lower() in _NO_NOUN:
                # "Hvor mange er der?" counts what it is read after: any number that is no year
                return bool(re.search(rf"\b(?!(?:19|20)\d\d\b)\d+\b|\b(?:{_NUMBER_WORDS})\b", fold(sentence)))
            stem = fold(term(noun))[:5]
            pattern = rf"(\b\d+|\b(?:{_NUMBER_WORDS}))\s+(?:\w+\s+){{0,2}}{re.escape(stem)}"
            return bool(stem) and bool(re.search(pattern, fold(sentence)))
        if self.name == "who" and _named_subject(sentence):
            return True
        return self.answer is not None and bool(self.answer.search(sentence))

    def lacks(self, *, english: bool = False) -> str:
        return self.lacks_en if english else self.lacks_da

    def declined(self, *, english: bool = False) -> str:
        """The whole answer when no passage holds the kind of fact asked for."""
        lacks = self.lacks(english=english).split(" ", 1)[1]
        return (
            f"I cannot answer that: the {lacks.removeprefix('the ')}"
            if english
            else f"Det kan jeg ikke svare på: {lacks}"
        )


#: the words after "hvor mange" that are no counted noun ("Hvor mange er der?", "How many are there?")
_NO_NOUN = frozenset({"er", "der", "har", "var", "bliver", "blev", "findes", "is", "are", "there", "have", "do"})

_I = re.IGNORECASE
INTENTS: tuple[Intent, ...] = (
    Intent(
        "contact",
        "other",
        re.compile(
            r"\b(telefon\w*|tlf|mobil\w*|e-?mail\w*|mail\w*|hjemmeside\w*|webside\w*|kontaktoplysning\w*"
            r"|kontaktinfo\w*|phone|e-?mails?|website|contact details)\b",
            _I,
        ),
        re.compile(r"\b\d{2}\s?\d{2}\s?\d{2}\s?\d{2}\b|@\w|\bwww\.", _I),
        "Men dokumentet oplyser ikke kontaktoplysninger som telefonnummer, e-mail eller hjemmeside.",
        "But the document does not mention contact details such as a phone number, e-mail or website.",
    ),
    Intent(
        "address",
        "where",
        re.compile(r"\b(adresse\w*|address\w*|hvilken gade|which street|hvor ligger|where is it)\b", _I),
        re.compile(r"\b[A-ZÆØÅ]\w+(?:vej|gade|allé|plads) \d+", _I),
        "Men dokumentet siger ikke, hvor det er: det nævner ingen adresse.",
        "But the document does not say where it is: it gives no address.",
    ),
    Intent(
        "hours",
        "when",
        re.compile(r"\b(åbningstid\w*|abningstid\w*|arbejdstid\w*|tidspunkt\w*|opening hours|what time)\b", _I),
        re.compile(r"\bkl\.? ?\d|\b\d{1,2}[.:]\d{2}\b", _I),
        "Men dokumentet siger ikke, hvornår: det nævner ingen åbnings- eller arbejdstider.",
        "But the document does not say when: it gives no opening or working hours.",
    ),
    Intent(
        "date",
        "when",
        re.compile(r"\b(hvilken dato|hvilke datoer|på hvilken dag|what date|which date)\b", _I),
        re.compile(rf"\b\d{{1,2}}\.\s*({_MONTHS})\b|\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b", _I),
        "Men dokumentet siger ikke, hvilken dato det var.",
        "But the document does not say on which date.",
    ),
    Intent(
        # "Hvem finansierer Akutpuljen?": who pays, not how much
        "funder",
        "cost",
        re.compile(
            r"\bhvem\b.{0,40}\b(finansier\w*|betaler|betalt|bevilge[rt]|bevilgede|sponsor\w*)\b"
            r"|\bwho\b.{0,40}\b(funds?|funded|pays?|paid|finances?|financed|sponsors?)\b",
            _I,
        ),
        re.compile(r"\b(finansier\w*|bevilg\w*|betal\w*|afsat|[Bb]udget\s+20\d\d|budgetpakke\w*)\b"),
        "Men dokumentet siger ikke, hvem der betaler for det: det nævner ingen finansiering eller beløb.",
        "But the document does not say who pays for it: it names no funding or amount.",
    ),
    Intent(
        "money",
        "cost",
        re.compile(
            r"\b(kroner|kr|penge|pengene|belob|beløb\w*|kost(er|et|ede|ede)|koste|omkostning\w*|pris|prisen|millioner"
            r"|mio|mia|budget(?!\s*20\d\d)|budgettet|budgetter|bevilling\w*|bevilget|afsat|timeløn\w*|løn|lønnen|finansier\w*"
            r"|invester\w*|tilskud\w*|invest|invested|investment"
            r"|money|cost|costs|price|budget of|how much|funding|funded|salary|wage\w*)\b"
            r"|\bhvor (?:stor|store|stort) er\b.{0,40}\b(pulje\w*|midl\w*)",
            _I,
        ),
        re.compile(r"\d[\d.,]*\s*(kr\b|kroner|mio|millioner|mia|milliarder)", _I),
        "Men dokumentet siger ikke, hvad det koster: det nævner intet beløb.",
        "But the document does not say how much it costs: it gives no amount.",
    ),
    Intent(
        "share",
        "how_many",
        re.compile(r"\b(andel|procent|hvor stor en del|percentage|share of|proportion)\b", _I),
        re.compile(r"\d+([.,]\d+)?\s*(%|procent)", _I),
        "Men dokumentet siger ikke, hvor mange det gælder: det nævner ingen andel eller procent.",
        "But the document does not say how many: it gives no share or percentage.",
    ),
    Intent(
        "person",
        "who",
        re.compile(
            rf"\bhvem\b.*({_ROLES})\w*"
            r"|\bwho\b.*\b(head\w*|director|mayor|manager|chief|leader|contact person|in charge)\b"
            rf"|\bhvad\s+hedder\b|\bnavn(et|ene)?\s+p[åa]\b|\bname\s+of\s+the\b",
            _I,
        ),
        re.compile(rf"\b({_ROLES})\w*\s+[A-ZÆØÅ]\w+", _I),
        "Men dokumentet siger ikke, hvem der står for det: det nævner ingen navne eller stillinger.",
        "But the document does not say who is in charge: it names no people or posts.",
    ),
    Intent(
        # "Hvilken forvaltning står for den?": a department, which another organisation does not answer
        "department",
        "who",
        re.compile(
            r"\b(hvilken forvaltning|hvilke forvaltninger|hvilken afdeling|which (?:department|administration)s?"
            r"|what (?:department|administration)s?)\b",
            _I,
        ),
        re.compile(r"\b[\wæøå-]*forvaltning\w*\b|\b(?:KFF|SOF|BUF|BIF|TMF|ØKF|SUF)\b"),
        "Men dokumentet siger ikke, hvem der står for det: det nævner ingen forvaltning ved det.",
        "But the document does not say who runs it: it names no department for it.",
        feature="who",
    ),
    Intent(
        "who",
        "who",
        re.compile(r"\bhvem\b|\bwho\b|\bwith whom\b|\bhvilke (?:samarbejdspartnere|partnere|aktører)\b", _I),
        re.compile(_ORGANISATIONS, _I),
        "Men dokumentet siger ikke, hvem der er med: det nævner ingen samarbejdspartnere for det.",
        "But the document does not say who takes part: it names no partners for it.",
    ),
    Intent(
        "frequency",
        "when",
        re.compile(r"\b(hvor ofte|hvor tit|hvor mange gange|hvor hyppigt|how often|how frequently)\b", _I),
        re.compile(
            r"\b(hver|hvert|dagligt?|ugentlig\w*|månedlig\w*|årlig\w*|om (?:ugen|måneden|året)|en gang"
            r"|to gange|weekly|monthly|annually|daily|every)\b",
            _I,
        ),
        "Men dokumentet siger ikke, hvor ofte det sker: det nævner intet tidspunkt eller nogen hyppighed.",
        "But the document does not say how often or when: it gives no frequency.",
    ),
    Intent(
        "count",
        "how_many",
        re.compile(r"\b(?:hvor mange|how many|antal(?:let)? (?:af )?|number of)\s*(?:af\s+|of\s+)?([^\W\d_]+)", _I),
        None,
        "Men dokumentet siger ikke, hvor mange der er: det nævner intet antal.",
        "But the document does not say how many: it gives no number.",
    ),
    Intent(
        # "På hvilke dage er hun der?": days of the week, which a year does not answer
        "days",
        "when",
        re.compile(
            r"\b(hvilke dage|hvilken dag|hvilke nætter|hvilken nat|hvilke ugedage|hvilke aftener|which days|what days"
            r"|which nights|what nights|which day|what day)\b",
            _I,
        ),
        re.compile(
            r"\b(mandag\w*|tirsdag\w*|onsdag\w*|torsdag\w*|fredag\w*|lørdag\w*|søndag\w*|weekend\w*|hverdag\w*"
            r"|dagligt?|hver dag|nat|nætter)\b",
            _I,
        ),
        "Men dokumentet siger ikke, hvornår det er: det nævner ingen ugedage.",
        "But the document does not say when: it names no days of the week.",
        feature="time",
    ),
    Intent(
        "time",
        "when",
        re.compile(
            r"\b(hvornår|hvornar|hvonår|hvilket år|hvilket ar|hvilke år|siden hvornår|hvor længe|hvor lang tid|when"
            r"|what year|which year|how long|since when)\b",
            _I,
        ),
        re.compile(
            r"\b(19|20)\d{2}\b|\b(sommer\w*|vinter\w*|forår\w*|efterår\w*|ferieperiode\w*|måned\w*"
            r"|årlig\w*|ugentlig\w*|halvår\w*|torsdag\w*|fredag\w*|lørdag\w*|nat)\b",
            _I,
        ),
        "Men dokumentet siger ikke, hvornår det skete eller startede.",
        "But the document does not say when it happened or started.",
    ),
    Intent(
        "age",
        "other",
        re.compile(
            r"\b(hvor gamle|alder|aldre|alders\w+|alderen|how old|ages?"
            r"|age (?:limit|range|group)s?)\b",
            _I,
        ),
        re.compile(r"(?<!princip )\b\d{1,2}\b", _I),  # an age, never a year
        "Men dokumentet siger ikke, hvilken alder det gælder.",
        "But the document does not say which ages it covers.",
    ),
    Intent(
        "place",
        "where",
        re.compile(
            r"\bhvor\b(?!\s+(?:mange|meget|stor|store|gamle|ofte|længe|lang|langt|tit|godt))|\bhvorhenne\b"
            r"|\bhvilke[nt]?\s+(?:sted|steder|bydel\w*|område\w*|adresse)|\bwhere\b"
            r"|\bwhich (?:districts?|areas?|places?)\b",
            _I,
        ),
        re.compile(
            rf"\b(i|på|ved|omkring)\s+{_NOT_PLACE}[A-ZÆØÅ][\wæøå]+|\b(bydel\w*|byrum\w*|gade\w*|station\w*"
            r"|havn\w*|hall\w*|bibliotek\w*|idrætsanlæg\w*|boligområde\w*|byområde\w*|fritidscent\w*)\b"
        ),
        "Men dokumentet siger ikke, hvor det foregår: det nævner intet sted.",
        "But the document does not say where it takes place.",
    ),
    Intent(
        "result",
        "result",
        re.compile(
            r"\b(effekt\w*|resultat\w*|virkning\w*|virker|virket|viste|vist|vist sig|evaluering(en|erne)? vise\w*"
            r"|outcomes?|effects?|results?|impact|worked|did it work)\b",
            _I,
        ),
        re.compile(
            r"\b(viste|har vist|resulterede|faldt|steg|reducerede|færre end|halveret|fordoblet|har ført til)\b", _I
        ),
        "Men dokumentet siger ikke, hvilken effekt eller hvilket resultat det har haft.",
        "But the document does not say what effect or result it has had.",
    ),
    Intent(
        "how",
        "how",
        re.compile(
            r"\b(hvordan|how)\b.{0,40}\b(tilmeld\w*|søge\w*|søg\w*|ansøg\w*|henvis\w*|henvende\w*|visit\w*"
            r"|kontakt\w*|melde?\w*|komme? med|blive? (?:en )?del af|få fat|deltage|starte|gør (?:jeg|man|vi)"
            r"|sign\w*|apply|refer\w*|join|register|get in touch|contact|get hold|do i|do we|can i)\b",
            _I,
        ),
        None,
        "Men dokumentet siger ikke, hvordan man gør: det beskriver ingen tilmelding, ansøgning eller henvisning.",
        "But the document does not say how to do that: it describes no sign-up, application or referral.",
    ),
)


#: the separator before a list's last item: a standalone "og"/"samt"/"and", not the "og" of a shared
#: first part ("Kultur- og Fritidsforvaltningen")
_LAST_ITEM = re.compile(r"(?<!-)\s+(?:og|samt|and)\s+")


def enumerated(sentence: str) -> int:
    """How many items a sentence lists ("Halværter i A, B, C og D" -> 4), or 0 when it lists none: a run
    of comma-separated short names (at most four words, mostly capitalised) after a first item and
    before a last pair joined by "og"; at least four items in all."""
    parts = [p.strip() for p in sentence.rstrip(" .").split(",")]
    best = 0
    for last in range(2, len(parts)):
        if not _LAST_ITEM.search(parts[last]):
            continue
        first = last
        while first > 1 and parts[first - 1] and len(parts[first - 1].split()) <= 4:
            first -= 1
        middle = parts[first:last]
        if middle and sum(p[:1].isupper() for p in middle) * 2 >= len(middle):
            best = max(best, len(middle) + 3)
    return best


#: where a chatty lead-in ends and the ask begins ("Jeg skal lave budget – hvem står for …")
_CLAUSE = re.compile(r"\s[–—-]\s|[.:;!?]\s+")


#: a first-person lead-in ended by a comma before the ask ("jeg sidder med nattelivet i KFF, kan du …")
_LEAD_COMMA = re.compile(
    r"^(?!\s*(?:hv|what|which|who|where|when|how|why))(?=[^,?]*\b(?:jeg|vi|(?-i:I)|i'm|we)\b)[^,?]*,\s+"
    r"(?=(?:kan|kunne|vil|må|hvad|hvilke|hvilken|hvilket|hvem|hvor|hvornår|hvordan|hvorfor|giv|fortæl|"
    r"can|could|would|what|which|who|where|when|how|why|please)\b)",
    re.IGNORECASE,
)


def ask_clause(question: str) -> str:
    """The question's last clause: where the ask is when a chatty lead-in says who asks ("Jeg arbejder
    i TMF med byrum – hvilke indsatser er vi med i?", "jeg sidder i KFF, kan du give mig …")."""
    clauses = [c for c in _CLAUSE.split(question) if c.strip()]
    last = clauses[-1] if clauses else question
    lead = _LEAD_COMMA.match(last)
    return last[lead.end() :] if lead and last[lead.end() :].strip() else last


def ask_lead_in(question: str) -> str:
    """What comes before the ask's own clause ("Jeg arbejder i TMF med byrum"), or ""."""
    last = ask_clause(question)
    return question[: question.rfind(last)] if last != question else ""


def question_intent(question: str) -> Intent | None:
    """The kind of fact the question asks for, if any: in its last clause when that asks for one (the
    clauses before it often only say who asks, "Jeg skal lave budget – …"), else in the whole."""
    last = ask_clause(question)
    for text in (last, question) if last != question else (question,):
        found = _first_asked(_danish_letters(text))
        if found is not None:
            return found
    return None


def asks_where_mentioned(text: str) -> bool:
    """Whether ``text`` asks where the documents speak of something ("Hvor nævnes Tryghedsvagterne?",
    "Hvor er politiet med?", "Where does the Prison Service come in?")."""
    return bool(_WHERE_MENTIONED.search(text))


def _first_asked(text: str) -> Intent | None:
    """The intent asked for first in ``text``: a question word asks before a noun it is about ("Who
    manages the … money?" asks who); the intents' order breaks ties ("Hvem finansierer …" asks who
    pays). A count of money ("hvor mange penge") asks what it costs."""
    found = [(m.start(), i, intent) for i, intent in enumerate(INTENTS) for m in [intent.asks.search(text)] if m]
    if _MEASURED.search(text):
        # "hvordan vi måler effekt" asks how effect is measured, which the documents describe
        found = [f for f in found if f[2].name != "result"]
    if MENTIONED.search(text) or _TAKES_PART.search(text):
        # "Hvor nævnes Tryghedsvagterne?", "Where does the Prison Service come in?": where in the document
        found = [f for f in found if f[2].name != "place"]
    if not found:
        return None
    first = min(found, key=lambda f: (f[0], f[1]))[2]
    if first.name == "count":
        counted = first.asks.search(text)
        money = next(intent for intent in INTENTS if intent.name == "money")
        if counted is not None and money.asks.fullmatch(counted.group(1)):
            return money
    return first


def asked_words(question: str) -> str:
    """The words with which the question asks for its kind of fact ("aldersgruppe", "hvornår"): they say
    what is asked for, not what it is about."""
    intent = question_intent(question)
    found = intent.asks.search(_danish_letters(question)) if intent else None
    return found.group(0) if found else ""


def _danish_letters(text: str) -> str:
    """æ/ø/å put back where a keyboard without them wrote "ae"/"oe"/"aa" ("hvornaar" -> "hvornår")."""
    return text.replace("aa", "å").replace("Aa", "Å").replace("oe", "ø").replace("ae", "æ")
