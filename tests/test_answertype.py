"""Expected answer types: what a question asks for, and whether a sentence holds it (pure functions)."""

from __future__ import annotations

import pytest

from assistant.language.answertype import (
    contradicts_date,
    direct_answer,
    expected_answer,
    holds_answer,
    name_expectation,
    person_names,
    satisfies,
)
from assistant.language.discourse import asks_reason, gives_reason, reason_before


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wat is het totale budget van de Coalitie voor veiligheid?", "money"),
        ("How much funding did the project get?", "money"),
        # the perfect tense, the plural past and a money noun ending a compound ask for an amount too
        ("Wat heeft de verbouwing van het raadhuis gekost?", "money"),
        ("Hoeveel bedroegen de verblijfskosten van de delegatie?", "money"),
        ("Wat is het onderzoeksbudget?", "money"),
        ("Wanneer begon de samenwerking?", "date"),
        ("In welk jaar is Den Haag lid geworden van EFUS?", "date"),
        ("Hoeveel landen zijn vertegenwoordigd?", "number"),
        ("How many participants were there?", "number"),
        ("Wie is de huidige burgemeester van Rotterdam?", "person"),
        ("Who is the director-general of safe.brussels?", "person"),
    ],
)
def test_expected_kind(question: str, kind: str) -> None:
    expectation = expected_answer(question)
    assert expectation is not None and expectation.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "Wie organiseerden samen de conferentie?",  # organisations answer this: no name required
        "Welke locaties zijn bezocht?",
        "Wat is het RSIV?",
        "Welke rol krijgt de burgemeester?",
        "Waaraan wordt het budget besteed?",
        "Wat heeft de raad besloten over het budget?",  # "wat heeft" asks for an amount only with "gekost"
    ],
)
def test_no_expectation_when_the_form_does_not_say(question: str) -> None:
    assert expected_answer(question) is None


def test_counted_noun_and_anchors() -> None:
    number = expected_answer("Hoeveel extra landen doen mee?")
    assert number is not None and number.counted == "landen"
    person = expected_answer("Wie is de huidige burgemeester van Rotterdam?")
    assert person is not None and person.anchors == ("rotterdam",)


def test_money_needs_an_amount() -> None:
    money = expected_answer("Wat is het budget?")
    assert money is not None
    assert satisfies("Het budget bedraagt € 2,5 miljoen per jaar.", money)
    assert satisfies("Er is 300.000 euro beschikbaar.", money)
    assert not satisfies("De Coalitie kent vijf prioriteiten voor 2023-2026.", money)


def test_date_and_number() -> None:
    date = expected_answer("Wanneer was het bezoek?")
    number = expected_answer("Hoeveel deelnemers waren er?")
    assert date is not None and number is not None
    assert satisfies("Het bezoek vond plaats op 12 juni.", date)
    assert satisfies("In 2015 werd Den Haag lid.", date)
    assert not satisfies("Het bezoek was een succes.", date)
    assert satisfies("Er waren 700 deelnemers.", number)
    assert satisfies("Er kwamen honderden mensen.", number)
    assert not satisfies("Er waren veel deelnemers.", number)


def test_person_names_skip_places_roles_and_networks() -> None:
    assert person_names("Openingssessie door Sophie Lavaux, directrice-generaal.") == ["Sophie Lavaux"]
    assert person_names("Op bezoek bij mw. Johnston van EFUS.") == ["mw. Johnston"]
    assert person_names("Burgemeester Den Haag wordt co-chair van het Strong Cities Network.") == []


def test_person_answer_must_name_the_anchor() -> None:
    who = expected_answer("Wie is de burgemeester van Rotterdam?")
    assert who is not None
    assert satisfies("De burgemeester van Rotterdam, Ahmed Aboutaleb, opende de dag.", who)
    # A name, but nothing ties it to Rotterdam: not an answer.
    assert not satisfies("Burgemeester Femke Halsema van Amsterdam sprak.", who)
    assert not satisfies("De samenwerking begon in Rotterdam.", who)


