"""The closed-class language of questions, without the models: asks split apart, comparisons, follow-ups
that continue the question before, the kind of fact asked for, English subject words glossed in
Danish, the frame a question is put in, and answers of several asks joined."""

from __future__ import annotations

import pytest

from sikkerby.assistant.answer import Citation
from sikkerby.assistant.composer import Draft, merge_drafts
from sikkerby.assistant.followup import continuation_subject, substitute
from sikkerby.assistant.intents import ask_clause, asks_where_mentioned, question_intent
from sikkerby.assistant.matching import is_generic
from sikkerby.assistant.router import find_departments_named, find_principles
from sikkerby.assistant.understanding.frame import DEPARTMENT, NAME, PRINCIPLE, FrameVocabulary, frame_tokens
from sikkerby.assistant.understanding.parts import split_parts
from sikkerby.assistant.wording import indsatser
from sikkerby.ingest.danish import term
from sikkerby.ingest.glossary import gloss
from sikkerby.ingest.synonyms import SYNONYMS, read_synonyms


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Hvad er HFI, hvilke bydele dækker den, og hvor mange millioner er der sat af?",
            ["Hvad er HFI", "hvilke bydele dækker den", "hvor mange millioner er der sat af?"],
        ),
        ("Hvilke indsatser har BUF, og hvilke har SOF?", ["Hvilke indsatser har BUF", "hvilke har SOF?"]),
        # a sentence that asks nothing stays with the ask it explains
        (
            "Jeg arbejder på Nørrebro. Hvilke indsatser nævner bydelen?",
            ["Jeg arbejder på Nørrebro. Hvilke indsatser nævner bydelen?"],
        ),
        ("Hvad laver Natteværterne? Jeg møder dem tit.", ["Hvad laver Natteværterne? Jeg møder dem tit."]),
        # "både … og …" and a list of names are not two asks
        ("Hvilke indsatser er både TMF og ØKF med i?", ["Hvilke indsatser er både TMF og ØKF med i?"]),
        (
            "What is the difference between night hosts and evening hosts?",
            ["What is night hosts?", "What is evening hosts?"],
        ),
        ("Hvad er forskellen på Natteværter og Aftenværter?", ["Hvad er Natteværter?", "Hvad er Aftenværter?"]),
        (
            "Jeg blander Natteværterne og Aftenværterne sammen – hvad er forskellen på dem?",
            ["Hvad er Natteværterne?", "Hvad er Aftenværterne?"],
        ),
    ],
)
def test_a_question_is_split_into_its_asks(question: str, parts: list[str]):
    assert split_parts(question) == parts


def test_an_ask_with_nothing_of_its_own_joins_the_next():
    empty = {"Kan du fortælle mig"}
    parts = split_parts("Kan du fortælle mig, hvad kommunen gør i Tingbjerg?", substantive=lambda p: p not in empty)
    assert parts == ["Kan du fortælle mig hvad kommunen gør i Tingbjerg?"]


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Og hvad med Bispebjerg?", "Bispebjerg"),
        ("Og i Husum?", "Husum"),
        ("And extremism?", "extremism"),
        ("What about the police?", "the police"),
        ("Og hvilke af dem er for unge over 18?", None),  # narrows the previous list
        ("Og hvornår startede de?", None),  # a new ask about the same thing
        ("Hvad med?", None),
    ],
)
def test_a_continuation_names_its_new_subject(question: str, subject: str | None):
    assert continuation_subject(question) == subject


