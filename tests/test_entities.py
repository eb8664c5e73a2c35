"""Entity and event extraction: aliases merged, people with roles, dated events (pure functions, no models)."""

from __future__ import annotations

from assistant.entities import aliases, canonical, extract_counts, extract_entities, extract_events, find_dates


def _names(text: str, kind: str) -> list[str]:
    return [e.name for e in extract_entities(text) if e.kind == kind]


def test_aliases_are_merged_to_one_canonical_name() -> None:
    assert _names("Den Haag is lid van EFUS.", "org") == ["EFUS"]
    assert _names("Het netwerk Efus en het European Forum for Urban Safety.", "org") == ["EFUS", "EFUS"]
    assert _names("Burgemeesters van Straatsburg en Strasbourg.", "place") == ["Straatsburg", "Straatsburg"]
    assert _names("Werkbezoek aan het eiland Utoya, ook Utøya.", "place") == ["Utøya", "Utøya"]
    assert canonical("bruxelles") == ("place", "Brussel")
    assert "Wroclaw" in aliases("Wrocław")


def test_offsets_point_at_the_surface() -> None:
    text = "De conferentie in Bruxelles werd georganiseerd door safe.brussels."
    for entity in extract_entities(text):
        assert text[entity.start : entity.end] == entity.surface
    # A web-style name is the organisation, not the place inside it.
    assert _names(text, "org") == ["safe.brussels"]
    assert _names(text, "place") == ["Brussel"]


def test_lower_case_acronym_lookalikes_are_not_organisations() -> None:
    assert _names("Wij gaan om tien uur naar het OM.", "org") == ["Openbaar Ministerie"]
    assert _names("WIE HEB JE ONTMOET? (BENOEM DE FUNCTIEOMSCHRIJVING)", "org") == []


def test_person_with_role() -> None:
    text = "Openingssessie, met een inleiding door Sophie Lavaux, directrice-generaal van safe.brussels."
    people = [e for e in extract_entities(text) if e.kind == "person"]
    assert [(p.name, p.role) for p in people] == [("Sophie Lavaux", "directrice-generaal van safe.brussels")]
    honorific = "In november 2015 is de directeur van EFUS, mw. Johnston, op bezoek geweest."
    assert [(e.name, e.role) for e in extract_entities(honorific) if e.kind == "person"] == [
        ("Johnston", "directeur van EFUS")
    ]
    mayors = [e.name for e in extract_entities("Burgemeesters van Oslo, Manchester en Wroclaw.") if e.kind == "role"]
    assert mayors == ["burgemeester van Oslo", "burgemeester van Manchester", "burgemeester van Wrocław"]


def test_event_with_date_range() -> None:
    text = "Europese steden kwamen van 20 tot 22 maart 2024 in Brussel bijeen voor de conferentie. Het regende."
    events = extract_events(text)
    assert len(events) == 1
    event = events[0]
    assert (event.date, event.date_end, event.kind) == ("2024-03-20", "2024-03-22", "conferentie")
    assert text[event.start : event.end] == event.sentence
    assert not event.future


def test_event_precision_and_future() -> None:
    events = extract_events(
        "In november 2015 is de directeur op bezoek geweest. In 2015 is Den Haag lid geworden van EFUS. "
        "Er worden gesprekken gepland in aanloop naar de world summit in september."
    )
    assert [(e.date, e.future) for e in events] == [("2015-11", False), ("2015", False), (None, True)]
    assert events[2].when == "september"
    # A date relative to another occasion does not date the event.
    assert extract_events("De vragen tijdens de conferentie, drie maanden voor de verkiezingen in juni 2024.") == []


def test_dates_and_counts() -> None:
    assert [d.date for d in find_dates("Op 12 juni 2024 en in 1987.")] == ["2024-06-12", "1987"]
    counts = extract_counts("De 250 leden komen uit 16 landen.")
    assert [(c.number, c.noun) for c in counts] == [(250, "leden"), (16, "landen")]


def test_people_without_a_role_need_a_credible_name() -> None:
    def people(text: str) -> list[tuple[str, str | None]]:
        return [(e.name, e.role) for e in extract_entities(text) if e.kind == "person"]

    assert people("Op 24 juni 2015 waren Erwin Rouwenhorst en ik namens de directie Veiligheid aanwezig.") == [
        ("Erwin Rouwenhorst", None)
    ]
    assert people("Datum\t28 september 2022\tSteller\tWim Eppinga\nOnderwerp") == [("Wim Eppinga", None)]
    assert people("Het panel: prof. Peter-Paul Verbeek en Henri van der Heijden.") == [
        ("Peter-Paul Verbeek", None),
        ("Henri van der Heijden", None),
    ]
    # The role wins where one is named; the role-less rule adds nothing on top of it.
    assert people("Openingssessie door Sophie Lavaux, directrice-generaal van safe.brussels.") == [
        ("Sophie Lavaux", "directrice-generaal van safe.brussels")
    ]
    # Capitalised pairs that are not people: unknown first word, a gazetteer place or organisation, an
    # institution, a month, a heading in capitals, a name broken over two lines.
    for text in (
        "De Exposure Notification van Google Apple Exposure werkt met Bluetooth Low Energy.",
        "Het congres Security & Tourism: Concerted Local Policies in Den Haag en Highland Park.",
        "De Europese Conferentie over Burgerparticipatie in de Koninklijke Musea voor Schone Kunsten.",
        "Een bezoek aan het Rob Scholtemuseum en de Jan Steenstraat.",
        "Sinds Mark Juni werkt het Strong Cities Network.",
        "WIE HEB JE ONTMOET? ERWIN ROUWENHORST",
        "Aanwezig: Erwin\nRouwenhorst",
        "Paul Brussel en Anna Straatsburg.",
    ):
        assert people(text) == [], text
    assert extract_entities("Erwin Rouwenhorst en ik.", bare_names=False) == []


def test_honorific_keeps_the_particles_of_the_surname() -> None:
    text = "PvdA: mevrouw Van der Paard en de heer De Vrij; GroenLinks: mevrouw Dol."
    assert [e.name for e in extract_entities(text) if e.kind == "person"] == ["Van der Paard", "De Vrij", "Dol"]