def test_direct_answer_is_a_number_next_to_the_counted_noun() -> None:
    question = expected_answer("Hoeveel landen zijn vertegenwoordigd in EFUS?")
    assert question is not None
    assert direct_answer("De 250 leden komen uit 16 landen.", question)
    assert direct_answer("leden uit zeventien verschillende landen", question)
    assert not direct_answer("In 2015 werd Den Haag lid.", question)


def test_date_contradiction_needs_the_same_year_and_another_month() -> None:
    question = "Wie organiseerden de conferentie in Brussel in maart 2024?"
    assert contradicts_date(question, "Op 30 mei 2024 organiseerde de AD een conferentie.")
    assert not contradicts_date(question, "Van 20 tot 22 maart 2024 kwamen steden bijeen.")
    assert not contradicts_date(question, "In juni 2015 was er een conferentie.")  # another year: no claim
    assert not contradicts_date("Wie organiseerde de conferentie?", "Op 30 mei 2024 ...")


def test_abbreviation_questions_expect_the_spelled_out_form_for_retrieval_only() -> None:
    from assistant.language.answertype import expected_answer, retrieval_expectation, satisfies, spells_out

    for question in ("Wat is het RSIV?", "Waar staat RSIV voor?", "What does RSIV stand for?", "wat is de RSIV"):
        found = retrieval_expectation(question)
        assert found is not None and found.kind == "definition" and found.anchors == ("RSIV",), question
        # The answerer must not decline when the documents describe it without spelling it out.
        assert expected_answer(question) is None
    for question in ("Wat is Oslo?", "Wat is het RSIV en wie zit erin?", "Wat is het thema?"):
        assert retrieval_expectation(question) is None, question
    assert retrieval_expectation("Wanneer is EFUS opgericht?") == expected_answer("Wanneer is EFUS opgericht?")
    rsiv = retrieval_expectation("Wat is het RSIV?")
    assert rsiv is not None
    assert satisfies("Het Regionaal Samenwerkingsverband Integrale Veiligheid (RSIV) is een verband.", rsiv)
    assert spells_out("RSIV (Regionaal Samenwerkingsverband Integrale Veiligheid)", "RSIV")
    assert spells_out("RSIV staat voor Regionaal Samenwerkingsverband Integrale Veiligheid.", "RSIV")
    assert not satisfies("Het RSIV werkt de ambities uit.", rsiv)
    assert not spells_out("Het RSIVX (iets) en (RSIVA).", "RSIV")


def test_formal_openings_and_institutions_are_not_person_names() -> None:
    """Law texts open with "Alzo Wij …" and name "Onze Minister van Binnenlandse Zaken": taken for names, a
    "wie is de burgemeester van Rotterdam" question was answered from a law that merely names Rotterdam."""
    from assistant.language.answertype import expected_answer, person_names, satisfies

    for text in (
        "Alzo Wij in overweging genomen hebben, dat de gemeente Rozenburg wordt toegevoegd aan Rotterdam;",
        "Op de voordracht van Onze Minister van Binnenlandse Zaken en Koninkrijksrelaties;",
        "Zo is het, dat Wij, de Raad van State gehoord, hebben goedgevonden.",
    ):
        assert person_names(text) == [], text
    who = expected_answer("Wie is de huidige burgemeester van Rotterdam?")
    assert who is not None
    assert not satisfies("Alzo Wij in overweging genomen hebben, dat Rozenburg bij Rotterdam komt;", who)
    assert satisfies("Burgemeester Ahmed Aboutaleb van Rotterdam opende de dag.", who)
    assert person_names("drugscommissaris Ine Van Wymersch") and person_names("Sophie Lavaux, directrice")


def test_who_question_without_a_role_expects_a_name() -> None:
    from assistant.language.answertype import name_expectation

    who = name_expectation("Wie heeft de penetratietest uitgevoerd?")
    assert who is not None and who.kind == "who"
    assert satisfies("De test is uitgevoerd door NFIR in opdracht van het ministerie.", who)
    assert satisfies("De test werd gedaan door de directeur en zijn adviseur.", who)  # people by role
    assert not satisfies("De test is in de zomer uitgevoerd en duurde twee weken.", who)
    name = name_expectation("Hoe heet de projectleider van de evaluatie bij het ministerie?")
    assert name is not None and name.kind == "name"
    assert not satisfies("De projectleider van de evaluatie gaf advies over de WOZ.", name)
    assert satisfies("De projectleider, Jan de Vries, gaf advies.", name)
    assert name_expectation("Wat is de rol van de functionaris?") is None


