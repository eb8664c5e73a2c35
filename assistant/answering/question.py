"""One analysis of the question, computed once and used by retrieval hints, answer selection and abstention.

`analyse(question)` is pure and cached. It reads only the question's form, never a document:

* `language`: 'en' or 'nl' by function words (the documents are mostly Dutch; an English question gets an
  English frame, never a refusal for its language);
* `content`: the content stems (accent-folded, stopwords removed, 6-letter prefixes), what the question is
  about;
* `anchors`: the specific things the question pins the answer to: years and dates, other numbers, and names
  (capitalised words that do not open the question, acronyms, words with an inner capital or digit such as
  "WhatsApp" or "data.europa"). An answer to "Wie bezocht Oslo in 2019?" must come from text that
  mentions 2019: when no retrieved passage holds a required anchor, the documents do not answer;
* `expectation`: the kind of answer its form asks for (assistant/language/answertype.py: date, number, money, person;
  a name for a who-question without a role)
  and `yes_no` for a question opening with a finite verb ("Is …", "Heeft …", "Does …");
* `wants_list`: whether it asks for several things ("Welke …", "Noem …", "Zet op een rij", "Which …"),
  so the answer may quote more;
* `overview`: whether it asks for an overview of what the documents say ("Geef een overzicht van …", "Wat
  zeggen de stukken over …", "Give an overview of …"): a list question whose answer reads and quotes more;
* `refers_back`: whether it leans on the conversation ("En wie waren daar?", "Kan zo'n beurs …");
* `asks_reason`: whether it asks why ("Waarom …", "Om welke reden …", "Why …"): a sentence that gives a reason
  (a causal connective) is then preferred, as a value of the asked-for kind is for a typed question;
* `focus`: the noun that names the class of the answer ("In welke vier *soorten* …", "Which *agencies* …").
  Documents list the members without naming their class, so the focus is not a word the passages must hold.

`question_parts(question)` splits a question that asks two things ("Wie schreef het, en van wanneer is het?")
into parts the answerer answers one by one; a part that leans on the one before it carries that part's
content words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.core.text import STOPWORDS_EN, STOPWORDS_NL, Language, detect_language, fold
from assistant.language.answertype import (
    NUMBER_WORDS,
    ROLE_WORDS,
    Expectation,
    asks_condition,
    expected_answer,
    name_expectation,
)
from assistant.language.discourse import PRONOMINAL_ADVERB, asks_reason

AnchorKind = Literal["year", "number", "name"]

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"[\w][\w.'’&/-]*", re.UNICODE)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The shared stop words (assistant/core/text.py) plus more closed-class words (pronouns, prepositions, question
# words) and the words people use to point at the archive itself ("documenten", "volgens"). What remains of
# a question is what it is about.
STOP_NL = (
    STOPWORDS_NL
    | _wordset(
        """welk welke waar wanneer hoeveel waarom wij we jij onze tijdens sinds tussen via per zoals volgens geef
    noem graag documenten document bronnen bron tekst staat staan stond stonden eigenlijk precies gewoon
    daarvan daarbij daarna daarover zo'n welks wel jullie hen"""
    )
    | _wordset(
        # The modal auxiliaries in every form (ANS: kunnen, moeten, mogen, willen, zullen, hoeven); the Snowball
        # list has some of their forms ("kan", "moet", "zal") but not the others ("mag", "mochten", "hoeft").
        """kan kon konden kunnen kunt mag mogen mocht mochten moet moeten moest moesten wil wilt willen wilde wilden
    zal zult zullen zou zouden hoeft hoeven hoefde hoefden"""
    )
    | _wordset(
        # The frame of a wh-question, not its subject: "gaan" as the auxiliary of the future ("Wat gaat er
        # … gebeuren?") and the pro-verbs "gebeuren" and "doen" ("Wat is er gebeurd?", "Wat doet X?"), in
        # every form (ANS: gaan + infinitive; doen as a pro-verb). Passages name the event itself.
        """ga gaat gaan ging gingen gegaan gebeurt gebeuren gebeurde gebeurden gebeurd doe doet doen deed deden
    gedaan"""
    )
)
# Of the shared English list only words of three letters or more: the two-letter function words that matter
# are listed here; the others ("am", "if", "up") in capitals may be an acronym the question is about.
STOP_EN = frozenset(w for w in STOPWORDS_EN if len(w) > 2) | _wordset(
    """the a an and or in on at of for with by from about to into is are was were be been being has have
    had do does did that this these those what who whom which where when how why not no also as than
    then but so it its they them their he she his her we our you your i my can could will would shall
    should may might must there here during between according documents document text sources source
    mentioned give list name tell many much more else other happen happens happened"""
)
# Question openers of a yes/no question: a finite verb first.
_YES_NO_OPENERS = _wordset(
    """is zijn was waren heeft hebben had hadden kan kunnen kon konden mag mogen moet moeten wordt worden werd
    werden zal zullen zou zouden gaat gaan bestaat staat klopt geldt valt
    are was were does do did has have had can could may might must should will would shall"""
)
# Openers of a question asking for several things.
_LIST_CUES = re.compile(
    r"^\s*(?:noem|geef|wat zijn|wat waren|what are|what were|list|name)\b|\bop een rij\b|\boverzicht\b"
    r"|\b(?:alle|welke)\b.*\b(?:en|of)\s+(?:door\s+)?(?:wie|wat|welke)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_ROLE_FOLDED = frozenset(fold(r) for r in ROLE_WORDS)
_REFERS_BACK_OPENERS = re.compile(r"^(?:en|of|maar|ook|and|but|also|what about|how about)\b", re.IGNORECASE)
# Pronominal adverbs ("daarvan", "eraan", `assistant.language.discourse.PRONOMINAL_ADVERB`) point at
# something said before; after an opening "En"/"Maar" they point at the previous turn.
_PRONOMINAL_ADVERB = re.compile(rf"\b{PRONOMINAL_ADVERB}\b", re.IGNORECASE)
_ANAPHORA = re.compile(
    r"\b(?:daar|daarbij|daarvan|daarover|daarin|daarna|dat|die|deze|dit|zo'n|zulke|hij|zij|ze|hen|hun|het"
    r"|there|they|them|their|it|that|those|such)\b",
    re.IGNORECASE,
)


def stem(word: str) -> str:
    """A crude, language-light stem: a 6-letter prefix (also bridges Dutch/English cognates such as
    conferentie/conference); Dutch past participles ("georganiseerd") meet their verb without "ge-"."""
    if word.startswith("ge") and len(word) > 7:
        word = word[2:]
    # Dutch plurals whose stem ends in s or f voice it (ANS 3.3: "reis / reizen", "brief / brieven").
    if len(word) >= 6 and word.endswith(("zen", "ven")):
        word = word[:-3] + ("s" if word.endswith("zen") else "f")
    return word[:6]


def content_stems(text: str) -> list[str]:
    """Content words of `text`, folded and stemmed, in order, without repeats."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word in STOP_NL or word in STOP_EN or (len(word) < 3 and not word.isdigit()):
            continue
        s = stem(word)
        if s not in out:
            out.append(s)
    return out


@dataclass(frozen=True, slots=True)
class Anchor:
    """Something specific the question names. `text` as written, `key` folded for matching."""

    kind: AnchorKind
    text: str
    key: str


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    text: str
    language: Language
    content: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    expectation: Expectation | None
    yes_no: bool
    wants_list: bool
    refers_back: bool
    focus: tuple[str, ...] = ()
    asks_reason: bool = False
    overview: bool = False

    @property
    def kind(self) -> str:
        """A short label of the answer sought: 'date', 'number', 'money', 'person', 'yes/no', 'list', 'open'."""
        if self.expectation is not None:
            return self.expectation.kind
        if self.yes_no:
            return "yes/no"
        return "list" if self.wants_list else "open"


def _name_token(token: str, position: int) -> bool:
    """A token that names something: an acronym (two capitals), an inner capital or digit ("WhatsApp",
    "KNMI-data", "H2"), a dotted name ("data.europa"), or a capitalised word that does not open the question."""
    bare = token.strip(".'’-/&")
    if len(bare) < 2 or not any(ch.isalpha() for ch in bare):
        return False
    folded = fold(bare)
    if folded in STOP_NL or folded in STOP_EN or folded in _ROLE_FOLDED:
        return False
    capitals = sum(ch.isupper() for ch in bare)
    if capitals >= 2 or ("." in bare and not bare.endswith(".")):
        return True
    if bare[0].isupper() and any(ch.isdigit() for ch in bare):
        return True
    return bare[0].isupper() and position > 0


def question_anchors(question: str) -> tuple[Anchor, ...]:
    """Years, numbers and names in the question (see the module docstring). Consecutive name tokens form one
    name ("Den Helder", "Raad van State" keeps its parts as one anchor when joined by a particle)."""
    anchors: list[Anchor] = []
    tokens = list(_TOKEN.finditer(question))
    run: list[str] = []

    def flush() -> None:
        if run:
            text = " ".join(run)
            anchors.append(Anchor("name", text, fold(text)))
            run.clear()

    for position, match in enumerate(tokens):
        # "Germany's" names Germany; a Dutch plural of an abbreviation takes 's or 'en ("GGD'en", "BOA's",
        # Taalunie spelling rules), and the passages may write the singular or another apostrophe.
        token = re.sub(r"['’](?:s|en)$", "", match.group().rstrip(".,;:?!'’"))
        if _YEAR.match(token):
            flush()
            anchors.append(Anchor("year", token, token))
        elif _NUMBER.match(token):
            flush()
            anchors.append(Anchor("number", token, token))
        elif _name_token(token, position):
            run.append(token)
        else:
            flush()
    flush()
    seen: set[tuple[str, str]] = set()
    unique = []
    for anchor in anchors:
        if (anchor.kind, anchor.key) not in seen:
            seen.add((anchor.kind, anchor.key))
            unique.append(anchor)
    return tuple(unique)


_WHICH = re.compile(
    r"\b(?:welke|which|what)\s+(?:(?:twee|drie|vier|vijf|zes|\d+|two|three|four|five|six)\s+)?(\w+(?:['’]s)?)"
    r"(?:\s+(\w+(?:['’]s)?))?",
    re.I,
)
# "welke vijf …", "which three …": a count after the interrogative asks for that many things.
_WHICH_COUNT = re.compile(r"\b(?:welke|which|what)\s+(?:[2-9]|\d\d+|" + "|".join(NUMBER_WORDS) + r")\s+\w", re.I)


def wants_list(question: str) -> bool:
    """Does the question ask for several things: a list cue ("Noem …", "Zet op een rij", "What are …"), or
    "welke"/"which" before a plural noun ("Welke fasen …", "Which cities …")?"""
    if _LIST_CUES.search(question) or _WHICH_COUNT.search(question):
        return True
    for match in _WHICH.finditer(question):
        words = [w.lower() for w in match.groups() if w]
        # A Dutch inflected adjective ("welke internationale netwerken") stands before the noun.
        if len(words) == 2 and words[0].endswith("e") and words[1] not in STOP_NL:
            words = words[1:]
        word = words[0]
        if word in STOP_NL or word in STOP_EN or len(word) < 4:
            continue
        if word.endswith(("en", "s", "'s", "’s", "ies")) and not word.endswith(("ss", "us", "is")):
            return True
    return False


def refers_back(question: str) -> bool:
    """Does the question lean on an earlier turn? Few content words, or an opener/pronoun that points back
    with few content words of its own ("En wie waren daar?", "Kan zo'n beurs niet verboden worden?")."""
    content = content_stems(question)
    lowered = question.strip()
    opener = bool(_REFERS_BACK_OPENERS.match(lowered))
    pointing = opener or bool(_ANAPHORA.search(lowered))
    if len(content) == 1 and not opener and _names_its_subject(lowered):
        return False  # "Wat is het RIEC?" is short but says what it is about
    # "En op welke afspraken met de provincie was het ontwerp daarvan gebaseerd?" has words enough of its own, but
    # an opening conjunction with a pronominal adverb cannot stand alone.
    return len(content) < 2 or (pointing and len(content) < 4) or (opener and bool(_PRONOMINAL_ADVERB.search(lowered)))


def _names_its_subject(question: str) -> bool:
    """The question names what it asks about (an acronym, a capitalised name: `question_anchors`) and points
    back with no word but the article "het" ("Wat is het RIEC?", "What is EFUS?"; not "Wat doet het RIEC
    daar?")."""
    named = any(anchor.kind == "name" for anchor in question_anchors(question))
    return named and all(m.group().lower() == "het" for m in _ANAPHORA.finditer(question))


# Words that make up the question's form rather than its subject: "hoe lang duurde …" asks for a duration,
# and the answer ("12 uur") need not repeat them (Dutch and English grammar: "duren" and "to last").
_QUESTION_FORM = re.compile(
    r"\b(?:hoe ?lang|how long|duurt|duurde|duurden|duren|geduurd|lasts|lasted)\b"
    # the frame of a question that checks a claim: "Klopt het dat …", "Is het waar dat …", "Is it true that …"
    r"|\b(?:klopt het|klopt dat|is het (?:waar|juist)|is it (?:true|correct))\b",
    re.IGNORECASE,
)

# The instruction around a request for an overview ("Zet de afspraken op een rij", "Geef een overzicht van wat
# de stukken vermelden over …", "Summarise what the reports say about …"): its words are not what the passages
# must be about.
_INSTRUCTION_FORM = re.compile(
    r"\bzet\b(?=.*\bop een rij\b)|\bop een rij\b|\boverzicht\b|\boverview\b|\bsummari[sz]e\b|\bsamenvatting\b"
    r"|\b(?:zeggen|zegt|vermelden|vermeldt|say|says|mention)\b(?=(?:\s+[\w'’-]+){0,3}?\s+(?:over|about)\b)",
    re.IGNORECASE,
)


def asks_overview(question: str) -> bool:
    """Does the question ask for an overview of what the documents say ("Zet op een rij wat de stukken zeggen
    over …", "Geef een overzicht van …", "Summarise what the reports say about …")? Such a request wants breadth:
    the answer reads more passages and quotes more units (docs/answers.md, stop 40)."""
    return _INSTRUCTION_FORM.search(question) is not None


# Interrogatives and yes/no openers that start a second question inside one ("…, en wie …", "…, and was it …"),
# with at most one preposition before them ("…, en van wanneer is …").
_INTERROGATIVES = (
    "wie|wat|wanneer|waar|waarom|hoe|hoeveel|hoelang|welk|welke|waarmee|waarover|waardoor|waaruit|waarvoor"
    "|who|whom|whose|what|when|where|why|how|which"
)
_PREPOSITIONS = "van|in|op|met|voor|door|aan|tot|uit|naar|bij|om|over|sinds|from|in|on|at|for|by|with|to|since|of"
_SECOND_QUESTION = re.compile(
    rf"(?:,\s*|\s+)(?:en|and)\s+(?=(?:(?:{_PREPOSITIONS})\s+)?(?:{_INTERROGATIVES})\b"
    rf"|(?:{'|'.join(sorted(_YES_NO_OPENERS))})\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z\u00C0-\u024F\d'‘\"])")
MIN_PART_WORDS = 3


@lru_cache(maxsize=512)
def question_parts(question: str) -> tuple[str, ...]:
    """The questions inside `question`: one element when it asks one thing.

    A statement before the first question is its context and stays with it ("In het rapport staat X. Klopt
    dat, en wie …?"). Parts split at "(,) en/and" before an interrogative or a finite verb, each side at least
    MIN_PART_WORDS words and a content word on one side at least, so "Wanneer en waar …" and "Welke steden en
    welke netwerken …" stay whole. A part
    that leans on the one before it ("… en was het opgelost?") gets that part's content words appended."""
    sentences = [s.strip() for s in _SENTENCE_END.split(question.strip()) if s.strip()]
    lead: list[str] = []
    pieces: list[str] = []
    for sentence in sentences:
        if not sentence.endswith("?"):
            # Before the first question: its context; after it: an instruction about the answer ("Geef aan …").
            if pieces:
                pieces[-1] = f"{pieces[-1]} {sentence}"
            else:
                lead.append(sentence)
            continue
        rest = sentence.rstrip("?").strip()
        while True:
            match = next(
                (
                    m
                    for m in _SECOND_QUESTION.finditer(rest)
                    if len(rest[: m.start()].split()) >= MIN_PART_WORDS
                    and len(rest[m.end() :].split()) >= MIN_PART_WORDS
                    and (content_stems(rest[: m.start()]) or content_stems(rest[m.end() :]))
                ),
                None,
            )
            if match is None:
                break
            pieces.append(f"{rest[: match.start()].strip(' ,')}?")
            rest = rest[match.end() :].strip()
            rest = f"{rest[:1].upper()}{rest[1:]}"
        if pieces and not content_stems(rest):
            pieces[-1] = f"{pieces[-1]} {rest}?"  # "… ? En wie?" says nothing of its own
        else:
            pieces.append(f"{rest}?")
    if len(pieces) < 2:
        return (question,)
    pieces[0] = " ".join([*lead, pieces[0]])
    parts: list[str] = []
    for i, piece in enumerate(pieces):
        if refers_back(piece):
            # An elliptic part ("… en hoeveel daarvan …", "Hoeveel waren er voor, en hoeveel tegen X?") takes
            # the content words of the parts around it.
            own = set(content_stems(piece))
            others = " ".join(p for j, p in enumerate(pieces) if j != i)
            borrowed = [w for w in _WORD.findall(others) if (c := content_stems(w)) and c[0] not in own]
            if borrowed:
                piece = f"{piece} ({' '.join(dict.fromkeys(borrowed))})"
        parts.append(piece)
    return tuple(parts)


# "welke (drie) <noun>", "which (two) <noun>": the noun after the interrogative determiner and an optional count.
_FOCUS = re.compile(
    r"\b(?:welke|welk|which|what)\s+((?:\d+|" + "|".join(NUMBER_WORDS) + r")\s+)?([\w'’-]+)", re.IGNORECASE
)


def question_focus(question: str) -> tuple[str, ...]:
    """Stems of the nouns that name the class of the answer, with the count before them ("drie"): neither is
    a word the passages must hold (see the module docstring)."""
    out: list[str] = []
    for match in _FOCUS.finditer(fold(question)):
        noun = content_stems(match.group(2))
        if noun:
            out.extend(s for s in (*content_stems(match.group(1) or ""), noun[0]) if s not in out)
    return tuple(out)


# "Van wanneer is dat verslag?", "When is this memo from?": a date question about a document the
# conversation already points at (a demonstrative and one noun), answered by that document's own date.
_POINTED_NOUN = re.compile(
    r"\b(?:die|deze|dit|dat|this|that)\s+[\w'’-]+(?:\s+(?:from|van|uit))?\s*\??\s*$", re.IGNORECASE
)


def asks_document_date(question: str) -> bool:
    """Does the question ask for the date of the document it points at (see `_POINTED_NOUN`)? Only its own
    words count, not those a part borrowed from the other ("… (advocatenkantoor analyse)")."""
    own = question.split(" (")[0].strip()
    analysis = analyse(own)
    return (
        analysis.expectation is not None
        and analysis.expectation.kind == "date"
        and len(analysis.content) == 1
        and _POINTED_NOUN.search(own) is not None
    )


@lru_cache(maxsize=512)
def analyse(question: str) -> QuestionAnalysis:
    """The analysis of `question` (pure; cached because retrieval and answering both ask)."""
    words = _WORD.findall(question.lower())
    first = words[0] if words else ""
    return QuestionAnalysis(
        text=question,
        language=detect_language(question),
        content=tuple(content_stems(_INSTRUCTION_FORM.sub(" ", _QUESTION_FORM.sub(" ", question)))),
        anchors=question_anchors(question),
        expectation=Expectation("condition")
        if asks_condition(question)
        else (expected_answer(question) or name_expectation(question)),
        yes_no=first in _YES_NO_OPENERS,
        wants_list=wants_list(question) or asks_overview(question),
        refers_back=refers_back(question),
        focus=question_focus(question),
        asks_reason=asks_reason(question),
        overview=asks_overview(question),
    )


def asks_who(question: str) -> bool:
    """Does the question, or one of its parts, ask who (a person's or an organisation's name)?"""
    for part in question_parts(question):
        expectation = analyse(part).expectation
        if expectation is not None and expectation.kind in ("who", "person", "name"):
            return True
    return False
