"""What kind of answer a question asks for, and whether a sentence holds one.

Classic question answering checks the expected answer type: "hoeveel" wants a number, "wanneer" a date,
"wat is het budget" an amount of money, "wie is de burgemeester van X" a person's name. The extractive
answerer uses this twice: a sentence that holds the asked-for kind of answer ranks higher, and when none of
the best sentences holds it, the documents do not answer the question even if they are on topic (a budget
that is never given, the mayor of a city whose mayor is never named). That is the case a similarity
threshold cannot separate, because the passages are about the right subject.

All functions are pure and language-light (Dutch and English question words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.core.lexicons import phrase_pattern, table, words
from assistant.core.text import MONTH_NAMES, MONTH_NUMBER, fold
from assistant.language.entities import PARTICLE, canonical
from assistant.language.entities import ROLE_WORDS as ENTITY_ROLES

Kind = Literal["money", "number", "date", "duration", "person", "name", "who", "place", "definition", "condition"]

_WORD = re.compile(r"[\w.'’-]+", re.UNICODE)

# --- question side ---------------------------------------------------------------------------------------

# Dutch money nouns also end a compound ("verblijfskosten", "projectbudget", "subsidiebedrag").
_MONEY_WORDS = re.compile(
    r"\b(?:\w*budget\w*|begroting\w*|\w*kosten|kost|kostte|gekost|\w*bedrag\w*|geld|financiering|\w*subsidie\w*"
    r"|investering\w*|euro|cost|costs|funding|money|price|prijs"
    # Levies, rates, premiums, wages, fees and fines are amounts of money too ("de afvalstoffenheffing").
    r"|\w*heffing\w*|tarief|tarieven|\w*premie\w*|salaris\w*|\w*vergoeding\w*|boete\w*|fee|fees|tax|taxes)\b"
)
_ASKS_AMOUNT = re.compile(
    r"\b(?:hoeveel|hoe groot|hoe hoog|how much|how high|wat (?:is|was|zijn|waren|kost|kostte|kosten|kostten)"
    r"|what (?:is|was|are|were)"
    r"|what did|welk|wat (?:heeft|hebben|had|hadden)\b(?=.*\bgekost\b))\b"
)
_ASKS_NUMBER = re.compile(r"\b(?:hoeveel|how many|how much)\b")
# "Hoe lang duurde …", "Voor hoeveel jaar …", "How long …": a length of time, a number with a unit of time.
# Each unit of time by its Dutch singular, with every name Dutch and English give it ("uur": uren, hour, hours).
TIME_UNIT_NAMES = table("time-units")
TIME_UNIT_OF = {name: unit for unit, names in TIME_UNIT_NAMES.items() for name in (unit, *names)}
TIME_UNITS = tuple(TIME_UNIT_OF)
_TIME_UNIT = phrase_pattern(TIME_UNITS)
_ASKS_DURATION = re.compile(
    rf"\b(?:hoe ?lang|how long|hoeveel tijd|how much time|(?:hoeveel|how many) (?:{_TIME_UNIT}))\b"
)
_ASKS_DATE = re.compile(
    r"\b(?:wanneer|when|(?:in |sinds )?(?:welk|what|which) jaar|what year|which year|(?:op )?welke datum"
    r"|(?:op|tussen|van) welke data|(?:which|what) dates?|since when)\b"
)
_ASKS_WHO = re.compile(r"(?:^|[.?!]\s*)(?:en\s+)?(?:wie|who)\b|\b(?:wie|who) (?:is|zijn|was|were|waren|werd|is de)\b")
# Roles whose holder a "who is the ... " question asks for by name: the entity extractor's roles, and the
# English and generic ones a question may use.
ROLE_WORDS = tuple(
    dict.fromkeys(
        [
            *ENTITY_ROLES,
            "director-general",
            "chair",
            "korpschef",
            "hoofdofficier",
            "ambassador",
            "president",
            "coordinator",
            "woordvoerder",
            "spokesperson",
        ]
    )
)
_ROLE_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(fold(r)) for r in sorted(ROLE_WORDS, key=len, reverse=True)) + r")s?\b"
)
# Verbs right after "hoeveel" ("Hoeveel kost …", "Hoeveel bedroegen …", "How much does …"), in every tense and
# number: nothing is counted.
# Auxiliaries too: "Hoeveel heeft … gekost?", "Hoeveel zijn er …?", "How many were …?"
_VERBS_AFTER_COUNT = frozenset(
    """kost kostte kosten kostten bedraagt bedroeg bedragen bedroegen does did is was are
    heeft hebben had hadden zijn waren werd werden wordt worden has have were""".split()  # noqa: SIM905
)
# Words after "hoeveel" that are not what is counted.
_NOT_COUNTED = frozenset(["extra", "meer", "nog", "verschillende", "andere", "de", "het", "een", "procent", "keer"])


@dataclass(frozen=True, slots=True)
class Expectation:
    """The kind of answer a question asks for. `counted`: the noun after "hoeveel" ("landen"), folded.
    `anchors`: names in a who-question that the answer must mention with the person ("Rotterdam")."""

    kind: Kind
    counted: str | None = None
    anchors: tuple[str, ...] = ()


def _anchors(question: str) -> tuple[str, ...]:
    """Proper names in the question: capitalised words that do not start it, and dotted names (safe.brussels)."""
    out: list[str] = []
    for i, match in enumerate(_WORD.finditer(question)):
        word = match.group().strip(".'’-")
        if not word:
            continue
        capitalised = word[0].isupper() and i > 0 and not _ROLE_RE.fullmatch(fold(word))
        dotted = "." in word and not word.endswith(".")
        if capitalised or dotted:
            out.append(fold(word))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=256)  # asked for once when scoring sentences and once when deciding to abstain
def expected_answer(question: str) -> Expectation | None:
    """What `question` asks for, or None when its form does not say (what/why/which-list questions)."""
    q = fold(question)
    number = _ASKS_NUMBER.search(q)
    counted = None
    if number:
        for word in _WORD.findall(q[number.end() :]):
            if word not in _NOT_COUNTED:
                counted = word
                break
    # "Hoeveel uur kost …" counts hours, whatever the verb: a counted noun that is no money word decides.
    counts_non_money = counted is not None and not _MONEY_WORDS.fullmatch(counted) and counted not in _VERBS_AFTER_COUNT
    if _MONEY_WORDS.search(q) and _ASKS_AMOUNT.search(q) and not counts_non_money:
        return Expectation("money")
    if _ASKS_DURATION.search(q):
        return Expectation("duration")
    if _ASKS_DATE.search(q):
        return Expectation("date")
    if number:
        return Expectation("number", counted=None if counted in _VERBS_AFTER_COUNT else counted)
    if _ASKS_WHO.search(q) and _ROLE_RE.search(q):
        return Expectation("person", anchors=_anchors(question))
    return None


# "Wat is het RSIV?", "Waar staat KIV voor?", "What does RIEC stand for?": the question is an abbreviation
# alone. Two capitals at least, so a name ("Wat is Oslo?") is not taken for one.
_ASKS_DEFINITION = re.compile(
    r"^\s*(?:wat\s+(?:is|zijn|betekent|was)|waar\s+staat|what\s+(?:is|are|does|was)|what's)\s+"
    r"(?:het\s+|de\s+|een\s+|the\s+|an?\s+)?(?P<abbr>[A-Za-z][A-Za-z0-9&-]{1,9})\s*"
    r"(?:voor|stand\s+for|mean)?\s*\??\s*$",
    re.IGNORECASE,
)


def _abbreviation(question: str) -> str | None:
    match = _ASKS_DEFINITION.match(question)
    if not match:
        return None
    abbr = match.group("abbr")
    return abbr if sum(ch.isupper() for ch in abbr) >= 2 else None


@lru_cache(maxsize=256)
def retrieval_expectation(question: str) -> Expectation | None:
    """What retrieval should prefer: `expected_answer`, and also the spelled-out form for a question about an
    abbreviation. The answerer does not decline on the latter (an abbreviation that the documents never spell
    out can still be described by them), so it is kept out of `expected_answer`."""
    found = expected_answer(question)
    if found is not None:
        return found
    abbr = _abbreviation(question)
    return Expectation("definition", anchors=(abbr,)) if abbr else None


def spells_out(text: str, abbreviation: str) -> bool:
    """Does `text` spell the abbreviation out: "Regionaal Bestuurlijk Overleg (RBO)", "RBO (Regionaal …)",
    "RBO staat voor …"?"""
    a = re.escape(abbreviation)
    return bool(
        re.search(rf"\(\s*{a}\s*\)", text, re.IGNORECASE)
        or re.search(rf"\b{a}\s*\(\s*[A-Z]", text)
        or re.search(rf"\b{a}\b,?\s+(?:staat voor|stands for|betekent|is short for)\b", text, re.IGNORECASE)
    )


# --- answer side -----------------------------------------------------------------------------------------

_MONEY = re.compile(r"€|\beur\b|\beuro'?s?\b|\bmiljoen\b|\bmiljard\b|\bmln\b|\bmld\b|\bduizend euro\b|\$|£")
NUMBER_WORDS = [
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
    "twintig",
    "dertig",
    "veertig",
    "vijftig",
    "zestig",
    "zeventig",
    "tachtig",
    "negentig",
    "honderd",
    "honderden",
    "duizend",
    "duizenden",
    "tientallen",
    "dozijn",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "dozens",
]
_NUMBER = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r")\b")
# "12 uur", "acht weken", "drie werkdagen", "14 days" (a number word or digits, then a unit of time).
DURATION = re.compile(
    r"(?:\b\d+(?:[.,]\d+)?|\b(?:" + "|".join(NUMBER_WORDS) + r"|een|één|a|an|half|anderhalf))\s*-?\s*"
    rf"(?:{_TIME_UNIT})\b",
    re.IGNORECASE,  # matches folded and original text alike, so a span can be read from either
)
_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b(?:" + "|".join(MONTH_NAMES) + r")\b")
_NAME_WORD = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
_PERSON = re.compile(rf"\b{_NAME_WORD}(?:\s+{PARTICLE})*\s+{_NAME_WORD}\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-zà-ÿ-]+\b")
# Initials belong to the name ("de heer P.J. Brinkman"), so the surname is not left behind.
# Academic and professional titles may follow ("de heer drs. ing. G.J. Braas"), and a surname may open with
# a particle ("de heer mr. J. de Vries").
_HONORIFIC = re.compile(
    r"\b(?i:mw\.|mevr\.|mevrouw|dhr\.|de heer|mr\.|mrs\.|ms\.|dr\.|prof\.)\s+"
    r"(?i:(?:drs|ing|ir|mr|dr|prof|bc)\.\s*)*(?:(?:[A-Z]\.)+\s*)?(?:(?:van|de|der|den|ter|ten)\s+)*[A-Z][\w'’-]+"
)


def _is_known_place_or_org(name: str) -> bool:
    # The entity gazetteer knows the places and networks of this domain ("Den Haag", "Strong Cities Network").
    found = canonical(name)
    return found is not None and found[0] != "person"


# Capitalised words that are never part of a person's name: pronouns and adverbs that open formal sentences
# ("Alzo Wij", "Onze Minister"), and the nouns of institutions ("Raad van State", "Binnenlandse Zaken").
# Not "De" or "Van": Flemish surnames start with them ("Ine Van Wymersch").
_NOT_NAME_WORDS = frozenset(
    """
    wij zij hij ik u uw onze ons hun haar zijn alzo zo aldus daarom voorts ook toen nu dan hier daar
    het een deze dit die dat op in voor bij met door na om over tot uit aan
    raad staat state staten generaal kamer zaken minister ministerie koning koningin majesteit rijk
    gemeente provincie college commissie directie dienst overheid regering kabinet wet besluit artikel
    """.split()  # noqa: SIM905
)
# Adjectives of place and kind ("Binnenlandse", "Nederlandse", "Belgische", "Europese"), not surnames.
_ADJECTIVE = re.compile(r"(?:se|sche|ische)$")


def _name_like(word: str) -> bool:
    folded = fold(word)
    return folded not in _NOT_NAME_WORDS and not _ADJECTIVE.search(folded)


def person_names(text: str) -> list[str]:
    """Spans that look like a person's name: an honorific with a name, or two capitalised words (with an
    optional particle) that are neither a role, a known place or organisation, nor the start of a sentence
    made of ordinary capitalised words."""
    names = [m.group() for m in _HONORIFIC.finditer(text)]
    # A role opening a sentence ("Burgemeester Ahmed Aboutaleb …") would pair with the given name and hide the
    # name itself: roles are lowered first.
    lowered = _CAPITALISED.sub(lambda m: m.group().lower() if _ROLE_RE.fullmatch(fold(m.group())) else m.group(), text)
    # Offsets into `text` hold for `lowered` unless lower-casing changed a length: then the two checks that read
    # `text` around a match are off.
    aligned = len(lowered) == len(text)
    titles = _title_runs(text) if aligned else []
    for match in _PERSON.finditer(lowered):
        span = match.group()
        words = span.split()
        if any(_ROLE_RE.fullmatch(fold(w)) for w in words):
            continue
        if not all(_name_like(w) for w in words if w[:1].isupper()):
            continue
        if _is_known_place_or_org(span) or any(_is_known_place_or_org(w) for w in words if len(w) > 3):
            continue
        if any(_is_known_place_or_org(" ".join(words[i:])) for i in range(1, len(words) - 1)):
            continue  # "Eenheid Den Haag": a unit named after a place ends in the place's name
        if any(_ORGANISATION_KIND.match(fold(w)) for w in words):
            continue  # "De Vereniging", "Het Bureau": a kind of organisation opening a line, not a person
        gap = text[match.end() : match.end() + 1] if aligned else ""
        after = _CAPITALISED.match(text, match.end() + 1) if gap in (" ", "\t") else None
        if after and _ROLE_RE.fullmatch(fold(after.group())):
            continue  # "Chief Information Officer": capitalised words before a role's name are the role's title
        if any(start < match.end() and match.start() < end for start, end in titles):
            continue  # inside "European Data Protection Board": the name of a thing, not of a person
        if _ADDRESS_AFTER.match(lowered, match.end()):
            continue  # "Zwarte Woud 2, 3524 SJ Utrecht": a street with its house number, not a person
        names.append(span)
    return names


_TITLE_RUN = re.compile(r"\b[A-Z][a-zà-ÿ-]+(?:\s+[A-Z][a-zà-ÿ-]+)+")
_PARTICLE_WORD = re.compile(rf"{PARTICLE}", re.IGNORECASE)


def _title_runs(text: str) -> list[tuple[int, int]]:
    """Runs of four or more capitalised words, particles not counted: names of things ("Data Protection Impact
    Assessment", "European Data Protection Board"), longer than a person's name ("Ine Van Den Broeck": three)."""
    return [
        m.span()
        for m in _TITLE_RUN.finditer(text)
        if sum(1 for w in m.group().split() if not _PARTICLE_WORD.fullmatch(w)) >= 4
    ]


# A house number (with an optional letter) then a comma, a postcode or a closing bracket: the name before it
# is a street. Dutch postcodes are four digits and two capitals (PostNL); Belgian ones four digits.
_ADDRESS_AFTER = re.compile(r"\s+\d{1,5}\s?[a-zA-Z]?(?:\s*[,)]|\s+\d{4}(?:\s?[A-Z]{2})?\b)")


def _folded_words(text: str) -> set[str]:
    return {w.strip(".'’-") for w in _WORD.findall(fold(text))}


def satisfies(text: str, expectation: Expectation) -> bool:
    """Does `text` hold the kind of answer expected?"""
    folded = fold(text)
    if expectation.kind == "money":
        return bool(_MONEY.search(folded))
    if expectation.kind == "date":
        return bool(_DATE.search(folded))
    if expectation.kind == "number":
        return bool(_NUMBER.search(folded))
    if expectation.kind == "duration":
        return bool(DURATION.search(folded))
    if expectation.kind == "definition":
        return any(spells_out(text, a) for a in expectation.anchors)
    if expectation.kind == "condition":
        return states_condition(text) or bool(_DATE.search(folded))
    if expectation.kind in ("name", "who"):
        # A person's or organisation's name that the question does not itself name; for "wie …", a person
        # described by a role ("de burgemeester en haar adviseur") answers too.
        asked = set(expectation.anchors)
        proper = [m.group() for m in _PROPER_NAME.finditer(text)]
        if expectation.kind == "name":  # "Hoe heet …": a full name, not an abbreviation or a lone word
            proper = [n for n in proper if " " in n]
        names = [*person_names(text), *proper]
        if any(fold(n) not in asked and not any(fold(n) in a or a in fold(n) for a in asked) for n in names):
            return True
        return expectation.kind == "who" and bool(_ROLE_RE.search(folded))
    # person: a name, and the names the question ties the role to ("van Rotterdam") in the same sentence.
    if not person_names(text):
        return False
    words = _folded_words(text)
    return all(any(w.startswith(a[:6]) for w in words) for a in expectation.anchors)


# --- answering side: the value itself ------------------------------------------------------------------
#
# `satisfies` is retrieval's cue: a passage that *can* hold the kind of answer. Deciding whether the passages
# answer needs the value itself, one the question does not already give: "Hoeveel gasten …" is not answered by
# "14 maart 2021" or "artikel 12.3", "Op welke datum …" not by a bare year, "Wie heeft de klacht over wethouder
# Brinkman onderzocht?" not by "wethouder Brinkman". `holds_answer` is that stricter check.

# A number standing on its own: not glued to letters, slashes or codes ("BX21.04417", "317/ADM-C", "H2O-3").
_COUNT = re.compile(r"(?<![\w/.,-])\d+(?:[.,]\d+)*(?![\w/-]|[.,]\d)")
# Numbers that point at something rather than count it ("artikel 12.3", "punt 7", "versie 3", "pagina 4").
_REFERENCE_BEFORE = re.compile(
    r"\b(?:artikel|art|punt|agendapunt|lid|paragraaf|par|hoofdstuk|bijlage|nummer|nr|pagina|blz|versie"
    r"|article|section|chapter|annex|page|version|figuur|tabel|figure|table|stap|step|fase|phase)\.?\s*$"
)
# "6 mei", "6 en 19 mei", "3-5 juni", "21/9/2020"
_DAY_MONTH = re.compile(
    r"\b\d{1,2}(?:\s*(?:,|-|en|and|t/m|tot)\s*\d{1,2})*\s+(?:" + "|".join(MONTH_NAMES) + r")\b"
    r"|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"
    # English writes the month first: "July 9th", "August 25, 2020".
    r"|\b(?:" + "|".join(MONTH_NAMES) + r")\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\d)"
)
# "Op / per / van / sinds welke datum …", "Op welke data …", "On which date …": a day answers, a year or a month
# alone does not.
_ASKS_DAY = re.compile(r"\b(?:welke (?:datum|data)|op welke dag|(?:which|what) (?:dates?|day)|de datum)\b")
# "In welk jaar …", "Sinds welk jaar …", "In which year …": a year answers, a month or a day alone does not.
_ASKS_YEAR = re.compile(r"\b(?:welk jaar|(?:which|what) year)\b")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def date_precision(question: str) -> Literal["day", "year", "any"]:
    """How precise a date must be to answer `question`: a day for "op welke datum", a year for "in welk jaar"."""
    asked = fold(question)
    return "day" if _ASKS_DAY.search(asked) else "year" if _ASKS_YEAR.search(asked) else "any"


_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\b")


# A person named by what they do, after a determiner: Dutch person nouns with agentive suffixes ("de portier",
# "een medewerker", "de beheerder", "de adviseur", "de ambtenaar", "de specialist"; ANS § 13.2.3, persoonsnamen
# op -er, -aar, -ier, -eur, -ist, -ant, -ent, -ster, -trice) and English agent nouns ("the caretaker", "an
# officer"). Neuter "het" nouns are never persons in Dutch, so "het" is not among the determiners.
_AGENT_NOUN = re.compile(
    r"\b(?:de|een|onze|hun|the|a|an|our|their)\s+(?:\w+\s+)?"
    r"(\w{3,}(?:er|aar|ier|eur|ist|ant|ent|ster|trice|or|ian|man|vrouw))\b"
)


_NUMBER_WORD_SET = frozenset(NUMBER_WORDS)


def _count_spans(text: str) -> list[str]:
    """Numbers in `text` that count or measure something: not dates, years, times of day, list numbering or
    references; number words ("drie") count too."""
    folded = fold(text)
    masked = _DAY_MONTH.sub(" ", folded)
    masked = _CLOCK.sub(" ", masked)
    out: list[str] = []
    for match in _COUNT.finditer(masked):
        value = match.group()
        line_start = masked.rfind("\n", 0, match.start()) + 1
        before = masked[line_start : match.start()]
        if not before.strip() and (masked[match.end() : match.end() + 1] in (".", ")") or "." in value):
            continue  # numbering: "15. Onderzoeksvoorstel …", "3) …", "1.1 De minister …"
        if _REFERENCE_BEFORE.search(before):
            continue
        if re.fullmatch(r"(?:1[89]|20)\d\d", value):
            continue  # a year, not a count
        out.append(value)
    out.extend(w for w in _WORD.findall(masked) if w in _NUMBER_WORD_SET)
    return out


@lru_cache(maxsize=256)
def _given(question: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """What `question` itself gives, computed once for all the units it is checked against: its folded text,
    its numbers (digits and number words) and its folded words."""
    asked = fold(question)
    numbers = frozenset(re.findall(r"\d+(?:[.,]\d+)*", asked)) | (frozenset(_WORD.findall(asked)) & _NUMBER_WORD_SET)
    return asked, numbers, frozenset(_folded_words(question))


def holds_answer(text: str, expectation: Expectation, question: str) -> bool:
    """Does `text` hold a value of the kind `question` asks for, other than the ones the question gives?"""
    asked, numbers, given = _given(question)
    if expectation.kind == "condition":
        # "Wanneer wordt …?" is answered by a date as well as by a condition.
        when = _WHEN_PASSIVE.search(asked) is not None
        return states_condition(text) or (when and holds_answer(text, Expectation("date"), question))
    if expectation.kind == "number":
        return any(v not in numbers for v in _count_spans(text))
    if expectation.kind == "date":
        folded = fold(text)
        precision = date_precision(question)
        pattern = _DAY_MONTH if precision == "day" else _YEAR if precision == "year" else _DATE
        return any(m.group() not in asked for m in pattern.finditer(folded))
    if expectation.kind in ("who", "name", "person", "place"):

        def fresh(name: str) -> bool:  # a name the question does not itself give ("wethouder Brinkman")
            # "G.K.Visser" is the "wethouder Visser" of the question: initials glued by dots are split off.
            capitals = {fold(w.strip("'’-")) for w in re.split(r"[\s.]+", name) if w[:1].isupper()}
            return not capitals & given

        if expectation.kind == "place":  # a name the question does not give; no person is a place
            unpeopled = text
            for person in person_names(text):
                unpeopled = unpeopled.replace(person, " " * len(person))
            return any(fresh(m.group()) for m in _PROPER_NAME.finditer(unpeopled))
        persons = [n for n in person_names(text) if fresh(n)]
        if expectation.kind == "person":
            return bool(persons) and satisfies(text, expectation)
        proper = [m.group() for m in _PROPER_NAME.finditer(text)]
        if expectation.kind == "name":  # "Hoe heet …": a full name, not an abbreviation or a lone word
            proper = [n for n in proper if " " in n]
        if persons or any(fresh(n) for n in proper):
            return True
        folded = fold(text)
        roles = {m.group().rstrip("s") for m in _ROLE_RE.finditer(folded)}
        roles |= {m.group(1) for m in _AGENT_NOUN.finditer(folded)}
        return expectation.kind == "who" and bool(roles - given)
    return satisfies(text, expectation)


# An organisation or person written as a name: an acronym ("NFIR", "CIBG"), two or more capitalised words
# ("Jansen & Partners", "Noord Data Services"), or one capitalised word inside a sentence ("door Tennet").
_PROPER_NAME = re.compile(
    r"\b[A-Z][A-Z0-9&]{2,}\b|\b[A-Z][\w'’&.-]+(?:\s+(?:&\s+)?[A-Z][\w'’&.-]+)+|(?<=[a-z,;:] )[A-Z][\w'’&.-]+"
)
# "Wat is de (voor)naam van …", "What was the full name of …" ask for a name as "hoe heet" does.
_NAME_NOUN = (
    r"\b(?:wat|welke?)\s+(?:is|was|zijn|waren)\s+(?:de|zijn|haar|hun)\s+(?:volledige\s+|officiele\s+)?"
    r"(?:voor|achter|familie|bij)?na(?:a)?m(?:en)?\b"
    r"|\bwhat\s+(?:is|was|are|were)\s+(?:the|his|her|their|its)\s+(?:full\s+|official\s+)?"
    r"(?:first\s+|last\s+|given\s+|family\s+|sur)?names?\b"
)
_ASKS_NAME = re.compile(
    r"^\s*(?:en\s+)?(?:wie|who)\b|\bhoe (?:heet|heette|heten)\b|\bdoor wie\b|\bby whom\b|" + _NAME_NOUN
)


# "Welk advocatenkantoor …", "Welke bedrijven …", "Which third-party authentication provider …": a noun for
# a kind of organisation among the three words after the interrogative; Dutch compounds end in one.
ORGANISATION_KINDS = words("organisation-kinds")
_ORGANISATION_KIND = re.compile(
    r"^[\w'’-]*(?:" + "|".join(re.escape(w) for w in sorted(ORGANISATION_KINDS, key=len, reverse=True)) + r")$"
)
_WHICH = re.compile(r"\b(welke|welk|which|what)\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)")
_FUNCTION_WORDS = frozenset(words("stopwords"))


# A company named with its legal form ("Jansen & De Wit Advocaten N.V.", "Noord Data BV", "Apple Inc."): up to
# five capitalised words (with "&", "van", "de") before a legal form of `legal-forms.txt`.
_LEGAL_FORMS = sorted({re.sub(r"[.\s]", "", f) for f in words("legal-forms")}, key=len, reverse=True)
_COMPANY = re.compile(
    r"\b((?:[A-Z][\w'’&-]*|&|van|de|der|den)(?:\s+(?:[A-Z][\w'’&-]*|&|van|de|der|den)){0,5}?)\s+(?:"
    + "|".join(r"\.?".join(re.escape(ch) for ch in form) + r"\.?" for form in _LEGAL_FORMS)
    + r")(?=[\s,;:)]|$)"
)


def company_names(text: str) -> list[str]:
    """Companies named with their legal form in `text`, each name without its form ("Noord Data" for
    "Noord Data B.V.")."""
    names = []
    for match in _COMPANY.finditer(text):
        tokens = match.group(1).split()
        while tokens and fold(tokens[0]) in _FUNCTION_WORDS:  # "Een BV", "De AG": no name
            tokens = tokens[1:]
        if tokens and tokens[0][:1].isupper():
            names.append(" ".join(tokens))
    return names


def asks_organisation(question: str) -> bool:
    """Does `question` ask which organisation ("welk bureau", "which providers")? The noun follows the
    interrogative directly or after modifiers: in Dutch one inflected adjective ("welke externe partij",
    "welk Nederlands bedrijf"), in English up to two words that are no function words ("which third-party
    authentication provider", not "which role does the provider")."""
    for match in _WHICH.finditer(fold(question)):
        tokens = match.group(2).split()
        for i, token in enumerate(tokens):
            if not _ORGANISATION_KIND.match(token):
                continue
            before = tokens[:i]
            if match.group(1).startswith("welk"):
                modifiers = len(before) <= 1 and all(w.endswith(("e", "s")) for w in before)
            else:
                modifiers = not any(w in _FUNCTION_WORDS for w in before)
            if modifiers:
                return True
    return False


# "In welke stad …", "Welke landen …", "Which countries …": a kind of place after the interrogative, so the
# answer is a place's name. Only direct kinds: "welke gemeentelijke afdeling" is no place.
PLACE_KINDS = words("place-kinds")
_PLACE_KIND = re.compile(
    r"\b(?:welke|welk|which|what)\s+(?:(?:andere|other)\s+)?(?:"
    + "|".join(re.escape(w) for w in sorted(PLACE_KINDS, key=len, reverse=True))
    + r")\b"
)


def asks_place(question: str) -> bool:
    """Does `question` ask which place ("in welke stad", "which countries")?"""
    return bool(_PLACE_KIND.search(fold(question)))


# "Onder welke voorwaarden …", "In welke gevallen …", "Under what circumstances …": the answer is a condition.
# "Wanneer wordt X gedeactiveerd?" (a present passive) asks for a condition or a date alike: a rule of a policy
# ("als …") answers it as well as a day does.
_ASKS_CONDITION = re.compile(
    r"\b(?:onder welke (?:omstandighe\w*|voorwaarde\w*|condities?)|in welke? (?:geval|gevallen|situaties?)"
    r"|under (?:what|which) (?:circumstances?|conditions?)"
    r"|in (?:what|which) (?:cases?|situations?|circumstances?)|on what conditions?"
    r"|(?:wat|welke) zijn de voorwaarden|what are the conditions)\b"
)
_WHEN_PASSIVE = re.compile(r"^\s*(?:en\s+)?wanneer\s+(?:wordt|worden)\b")
# A conditional clause (ANS: onderschikkende voegwoorden van voorwaarde; the English ones of the same sense).
# "als" and "wanneer" also compare ("zowel … als", "net als") and ask indirectly ("bepalen wanneer de app …"):
# "als" counts with a subject or "uit" after it, "wanneer" never.
_CONDITION = re.compile(
    r"\b(?:indien|mits|tenzij|zodra|zolang|ingeval|in geval van|in het geval dat|op voorwaarde dat"
    r"|onder voorwaarde dat|if|unless|provided that|as long as|in case|only when|only if)\b"
)
_IF_ALS = re.compile(r"(?<!net )(?<!zoals )\bals\s+(?:de|het|een|er|deze|dit|dat|zij|hij|ze|we|wij|men|u|uit|iemand)\b")


def asks_condition(question: str) -> bool:
    """Does `question` ask under which condition something holds or happens (see `_ASKS_CONDITION`)?"""
    folded = fold(question)
    return bool(_ASKS_CONDITION.search(folded) or _WHEN_PASSIVE.search(folded))


def states_condition(text: str) -> bool:
    """Does `text` state a condition (a conditional clause, see `_CONDITION`)?"""
    folded = fold(text)
    if _CONDITION.search(folded):
        return True
    # "zowel de burgemeester als de raad": "als" after "zowel" in the same sentence joins, it does not condition.
    return any("zowel" not in re.split(r"[.!?;]", folded[: m.start()])[-1] for m in _IF_ALS.finditer(folded))


PERSON_KINDS = words("person-kinds")
_PERSON_KIND = re.compile(
    r"\b(?:(?:welke|welk|which|what)\s+(?:[\w'’-]+\s+)?"
    r"|(?:wie|who)\s+(?:waren|zijn|was|is|were|are)\s+(?:de|het|the)\s+(?:[\w'’-]+\s+)?)(?:"
    + "|".join(re.escape(w) for w in sorted(PERSON_KINDS, key=len, reverse=True))
    + r")\b"
)


def asks_person_kind(question: str) -> bool:
    """Does `question` ask which person by a noun for a kind of person ("Welke medewerker …", "Wie waren de
    twee personen …", "Which officials …")? Then a person's name answers it, not an organisation or a place."""
    return _PERSON_KIND.search(fold(question)) is not None


def name_expectation(question: str) -> Expectation | None:
    """A who-question without a role ("Wie leidde de evaluatie?", "Hoe heet de projectleider?") or a which-
    organisation question ("Welk bureau deed het onderzoek?"): the answer is a person's or organisation's
    name. Used by answering (abstention), not by retrieval's preference."""
    folded = fold(question)
    if asks_place(question):
        return Expectation("place", anchors=_anchors(question))
    if asks_person_kind(question):
        return Expectation("person")  # a person's name; the sentence need not repeat what the question names
    if not _ASKS_NAME.search(folded):
        if asks_organisation(question):
            return Expectation("who", anchors=_anchors(question))
        return None
    strict = bool(re.search(r"\bhoe (?:heet|heette|heten)\b|" + _NAME_NOUN, folded))
    return Expectation("name" if strict else "who", anchors=_anchors(question))


def direct_answer(text: str, expectation: Expectation) -> bool:
    """A number next to the counted noun ("16 landen", "700 deelnemers"): the sentence states the answer."""
    if expectation.kind != "number" or not expectation.counted:
        return False
    stem = expectation.counted[:5]
    words = _WORD.findall(fold(text))
    for i, word in enumerate(words):
        if (word.isdigit() or word in NUMBER_WORDS) and any(w.startswith(stem) for w in words[i + 1 : i + 4]):
            return True
    return False


_MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTH_NAMES) + r")\s+((?:19|20)\d\d)\b")


def _month_years(text: str) -> set[tuple[int, int]]:
    return {(int(y), MONTH_NUMBER[m]) for m, y in _MONTH_YEAR.findall(fold(text))}


def contradicts_date(question: str, text: str, document_date: str | None = None) -> bool:
    """True when the question names a month ("in maart 2024") and `text` dates itself in another month of the
    same year ("30 mei 2024"): it is about a different event, however similar its words. Not when `text` comes
    from a document of the asked month (ISO `document_date`): the minutes of the 29 June meeting may say that a
    decision takes effect on 9 July."""
    asked = _month_years(question)
    if not asked:
        return False
    month = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", document_date or "")
    if month and (int(month.group(1)), int(month.group(2))) in asked:
        return False
    stated = _month_years(text)
    asked_years = {y for y, _ in asked}
    same_year = {ym for ym in stated if ym[0] in asked_years}
    return bool(same_year) and not (same_year & asked)