def test_a_question_for_the_name_of_someone_asks_as_hoe_heet_does() -> None:
    from assistant.language.answertype import Expectation, holds_answer, name_expectation

    for question in (
        "Wat is de naam van de projectleider?",
        "Wat was de voornaam van mevrouw De Wit, de directeur?",
        "What is the first name of Ms De Wit?",
        "What was the full name of the consultancy?",
    ):
        found = name_expectation(question)
        assert found is not None and found.kind == "name", question
    # The name the question gives is no answer to it: only another name is.
    question = "Wat is de voornaam van mevrouw De Wit, de directeur?"
    assert not holds_answer("In mei was de directeur, mevrouw De Wit, op bezoek.", Expectation("name"), question)
    assert holds_answer("De directeur, Anna de Wit-Jansen, was op bezoek.", Expectation("name"), question)
    # A noun that only starts like "naam" is no name question.
    assert name_expectation("Wat is de namenlijst van de vergadering?") is None


def test_duration_questions_want_a_number_with_a_unit_of_time() -> None:
    from assistant.answering.direct import answer_value
    from assistant.answering.question import analyse
    from assistant.language.answertype import expected_answer, satisfies

    for question in ("Hoe lang duurde de storing?", "Hoelang blijft de regeling gelden?", "How long is a key kept?"):
        found = expected_answer(question)
        assert found is not None and found.kind == "duration", question
    duration = expected_answer("Hoe lang duurde de storing?")
    assert duration is not None
    assert satisfies("De storing hield drie dagen aan.", duration)
    assert satisfies("Keys are kept for 14 days.", duration)
    assert not satisfies("De storing begon in 2019 bij 12 klanten.", duration)
    analysis = analyse("Hoe lang duurde de storing?")
    assert answer_value("Volgens de netbeheerder duurde de storing ruim 36 uur.", analysis) == "36 uur"
    assert answer_value("De vergunning vervalt drie kwartalen na de uitspraak.", analysis) == "drie kwartalen"


def _kind(question: str):  # type: ignore[no-untyped-def]
    found = expected_answer(question) or name_expectation(question)
    assert found is not None
    return found


@pytest.mark.parametrize(
    "text",
    [
        "De verordening werd op 14 maart 2021 aangepast.",  # a date is not a count
        "Zie agendapunt 7 en artikel 12.3 van de regeling.",  # references
        "3. Het bestuur vergadert om 10.30 uur in zaal B.",  # list numbering and a time of day
        "Kenmerk BX21.04417, nummer 317/ADM-C.",  # codes
        "In 2019 kwamen er minder gasten.",  # a year
    ],
)
def test_a_count_question_is_not_answered_by_dates_references_or_codes(text: str) -> None:
    question = "Hoeveel gasten kwamen er naar de open dag?"
    assert satisfies(text, _kind(question))  # retrieval's cue is looser on purpose
    assert not holds_answer(text, _kind(question), question)


def test_a_count_question_is_answered_by_a_number_the_question_does_not_give() -> None:
    question = "Hoeveel gasten kwamen er in 2019 naar de open dag?"
    assert holds_answer("Er kwamen ongeveer 1.200 gasten.", _kind(question), question)
    assert holds_answer("Er kwamen drie bussen vol.", _kind(question), question)
    assert not holds_answer("De open dag van 2019 was druk.", _kind(question), question)


def test_a_question_for_the_day_needs_a_day_not_a_year() -> None:
    question = "Op welke datum ging het loket dicht?"
    assert not holds_answer("Het loket ging in 2023 dicht.", _kind(question), question)
    assert holds_answer("Het loket ging op 3 april 2023 dicht.", _kind(question), question)
    other = "Wanneer ging het loket in 2023 dicht?"  # the question's own year answers nothing
    assert not holds_answer("Het loket ging in 2023 dicht.", _kind(other), other)
    assert holds_answer("Het loket ging in mei dicht.", _kind(other), other)