def test_a_continuation_replaces_what_the_question_before_was_about():
    previous = "Hvilke indsatser er der i Husum?"
    start = previous.index("Husum")
    assert substitute(previous, "Bispebjerg", [(start, start + 5)]) == "Hvilke indsatser er der i Bispebjerg?"
    assert substitute("Hvad gør kommunen?", "Tingbjerg", []) == "Hvad gør kommunen Tingbjerg?"


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Hvornår blev Aftenværterne oprettet?", "when"),
        ("Hvor mange børn deltager i FerieCamps?", "how_many"),
        ("Hvad har relationsmedarbejderen kostet?", "cost"),
        ("hvad er timelønnen for natteværterne", "cost"),
        ("Hvem er direktør i Socialforvaltningen?", "who"),
        ("Who heads EKI?", "who"),
        ("Hvor foregår det henne?", "where"),
        ("Hvad er adressen på Infohus?", "where"),
        ("Hvad er åbningstiderne i Ungeværkerne?", "when"),
        ("Har det virket?", "result"),
        ("Hvordan tilmelder man sig FerieCamps?", "how"),
        ("How do I sign my son up?", "how"),
        ("Hvad er telefonnummeret til EKI?", "other"),
        # the ask after a chatty lead-in decides, not a word of the lead-in
        ("Jeg skal lave budget – hvem står for Tryghedsvagterne?", "who"),
        # who pays is asked of money, and said as who pays, not as an amount
        ("Hvem finansierer Sikker By Akutpuljen?", "cost"),
        ("Who pays for the night hosts?", "cost"),
        # a question word asks before a noun it is about; a count of money asks what it costs
        ("Who manages the Sikker By Akutpulje money?", "who"),
        ("Hvornår blev der afsat penge til HFI?", "when"),
        ("Hvor mange penge er der afsat til Natteværterne?", "cost"),
        ("Hvor ofte holdes Fælles Blik-møderne?", "when"),
        ("How often do the night hosts meet the nightlife industry?", "when"),
    ],
)
def test_the_kind_of_fact_asked_for(question: str, missing: str):
    intent = question_intent(question)
    assert intent is not None and intent.missing == missing


def test_who_pays_is_not_asked_as_how_much():
    intent = question_intent("Hvem finansierer Sikker By Akutpuljen?")
    assert intent is not None and intent.name == "funder"
    assert "hvem der betaler" in intent.lacks()
    assert question_intent("Hvad koster Akutpuljen?").name == "money"  # type: ignore[union-attr]


def test_everyday_words_are_read_as_the_documents_words():
    assert read_synonyms("Hvad gør kommunen mod radikaliseringen?") == "Hvad gør kommunen mod ekstremisme?"
    assert read_synonyms("tryghed i den kollektive trafik") == "tryghed i den S-tog, metro og Movia"
    # typed without æøå, and a phrase of several words
    assert read_synonyms("hvad med vold i naere relationer") == "hvad med partnervold"
    assert read_synonyms("Er der noget for arbejdsløse?") == "Er der noget for ledige?"
    # a district by the neighbourhoods the documents name in it
    assert read_synonyms("Hvad sker der i Brønshøj?") == "Hvad sker der i Tingbjerg og Husum?"
    # a word that only starts like one, or a word too long to be a form of it, is left alone
    assert read_synonyms("Vagt- og Alarmcentralen") == "Vagt- og Alarmcentralen"
    assert read_synonyms("larmeudbredelsesmålingerne") == "larmeudbredelsesmålingerne"
    assert read_synonyms("Hvad er Natteværterne?") == "Hvad er Natteværterne?"
    # every listed word reads as words the documents' vocabulary can match
    assert all(words.strip() for words in SYNONYMS.values())


def test_no_kind_of_fact_in_a_plain_question():
    assert question_intent("Hvad er Den Korte Snor?") is None
    assert ask_clause("Jeg arbejder i TMF – hvilke indsatser er vi med i?") == "hvilke indsatser er vi med i?"


def test_a_first_person_lead_in_ends_at_a_comma_before_the_ask():
    assert ask_clause("jeg sidder i KFF, kan du give mig en liste?") == "kan du give mig en liste?"
    assert ask_clause("I work in SOF, which initiatives are we in?") == "which initiatives are we in?"
    # a comma inside the ask itself, or after a question word, ends no lead-in
    assert ask_clause("Hvad er HFI, hvor mange penge er der?") == "Hvad er HFI, hvor mange penge er der?"
    assert ask_clause("Indsatser i Tingbjerg, hvor mange?") == "Indsatser i Tingbjerg, hvor mange?"


def test_every_lack_sentence_says_plainly_what_the_document_does_not_say():
    from sikkerby.assistant.intents import INTENTS
    from sikkerby.eval.evaluator import names_missing

    for intent in INTENTS:
        assert names_missing(intent.lacks(), intent.missing), intent.name
        assert names_missing(intent.lacks(english=True), intent.missing), intent.name
        assert names_missing(intent.declined(), intent.missing), intent.name


def test_english_subject_words_are_glossed_in_danish():
    assert gloss("Which initiatives deal with gangs at libraries?") == [
        "indsats",
        "bande",
        "bander",
        "bibliotek",
        "biblioteker",
    ]
    assert "Natteværter" in gloss("What do the night hosts do?")
    assert gloss("What is the speed limit?") == []


