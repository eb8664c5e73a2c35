"""The question analysis: one typed reading of the question, shared by retrieval hints and answering."""

from __future__ import annotations

from assistant.answering.question import (
    analyse,
    asks_document_date,
    asks_overview,
    question_anchors,
    question_focus,
    refers_back,
    wants_list,
)


def test_anchors_are_years_numbers_and_names_not_the_opening_word() -> None:
    anchors = question_anchors("Wat besloot de gemeenteraad van Zwolle in 2019 over 12 wijken?")
    assert [(a.kind, a.text) for a in anchors] == [("name", "Zwolle"), ("year", "2019"), ("number", "12")]
    assert question_anchors("Welke rol speelt de burgemeester?") == ()  # capitalised only as the first word


def test_a_dutch_plural_or_genitive_of_an_abbreviation_names_the_abbreviation() -> None:
    # Taalunie: abbreviations take 's or 'en; the passages write "de GGD" or another apostrophe.
    for question, name in (
        ("Wat zeggen de stukken over de GGD'en?", "GGD"),
        ("Hoeveel BOA’s werken er in Den Haag?", "BOA"),
        ("Welke rol hadden de NGO's?", "NGO"),
    ):
        assert name in [a.text for a in question_anchors(question)], question
    joined = question_anchors("Wat deed Noord Data Services's team met de app MeldPunt?")
    assert [a.text for a in joined] == ["Noord Data Services", "MeldPunt"]  # possessive dropped


def test_list_questions_are_recognised_by_form() -> None:
    assert wants_list("Noem de drie voorwaarden voor gebruik.")
    assert wants_list("Welke fasen kent het proces?")
    assert wants_list("Bij welke internationale netwerken is de stad aangesloten?")  # adjective before the noun
    assert wants_list("Which cities were visited?")
    assert not wants_list("Welke organisatie beheert de server?")
    assert not wants_list("In welk jaar begon het project?")


def test_a_dutch_plural_with_a_voiced_stem_meets_its_singular() -> None:
    from assistant.answering.question import stem

    # ANS: "reis / reizen", "brief / brieven", "huis / huizen"; the crude stem is a 6-letter prefix.
    for singular, plural in (("reis", "reizen"), ("brief", "brieven"), ("huis", "huizen"), ("proef", "proeven")):
        assert stem(singular) == stem(plural), plural
    assert stem("lezen") == "lezen"  # a short verb is left alone
    assert stem("georganiseerd") == stem("organiseren")


def test_follow_ups_lean_back_and_standalone_questions_do_not() -> None:
    assert refers_back("En wie waren daar?")
    assert refers_back("Kan zo'n beurs niet verboden worden?")
    assert not refers_back("Welke thema's staan in het regionaal veiligheidsplan voor de komende jaren?")
    # Words enough of its own, but an opening conjunction with a pronominal adverb cannot stand alone.
    assert refers_back("En op welke afspraken met de provincie was het eerste ontwerp daarvan gebaseerd?")
    assert refers_back("Maar hoeveel gemeenten in de regio hebben daaraan uiteindelijk meegedaan?")
    assert not refers_back("En welke afspraken maakte de gemeente met de provincie over het ontwerp?")
    assert not refers_back("Wat zijn de kosten daarvan volgens de begroting van de gemeente Utrecht?")
    # One content word that names the subject: short, but it says what it is about (before: a follow-up).
    assert not refers_back("Wat is de NCTV?")
    assert not refers_back("Wat is het CJIB?")  # "het" as an article points at nothing
    assert not refers_back("What is the OECD?")
    assert refers_back("En de NCTV?")  # an opening conjunction still leans back
    assert refers_back("Wat doet het CJIB daar?")  # and so does a pointing word
    assert refers_back("Wat kost het?")  # one content word that names nothing


def test_analysis_types_the_question() -> None:
    assert analyse("Wanneer opende het nieuwe zwembad?").kind == "date"
    assert analyse("Hoeveel uur kost een onderzoek?").kind == "duration"  # hours, though "kost" is a money verb
    assert analyse("Wat kostte de verbouwing van het stadhuis?").kind == "money"
    assert analyse("Is de app verplicht?").kind == "yes/no"
    assert analyse("Wie heeft de audit uitgevoerd?").kind == "who"
    assert analyse("When did the city join the network?").language == "en"


def test_a_question_asking_two_things_is_split_in_two() -> None:
    from assistant.answering.question import question_parts

    first, second = question_parts("Welke stichting beheert het park, en van wanneer is het beheerplan?")
    assert first.startswith("Welke stichting beheert het park?")
    assert second.startswith("Van wanneer is het beheerplan?")
    assert question_parts("Which firm audited the payroll system, and was the flaw repaired?")[1].startswith(
        "Was the flaw repaired?"
    )
    # Context before the question stays with the first part.
    parts = question_parts("Het plan noemt een depot in Zwolle. Is dat nog zo, en wie beheert het depot nu?")
    assert parts[0].startswith("Het plan noemt een depot in Zwolle. Is dat nog zo?")
    assert parts[1].startswith("Wie beheert het depot nu?")