def test_a_who_question_is_not_answered_by_the_people_and_roles_it_names() -> None:
    question = "Wie heeft de klacht over wethouder Brinkman onderzocht?"
    given = "De klacht over de heer P.J. Brinkman als wethouder is ontvangen."
    assert not holds_answer(given, _kind(question), question)
    found = "De klacht over wethouder Brinkman is onderzocht door mevrouw Ilse Kramers."
    assert holds_answer(found, _kind(question), question)
    who = "Wie leidde de evaluatie?"
    assert holds_answer("De evaluatie werd geleid door de burgemeester.", _kind(who), who)


def test_a_who_question_is_answered_by_a_person_named_by_what_they_do() -> None:
    question = "Wie sluit het archief 's avonds af?"
    assert holds_answer("De bewaker sluit het archief om acht uur af.", _kind(question), question)
    assert holds_answer("Een medewerker van de balie sluit het archief af.", _kind(question), question)
    assert not holds_answer("Het archief gaat om acht uur dicht.", _kind(question), question)


def test_which_organisation_questions_expect_a_name() -> None:
    from assistant.language.answertype import asks_organisation, name_expectation

    for question in (
        "Welk advocatenkantoor schreef de analyse?",  # the kind ends a Dutch compound
        "Welke bedrijven voerden de test uit?",
        "Welke externe partij deed het onderzoek?",  # one inflected adjective before it
        "Which third-party authentication provider was flagged?",
    ):
        found = name_expectation(question)
        assert found is not None and found.kind == "who", question
    for question in (
        "Welke eisen stelt de organisatie?",  # the organisation is the subject, not what is asked for
        "What role does the provider play?",
        "Welke doelstelling heeft het plan?",
        "Welke maatregelen neemt het bureau?",
    ):
        assert not asks_organisation(question), question
    who = name_expectation("Welk bureau deed het onderzoek?")
    assert who is not None
    assert satisfies("Het onderzoek is uitgevoerd door Adviesbureau Noordwest in opdracht van de gemeente.", who)
    assert not satisfies("Het onderzoek is in de zomer uitgevoerd.", who)


def test_a_question_for_dates_in_the_plural_expects_a_date() -> None:
    for question in ("Between which dates did the audit take place?", "Op welke data vergaderde de commissie?"):
        found = expected_answer(question)
        assert found is not None and found.kind == "date", question
    assert expected_answer("Welke data verzamelt de app?") is None  # "data" as in information


def test_a_name_after_titles_and_with_a_particle_is_a_person() -> None:
    assert person_names("De raad benoemt de heer drs. ing. K.L. Mulder tot voorzitter.") == [
        "de heer drs. ing. K.L. Mulder"
    ]
    assert person_names("Namens het college sprak mevrouw mr. A. van der Linden.") == ["mevrouw mr. A. van der Linden"]


def test_capitalised_words_before_a_role_are_its_title_not_a_person() -> None:
    assert person_names("Het advies van de Data Protection Officer volgde later.") == []
    assert person_names("Het overleg met de Chief Information Officer en Anna De Smet.") == ["Anna De Smet"]
    assert person_names("Daarna sprak Jan Smit burgemeester van Ede.") == ["Jan Smit"]
    assert person_names("Het oordeel van de European Data Protection Board is bindend.") == []
    assert person_names("Het verslag van Ine Van Den Broeck klopt.") == ["Ine Van Den Broeck"]


def test_a_flemish_name_keeps_its_capitalised_particle_and_surname() -> None:
    # Flemish names write the particle with a capital: the surname follows it, the name does not end at it.
    assert person_names("Volgens de woordvoerder, Pieter Van Acker, gaat het project door.") == ["Pieter Van Acker"]
    names = person_names("Het verslag is van Anna De Smet en Mark van der Berg.")
    assert names == ["Anna De Smet", "Mark van der Berg"]
    # ... but a service named after a place whose name has a particle is no person (nor half of one).
    assert person_names("Het rapport van Brandweer Den Bosch noemt geen namen.") == []