def test_principles_and_departments_are_found_in_the_order_named():
    assert find_principles("Hvad er forskellen på Fagprincip 2 og andet grundprincip?") == [
        "Fagprincip 2",
        "Grundprincip 2",
    ]
    codes = [d.code for d in find_departments_named("Hvilke har BUF, og hvilke har teknik og miljo forvaltningen?")]
    assert codes == ["BUF", "TMF"]
    assert [d.code for d in find_departments_named("the Economy Administration")] == ["ØKF"]
    assert find_departments_named("Kultur- og Fritidsudvalget har vedtaget et charter") == []


def _frame(question: str) -> list[str]:
    corpus = {term(w): n for w, n in (("Natteværterne", 3), ("Idrætsprojektet", 1), ("Husum", 2), ("politi", 11))}
    return frame_tokens(question, document_frequency=lambda t: corpus.get(t, 0), documents=60)


def test_the_frame_replaces_names_by_their_class():
    # the same kind of question about two initiatives has one frame
    assert _frame("Hvad laver Natteværterne?") == _frame("Hvad laver Idrætsprojektet?") == ["hvad", "lav", NAME]
    assert _frame("Hvilke indsatser hører under andet grundprincip?")[-1] == PRINCIPLE
    assert _frame("Jeg er lige startet i Kultur- og Fritidsforvaltningen")[-1] == DEPARTMENT
    # a typo of an everyday word stays that word, not an unknown name
    assert _frame("hvad goer kommunen")[:2] == _frame("hvad gør kommunen")[:2]


def test_the_frame_vocabulary_keeps_grams_seen_often_enough():
    frames = [["hvad", "lav", NAME]] * 3 + [["hvem", "er"]]
    vocabulary = FrameVocabulary.fit(frames, min_count=3)
    assert "hvad lav" in vocabulary.grams and "hvem" not in vocabulary.grams
    assert vocabulary.vector(["hvad", "lav"]).sum() == 3  # "hvad", "lav" and the pair


def _citation(n: int, chunk: str) -> Citation:
    return Citation(n=n, chunk_id=chunk, document="d", page=1, principle=None, text=chunk, score=1.0)


def test_answers_to_several_asks_are_joined_with_one_numbering():
    first = Draft(
        "A siger noget. [1] B siger noget andet. [2]", (_citation(1, "a"), _citation(2, "b")), False, "general"
    )
    second = Draft(
        "B siger noget andet. [1]\n\nMen dokumentet siger ikke, hvornår.", (_citation(1, "b"),), False, "partial"
    )
    merged = merge_drafts([first, second])
    # the sentence the first answer gave is not repeated; the second ask's own sentence stays
    assert merged.text == "A siger noget. [1] B siger noget andet. [2]\n\nMen dokumentet siger ikke, hvornår."
    assert [c.chunk_id for c in merged.citations] == ["a", "b"] and merged.route == "partial"
    # a principle's wording beside its own list is left out: the list starts with it
    wording = Draft("Fagprincip 2 lyder: «…» [1]", (_citation(1, "p"),), False, "principle_statement")
    listing = Draft("Fagprincip 2: «…» [1]\n- x [2]", (_citation(1, "p"), _citation(2, "x")), False, "principle_list")
    assert merge_drafts([wording, listing]).text == listing.text
    declined = Draft("Det står der ikke noget om.", (), True, "abstained")
    assert merge_drafts([declined, declined]).abstained


def test_counts_agree_with_their_noun():
    assert indsatser(1) == "1 indsats" and indsatser(2) == "2 indsatser"


def test_a_listed_answer_to_how_many_is_counted():
    from sikkerby.assistant.intents import enumerated

    halls = "Halværter i Sundbyøsterhallerne, Hal C, Ørestad Streethal, Bellahøjhallerne, Sundby Idrætspark og Hal D."
    assert enumerated(halls) == 6
    group = (
        "En koordineringsgruppe med repræsentanter fra Socialforvaltningen, Kultur- og Fritidsforvaltningen, "
        "Teknik- og Miljøforvaltningen og Økonomiforvaltningen forvalter Akutpuljemidlerne for at skabe akutte, "
        "midlertidige løsninger."
    )
    assert enumerated(group) == 4  # "Kultur- og Fritidsforvaltningen" is one item
    assert enumerated("Den Korte Snor er til unge, der udviser uroskabende, kriminel eller bekymrende adfærd.") == 0
    assert enumerated("for elever i 3., 6. og 9. klasse") == 0


