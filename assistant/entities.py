"""Offline entity and event extraction for briefings: places, organisations, people with roles, dated events.

Everything is pure and rule-based (a small gazetteer plus patterns), because the assistant runs without
network and without an NER model, and because a briefing must be explainable: every entity points at the
exact characters (`start`, `end`) it was read from.

Canonical names. Variants of one thing ("Efus", "EFUS", "European Forum for Urban Security", "Brussels",
"Bruxelles", "Utoya", "Utøya") are merged to one canonical name through the alias table below, compared
after accent folding and lower-casing. Short all-capital acronyms ("OM", "RIEC") are matched case-sensitively,
because their lower-case forms are ordinary Dutch words ("om").

Dates reuse the grammar of `ingest.metadata` so a date means the same thing at ingest and in a briefing; a
date is kept with its precision ("2015", "2015-11", "2015-06-24"): these partial ISO strings sort correctly
and never pretend to know a day the text does not give.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.citations import split_sentences

# Reused on purpose: one date grammar for the whole project (see the module docstring).
from ingest.metadata import find_date_spans

# ------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Entity:
    """One mention: `text[start:end] == surface`; `name` is the canonical name shared by all variants."""

    kind: str  # "place" | "org" | "person" | "role"
    name: str
    surface: str
    start: int
    end: int
    role: str | None = None  # people: the function named next to them ("directrice-generaal van safe.brussels")


@dataclass(frozen=True, slots=True)
class Event:
    """A sentence that names something happening on a date (or, without a date, in a stated future)."""

    date: str | None  # partial ISO: "2015", "2015-11" or "2015-06-24"; None for "in september" without year
    date_end: str | None
    start: int  # the sentence span in the text
    end: int
    kind: str  # the event word found: "conferentie", "bezoek", ...
    sentence: str
    future: bool = False  # phrased as something still to happen ("zal", "gepland", "in aanloop naar")
    when: str = ""  # the date as written ("24 juni-27 juni 2015", "september")


# ------------------------------------------------------------------------------------------- folding

# Letters NFKD does not decompose but that people type without the mark ("Utoya", "Wroclaw").
_EXTRA_FOLD = {"ø": "o", "ł": "l", "đ": "d", "æ": "a", "œ": "o", "ß": "s", "’": "'", "‘": "'", "`": "'"}


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:  # "İ".lower() has two characters: keep offsets stable instead
        low = ch
    if low in _EXTRA_FOLD:
        return _EXTRA_FOLD[low]
    base = [c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c)]
    return base[0] if base else low


def fold_keep_offsets(text: str) -> str:
    """Lower case without accents, one character out for each character in, so offsets stay valid."""
    return "".join(_fold_char(c) for c in text)


def fold_name(text: str) -> str:
    """The key under which variants of a name meet: folded, whitespace collapsed."""
    return " ".join(fold_keep_offsets(text).split())


# ------------------------------------------------------------------------------------------ gazetteer

# canonical name -> variants (the canonical name itself always counts). Dutch names are canonical because the
# documents and the users are Dutch.
PLACES: dict[str, tuple[str, ...]] = {
    "Brussel": ("Brussels", "Bruxelles", "Brüssel", "Brusselse", "Brusselaars", "Brussel-Hoofdstad"),
    "Straatsburg": ("Strasbourg", "Strassburg", "Straßburg"),
    "Den Haag": ("The Hague", "'s-Gravenhage", "’s-Gravenhage", "La Haye", "Haagse", "Hagenaars"),
    "Parijs": ("Paris",),
    "Oslo": (),
    "Utøya": ("Utoya", "Utoeya"),
    "Wrocław": ("Wroclaw", "Breslau"),
    "Manchester": (),
    "Rotterdam": ("Rotterdamse",),
    "Amsterdam": ("Amsterdamse",),
    "Utrecht": ("Utrechtse",),
    "Londen": ("London",),
    "Berlijn": ("Berlin",),
    "Wenen": ("Vienna", "Wien"),
    "Rome": ("Roma",),
    "Madrid": (),
    "Lissabon": ("Lisbon", "Lisboa"),
    "Kopenhagen": ("Copenhagen", "København"),
    "Stockholm": (),
    "Helsinki": (),
    "Dublin": (),
    "Praag": ("Prague", "Praha"),
    "Warschau": ("Warsaw", "Warszawa"),
    "Boedapest": ("Budapest",),
    "Athene": ("Athens",),
    "Bologna": (),
    "Barcelona": (),
    "Lyon": (),
    "Marseille": (),
    "Nice": (),
    "Antwerpen": ("Antwerp", "Anvers"),
    "Gent": ("Ghent", "Gand"),
    "Luik": ("Liège", "Liege"),
    "Luxemburg": ("Luxembourg",),
    "Genève": ("Geneva", "Genf"),
    "New York": (),
    "Washington": (),
    "Alexandria": (),
    "Highland Park": (),
    "Tokio": ("Tokyo",),
    "Peking": ("Beijing",),
    "Montreal": ("Montréal",),
    "Nederland": ("the Netherlands", "Netherlands", "Holland"),
    "België": ("Belgium", "Belgique"),
    "Frankrijk": ("France",),
    "Duitsland": ("Germany", "Deutschland"),
    "Noorwegen": ("Norway",),
    "Tsjechië": ("Czech Republic", "Czechia", "Tsjechie"),
    "Portugal": (),
    "Polen": ("Poland",),
    "Oekraïne": ("Ukraine",),
    "Verenigd Koninkrijk": ("United Kingdom",),
    "Europa": ("Europe",),
    "Haaglanden": (),
    "Brussels Hoofdstedelijk Gewest": ("Brussels Capital Region", "Région de Bruxelles-Capitale"),
}
# Places with a region/city relation: a briefing on "Brussel" also wants the Brussels Capital Region.
PLACE_PARTS: dict[str, tuple[str, ...]] = {"Brussel": ("Brussels Hoofdstedelijk Gewest",)}

ORGS: dict[str, tuple[str, ...]] = {
    "EFUS": (
        "Efus",
        "European Forum for Urban Security",
        "European Forum for Urban Safety",
        "Europees Forum for Urban Security",
        "Europees Forum voor Stedelijke Veiligheid",
        "Forum européen pour la sécurité urbaine",
    ),
    "Strong Cities Network": ("Strong Cities", "SCN"),
    "safe.brussels": ("safe brussels",),
    "visit.brussels": (),
    "RIEC": ("Regionaal Informatie- en Expertisecentrum", "RIEC Den Haag"),
    "RSIV": ("Regionaal Samenwerkingsverband Integrale Veiligheid",),
    "RBO": ("Regionaal Bestuurlijk Overleg",),
    "FOD Binnenlandse Zaken": ("FOD Binnenlandse Zaken van België", "Federale Overheidsdienst Binnenlandse Zaken"),
    "AD Veiligheid en Preventie": (
        "AD Veiligheid & Preventie",
        "Algemene Directie Veiligheid en Preventie",
        "Algemene Directie Veiligheid & Preventie",
    ),
    "DG Politie en Veiligheidsregio's": (
        "DG Politie & Veiligheidsregio's",
        "Directoraat-Generaal Politie en Veiligheidsregio's",
    ),
    "Ministerie van Justitie en Veiligheid": ("JenV", "Ministry of Justice and Security"),
    "Europese Commissie": ("European Commission", "Commission européenne", "Europese commissie"),
    "Europees Parlement": ("European Parliament", "Europees parlement"),
    "Raad van de EU": ("Raad van de Europese Unie", "Council of the EU", "Raad van de EU"),
    "Europese Unie": ("EU", "European Union"),
    "Openbaar Ministerie": ("OM",),
    "Nationale Politie": (),
    "Veilig Thuis": (),
    "DJI": ("Dienst Justitiële Inrichtingen",),
    "Zorg- en Veiligheidshuis": ("Zorg- en Veiligheidshuizen", "Zorg- en Veiligheidshuis Hollands Midden"),
    "G4": (),
    "Nederlandse ambassade": ("Nederlandse ambassade in Oslo", "Dutch embassy"),
    "VNG": ("Vereniging van Nederlandse Gemeenten",),
    "Nordic Safe Cities": (),
    "ECPR": (),
    "Europol": (),
    "Interpol": (),
}

# Acronyms that are never organisations although written in capitals (units, document words, roles).
_NOT_ORGS = frozenset(
    """
    I II III IV V VI VII VIII IX X XI XII NB PS CC BCC FTE FAQ PDF URL HTML CEO CFO ICT AI OK NL EN FR DE BE UK
    US USA CV ID TV VS PGA IVP KIV CTER RISO WAT WIE HOE WAAR WELKE ZIJN JA NEE EN DE HET EEN VAN IN OP
    """.split()  # noqa: SIM905
)


def _alias_table() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(folded variant -> (kind, canonical)) for case-insensitive matching, and (exact variant -> ...) for
    short capital acronyms."""
    folded: dict[str, tuple[str, str]] = {}
    exact: dict[str, tuple[str, str]] = {}
    for kind, table in (("place", PLACES), ("org", ORGS)):
        for canonical, variants in table.items():
            for variant in (canonical, *variants):
                if variant.isupper() and len(variant) <= 5:
                    exact[variant] = (kind, canonical)
                else:
                    folded.setdefault(fold_name(variant), (kind, canonical))
    return folded, exact