def test_a_why_question_asks_for_a_reason_and_causal_connectives_give_one() -> None:
    for question in (
        "Waarom sluit de gemeente het zwembad?",
        "Om welke reden is de vergadering verplaatst?",
        "Wat was de oorzaak van de storing?",
        "Why was the tender cancelled?",
        "For what reason did the board resign?",
        "Waardoor ontstond de vertraging?",
    ):
        assert asks_reason(question), question
    for question in ("Wanneer sluit het zwembad?", "Waar ligt het zwembad?", "Wat is de redenering achter het plan?"):
        assert not asks_reason(question), question
    assert gives_reason("Het zwembad sluit omdat de installaties verouderd zijn.")
    assert gives_reason("The tender was cancelled due to a lack of bids.")
    assert not gives_reason("Het zwembad sluit op 1 maart.")
    # Only an opening connective points at the sentence before it for the reason.
    assert reason_before("Daarom sluit het zwembad op 1 maart.")
    assert reason_before("Om die reden is de aanbesteding gestopt.")
    assert reason_before("For this reason the board resigned.")
    assert not reason_before("Het zwembad sluit daarom op 1 maart.")
    assert not reason_before("Het zwembad sluit omdat de installaties verouderd zijn.")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("In welke stad vindt de top plaats?", "place"),
        ("Which countries signed the declaration?", "place"),
        ("Naar welke andere landen reisde de delegatie?", "place"),
        # an organisation or a person is no place, nor is a kind of place that is not a name ("welke plek")
        ("Welk bureau deed het onderzoek?", "who"),
        ("Op welke plek staat de server?", None),
    ],
)
def test_which_place_questions_expect_a_name(question: str, kind: str | None) -> None:
    expectation = name_expectation(question)
    assert (expectation.kind if expectation else None) == kind


def test_a_place_is_a_name_the_question_does_not_give() -> None:
    question = "In welke stad wordt de jaarvergadering van het Noordzee Netwerk gehouden?"
    expectation = name_expectation(question)
    assert expectation is not None
    assert holds_answer("De jaarvergadering van het Noordzee Netwerk is in Gent.", expectation, question)
    assert not holds_answer("De jaarvergadering van het Noordzee Netwerk is in het najaar.", expectation, question)
    # a person is not a place
    assert not holds_answer("De jaarvergadering wordt voorgezeten door Karin de Vries.", expectation, question)


def test_a_year_question_wants_a_year_not_a_month() -> None:
    question = "In welk jaar werd het netwerk opgericht?"
    expectation = expected_answer(question)
    assert expectation is not None and expectation.kind == "date"
    assert holds_answer("Het netwerk werd in 2015 opgericht.", expectation, question)
    assert not holds_answer("Het netwerk vergadert in september.", expectation, question)
    # without "welk jaar" a month still answers "wanneer"
    assert holds_answer("Het netwerk vergadert in september.", expectation, "Wanneer vergadert het netwerk?")


def test_initials_glued_to_a_surname_are_the_person_the_question_names() -> None:
    question = "Welk bureau onderzocht het ontslag van wethouder Jansen?"
    expectation = name_expectation(question)
    assert expectation is not None
    assert not holds_answer("Onderzoek naar het ontslag van de heer P.J.Jansen als wethouder.", expectation, question)
    assert holds_answer("Het onderzoek werd gedaan door Bureau Verhoeven en Partners.", expectation, question)


def test_adverbs_of_consequence_point_back_only_when_they_open_the_sentence() -> None:
    assert reason_before("Zo kan het netwerk ook subsidie aanvragen.")
    assert reason_before("Dus de termijn is verlopen.") and reason_before("Therefore, the key is rotated.")
    assert not reason_before("Zo'n beurs trekt veel bezoekers.")
    # inside a sentence "zo" and "dus" are no reason: a why-question does not prefer them
    assert not gives_reason("De app werkt zo snel mogelijk en dus ook op oude telefoons.")


