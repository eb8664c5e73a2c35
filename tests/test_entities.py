"""Entity and event extraction: aliases merged, people with roles, dated events (pure functions, no models).

The texts here are made up on purpose, with names from the general lists and names no list holds: the rules
must work on documents nobody has seen, so no test leans on a sentence of the bundled corpus."""

from __future__ import annotations

from assistant.language.entities import (
    PLACE_PARTS,
    aliases,
    canonical,
    extract_counts,
    extract_entities,
    extract_events,
    find_dates,
    find_definitions,
)


def _names(text: str, kind: str) -> list[str]:
    return [e.name for e in extract_entities(text) if e.kind == kind]


def _roles(text: str) -> list[tuple[str, str | None]]:
    return [(e.name, e.role) for e in extract_entities(text) if e.kind == "person"]


# --- gazetteer -----------------------------------------------------------------------------------------


def test_aliases_are_merged_to_one_canonical_name() -> None:
    assert _names("Gent is lid van Eurocities en van het European Forum for Urban Security.", "org") == [
        "Eurocities",
        "EFUS",
    ]
    assert _names("Delegaties uit Keulen, Köln en Cologne.", "place") == ["Keulen", "Keulen", "Keulen"]
    assert _names("Een reis naar Kobenhavn en København.", "place") == ["Kopenhagen", "Kopenhagen"]  # accents folded
    assert canonical("vienna") == ("place", "Wenen")
    assert canonical("bruxelles") == ("place", "Brussel")
    assert "Gdansk" in aliases("Gdańsk")


def test_general_lists_know_capitals_municipalities_and_networks() -> None:
    """The gazetteer is general: capitals, Dutch and Belgian municipalities and regions, city networks."""
    text = (
        "De burgemeester van Zoetermeer en een wethouder uit Hasselt reisden met de veiligheidsregio "
        "Kennemerland naar Ljubljana en Lissabon, voor een bijeenkomst van Eurocities en de Raad van Europa."
    )
    assert _names(text, "place") == ["Zoetermeer", "Hasselt", "Kennemerland", "Ljubljana", "Lissabon"]
    assert _names(text, "org") == ["Eurocities", "Raad van Europa"]


def test_a_name_written_in_lower_case_is_an_ordinary_word() -> None:
    assert _names("Een bezoek aan Leiden en Delft.", "place") == ["Leiden", "Delft"]
    assert _names("Die kosten leiden tot vragen; hij delft een kuil.", "place") == []


def test_places_named_after_a_place_are_its_parts() -> None:
    assert "Gelderland-Midden" in PLACE_PARTS["Gelderland"]
    assert "Brussels Hoofdstedelijk Gewest" in PLACE_PARTS["Brussel"]
    assert "Gelderland-Midden" not in PLACE_PARTS  # a part has no parts of its own


def test_offsets_point_at_the_surface() -> None:
    text = "Het festival in Anvers werd georganiseerd door stad.antwerpen en Visit.example."
    for entity in extract_entities(text):
        assert text[entity.start : entity.end] == entity.surface
    # A name written as a web address is the organisation, not the place inside it.
    assert _names(text, "org") == ["stad.antwerpen", "visit.example"]
    assert _names(text, "place") == ["Antwerpen"]
    # Not an e-mail address, a file name or a URL.
    assert _names("Mail info@gent.example, lees verslag.pdf of https://gent.example/nl.", "org") == []


def test_lower_case_acronym_lookalikes_are_not_organisations() -> None:
    assert _names("Wij gaan om tien uur naar het OM.", "org") == ["Openbaar Ministerie"]
    assert _names("WAT IS ER AFGESPROKEN? (GEEF EEN TOELICHTING)", "org") == []


# --- organisations by pattern ------------------------------------------------------------------------