_FOLDED_ALIASES, _EXACT_ALIASES = _alias_table()


def _alternation(keys: Iterable[str]) -> str:
    # Longest first: "Brussels Hoofdstedelijk Gewest" must win over "Brussels".
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(keys, key=len, reverse=True))


# A name is not part of a longer word or of a web address ("safe.brussels" is not the place Brussels).
_FOLDED_RE = re.compile(rf"(?<![\w.@/])(?:{_alternation(_FOLDED_ALIASES)})(?!\w|\.\w)")
_EXACT_RE = re.compile(rf"(?<![\w.@/])(?:{_alternation(_EXACT_ALIASES)})(?!\w)")


def canonical(name: str) -> tuple[str, str] | None:
    """(kind, canonical name) for a known variant, else None."""
    if name in _EXACT_ALIASES:
        return _EXACT_ALIASES[name]
    return _FOLDED_ALIASES.get(fold_name(name))


def aliases(name: str) -> list[str]:
    """All known variants of a canonical name (or of any of its variants), canonical first."""
    found = canonical(name)
    if found is None:
        return [name]
    kind, canon = found
    table = PLACES if kind == "place" else ORGS
    return [canon, *table.get(canon, ())]


# ------------------------------------------------------------------------------------------- patterns

_NAME_WORD = r"[A-Z][a-zà-ÿ'’\-]+"
_PARTICLE = r"(?:van|de|der|den|du|le|la|von|ter|ten|Van|De|Der|Den|Le|La)"
# "Sophie Lavaux", "Henri van der Heijden", "Ine Van Wymersch": 2-4 name words, particles allowed between.
_PERSON_NAME = rf"{_NAME_WORD}(?:\s+{_PARTICLE})*(?:\s+{_NAME_WORD}){{1,2}}"
ROLE_WORDS = (
    "directrice-generaal",
    "directeur-generaal",
    "secretaris-generaal",
    "hoofdofficier van justitie",
    "drugscommissaris",
    "politie-inspecteur",
    "politiechef",
    "burgemeester",
    "burgemeesters",
    "wethouder",
    "directeur",
    "directrice",
    "minister",
    "staatssecretaris",
    "commissaris",
    "voorzitter",
    "covoorzitter",
    "co-chair",
    "beleidsadviseur",
    "senior beleidsadviseur",
    "adviseur",
    "ambassadeur",
    "CEO",
    "coördinator",
    "projectleider",
    "programmamanager",
    "medewerker",
    "medewerkster",
    "hoge ambtenaar",
    "Deputy Head of Mission",
    "Senior Policy Advisor",
    "mayor",
    "director",
)
_ROLE_FOLDED = frozenset(fold_name(r) for r in ROLE_WORDS)
_ROLE = "(?:" + "|".join(re.escape(r) for r in sorted(ROLE_WORDS, key=len, reverse=True)) + ")"
# What follows a role: "van safe.brussels", "bij de politiezone Brussel-Hoofdstad-Elsene" (up to the clause end).
_ROLE_TAIL = r"(?:\s+(?:van|bij|of|at)\s+(?:de\s+|het\s+)?(?:[^,.;:()\n]|\.(?=\w)){2,60}?(?=[,;:()\n]|\.(?!\w)|$))?"