def test_a_demonstrative_pronominal_adverb_opening_a_sentence_leans_on_the_sentence_before() -> None:
    from assistant.language.discourse import leans_on_previous
    from assistant.language.units import extract_units

    assert leans_on_previous("Daarvan is in ieder geval sprake als de evaluatie negatief is.")
    assert leans_on_previous("Hierbij gaat het om drie wijken.") and leans_on_previous("Daarom is gekozen voor A.")
    assert not leans_on_previous("Er is geen sprake van een tekort.")  # existential "er"
    assert not leans_on_previous("De raad heeft daarover gesproken.")  # only when it opens the sentence
    # Paired with the sentence before, also when that one is the item after a label ("Reactie:") in its line.
    text = (
        "Reactie:\nDe regeling vervalt als de evaluatie negatief is. Daarvan is sprake als het bereik daalt.\n"
        "- eerste punt\nDaarom blijft het zo."
    )
    pairs = [u.text for u in extract_units(0, text, pairs=True) if u.kind == "pair"]
    assert pairs == ["De regeling vervalt als de evaluatie negatief is. Daarvan is sprake als het bereik daalt."]


def test_a_date_inside_a_document_of_the_asked_month_is_no_other_event() -> None:
    question = "Wie werd in de vergadering van 3 maart 2021 benoemd tot voorzitter?"
    text = "mevrouw A. de Wit per 1 april 2021 te benoemen tot voorzitter."
    assert contradicts_date(question, text)  # on its own, an April date is about another event
    assert not contradicts_date(question, text, "2021-03-03")  # but not in the minutes of that March meeting
    assert contradicts_date(question, text, "2021-05-10")


@pytest.mark.parametrize(
    "question",
    ["Per welke datum gaat de regeling in?", "Van welke datum is het advies?", "Sinds welke datum geldt de regel?"],
)
def test_any_preposition_before_welke_datum_asks_for_a_day(question: str) -> None:
    from assistant.answering.direct import answer_value
    from assistant.answering.question import analyse

    assert not holds_answer("De begroting 2016 is vastgesteld.", _kind(question), question)
    assert holds_answer("Dat is per 1 januari 2016 geregeld.", _kind(question), question)
    # The direct answer line is as precise as the question: no year for a day.
    analysis = analyse(question)
    assert answer_value("De begroting 2016 is vastgesteld.", analysis) is None
    assert answer_value("Dat is per 1 januari 2016 geregeld, na de begroting van 2015.", analysis) == "1 januari 2016"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Welke medewerker van de gemeente stelde het plan voor?", "person"),
        ("Wie waren de twee personen die de reis maakten?", "person"),
        ("Which officials signed the agreement?", "person"),
        ("Welk bureau deed het onderzoek?", "who"),  # an organisation: any name answers
        ("Hoeveel medewerkers telt de afdeling?", "number"),
    ],
)
def test_a_noun_for_a_kind_of_person_asks_for_a_persons_name(question: str, kind: str) -> None:
    from assistant.answering.question import analyse

    expectation = analyse(question).expectation
    assert expectation is not None and expectation.kind == kind
    if kind == "person":
        # A person answers, whether or not the sentence repeats what the question names; an organisation or
        # a place the question does not name does not.
        assert holds_answer("Het voorstel kwam van Jan de Vries.", expectation, question)
        assert not holds_answer("Het voorstel kwam van de directie Internationaal in Utrecht.", expectation, question)


def test_an_english_date_with_the_month_first_answers_a_question_for_the_day() -> None:
    from assistant.answering.direct import answer_value
    from assistant.answering.question import analyse

    question = "Between which dates did the audit take place?"
    text = "The audit took place between July 9th and August 25th, 2020."
    assert holds_answer(text, _kind(question), question)
    assert answer_value(text, analyse(question)) == "August 25th, 2020"
    assert not holds_answer("The audit took place in 2020.", _kind(question), question)


def test_a_street_with_its_house_number_is_no_person() -> None:
    from assistant.language.answertype import person_names

    assert person_names("Postadres: Zwarte Woud 2, 3524 SJ Utrecht") == []
    assert person_names("Bezoekadres: Lange Voorhout 9 2514 EA Den Haag") == []
    assert person_names("Het voorstel kwam van Jan de Vries, die 12 stemmen kreeg.") == ["Jan de Vries"]


