"""English words for the strategy's subjects, with the Danish words the documents use for them.

An English question shares no words with the Danish passages, and a small multilingual embedder bridges
the two languages only roughly. Glossing the question's English subject words in Danish ("gangs" ->
"bander", "library" -> "bibliotek") lets the lexical search and the subject matching work for it as they
do for a Danish question. The list covers the vocabulary of crime prevention and safety work in a
municipality, not particular questions; a word not listed is simply not glossed.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

#: English word or phrase (lower case, singular) -> Danish words as the documents write them
GLOSSARY: dict[str, tuple[str, ...]] = {
    # people and groups
    "youth": ("unge",),
    "young people": ("unge",),
    "young person": ("unge",),
    "young adult": ("unge",),
    "young": ("unge",),
    "teenager": ("unge",),
    "child": ("børn",),
    "children": ("børn",),
    "kid": ("børn",),
    "parent": ("forældre",),
    "family": ("familie", "familier"),
    "families": ("familie", "familier"),
    "adult": ("voksne",),
    "homeless": ("hjemløse",),
    "homeless people": ("hjemløse",),
    "migrant": ("migranter",),
    "refugee": ("migranter",),
    "gang": ("bande", "bander"),
    "gang member": ("bandemedlem",),
    "biker": ("rocker",),
    "biker gang": ("rocker", "bande"),
    "criminal": ("kriminelle",),
    "offender": ("kriminelle",),
    "inmate": ("afsoner", "fængsler"),
    "prisoner": ("afsoner", "fængsler"),
    "resident": ("borgere", "københavnere"),
    "citizen": ("borgere",),
    "guest": ("gæster",),
    "tourist": ("gæster",),
    "visitor": ("gæster",),
    "pupil": ("elever",),
    "student": ("elever",),
    "teacher": ("lærernes",),
    "employee": ("medarbejder",),
    "staff": ("medarbejder",),
    "worker": ("medarbejder",),
    "social worker": ("socialfaglige", "relationsmedarbejder"),
    "relationship worker": ("relationsmedarbejder",),
    "club worker": ("klubmedarbejdere",),
    "landowner": ("grundejere",),
    "property owner": ("grundejere",),
    "unemployed": ("ledige",),
    "jobless": ("ledige",),
    "vulnerable": ("udsatte", "sårbare"),
    "at-risk": ("udsatte", "truede"),
    "at risk": ("udsatte", "truede"),
    "marginalised": ("udsatte",),
    "marginalized": ("udsatte",),
    "partner": ("samarbejdspartnere",),
    "volunteer": ("civilsamfundsaktører",),
    "civil society": ("civilsamfundsaktører",),
    # the municipality's own words
    "police": ("politi", "politiet"),
    "police officer": ("betjent", "politi"),
    "municipality": ("kommune",),
    "council": ("kommune",),
    "city": ("kommune",),
    "copenhagen": ("København",),
    "city centre": ("Indre By",),
    "city center": ("Indre By",),
    "downtown": ("Indre By",),
    "department": ("forvaltning",),
    "administration": ("forvaltning",),
    "committee": ("udvalg",),
    "principle": ("princip",),
    "initiative": ("indsats",),
    "effort": ("indsats",),
    "measure": ("indsats",),
    "project": ("projekt",),
    "strategy": ("strategi",),
    "document": ("dokument",),
    "budget": ("budget", "budgetpakken"),
    "funding": ("midler", "budget"),
    "funds": ("midler",),
    "money": ("midler",),
    "pool": ("puljen", "Akutpuljemidlerne"),
    "emergency pool": ("Akutpuljemidlerne",),
    "emergency fund": ("Akutpuljemidlerne",),
    "coordination group": ("koordineringsgruppe",),
    "coordination": ("koordinering", "koordinere"),
    "coordinate": ("koordinering", "koordinere"),
    "cooperation": ("samarbejde",),
    "collaboration": ("samarbejde",),
    "partnership": ("samarbejde",),
    "agreement": ("samarbejdsaftale",),
    "alarm centre": ("Alarmcentralen",),
    "alarm center": ("Alarmcentralen",),
    "emergency services": ("beredskab",),
    "probation service": ("Kriminalforsorgen",),
    "probation": ("Kriminalforsorgen",),
    "prison service": ("Kriminalforsorgen",),
    # subjects
    "crime": ("kriminalitet",),
    "crime prevention": ("kriminalpræventive", "forebyggende"),
    "prevention": ("forebyggelse", "forebyggende"),
    "prevent": ("forebygge", "forebyggende"),
    "preventive": ("forebyggende",),
    "reoffending": ("tilbagefald",),
    "recidivism": ("tilbagefald",),
    "release": ("løsladelsessamtaler",),
    "remand": ("varetægtsfængslede",),
    "prison": ("fængsler",),
    "exit": ("exit-forløb",),
    "extremism": ("ekstremisme",),
    "extremist": ("ekstremistiske", "ekstremisme"),
    "radicalisation": ("ekstremisme",),
    "radicalization": ("ekstremisme",),
    "propaganda": ("propaganda",),
    "democracy": ("demokrati",),
    "citizenship": ("medborgerskab",),
    "resilience": ("modstandskraft",),
    "parallel society": ("parallelsamfund",),
    "parallel societies": ("parallelsamfund",),
    "discrimination": ("diskrimination",),
    "partner violence": ("partnervold",),
    "domestic violence": ("partnervold",),
    "violence": ("vold",),
    "safety": ("tryghed", "tryg"),
    "security": ("tryghed",),
    "feeling of safety": ("tryghed",),
    "safe": ("tryg", "trygt"),
    # the strategy's own name, not a subject in it
    "safe city": ("Sikker", "By"),
    "safer city": ("Sikker", "By"),
    "unsafe": ("utrygge", "utryghed"),
    "insecurity": ("utryghed",),
    "security guard": ("Tryghedsvagter",),
    "safety guard": ("Tryghedsvagter",),
    "guard": ("vagter", "Tryghedsvagter"),
    "noise": ("støj", "Støjvagten"),
    "noise patrol": ("Støjvagten",),
    "night host": ("Natteværter",),
    "night watch": ("Natteværter",),
    "night warden": ("Natteværter",),
    "evening host": ("Aftenværter",),
    "evening team": ("Aftenværter", "aftenhold"),
    "hall host": ("Halværter",),
    "harbour host": ("havneværter",),
    "harbor host": ("havneværter",),
    "nightlife": ("natteliv",),
    "night life": ("natteliv",),
    "night": ("nat", "natteliv"),
    "restaurant": ("Restaurations",),
    "bar": ("nattelivsbranchen",),
    "nightlife industry": ("nattelivsbranchen",),
    "harbour": ("havn", "havnen"),
    "harbor": ("havn", "havnen"),
    "waterfront": ("havnen",),
    "harbour area": ("havn", "havnen"),
    "harbor area": ("havn", "havnen"),
    "harbour front": ("havn", "havnen"),
    "harbor front": ("havn", "havnen"),
    "summer": ("sommer", "sommerperioden"),
    "holiday": ("ferieperioder", "FerieCamps"),
    "holiday camp": ("FerieCamps",),
    "camp": ("FerieCamps",),
    "library": ("bibliotek",),
    "libraries": ("bibliotek", "biblioteker"),
    "culture house": ("kulturhuse",),
    "cultural centre": ("kulturhuse",),
    "culture": ("kultur",),
    "leisure": ("fritid", "fritidsliv"),
    "leisure time": ("fritidsliv",),
    "leisure job": ("fritidsjob",),
    "part-time job": ("fritidsjob",),
    "after-school job": ("fritidsjob",),
    "job": ("job", "fritidsjob"),
    "employment": ("beskæftigelse",),
    "unemployment": ("ledige",),
    "labour market": ("arbejdsmarkedet",),
    "labor market": ("arbejdsmarkedet",),
    "education": ("uddannelse",),
    "school": ("skole", "skoleindsats", "skolerne"),
    "sport": ("idræt", "Idrætsprojektet"),
    "sports": ("idræt", "Idrætsprojektet"),
    "sports hall": ("hallerne", "Halværter"),
    "sports facility": ("idrætsanlæg",),
    "association": ("foreningslivet",),
    "club": ("klub", "foreningslivet"),
    "youth club": ("fritidscentrene", "klubmedarbejdere"),
    "membership fee": ("kontingentstøtteordning",),
    "outreach": ("opsøgende", "udgående"),
    "street": ("gadeplan",),
    "street work": ("gadeplan",),
    "station": ("station", "stationer"),
    "train": ("S-tog", "tog"),
    "metro": ("Metroselskabet",),
    "bus": ("Movia",),
    "public transport": ("S-tog", "Metroselskabet", "Movia"),
    "transport": ("rejsen",),
    "public space": ("byrum",),
    "urban space": ("byrum",),
    "housing": ("boligområder", "boligorganisationer"),
    "housing area": ("boligområder",),
    "housing estate": ("boligområder",),
    "neighbourhood": ("byområder", "bydel"),
    "neighborhood": ("byområder", "bydel"),
    "district": ("bydel", "byområder"),
    "area": ("områder", "byområder"),
    "deprived area": ("udsatte byområder",),
    "urban renewal": ("Områdefornyelser",),
    "area renewal": ("Områdefornyelser",),
    "regeneration": ("Områdefornyelser",),
    "transformation plan": ("forandringsplan",),
    "change plan": ("forandringsplan",),
    "action plan": ("handleplan",),
    "plan": ("plan", "handleplan"),
    "dialogue": ("dialogforum",),
    "forum": ("dialogforum",),
    "survey": ("undersøgelse", "tryghedsundersøgelse"),
    "safety survey": ("tryghedsundersøgelse",),
    "health": ("sundhed", "helbred"),
    "health profile": ("Børnesundhedsprofilundersøgelsen",),
    "well-being": ("trivsel",),
    "wellbeing": ("trivsel",),
    "evaluation": ("evaluering", "virkningsevaluering"),
    "impact evaluation": ("virkningsevaluering",),
    "evaluate": ("evaluering", "virkningsevaluering"),
    "pilot": ("pilotprojekter",),
    "knowledge": ("viden", "vidensbaseret"),
    "knowledge sharing": ("vidensdeling",),
    "evidence": ("evidensbaseret",),
    "research": ("forskning",),
    "data": ("data",),
    "measurement": ("måling", "effektmåling"),
    "tool": ("værktøj",),
    "incident": ("hændelser",),
    "event": ("events",),
    "campaign": ("kampagne", "oplysningskampagner"),
    "network": ("netværk", "netværksarrangementer"),
    "conference": ("konferencer",),
    "workshop": ("workshops",),
    "international": ("internationale",),
    "online": ("online",),
    "digital": ("digitale",),
    "leaflet": ("folder",),
    "brochure": ("folder",),
    "folder": ("folder",),
    "uniform": ("uniformer",),
    "working hours": ("arbejdstider",),
    "target group": ("målgrupper", "målgruppen"),
    "shelter": ("overnatning",),
    "overnight stay": ("overnatning",),
    "food": ("mad",),
    "contact person": ("kontaktpersonindsats",),
    "family counselling": ("familierådgivning",),
    "family counseling": ("familierådgivning",),
    "pocket money": ("lommepenge",),
    "income": ("indtægt",),
    "activation": ("aktiveringsindsats",),
    "special unit": ("Specialenheden",),
}

_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
_LONGEST = max(len(k.split()) for k in GLOSSARY)


def _singular(word: str) -> list[str]:
    """The word and its likely singular forms ("libraries" -> "library", "gangs" -> "gang")."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 3:
        forms.append(word[:-1])
    return forms


def gloss(text: str) -> list[str]:
    """The Danish words for the English subject words and phrases of ``text``, in its order (longest
    phrase first: "night host" before "night")."""
    tokens = _WORD.findall(text.lower())
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_LONGEST, len(tokens) - i), 0, -1):
            found = _lookup(tokens[i : i + n])
            if found:
                out.extend(w for w in found if w not in out)
                i += n
                break
        else:
            i += 1
    return out


def _lookup(words: list[str]) -> tuple[str, ...]:
    *head, last = words
    for form in _singular(last):
        found = GLOSSARY.get(" ".join([*head, form]))
        if found:
            return found
    return ()