def test_one_question_with_coordinated_words_stays_whole() -> None:
    from assistant.answering.question import question_parts

    for question in (
        "Wanneer en waar vergaderde de stuurgroep?",
        "Welke gemeenten en welke provincies doen mee?",
        "Hoeveel scholen en bibliotheken kregen subsidie?",
        "Hoeveel landen doen mee? Geef aan als de bronnen verschillen.",
        "Wie, en wat, en waar, en wanneer?",  # no part says what it is about
        "Waar ligt het depot? En wat?",
    ):
        assert question_parts(question) == (question,), question


def test_an_elliptic_part_borrows_the_other_parts_words() -> None:
    from assistant.answering.question import question_parts

    first, second = question_parts("Hoeveel waren er voor, en hoeveel tegen het plan voor de haven?")
    assert "haven" in first and "plan" in first  # "Hoeveel waren er voor?" alone says nothing
    assert second.startswith("Hoeveel tegen het plan voor de haven?")


def test_question_form_words_are_not_content() -> None:
    analysis = analyse("Hoe lang duurde de renovatie van het zwembad?")
    assert analysis.expectation is not None and analysis.expectation.kind == "duration"
    assert "lang" not in analysis.content and "duurde" not in analysis.content
    assert {"renova", "zwemba"} <= set(analysis.content)


def test_focus_is_the_noun_after_which_and_an_optional_count() -> None:
    assert question_focus("In welke vier soorten zijn de aanvragen ingedeeld?") == question_focus("welke vier soorten")
    assert len(question_focus("In welke vier soorten zijn de aanvragen ingedeeld?")) == 2  # the count and the noun
    assert question_focus("Which agencies reviewed the plan?") == question_focus("which agencies")
    assert len(question_focus("Which agencies reviewed the plan?")) == 1
    assert question_focus("Wat deed de commissie?") == ()
    assert question_focus("What did the committee decide?") == ()


def test_the_instruction_of_an_overview_request_is_not_its_subject() -> None:
    asked = analyse("Zet op een rij wat de bronnen vermelden over de wachttijden bij het loket.").content
    plain = analyse("De wachttijden bij het loket?").content
    assert asked == plain
    assert (
        analyse("Give an overview of what the documents say about parking fees.").content
        == analyse("parking fees").content
    )
    # "zet" as the question's own verb stays.
    assert len(analyse("Welke middelen zet de dienst in?").content) == 3


def test_a_date_question_about_the_document_pointed_at() -> None:
    assert asks_document_date("Van wanneer is dat verslag?")
    assert asks_document_date("When is this memo from?")
    assert asks_document_date("Van wanneer is die brief? (subsidie aanvraag)")  # borrowed words do not count
    assert not asks_document_date("Wanneer is dit besluit genomen?")  # a date in the text, not of the document
    assert not asks_document_date("Wie schreef dat verslag?")


def test_a_count_or_a_plural_in_apostrophe_s_asks_for_a_list() -> None:
    assert wants_list("Op welke drie pijlers rust het plan?")
    assert wants_list("Welke thema's kiest de regio?")
    assert not wants_list("Welk thema kiest de regio?")


def test_modal_auxiliaries_and_the_frame_of_a_checked_claim_are_not_content() -> None:
    # every form of the modal auxiliaries is a function word, not only those of the Snowball list
    assert (
        analyse("Mag de gemeente de beurs verbieden?").content == analyse("Kan de gemeente de beurs verbieden?").content
    )
    assert "mochte" not in analyse("Mochten de bezoekers blijven?").content
    # "Klopt het dat …" / "Is it true that …" only frame the claim the question checks
    assert set(analyse("Klopt het dat de markt doorgaat?").content) == {"markt", "doorga"}
    assert set(analyse("Is it true that the market goes ahead?").content) == {"market", "goes", "ahead"}


def test_the_future_auxiliary_and_the_pro_verbs_of_a_wh_question_are_not_content() -> None:
    # "Wat gaat er … gebeuren?" asks about its subject; the passages name the event itself, not "gebeuren".
    assert analyse("Wat gaat er met de subsidie gebeuren?").content == analyse("Wat met de subsidie?").content
    assert analyse("Wat deed de wethouder na het besluit?").content == analyse("De wethouder na het besluit").content
    assert analyse("What happened to the grant?").content == analyse("The grant").content
    # A separable verb keeps its particle as content: "doorgaan" is more than "gaan".


def test_a_request_for_an_overview_is_a_list_question_of_its_own_kind() -> None:
    for question in (
        "Zet op een rij wat de stukken zeggen over de aanpak van radicalisering.",
        "Geef een overzicht van de afspraken met de stad.",
        "Give an overview of the weaknesses the reviews found.",
        "Wat zeggen de documenten over het netwerk?",
        "Summarise what the reports say about the delegation.",
    ):
        assert asks_overview(question), question
        assert analyse(question).overview and analyse(question).wants_list, question
    for question in ("Wat is het RIEC?", "Wie zei dat over het netwerk?", "Welke steden zijn bezocht?"):
        assert not asks_overview(question) and not analyse(question).overview, question