def test_a_compound_is_found_when_its_second_part_heads_another_compound():
    from sikkerby.assistant.matching import term_in
    from sikkerby.ingest.danish import terms

    text = set(terms("et myndighedssamarbejde om bekæmpelse af partnervold"))
    assert term_in(terms("partnervoldssamarbejdet")[0], text)
    assert not term_in(terms("cykelsamarbejdet")[0], text)


def test_a_compound_with_an_area_head_is_found_by_its_first_part():
    from sikkerby.assistant.matching import term_in
    from sikkerby.ingest.danish import terms

    text = set(terms("Vi arbejder for, at det er uattraktivt at være rocker- og bandemedlem."))
    assert term_in(terms("bandeområdet")[0], text)
    assert term_in(terms("bandeindsatser")[0], text)
    assert not term_in(terms("cykelområdet")[0], text)
    # the first part must itself say something: "indsatsområdet" is no subject
    assert not term_in(terms("indsatsområdet")[0], set(terms("indsatsen")))


@pytest.mark.parametrize(
    ("question", "principles"),
    [
        ("hvilke indsatser har kff i fagprincip 1 og 2", ["Fagprincip 1", "Fagprincip 2"]),
        ("GP 1, 2 eller 3?", ["Grundprincip 1", "Grundprincip 2", "Grundprincip 3"]),
        ("Fagprincip 2-4", ["Fagprincip 2", "Fagprincip 3", "Fagprincip 4"]),
        # a number that is no principle's: a word, an age, a count of years
        ("fagprincip 2 og en anden", ["Fagprincip 2"]),
        ("fagprincip 3 og 18+ indsatsen", ["Fagprincip 3"]),
        ("Fagprincip 2 og 3 år", ["Fagprincip 2"]),
    ],
)
def test_principles_named_with_the_noun_left_out_are_each_found(question: str, principles: list[str]):
    assert find_principles(question) == principles


def test_the_words_that_name_the_document_itself_are_generic_even_misspelt():
    from sikkerby.assistant.matching import is_generic

    assert is_generic("tabel") and is_generic("eksempl")
    assert is_generic("arbjed")  # "arbjeder"
    assert is_generic("by-tabel")  # "Sikker By-tabellen"
    # a Danish word of its own that shares a skeleton with one ("start": "strategi") is not
    assert not is_generic("start")
    assert not is_generic("natteliv")


def test_a_department_is_found_by_its_name_misspelt():
    from sikkerby.assistant.router import find_departments_named

    assert [d.code for d in find_departments_named("hvad laver socialforvaltnigen i sikker by")] == ["SOF"]
    assert [d.code for d in find_departments_named("kultur og fritidsforvaltingen")] == ["KFF"]
    for question in ("Hvad gør forvaltningerne?", "sundhedsplejersken", "boligorganisationerne"):
        assert find_departments_named(question) == [], question


def test_a_word_that_refers_back_is_found_before_any_word():
    from sikkerby.assistant.answering import _REFERS

    assert _REFERS.search("Hvilken aldersgruppe er den rettet mod?")
    assert _REFERS.search("Hvem samarbejder de med?")
    # the article of a name refers to nothing
    assert not _REFERS.search("Hvad er Den Korte Snor?")
    assert not _REFERS.search("Hvad er Det Gode Fritidsliv?")


def test_list_items_are_kept_when_asks_are_joined():
    from sikkerby.assistant.answer import Citation
    from sikkerby.assistant.composer import Draft, merge_drafts

    def cited(chunk_id: str, n: int) -> Citation:
        return Citation(n=n, chunk_id=chunk_id, document="d", page=1, principle=None, text="", score=1.0)

    shared = "- Fagprincip 3: En familieindsats på Nørrebro. [1]"
    first = Draft(
        f"BIF nævnes i 2 indsatser:\n\n- Fagprincip 2: Jobindsats. [2]\n{shared}",
        (cited("a", 1), cited("b", 2)),
        False,
        "department_list",
    )
    second = Draft(f"SUF nævnes i 1 indsats:\n\n{shared}", (cited("a", 1),), False, "department_list")
    merged = merge_drafts([first, second])
    assert merged.text.count("En familieindsats på Nørrebro.") == 2, merged.text