_HONORIFIC = r"(?:mw\.|mevr\.|mevrouw|dhr\.|de heer|Mw\.|Mevr\.|Mevrouw|Dhr\.|De heer)"
# "mevrouw Van der Paard", "de heer De Vrij": the particles belong to the surname.
_HONORIFIC_RE = re.compile(rf"\b{_HONORIFIC}\s+((?:{_PARTICLE}\s+)*{_NAME_WORD})")
_NAME_ROLE_RE = re.compile(rf"\b({_PERSON_NAME}),\s+((?i:{_ROLE}){_ROLE_TAIL})")
_ROLE_NAME_RE = re.compile(rf"\b((?i:{_ROLE})(?:\s+van\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?),?\s+({_PERSON_NAME})\b")
# "de directeur van EFUS, mw. Johnston": the role in front of an honorific.
_ROLE_HONORIFIC_RE = re.compile(
    rf"\b((?i:{_ROLE})(?:\s+van\s+[\w.]+(?:\s+[A-Z][\w.]*)?)?),\s+{_HONORIFIC}\s+({_NAME_WORD})"
)
# "Burgemeester Den Haag", "burgemeester van Oslo", "Burgemeesters van Oslo, Manchester ... en Wroclaw".
_PLACE_WORDS = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
_ROLE_OF_PLACE_RE = re.compile(
    rf"\b([Bb]urgemeesters?)(?:\s+van)?\s+({_PLACE_WORDS}(?:(?:,\s*|\s+en\s+){_PLACE_WORDS})*)"
)
# People named without a role ("Op 24 juni 2015 waren Erwin Rouwenhorst en ik ..."). Two capitalised words
# are far more often a title, a heading or an English phrase ("Exposure Notification", "Security & Tourism")
# than a person, so the first word must be a common given name (Dutch, Flemish, French, German, English):
# measured on the bundled corpus and the test PDFs, bench/results/people_entities.md. Given names that are
# also everyday capitalised words ("Floor", "Max", "Wil", "Ton") are left out on purpose.
GIVEN_NAMES = frozenset(
    """
    Aad Aafke Aart Abdel Abdelkader Abdul Adam Adriaan Adrian Agnes Ahmed Aicha Alain Albert Alex Alexander
    Alexandra Ali Alice Amber Ana Andrea Andreas Andrew Andrzej André Angela Anita Anja Ank Ann Anna Anne Anneke
    Annelies Annemarie Annemiek Anouk Antoine Anton Arie Arjan Arjen Arno Arnold Astrid Barbara Bart Bas Bastiaan
    Ben Benoît Bernard Bert Bertrand Birgit Bram Brigitte Bruno Carla Carlos Carmen Caroline Catherine Chantal
    Charles Charlotte Chris Christian Christiane Christine Christophe Claire Claudia Coen Cor Corine Cornelis
    Daan Dana Daniel Daniëlle David Dennis Diana Dick Dirk Dominique Edith Eduard Edwin Egbert Eline Elisabeth
    Ellen Els Elsa Emma Eric Erik Erika Erwin Esther Eva Evelien Fabienne Farid Fatima Femke Frank Frans François
    Françoise Fred Frederik Freek Frits Gabriel Geert Gerard Gerda Gerrit Gert Gijs Gilles Greet Guido Guus Hakan
    Hanna Hannah Hans Harm Harry Hassan Hedwig Heleen Helen Helga Hendrik Henk Henri Herman Hilde Hugo Ida Ilse
    Ine Inge Ingrid Irene Iris Isabel Isabelle Ivo Jaap Jacob Jacques Jakub James Jan Jana Jane Janneke Jannie
    Jasper Jean Jeanette Jelle Jennifer Jeroen Jesse Joachim Joan Joep Johan Johanna Johannes John Joke Jolanda
    Jonas Joost Jop Joris Josef Joseph José Judith Julia Julie Juliette Jürgen Karel Karen Karin Kars Katarzyna
    Kate Kees Kevin Khalid Kim Klaas Koen Kristof Lars Laura Laurens Laurent Lea Leen Leo Lieke Lieve Linda Lisa
    Lise Loes Lotte Louis Luc Lucas Lucie Ludo Luuk Maarten Magda Manon Marc Marcel Marco Marcus Margreet Maria
    Marie Marieke Mariette Marijke Marjan Marjolein Mark Marleen Marloes Marta Martijn Martin Martine Mathieu
    Matthias Maurice Meike Melanie Michael Michel Michiel Miguel Mirjam Mohamed Mohammed Monique Nadia Natasha
    Nathalie Nicolas Nicole Niels Nina Noor Olaf Olivier Pascal Patricia Patrick Paul Paula Pauline Peter Petra
    Philip Philippe Pierre Piet Pieter Piotr Quinten Rachid Ralph Ramon Raymond Rein Remco René Richard Rick Rik
    Rita Rob Robert Robin Roel Roger Roland Ronald Rosa Ruben Rudi Rudy Ruud Sander Sandra Sanne Sara Sarah
    Saskia Sebastiaan Sebastian Simon Simone Sofie Sophie Stefan Stefanie Stephan Steven Suzanne Sven Sylvia
    Tamara Teun Theo Thijs Thomas Tijs Tim Tineke Tom Tonny Ulrike Valérie Vera Victor Vincent Walter Wendy
    Werner Wietse Willem Wim Wouter Yasmina Yusuf Yves Zeynep
    """.split()  # noqa: SIM905
)
_GIVEN = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"  # "Peter-Paul"
_SURNAME = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
# One given name, particles, one surname, all on one line (a line break ends a name: signature blocks).
# A lookahead, so candidates may overlap: "Steller Wim Eppinga" must still offer "Wim Eppinga".
_BARE_NAME_RE = re.compile(rf"(?<![\w.\-])(?=({_GIVEN}(?:[ \t]+{_PARTICLE})*[ \t]+{_SURNAME})(?![\w\-]))")
# Surnames that are really places or institutions ("het Rob Scholtemuseum", "Jan Steenstraat").
_NOT_SURNAME_END = re.compile(
    r"(?:museum|straat|plein|laan|weg|gracht|kade|park|huis|school|college|zaal|centrum|instituut|fonds|prijs|"
    r"wet|plan|dag|week|award|lezing)$",
    re.IGNORECASE,
)
_MONTH_OR_DAY = frozenset(
    """
    Januari Februari Maart April Mei Juni Juli Augustus September Oktober November December
    Maandag Dinsdag Woensdag Donderdag Vrijdag Zaterdag Zondag
    """.split()  # noqa: SIM905
)