def test_a_kind_of_organisation_opening_a_line_is_no_person() -> None:
    from assistant.language.answertype import person_names

    assert person_names("De Vereniging en de Stichtingen dragen een formele naam.") == []
    assert person_names("Het Adviesbureau schreef dit samen met Anna Bakker.") == ["Anna Bakker"]


@pytest.mark.parametrize(
    ("question", "money"),
    [
        ("Hoe hoog is de begroting van de veiligheidsregio?", True),
        ("Hoe hoog is de afvalstoffenheffing voor een huishouden?", True),
        ("How high was the fee for the study?", True),
        ("Hoe hoog is de toren van het stadhuis?", False),  # height, not money
    ],
)
def test_how_high_with_a_money_noun_asks_for_an_amount(question: str, money: bool) -> None:
    expectation = expected_answer(question)
    assert (expectation is not None and expectation.kind == "money") is money


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("Onder welke voorwaarden mag de markt doorgaan?", True),
        ("In welke gevallen stopt het gebruik van de app?", True),
        ("Under what circumstances is the app switched off?", True),
        ("Wanneer wordt de regeling ingetrokken?", True),  # a rule's condition or its date
        ("Onder welke naam is de stichting geregistreerd?", False),
        ("Wanneer was de conferentie?", False),  # an event: a date
    ],
)
def test_questions_for_a_condition(question: str, condition: bool) -> None:
    from assistant.answering.question import analyse

    expectation = analyse(question).expectation
    assert (expectation is not None and expectation.kind == "condition") is condition


def test_a_conditional_clause_answers_a_condition_question_a_comparison_does_not() -> None:
    from assistant.answering.question import analyse

    question = "Onder welke voorwaarden mag de markt doorgaan?"
    expectation = analyse(question).expectation
    assert expectation is not None
    assert holds_answer("De markt gaat door als de veiligheidsregio daarmee instemt.", expectation, question)
    assert holds_answer("Dat mag, tenzij de burgemeester anders besluit.", expectation, question)
    assert not holds_answer("Zowel de markt als de kermis trekken veel bezoekers.", expectation, question)
    assert not holds_answer("De raad bepaalt wanneer de markt doorgaat.", expectation, question)  # indirect question
    when = "Wanneer wordt de regeling ingetrokken?"
    assert holds_answer("De regeling vervalt per 1 januari 2026.", analyse(when).expectation, when)  # type: ignore[arg-type]


def test_companies_are_found_by_their_legal_form() -> None:
    from assistant.language.answertype import company_names

    assert company_names("met de naamloze vennootschap Jansen & De Wit Advocaten N.V., gevestigd te") == [
        "Jansen & De Wit Advocaten"
    ]
    assert company_names("uitgevoerd door Noord Data BV in opdracht van de gemeente") == ["Noord Data"]
    assert company_names("Apple Inc. en Google LLC bieden de interface aan.") == ["Apple", "Google"]
    # A legal form without a name, or after a function word only, names no company.
    assert company_names("Een BV is een rechtsvorm.") == [] and company_names("De AG van de VN") == []


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        (
            "How many findings did the review report?",
            "The review found 1 High, 2 Elevated, 11 Moderate, and 9 Low-severity findings in the code.",
            "1 High, 2 Elevated, 11 Moderate, and 9 Low-severity findings",
        ),
        (
            "Hoeveel risico's noemt de analyse?",
            "De analyse noemt 3 hoge, 2 middelgrote en 6 lage risico's voor de burger.",
            "3 hoge, 2 middelgrote en 6 lage risico's",
        ),
        # Each number with its own noun: the count asked for is the one before the noun.
        ("Hoeveel adviezen bracht de raad uit?", "Dat jaar volgden 3 rapporten en 5 adviezen.", "5 adviezen"),
        ("Hoeveel landen deden mee?", "Het ging om 16 landen en 40 steden.", "16 landen"),
    ],
)
def test_a_count_whose_noun_a_series_of_numbers_shares_is_the_series(question: str, text: str, value: str) -> None:
    """ "1 High, 2 Elevated, … and 9 Low-severity findings": 9 is one part of the count, not the count."""
    from assistant.answering.direct import answer_value
    from assistant.answering.question import analyse

    assert answer_value(text, analyse(question)) == value