def test_investing_and_grants_ask_what_it_costs():
    from sikkerby.assistant.intents import question_intent

    for question in ("hvor meget skal der investeres?", "hvor meget kan man få i tilskud?"):
        found = question_intent(question)
        assert found is not None and found.missing == "cost", question


def test_a_budget_year_is_no_question_of_money():
    assert question_intent("Relationsmedarbejderen kom vel med budget 2023, ikke?") is None
    assert question_intent("Hvad er budgettet for Natteværterne?").name == "money"  # type: ignore[union-attr]


def test_the_english_words_of_a_danish_question_are_found():
    from sikkerby.assistant.matching import english_words

    assert english_words("Kan du give mig en quick overview af hvordan vi måler effekt?") == ["quick", "overview"]
    # a name is no English word, and a Danish question without any has none
    assert english_words("Hvad koster en Netflix-konto?") == []
    assert english_words("Hvilke indsatser har BUF?") == []


def test_a_department_is_found_by_its_full_name():
    from sikkerby.assistant.router import find_department

    department = find_department("Hvilke indsatser indgår Sundheds- og Omsorgsforvaltningen i?")
    assert department is not None and department.code == "SUF"


@pytest.mark.parametrize(
    ("question", "code"),
    [("hvilke indsatser er soc forv med i", "SOF"), ("hvad laver kulturforv.?", "KFF"), ("øk. forv og tryghed", "ØKF")],
)
def test_a_department_is_found_by_the_short_form_staff_write(question: str, code: str):
    from sikkerby.assistant.router import find_department

    department = find_department(question)
    assert department is not None and department.code == code
    assert find_department("jeg er helt forvirret") is None


def test_where_in_the_document_asks_no_place():
    assert question_intent("Hvor nævnes Tryghedsvagterne?") is None
    assert question_intent("Where does the Prison and Probation Service come in?") is None
    assert question_intent("hvor er der tryghedsvagter i dokumentet") is None
    assert question_intent("Hvor foregår Den Korte Snor?").name == "place"  # type: ignore[union-attr]


def test_the_strategy_named_in_english_is_its_name_not_a_subject():
    from sikkerby.ingest.glossary import gloss

    assert gloss("How many principles does the Safe City strategy have?") == ["princip", "Sikker", "By", "strategi"]


def test_an_organisation_names_who_whatever_its_case():
    intent = question_intent("Hvem er med i samarbejdet om migranter?")
    assert intent is not None and intent.name == "who"
    sentence = "Københavns Kommune og Københavns Politi har siden 2017 samarbejdet om migranter."
    assert intent.answered_by("Hvem er med i samarbejdet om migranter?", sentence)


def test_how_an_effect_is_measured_asks_no_result():
    assert question_intent("Kan du give mig et overblik over, hvordan vi måler effekt?") is None
    assert question_intent("Hvordan undersøger Sikker By, om indsatserne virker?") is None
    assert question_intent("Hvilken effekt har Natteværterne haft?").name == "result"  # type: ignore[union-attr]


def test_a_count_of_what_a_follow_up_is_about_is_answered_by_no_year():
    intent = question_intent("hvor mange er der?")
    assert intent is not None and intent.name == "count"
    assert not intent.answered_by("hvor mange er der?", "Ved budget 2024 er der etableret en ordning.")
    assert intent.answered_by("hvor mange er der?", "Der er ansat 12 vagter.")


def test_the_city_as_a_whole_says_no_place():
    intent = question_intent("Hvilke steder er mest utrygge?")
    assert intent is not None and intent.name == "place"
    asked = "Hvilke steder er mest utrygge?"
    assert not intent.answered_by(asked, "Undersøgelsen giver viden om trygheden i København.")
    assert intent.answered_by(asked, "Indsatsen foregår på Nørrebro Station.")


def test_which_days_is_answered_by_days_of_the_week_never_by_a_year():
    asked = "på hvilke dage er vedkommende her?"
    intent = question_intent(asked)
    assert intent is not None and intent.name == "days" and intent.missing == "when"
    assert not intent.answered_by(asked, "Med budget 2023 blev der afsat midler til en medarbejder.")
    assert intent.answered_by(asked, "Natteværter er til stede torsdag, fredag og lørdag nat.")
    # the question models read it as the kind it was split from
    assert intent.feature_name == "time"