def test_spelled_out_abbreviations_name_the_long_form() -> None:
    """ "Long Name (ABBR)" in the text: the long form is the organisation, under its abbreviation, also where
    the text repeats it. A long form that is a document, plan or method names no organisation."""
    text = (
        "Het Regionaal Platform Criminaliteitsbeheersing (RPC) overlegt met het LEZ. Het RPC werkt met een "
        "integraal veiligheidsplan (IVP) en de Kadernota Openbare Orde (KOO). Het IVP loopt vier jaar. Het "
        "Regionaal Platform Criminaliteitsbeheersing vergadert maandelijks."
    )
    orgs = [(e.name, e.surface) for e in extract_entities(text) if e.kind == "org"]
    assert orgs == [
        ("RPC", "Regionaal Platform Criminaliteitsbeheersing"),
        ("RPC", "RPC"),
        ("LEZ", "LEZ"),  # not spelled out: a capital acronym still counts
        ("RPC", "RPC"),
        ("RPC", "Regionaal Platform Criminaliteitsbeheersing"),
    ]
    definitions = {d.short: d.names_organisation for d in find_definitions(text)}
    assert definitions == {"RPC": True, "IVP": False, "KOO": False}
    # "ABBR (Long Name)", and a mixed-case abbreviation of a known organisation.
    assert _names("Het CCB (Centrum voor Crisisbeheersing Binnenland) startte.", "org") == ["CCB", "CCB"]
    efus = "Het European Forum for Urban Safety (Efus) en het Netwerk Veilige Steden (Nevs)."
    assert _names(efus, "org") == ["EFUS", "EFUS", "Nevs", "Nevs"]


def test_directorates_embassies_and_ministries() -> None:
    text = (
        "De DG Migratie & Asiel sprak met de Algemene Directie Crisiscentrum en de AD Crisiscentrum, "
        "daarna met de Franse ambassade in Wenen, de Dutch embassy en het Ministerie van Justitie en Veiligheid."
    )
    assert _names(text, "org") == [
        "DG Migratie en Asiel",
        "AD Crisiscentrum",
        "AD Crisiscentrum",
        "Franse ambassade",
        "Dutch embassy",
        "Ministerie van Justitie en Veiligheid",
    ]
    assert _names(text, "place") == ["Wenen"]


# --- people and roles ----------------------------------------------------------------------------------


def test_person_with_role() -> None:
    assert _roles("Opening door Marieke Jansen, directrice-generaal van de VNG.") == [
        ("Marieke Jansen", "directrice-generaal van de VNG")
    ]
    assert _roles("In maart kwam de directeur van Eurocities, mw. Bakker, op bezoek.") == [
        ("Bakker", "directeur van Eurocities")
    ]


def test_roles_are_general_compounds_and_modified_nouns() -> None:
    """Role nouns end Dutch compounds and take modifiers, so no compound needs its own entry."""
    assert _roles("Het woord was aan de jeugdcommissaris, Pieter Claes.") == [("Pieter Claes", "jeugdcommissaris")]
    assert _roles("Anna de Vries, senior beleidsadviseur bij de provincie, schreef.") == [
        ("Anna de Vries", "senior beleidsadviseur bij de provincie")
    ]
    assert _roles("Tom Peters, co-chair of the steering group, opened.") == [
        ("Tom Peters", "co-chair of the steering group")
    ]
    assert _roles("Verslag: Els Maas, plaatsvervangend hoofdinspecteur.") == [
        ("Els Maas", "plaatsvervangend hoofdinspecteur")
    ]


def test_mayors_of_places_the_gazetteer_does_not_know() -> None:
    """ "Burgemeesters van A, B en C": every item is a place, known to the gazetteer or not."""
    text = "Burgemeesters van Lyon, Ooltgensplaat, Port Arthur en Zwolle."
    assert [e.name for e in extract_entities(text) if e.kind == "role"] == [
        "burgemeester van Lyon",
        "burgemeester van Ooltgensplaat",
        "burgemeester van Port Arthur",
        "burgemeester van Zwolle",
    ]
    assert _names(text, "place") == ["Lyon", "Ooltgensplaat", "Port Arthur", "Zwolle"]
    # One mayor is of one place: the name after the comma is a person, not a second place.
    single = "De burgemeester van Wassenaar, Jan Smit, opende de dag."
    assert _names(single, "place") == ["Wassenaar"]
    assert _roles(single) == [("Jan Smit", "burgemeester van Wassenaar")]
    # No place where the words do not end a list item, or read as an adjective.
    assert _names("Mayors of European cities met. Burgemeesters van Europese steden.", "place") == []
    assert _names("Burgemeester Ahmed Marcouch sprak.", "place") == []


