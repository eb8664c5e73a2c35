"""Offline entity and event extraction for briefings: places, organisations, people with roles, dated events.

Everything is pure and rule-based (gazetteers plus patterns), because the assistant runs without network
and without an NER model, and because a briefing must be explainable: every entity points at the exact
characters (`start`, `end`) it was read from.

The word lists live in `assistant/data/lexicons/` (see the README there), each with its provenance: general
lists (countries and capitals, Dutch and Belgian municipalities, international organisations and city
networks, role nouns, given names), never words taken from the documents or the evaluation questions.
What no list can know is found by pattern:

- abbreviations written in capitals ("RBO"), and "Long Name (ABBR)" definitions in the text itself, which
  name the long form after its abbreviation (Schwartz & Hearst's abbreviation algorithm);
- names written as a web address without a scheme ("visit.example"), embassies ("de Franse ambassade"),
  directorates ("DG X en Y", "Algemene Directie X");
- the places in "Burgemeesters van A, B en C" (a mayor is always of a municipality);
- people next to a role, after an honorific, in a signature block, or with a common given name.

Canonical names. Variants of one thing ("NAVO", "NATO", "Wenen", "Vienna", "Wien", "Kopenhagen",
"København") are merged to one canonical name through the gazetteer tables, compared after accent folding
and lower-casing; a match written entirely in lower case is an ordinary word ("leiden", "delft"), not the
name. Short all-capital acronyms ("OM", "VNG") are matched case-sensitively, because their lower-case forms
are ordinary Dutch words ("om").

Dates reuse the grammar of `ingest.metadata` so a date means the same thing at ingest and in a briefing; a
date is kept with its precision ("2015", "2015-11", "2015-06-24"): these partial ISO strings sort correctly
and never pretend to know a day the text does not give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.core import lexicons
from assistant.core.text import MONTHS, STOPWORDS_EN, STOPWORDS_NL, fold_keep_offsets, fold_name
from assistant.language.citations import split_sentences

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
    role: str | None = None  # people: the function named next to them ("directeur-generaal van de VNG")


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
    when: str = ""  # the date as written ("3 mei-5 mei 2019", "september")


# ------------------------------------------------------------------------------------------ gazetteer


def _merged(*names: str) -> dict[str, tuple[str, ...]]:
    """Gazetteer tables merged: a canonical name in several lists ("Limburg") gets the variants of all."""
    out: dict[str, tuple[str, ...]] = {}
    for name in names:
        for canon, variants in lexicons.table(name).items():
            out[canon] = tuple(dict.fromkeys([*out.get(canon, ()), *variants]))
    return out


# canonical name -> variants (the canonical name itself always counts). Dutch names are canonical because the
# documents and the users are Dutch.
PLACES: dict[str, tuple[str, ...]] = _merged("places-nl", "places-be", "places-world")
ORGS: dict[str, tuple[str, ...]] = _merged("organisations")
# Tokens in capitals that are never organisations (numerals, units, country codes, heading words).
_NOT_ORGS = frozenset(lexicons.words("not-organisations"))


def _place_parts() -> dict[str, tuple[str, ...]]:
    """Places named after another place: a region or part that carries its name ("Brussels Hoofdstedelijk
    Gewest" for Brussel, "Gelderland-Midden" for Gelderland). A briefing on the place also wants those."""
    prefixes: dict[str, str] = {}
    for canon, variants in PLACES.items():
        for name in (canon, *variants):
            prefixes.setdefault(fold_name(name), canon)
    parts: dict[str, list[str]] = {}
    for canon, variants in PLACES.items():
        for name in (canon, *variants):
            folded = fold_name(name)
            for cut in (i for i, ch in enumerate(folded) if ch in " -"):
                owner = prefixes.get(folded[:cut])
                if owner and owner != canon and canon not in parts.get(owner, []):
                    parts.setdefault(owner, []).append(canon)
    return {owner: tuple(names) for owner, names in parts.items()}


def _alias_table() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(folded variant -> (kind, canonical)) for case-insensitive matching, and (exact variant -> ...) for
    short capital acronyms."""
    folded: dict[str, tuple[str, str]] = {}
    exact: dict[str, tuple[str, str]] = {}
    for kind, table in (("place", PLACES), ("org", ORGS)):
        for canonical, variants in table.items():
            for variant in (canonical, *variants):
                if variant.isupper() and len(variant) <= 5:
                    exact.setdefault(variant, (kind, canonical))
                else:
                    folded.setdefault(fold_name(variant), (kind, canonical))
    return folded, exact


_FOLDED_ALIASES, _EXACT_ALIASES = _alias_table()
PLACE_PARTS: dict[str, tuple[str, ...]] = _place_parts()


def _alternation(keys: Iterable[str]) -> str:
    # Longest first: "Brussels Hoofdstedelijk Gewest" must win over "Brussels".
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(keys, key=len, reverse=True))


# A name is not part of a longer word or of a web address ("safe.example" is not a place "example").
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
# Name particles, lower case (Dutch) and capitalised (Flemish: "Ine Van Wymersch").
PARTICLE = r"(?:van|de|der|den|du|le|la|von|ter|ten|Van|De|Der|Den|Le|La)"
_PARTICLE = PARTICLE
# "Karin Mulder", "Anna van der Berg", "Pieter Van Damme": 2-4 name words, particles allowed between.
_PERSON_NAME = rf"{_NAME_WORD}(?:\s+{_PARTICLE})*(?:\s+{_NAME_WORD}){{1,2}}"

# Role nouns (roles.txt): a leading "*" marks a noun that may end a Dutch compound ("beleidsadviseur").
_ROLE_ENTRIES = lexicons.words("roles")
ROLE_WORDS: tuple[str, ...] = tuple(r.lstrip("*") for r in _ROLE_ENTRIES)
_COMPOUND_ROLES = [r[1:] for r in _ROLE_ENTRIES if r.startswith("*")]
_PLAIN_ROLES = [r for r in _ROLE_ENTRIES if not r.startswith("*")]
_ROLE_MODIFIERS = lexicons.words("role-modifiers")
_MODIFIED = rf"(?:(?:{lexicons.phrase_pattern(_ROLE_MODIFIERS)})(?:\s+|-))*"
# At a word start: modifiers ("senior", "co-", "plaatsvervangend"), then a role that may end a compound
# ("drugs|commissaris", "politie-|inspecteur") or a plain one ("head of mission"), then "-generaal" and a
# plural ending. Used inside (?i:...).
_ROLE = (
    rf"(?:(?<![\w-]){_MODIFIED}"
    rf"(?:[a-zà-ÿ-]*?(?:{lexicons.phrase_pattern(_COMPOUND_ROLES)})|(?:{lexicons.phrase_pattern(_PLAIN_ROLES)}))"
    r"(?:-gener(?:aal|al))?(?:s|en)?(?![\w-]))"
)
_ROLE_FULL_RE = re.compile(rf"(?i:{_ROLE})")
# What follows a role: "van stad.gent", "bij de politiezone Gent-Zuid" (up to the clause end).
_ROLE_TAIL = r"(?:\s+(?:van|bij|of|at)\s+(?:de\s+|het\s+)?(?:[^,.;:()\n]|\.(?=\w)){2,60}?(?=[,;:()\n]|\.(?!\w)|$))?"

_HONORIFIC = r"(?:mw\.|mevr\.|mevrouw|dhr\.|de heer|Mw\.|Mevr\.|Mevrouw|Dhr\.|De heer)"
# "mevrouw Van der Paard", "de heer De Vrij": the particles belong to the surname.
_HONORIFIC_RE = re.compile(rf"\b{_HONORIFIC}\s+((?:{_PARTICLE}\s+)*{_NAME_WORD})")
_NAME_ROLE_RE = re.compile(rf"\b({_PERSON_NAME}),\s+((?i:{_ROLE}){_ROLE_TAIL})")
_ROLE_NAME_RE = re.compile(rf"\b((?i:{_ROLE})(?:\s+van\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?),?\s+({_PERSON_NAME})\b")
# "de directeur van het netwerk, mw. Jansen": the role in front of an honorific.
_ROLE_HONORIFIC_RE = re.compile(
    rf"\b((?i:{_ROLE})(?:\s+van\s+[\w.]+(?:\s+[A-Z][\w.]*)?)?),\s+{_HONORIFIC}\s+({_NAME_WORD})"
)
# "Burgemeester Zwolle", "burgemeester van Gent", "Burgemeesters van Lyon, Graz en Zwolle": the words after
# a role held for a municipality (place-roles.txt) are places, known to the gazetteer or not.
_PLACE_WORDS = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
_PLACE_ROLE_RE = re.compile(
    rf"\b((?i:{lexicons.phrase_pattern(lexicons.words('place-roles'))}))(\s+(?:van|of))?"
    rf"\s+({_PLACE_WORDS}(?:(?:,\s*|\s+(?:en|and)\s+){_PLACE_WORDS})*)"
)
_ADJECTIVE_END = re.compile(r"(?:se|sche)$")  # "Europese", "Belgische": adjectives, not places
# An unknown place must end where a list item ends: "van Lyon, Graz en ...", "van Zwolle." ("Mayors of
# European cities" names no place).
_ITEM_END_RE = re.compile(r"\s*(?:[,.;:)]|$)|\s+(?:en|and)\s")
# People named without a role ("Op 3 mei 2019 waren Karin Mulder en ik ..."). Two capitalised words
# are far more often a title, a heading or an English phrase ("Exposure Notification", "Security & Tourism")
# than a person, so the first word must be a common given name (given-names.txt): measured on the bundled
# corpus and the test PDFs, bench/results/people_entities.md.
GIVEN_NAMES = frozenset(lexicons.words("given-names"))
_GIVEN = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"  # "Peter-Paul"
_SURNAME = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
# One given name, particles, one surname, all on one line (a line break ends a name: signature blocks).
# A lookahead, so candidates may overlap: "Steller Joost Verhoeven" must still offer "Joost Verhoeven".
_BARE_NAME_RE = re.compile(rf"(?<![\w.\-])(?=({_GIVEN}(?:[ \t]+{_PARTICLE})*[ \t]+{_SURNAME})(?![\w\-]))")
# Surnames that are really places or institutions ("het Rob Scholtemuseum", "Jan Steenstraat").
_NOT_SURNAME_END = re.compile(rf"(?:{lexicons.phrase_pattern(lexicons.words('not-surname-suffixes'))})$", re.IGNORECASE)
WEEKDAYS: tuple[str, ...] = lexicons.words("weekdays-nl")
_MONTH_OR_DAY = frozenset(w.capitalize() for w in (*MONTHS["nl"], *WEEKDAYS))


def _bare_person(name: str) -> bool:
    """A credible role-less person name: known given name, surname not a place, organisation, role or month."""
    words = name.split()
    given, surname = words[0], words[-1]
    if given.split("-")[0] not in GIVEN_NAMES or surname in _MONTH_OR_DAY or _NOT_SURNAME_END.search(surname):
        return False
    return not (canonical(name) or any(canonical(w) for w in words) or _ROLE_FULL_RE.fullmatch(surname))


# A line that opens a signature's organisation part, not a name: its first word is a unit noun or ends in one
# ("Directie", "Bestuursdienst"). Short nouns ("team", "staf") only as the whole word: "Gustaf" is a name.
_UNIT_NOUNS = lexicons.words("org-unit-nouns")


def _is_unit_word(word: str) -> bool:
    low = word.lower()
    return any(low == n or (len(n) >= 5 and low.endswith(n)) for n in _UNIT_NOUNS)


_DIRECTIE_RE = re.compile(r"\b[Dd]irecties?\s+([A-Z][a-z]+(?:\s+(?:en|&)\s+[A-Z][a-z]+)?)")
_MINISTERIE_RE = re.compile(r"\bMinisterie\s+van\s+([A-Z][a-z]+(?:\s+(?:en|&)\s+[A-Z][a-z]+)?)")
# Directorates by their standard abbreviations: "DG Wonen en Bouwen", "Algemene Directie X & Y".
_UNIT_ABBREVIATIONS = lexicons.table("unit-abbreviations")
_UNIT_PREFIX = {fold_name(v): abbr for abbr, vs in _UNIT_ABBREVIATIONS.items() for v in (abbr, *vs)}
_UNIT_RE = re.compile(
    rf"(?<![\w-])({_alternation(v for abbr, vs in _UNIT_ABBREVIATIONS.items() for v in (abbr, *vs))})\s+"
    r"([A-Z][\w'’-]*(?:\s+(?:en|&)\s+[A-Z][\w'’-]*|\s+[A-Z][\w'’-]*){0,3})"
)
# "de Nederlandse ambassade", "the Dutch embassy": an embassy by its nationality adjective.
_EMBASSY_RE = re.compile(
    r"\b([A-Z][a-zà-ÿ]+(?:se|sche)\s+(?:ambassade|consulaat(?:-generaal)?|permanente\s+vertegenwoordiging)"
    r"|[A-Z][a-z]+\s+(?:[Ee]mbassy|[Cc]onsulate))\b"
)
# Names written as a web address without a scheme ("safe.example", "Visit.example" at a sentence start): an
# organisation's name. Not a file name, an e-mail address or a part of a URL.
_DOTTED_RE = re.compile(r"(?<![\w.@/:-])([A-Za-z][a-z0-9-]{1,30}\.[a-z]{2,24})(?![\w@/-]|\.\w)")
_FILE_EXTENSIONS = frozenset(
    "pdf doc docx txt rtf odt xls xlsx csv json xml html htm md jpg jpeg png gif zip".split()  # noqa: SIM905
)
# An acronym may end a sentence ("met het LEZ."), but is no part of a dotted name ("A.B.C", "NL.example").
_ACRONYM_RE = re.compile(r"(?<![\w.])([A-Z][A-Z0-9&]{1,5})(?!\w|\.\w)")

# --- "Long Name (ABBR)" ---------------------------------------------------------------------------------

# "(RPC)", "(Nevs)": an abbreviation in brackets, after the words it abbreviates; "RPC (Regionaal ...)" too. The
# drafting formula of Dutch and English legal and policy texts may introduce it: "(hierna: RPC)", "(hierna te
# noemen: RPC)", "(hereinafter RPC)".
_SHORT_IN_BRACKETS_RE = re.compile(
    r"\(\s*(?:(?i:hierna|hereinafter)(?:\s+(?i:te\s+noemen|ook|also|referred\s+to\s+as))?\s*:?\s*)?"
    r"[“\"'‘]?([A-Za-z][A-Za-z0-9&-]{1,9})[”\"'’]?\s*\)"
)
_LONG_IN_BRACKETS_RE = re.compile(r"(?<![\w.])([A-Z][A-Za-z0-9&-]{1,9})\s+\(([^()\n]{4,150})\)")
_CONNECTORS = frozenset([*lexicons.words("stopwords"), "&"])
_DOCUMENT_NOUNS = lexicons.words("document-nouns")
# A long form is words, the first no function word: the pattern also takes a bracketed aside, a web address or a
# clause now and then ("EG (en onder c, Verordening …)").
_LONG_FORM_WORDS = re.compile(r"[^\W\d_]+(?:[ '’&/,-]+[^\W\d_]+)*")
_LONG_FORM_TRIM = " ([{“”\"'‘’)]}.,;:"
_FUNCTION_WORDS = STOPWORDS_NL | STOPWORDS_EN


@dataclass(frozen=True, slots=True)
class Definition:
    """An abbreviation the text spells out: `text[start:end]` is the long form."""

    short: str
    long: str
    start: int
    end: int

    @property
    def spelled_out(self) -> str | None:
        """The long form as plain words (whitespace collapsed, quotes and brackets around it dropped), or None
        when what the pattern caught is no name: a web address, a clause."""
        long = " ".join(self.long.split()).strip(_LONG_FORM_TRIM)
        if _LONG_FORM_WORDS.fullmatch(long) and long.split()[0].lower() not in _FUNCTION_WORDS:
            return long
        return None

    @property
    def names_organisation(self) -> bool:
        """A proper name (its content words capitalised) that is not a document, plan or method ("Kadernota
        ...", "persoonsgerichte aanpak")."""
        words = [w for w in re.findall(r"[\w'’&-]+", self.long) if w.lower() not in _CONNECTORS]
        if len(words) < 2 or not all(w[0].isupper() for w in words):
            return False
        return not any(w.lower().rstrip("'’s").endswith(_DOCUMENT_NOUNS) for w in words)


def _short_form_ok(short: str) -> bool:
    upper = sum(c.isupper() for c in short)
    return upper >= 2 or (short[0].isupper() and len(short) <= 5 and short[1:].isalpha() and short[1:].islower())


def _long_form_start(short: str, long: str) -> int | None:
    """Where in `long` the long form of `short` starts, by Schwartz & Hearst (2003): the letters of the
    abbreviation appear in order, right to left, and its first letter starts a word. None when they do not."""
    s, text = short.lower(), long.lower()
    si, li = len(s) - 1, len(text) - 1
    while si >= 0:
        ch = s[si]
        if not ch.isalnum():
            si -= 1
            continue
        while li >= 0 and (text[li] != ch or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    return text.rfind(" ", 0, li + 1) + 1


def find_definitions(text: str) -> list[Definition]:
    """Abbreviations spelled out in `text`: "Long Name (ABBR)" and "ABBR (Long Name)"."""
    found: list[Definition] = []
    for match in _SHORT_IN_BRACKETS_RE.finditer(text):
        short = match.group(1)
        if not _short_form_ok(short):
            continue
        # At most min(|A| + 5, 2|A|) words before the bracket, on the same line (Schwartz & Hearst).
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()].rstrip()
        words = list(re.finditer(r"\S+", before))[-min(len(short) + 5, 2 * len(short)) :]
        if not words:
            continue
        window_start = line_start + words[0].start()
        window = text[window_start : line_start + len(before)]
        start = _long_form_start(short, window)
        if start is None:
            continue
        long = window[start:].strip(" ,;:")
        if len(long) > len(short) and " " in long:
            found.append(Definition(short, long, window_start + start, window_start + start + len(long)))
    for match in _LONG_IN_BRACKETS_RE.finditer(text):
        short, inner = match.group(1), match.group(2)
        long = inner.strip()
        if _short_form_ok(short) and " " in long and _long_form_start(short, long) == 0:
            start = match.start(2) + len(inner) - len(inner.lstrip())
            found.append(Definition(short, long, start, start + len(long)))
    return found


def _clean_role(role: str) -> str:
    return " ".join(role.split()).strip(" ,")


def _is_caps_line(text: str, pos: int) -> bool:
    """Questionnaire headings ("WAT IS ER AFGESPROKEN?") are all capitals: their words are not acronyms."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and all(c.isupper() for c in letters)


def _signature_people(text: str) -> list[Entity]:
    """A letter's signature block: a name-only line followed, within three lines, by a role line."""
    out: list[Entity] = []
    lines = [(m.start(), m.group().strip()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    for i, (pos, line) in enumerate(lines):
        if not re.fullmatch(_PERSON_NAME, line) or canonical(line) or _is_unit_word(line.split()[0]):
            continue
        for _, following in lines[i + 1 : i + 4]:
            if _ROLE_FULL_RE.fullmatch(following):
                start = text.index(line, pos)
                out.append(Entity("person", line, line, start, start + len(line), following))
                break
    return out


def _place_role_entities(text: str) -> list[tuple[int, Entity]]:
    """ "Burgemeesters van Graz, Lyon en Zwolle": one role per place in the list; a place the gazetteer does
    not know becomes a place too. A singular role takes one place ("burgemeester van X, Jan Jansen")."""
    out: list[tuple[int, Entity]] = []
    for match in _PLACE_ROLE_RE.finditer(text):
        plural = match.group(1).lower().endswith("s")
        items = list(re.finditer(_PLACE_WORDS, match.group(3)))
        for part in items if plural else items[:1]:
            words = part.group().split()
            if words[0] in GIVEN_NAMES:  # a person after the role: the list has ended
                break
            start = match.start(3) + part.start()
            known = canonical(part.group()) or canonical(words[0])
            if known is not None and known[0] == "place":
                name = known[1]
                end = start + (len(part.group()) if canonical(part.group()) else len(words[0]))
            elif known is None and (match.group(2) or (plural and len(items) > 1)):
                # A place the gazetteer does not know: only where it ends as a list item does, and it does not
                # read as an adjective ("Europese") or as a given name and surname.
                if len(words) == 2 and words[1] in GIVEN_NAMES:
                    words = words[:1]
                name = " ".join(words)
                end = start + part.group().index(words[-1]) + len(words[-1])
                if _ADJECTIVE_END.search(name) or not _ITEM_END_RE.match(text, end):
                    continue
                out.append((4, Entity("place", name, text[start:end], start, end)))
            else:
                continue
            role = f"burgemeester van {name}"
            out.append((4, Entity("role", role, text[start:end], start, end, role)))
    return out


def _organisation_patterns(text: str) -> list[tuple[int, Entity]]:
    """Organisations no list names: directorates, ministries, embassies, web-address names, spelled-out
    abbreviations and capital acronyms."""
    found: list[tuple[int, Entity]] = []
    not_orgs: set[str] = set()
    for d in find_definitions(text):
        if not d.names_organisation:
            not_orgs.add(d.short)  # "integraal veiligheidsplan (IVP)": IVP is no organisation in this text
            continue
        known = canonical(d.short) or canonical(d.long)
        name = known[1] if known and known[0] == "org" else d.short
        # Both forms wherever the text repeats them, not only where it is defined ("Nevs" has one capital:
        # the acronym pattern alone would miss it).
        for pattern in (re.escape(d.long).replace(r"\ ", r"\s+"), rf"(?<![\w.]){re.escape(d.short)}(?!\w|\.\w)"):
            for m in re.finditer(pattern, text):
                found.append((1, Entity("org", name, m.group(), m.start(), m.end())))
    for match in _UNIT_RE.finditer(text):
        abbr = _UNIT_PREFIX[fold_name(match.group(1))]
        unit = " ".join(match.group(2).replace("&", "en").replace("’", "'").split())
        found.append((5, Entity("org", f"{abbr} {unit}", match.group(), match.start(), match.end())))
    for match in _DIRECTIE_RE.finditer(text):
        name = f"Directie {match.group(1)}"
        found.append((5, Entity("org", name, match.group(), match.start(), match.end())))
    for match in _MINISTERIE_RE.finditer(text):
        name = " ".join(match.group().split())
        known = canonical(name)
        found.append((5, Entity("org", known[1] if known else name, match.group(), *match.span())))
    for match in _EMBASSY_RE.finditer(text):
        name = " ".join(match.group(1).split())
        found.append((5, Entity("org", name[0].upper() + name[1:].lower(), match.group(1), *match.span(1))))
    for match in _DOTTED_RE.finditer(text):
        if match.group(1).rsplit(".", 1)[1] in _FILE_EXTENSIONS:
            continue
        found.append((5, Entity("org", match.group(1).lower(), match.group(1), *match.span(1))))
    for match in _ACRONYM_RE.finditer(text):
        token = match.group(1)
        if token in _NOT_ORGS or token in not_orgs or token in _EXACT_ALIASES or not any(c.isalpha() for c in token):
            continue
        if sum(c.isupper() for c in token) < 2 or _is_caps_line(text, match.start()):
            continue
        found.append((6, Entity("org", token, token, match.start(), match.end())))
    return found


def extract_entities(text: str, *, bare_names: bool = True) -> list[Entity]:
    """Places, organisations, people (with their role where one is named) and roles, in text order.

    `bare_names`: also people named without a role ("Karin Mulder en ik"), see `GIVEN_NAMES`.

    Overlaps are resolved in favour of the earlier, then the longer mention; a gazetteer match beats a
    pattern match on the same characters."""
    found: list[tuple[int, Entity]] = []  # (priority, entity); lower priority wins on overlap
    folded = fold_keep_offsets(text)
    for match in _FOLDED_RE.finditer(folded):
        surface = text[match.start() : match.end()]
        if surface == surface.lower():  # "leiden", "delft": ordinary words; names are written with a capital
            continue
        kind, canon = _FOLDED_ALIASES[re.sub(r"\s+", " ", match.group())]
        found.append((0, Entity(kind, canon, surface, match.start(), match.end())))
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
    found.extend(_place_role_entities(text))
    found.extend(_organisation_patterns(text))

    found.sort(key=lambda pe: (pe[1].start, pe[0], -(pe[1].end - pe[1].start)))
    kept: list[Entity] = []
    for _priority, entity in found:
        # Role mentions ("Burgemeesters van Graz") may overlap the places inside them: both are useful.
        clash = any(
            entity.start < k.end and k.start < entity.end and (entity.kind == "role") == (k.kind == "role")
            for k in kept
        )
        if not clash:
            kept.append(entity)
    kept.sort(key=lambda e: (e.start, e.end))
    return kept


# --------------------------------------------------------------------------------------------- events

EVENT_WORDS: tuple[str, ...] = lexicons.words("event-words")
# Founding and joining: milestones of an organisation, not contacts (a briefing shows them only on that topic).
BACKGROUND_EVENTS = frozenset(lexicons.words("background-events"))
# Event words match as word starts, so "bezoeken", "conferenties" and "bijeenkomsten" count too.
_EVENT_RE = re.compile(rf"\b({lexicons.phrase_pattern(EVENT_WORDS)})\w*", re.IGNORECASE)
FUTURE_RE = re.compile(rf"\b(?:{lexicons.phrase_pattern(lexicons.words('future-cues'))})\b", re.IGNORECASE)
_YEAR_RE = re.compile(
    r"\b(?:in|sinds|vanaf|per|tot|begin|eind|medio|since|from)\s+((?:19|20)\d{2})\b(?![-–/]\d)", re.IGNORECASE
)
_MONTH_ONLY_RE = re.compile(
    rf"\b(?:in|vanaf|per|tot|eind|begin|medio)\s+({'|'.join(MONTHS['nl'])})\b(?!\s+\d)",
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
    # The longest mention wins where several overlap ("3 mei-5 mei 2019" over "5 mei 2019").
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def extract_events(text: str) -> list[Event]:
    """One event per sentence that holds an event word and a date (or future phrasing), in text order.

    The date is the first one in the sentence: Dutch sentences put the occasion's date up front ("Op 3 mei
    2019 waren ..."), and later dates are usually references."""
    events: list[Event] = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        word = _EVENT_RE.search(sentence)
        if word is None:
            continue
        future = bool(FUTURE_RE.search(sentence))
        # "twee weken voor de verkiezingen in maart 2025" dates something else than the occasion.
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
                kind=" ".join(word.group(1).lower().split()),
                sentence=sentence,
                future=future,
                when=first.surface if first else "",
            )
        )
    return events


# ------------------------------------------------------------------------------------------- counts

COUNT_NOUNS: tuple[str, ...] = lexicons.words("count-nouns")
_COUNT_RE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})*|\d+)\s+(" + "|".join(COUNT_NOUNS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Count:
    """ "12 landen": a number of something, as stated at `start:end`."""

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