def test_an_ask_may_start_with_a_preposition_before_its_question_word():
    question = "Hvad laver relationsmedarbejderen fra SOF, og på hvilke dage er vedkommende her?"
    assert split_parts(question) == ["Hvad laver relationsmedarbejderen fra SOF", "på hvilke dage er vedkommende her?"]
    assert split_parts("What is FILT and in which district does it run?") == [
        "What is FILT",
        "in which district does it run?",
    ]


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Hvilke principper hører henholdsvis Din Betjent og charteret for et natteliv uden diskrimination under?",
            [
                "Hvilke principper hører Din Betjent under?",
                "Hvilke principper hører charteret for et natteliv uden diskrimination under?",
            ],
        ),
        (
            "Hvem står for henholdsvis Natteværterne og Aftenværterne?",
            ["Hvem står for Natteværterne?", "Hvem står for Aftenværterne?"],
        ),
        # what is compared of each thing goes with each
        (
            "Compare the age groups of the fritidsjob initiative and the 18+ initiative in Husum.",
            [
                "What is the age groups of the fritidsjob initiative?",
                "What is the age groups of the 18+ initiative in Husum?",
            ],
        ),
        (
            "Sammenlign aldersgrupperne for Den Korte Snor og 18+ indsatsen",
            ["Hvad er aldersgrupperne for Den Korte Snor?", "Hvad er aldersgrupperne for 18+ indsatsen?"],
        ),
        # what the asker adds after the comparing sentence stays out of it
        (
            "Kan du forklare mig forskellen på Ny Start 3.0 og Idrætsprojektet? De lyder lidt ens for mig",
            ["Hvad er Ny Start 3.0?", "Hvad er Idrætsprojektet?"],
        ),
        # a place is no aspect
        ("Hvad er forskellen på unge i Husum og Tingbjerg?", ["Hvad er unge i Husum?", "Hvad er Tingbjerg?"]),
    ],
)
def test_each_thing_of_a_pair_gets_the_ask_around_it(question: str, parts: list[str]):
    assert split_parts(question) == parts


def test_which_department_is_answered_by_a_department_only():
    asked = "hvilken forvaltning står for den?"
    intent = question_intent(asked)
    assert intent is not None and intent.name == "department" and intent.missing == "who"
    assert not intent.answered_by(asked, "Den Korte Snor er en kriminalitetsforebyggende indsats.")
    assert not intent.answered_by(asked, "Indsatsen koordineres med Københavns Politi.")
    assert intent.answered_by(asked, "Ved budget 2024 er der etableret ordning med Tryghedsvagter (TMF).")
    assert intent.answered_by(asked, "Socialforvaltningen og Kultur- og Fritidsforvaltningen samarbejder.")


@pytest.mark.parametrize(
    ("question", "english"),
    [
        # names are neither language: the words around them decide
        ("Is BUF part of Den Korte Snor?", True),
        ("Does Den Korte Snor have an age limit?", True),
        ("Which principle does the Strong Cities Network belong to?", True),
        ("Hvad er Strong Cities Network?", False),
        ("Er SOF med i 18+ indsatsen?", False),
        ("Kan du give mig en quick overview af Fagprincip 2?", False),
    ],
)
def test_the_language_of_a_question_is_that_of_its_words_around_the_names(question: str, english: bool):
    from sikkerby.assistant.matching import is_english

    assert is_english(question) is english


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("Hvor nævnes Tryghedsvagterne?", True),
        ("Hvor er politiet med?", True),
        ("hvor er ssp med i sikker by indsatserne", True),
        ("Hvor deltager SSP?", True),
        ("I hvilke indsatser indgår SSP?", True),
        ("Where does the Prison Service come in?", True),
        # where something takes place, or who takes part: no question of where the documents name it
        ("Hvor er Natteværterne?", False),
        ("Hvor foregår FerieCamps, og hvem deltager?", False),
        ("Hvilke indsatser handler om SSP?", False),
    ],
)
def test_a_question_asks_where_the_documents_name_something(question: str, where: bool):
    assert asks_where_mentioned(question) is where
    if where:
        assert question_intent(question) is None or question_intent(question).name != "place"


@pytest.mark.parametrize(
    ("word", "generic"),
    [("eksempeltabellen", True), ("strategidokumentet", True), ("natteliv", False), ("familieindsats", False)],
)
def test_a_compound_of_words_every_passage_is_about_names_no_subject(word: str, generic: bool):
    assert is_generic(term(word)) is generic