def _bare_person(name: str) -> bool:
    """A credible role-less person name: known given name, surname not a place, organisation, role or month."""
    words = name.split()
    given, surname = words[0], words[-1]
    if given.split("-")[0] not in GIVEN_NAMES or surname in _MONTH_OR_DAY or _NOT_SURNAME_END.search(surname):
        return False
    return not (canonical(name) or any(canonical(w) for w in words) or fold_name(surname) in _ROLE_FOLDED)


# Lines that open a signature's organisation part, not a name.
_ORG_LINE_START = ("Directie", "Ministerie", "Gemeente", "Bestuursdienst", "Afdeling", "Dienst", "Team")
_DIRECTIE_RE = re.compile(r"\b[Dd]irecties?\s+([A-Z][a-z]+(?:\s+(?:en|&)\s+[A-Z][a-z]+)?)")
_MINISTERIE_RE = re.compile(r"\bMinisterie\s+van\s+([A-Z][a-z]+(?:\s+(?:en|&)\s+[A-Z][a-z]+)?)")
_ACRONYM_RE = re.compile(r"(?<![\w.])([A-Z][A-Z0-9&]{1,5})(?![\w.])")
_CAPS_LINE_RE = re.compile(r"^[^a-z]*$")


def _is_caps_line(text: str, pos: int) -> bool:
    """Questionnaire headings ("WIE HEB JE ONTMOET?") are all capitals: their words are not acronyms."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and all(c.isupper() for c in letters)


def _clean_role(role: str) -> str:
    return " ".join(role.split()).strip(" ,")


def _signature_people(text: str) -> list[Entity]:
    """A letter's signature block: a name-only line followed, within three lines, by a role line."""
    out: list[Entity] = []
    lines = [(m.start(), m.group().strip()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    for i, (pos, line) in enumerate(lines):
        if not re.fullmatch(_PERSON_NAME, line) or canonical(line) or line.startswith(_ORG_LINE_START):
            continue
        for _, following in lines[i + 1 : i + 4]:
            if re.fullmatch(rf"(?i:{_ROLE})", following):
                start = text.index(line, pos)
                out.append(Entity("person", line, line, start, start + len(line), following))
                break
    return out


def extract_entities(text: str, *, bare_names: bool = True) -> list[Entity]:
    """Places, organisations, people (with their role where one is named) and roles, in text order.

    `bare_names`: also people named without a role ("Erwin Rouwenhorst en ik"), see `GIVEN_NAMES`.

    Overlaps are resolved in favour of the earlier, then the longer mention; a gazetteer match beats a
    pattern match on the same characters."""
    found: list[tuple[int, Entity]] = []  # (priority, entity); lower priority wins on overlap
    folded = fold_keep_offsets(text)
    for match in _FOLDED_RE.finditer(folded):
        kind, canon = _FOLDED_ALIASES[re.sub(r"\s+", " ", match.group())]
        found.append((0, Entity(kind, canon, text[match.start() : match.end()], match.start(), match.end())))
    for match in _EXACT_RE.finditer(text):
        if _is_caps_line(text, match.start()):
            continue
        kind, canon = _EXACT_ALIASES[match.group()]
        found.append((0, Entity(kind, canon, match.group(), match.start(), match.end())))
    for match in _NAME_ROLE_RE.finditer(text):
        if canonical(match.group(1)) is None:
            role = _clean_role(match.group(2))
            found.append((1, Entity("person", match.group(1), match.group(1), match.start(1), match.end(1), role)))
    for match in _ROLE_HONORIFIC_RE.finditer(text):
        role = _clean_role(match.group(1))
        found.append((1, Entity("person", match.group(2), match.group(2), match.start(2), match.end(2), role)))
    for match in _ROLE_NAME_RE.finditer(text):
        name = match.group(2)
        if canonical(name) is None and not any(canonical(w) for w in name.split()):
            role = _clean_role(match.group(1))
            found.append((2, Entity("person", name, name, match.start(2), match.end(2), role)))
    for match in _HONORIFIC_RE.finditer(text):
        found.append((3, Entity("person", match.group(1), match.group(1), match.start(1), match.end(1))))
    found.extend((1, e) for e in _signature_people(text))
    for match in _BARE_NAME_RE.finditer(text) if bare_names else ():
        # Lowest priority: the same name with a role (or in the gazetteer) wins where they overlap.
        if _bare_person(match.group(1)) and not _is_caps_line(text, match.start()):
            name = " ".join(match.group(1).split())
            found.append((7, Entity("person", name, match.group(1), match.start(1), match.end(1))))
    for match in _ROLE_OF_PLACE_RE.finditer(text):
        # "Burgemeesters van Oslo, Manchester ... en Wroclaw": one role per place in the list.
        for part in re.finditer(_PLACE_WORDS, match.group(2)):
            place = canonical(part.group()) or canonical(part.group().split()[0])
            if place and place[0] == "place":
                role = f"burgemeester van {place[1]}"
                start, end = match.start(2) + part.start(), match.start(2) + part.end()
                found.append((4, Entity("role", role, text[start:end], start, end, role)))
    for match in _DIRECTIE_RE.finditer(text):
        name = f"Directie {match.group(1)}"
        found.append((5, Entity("org", name, match.group(), match.start(), match.end())))
    for match in _MINISTERIE_RE.finditer(text):
        name = " ".join(match.group().split())
        known = canonical(name)
        found.append((5, Entity("org", known[1] if known else name, match.group(), *match.span())))
    for match in _ACRONYM_RE.finditer(text):
        token = match.group(1)
        if token in _NOT_ORGS or token in _EXACT_ALIASES or not any(c.isalpha() for c in token):
            continue
        if sum(c.isupper() for c in token) < 2 or _is_caps_line(text, match.start()):
            continue
        found.append((6, Entity("org", token, token, match.start(), match.end())))

    found.sort(key=lambda pe: (pe[1].start, pe[0], -(pe[1].end - pe[1].start)))
    kept: list[Entity] = []
    for _priority, entity in found:
        # Role mentions ("Burgemeesters van Oslo") may overlap the places inside them: both are useful.
        clash = any(
            entity.start < k.end and k.start < entity.end and (entity.kind == "role") == (k.kind == "role")
            for k in kept
        )
        if not clash:
            kept.append(entity)
    kept.sort(key=lambda e: (e.start, e.end))
    return kept


# --------------------------------------------------------------------------------------------- events

EVENT_WORDS: tuple[str, ...] = (
    "ledenvergadering",
    "conferentie",
    "conference",
    "congres",
    "summit",
    "top",
    "bijeenkomst",
    "vergadering",
    "ontmoeting",
    "kennismaking",
    "werkbezoek",
    "terreinbezoek",
    "veldbezoek",
    "bezoek",
    "dienstreis",
    "reis",
    "uitwisseling",
    "workshop",
    "seminar",
    "webinar",
    "deadline",
    "overleg",
    "lid geworden",
    "opgericht",
    "samenwerking",
)
# Event words match as word starts, so "bezoeken", "conferenties" and "bijeenkomsten" count too.
_EVENT_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in EVENT_WORDS) + r")\w*", re.IGNORECASE)
FUTURE_RE = re.compile(
    r"\b(?:zal|zullen|gepland|planned|in aanloop naar|aanstaande?|komende?|binnenkort|verwacht|voorzien|"
    r"vooruitblik|will|upcoming|kijken ernaar uit|belooft)\b",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(
    r"\b(?:in|sinds|vanaf|per|tot|begin|eind|medio|since|from)\s+((?:19|20)\d{2})\b(?![-–/]\d)", re.IGNORECASE
)
_MONTH_ONLY_RE = re.compile(
    r"\b(?:in|vanaf|per|tot|eind|begin|medio)\s+(januari|februari|maart|april|mei|juni|juli|augustus|september|"
    r"oktober|november|december)\b(?!\s+\d)",
    re.IGNORECASE,
)


_RELATIVE_RE = re.compile(r"\b(?:dagen|weken|maanden|jaar|jaren)\s+(?:voor|na|vóór)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    date: str | None
    date_end: str | None
    surface: str


def find_dates(text: str) -> list[DateMention]:
    """All dates in `text`: full dates and ranges (ingest grammar), "juni 2024", "in 2015", "in september"."""
    found: list[DateMention] = []
    for span in find_date_spans(text):
        # "juni 2024" is parsed as the first of the month; say "2024-06", not a day the text never gave.
        cut = 7 if span.precision == "month" else 10
        end = span.date_end[:cut] if span.date_end else None
        found.append(DateMention(span.start, span.end, span.date[:cut], end, text[span.start : span.end]))
    for match in _YEAR_RE.finditer(text):
        found.append(DateMention(match.start(1), match.end(1), match.group(1), None, match.group(1)))
    for match in _MONTH_ONLY_RE.finditer(text):
        found.append(DateMention(match.start(1), match.end(1), None, None, match.group(1)))
    # The longest mention wins where several overlap ("24 juni-27 juni 2015" over "27 juni 2015").
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def extract_events(text: str) -> list[Event]:
    """One event per sentence that holds an event word and a date (or future phrasing), in text order.

    The date is the first one in the sentence: Dutch sentences put the occasion's date up front ("Op 24 juni
    2015 waren ..."), and later dates are usually references."""
    events: list[Event] = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        word = _EVENT_RE.search(sentence)
        if word is None:
            continue
        future = bool(FUTURE_RE.search(sentence))
        # "drie maanden voor de verkiezingen in juni 2024" dates something else than the occasion.
        dates = [
            d
            for d in find_dates(sentence)
            if (d.date or future) and not _RELATIVE_RE.search(sentence[max(0, d.start - 60) : d.start])
        ]
        if not dates and not future:
            continue
        first = dates[0] if dates else None
        events.append(
            Event(
                date=first.date if first else None,
                date_end=first.date_end if first else None,
                start=start,
                end=end,
                kind=word.group(1).lower(),
                sentence=sentence,
                future=future,
                when=first.surface if first else "",
            )
        )
    return events


# ------------------------------------------------------------------------------------------- counts

COUNT_NOUNS = (
    "landen",
    "leden",
    "deelnemers",
    "steden",
    "gemeenten",
    "sprekers",
    "burgemeesters",
    "lidstaten",
    "partners",
    "organisaties",
    "medewerkers",
    "countries",
    "members",
    "cities",
    "participants",
)
_COUNT_RE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})*|\d+)\s+(" + "|".join(COUNT_NOUNS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Count:
    """ "16 landen": a number of something, as stated at `start:end`."""

    number: int
    noun: str
    start: int
    end: int


def extract_counts(text: str) -> list[Count]:
    return [
        Count(int(re.sub(r"[.,]", "", m.group(1))), m.group(2).lower(), m.start(), m.end())
        for m in _COUNT_RE.finditer(text)
    ]


def mentions(entities: Sequence[Entity], names: Iterable[str]) -> bool:
    wanted = set(names)
    return any(e.name in wanted for e in entities)