def test_people_without_a_role_need_a_credible_name() -> None:
    assert _roles("Op 3 mei 2019 waren Karin Mulder en ik namens de directie aanwezig.") == [("Karin Mulder", None)]
    assert _roles("Datum\t4 april 2021\tSteller\tJoost Verhoeven\nOnderwerp") == [("Joost Verhoeven", None)]
    assert _roles("Het panel: prof. Peter-Paul Verbeek en Anna van der Berg.") == [
        ("Peter-Paul Verbeek", None),
        ("Anna van der Berg", None),
    ]
    # The role wins where one is named; the role-less rule adds nothing on top of it.
    assert _roles("Opening door Marieke Jansen, directrice-generaal van stad.gent.") == [
        ("Marieke Jansen", "directrice-generaal van stad.gent")
    ]
    # Capitalised pairs that are not people: unknown first word, a gazetteer place or organisation, an
    # institution, a month, a heading in capitals, a name broken over two lines.
    for text in (
        "De Exposure Notification van Google Apple Exposure werkt met Bluetooth Low Energy.",
        "Het congres Safe & Smart: Local Policies in Gent en Lyon.",
        "Het Nationaal Congres over Digitale Weerbaarheid in de Koninklijke Schouwburg.",
        "Een bezoek aan het Anna Smitmuseum en de Jan Steenstraat.",
        "Sinds Mark Juni werkt het netwerk.",
        "AANWEZIG: KARIN MULDER",
        "Aanwezig: Karin\nMulder",
        "Paul Wenen en Anna Gent.",
    ):
        assert _roles(text) == [], text
    assert extract_entities("Karin Mulder en ik.", bare_names=False) == []


def test_signature_block_and_honorifics() -> None:
    letter = "Met vriendelijke groet,\n\nLotte Bakker\n\nConcerndienst\n\nSenior adviseur\n"
    assert _roles(letter) == [("Lotte Bakker", "Senior adviseur")]
    text = "CDA: mevrouw Van den Broek en de heer De Groot; D66: mevrouw Smit."
    assert [e.name for e in extract_entities(text) if e.kind == "person"] == ["Van den Broek", "De Groot", "Smit"]


# --- events, dates, counts -----------------------------------------------------------------------------


def test_event_with_date_range() -> None:
    text = "Gemeenten kwamen van 3 tot 5 oktober 2023 in Gent bijeen voor het congres. Het regende."
    events = extract_events(text)
    assert len(events) == 1
    event = events[0]
    assert (event.date, event.date_end, event.kind) == ("2023-10-03", "2023-10-05", "congres")
    assert text[event.start : event.end] == event.sentence
    assert not event.future


def test_event_precision_and_future() -> None:
    events = extract_events(
        "In oktober 2019 is de voorzitter op werkbezoek geweest. In 2012 is de stad lid geworden van Eurocities. "
        "Er worden gesprekken gepland in aanloop naar de top in mei."
    )
    assert [(e.date, e.future) for e in events] == [("2019-10", False), ("2012", False), (None, True)]
    assert [e.kind for e in events] == ["werkbezoek", "lid geworden", "top"]
    assert events[2].when == "mei"
    # A date relative to another occasion does not date the event.
    assert extract_events("De vragen tijdens het congres, twee weken voor de verkiezingen in maart 2025.") == []


def test_dates_and_counts() -> None:
    assert [d.date for d in find_dates("Op 12 juni 2024 en in 1987.")] == ["2024-06-12", "1987"]
    counts = extract_counts("De 40 leden komen uit 12 landen.")
    assert [(c.number, c.noun) for c in counts] == [(40, "leden"), (12, "landen")]
