"""Who "ik" is: the signatory of a first-person report.

Trip reports, memos and e-mails are written in the first person and signed at the end ("Op 24 juni waren
Jan Smit en ik aanwezig …" … "Karin de Vries / Beleidsadviseur / Directie Veiligheid"). A who-question about
such a passage is answered by the sentence with "ik" and by the signature, which is in another passage: the
chain fetches the last passage of a document whose retrieved passage speaks in the first person
(`AnswerChain.passages`), and the answerer quotes its signature next to the "ik" sentence.
"""

from __future__ import annotations

import re

from assistant.core import lexicons
from assistant.language.answertype import person_names

_UNIT_NOUNS = frozenset(lexicons.words("org-unit-nouns"))  # "Afdeling Veiligheid" under a name is no second name

# First person singular: Dutch "ik/mij/mijn/me", English "I/me/my" ("I" only as a capital: "i" is a numeral
# or a list mark in Dutch documents).
_FIRST_PERSON = re.compile(r"\b(?:[Ii]k|[Mm]ij|[Mm]ijn|[Mm]e|I|[Mm]y)\b")
# A signature line under the name: a role, a department, an organisation; short and no sentence.
MAX_SIGNATURE_LINE = 60
MAX_SIGNATURE_LINES = 4
TAIL_LINES = 12  # the name stands among the last lines of the document


def speaks_first_person(text: str) -> bool:
    return bool(_FIRST_PERSON.search(text))


def signature_span(text: str) -> tuple[int, int, str] | None:
    """(start, end, name) of the signature that ends `text` (a document's last passage): a line that is a
    person's name and nothing else, among the last lines, followed only by short lines (role, department,
    organisation, telephone). None when the text does not end in one."""
    lines: list[tuple[int, int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            start = offset + raw.index(stripped[0])
            lines.append((start, start + len(stripped), stripped))
        offset += len(raw)
    tail = lines[-TAIL_LINES:]
    for i, (start, end, line) in enumerate(tail):
        after = tail[i + 1 :]
        if any(len(rest) > MAX_SIGNATURE_LINE or rest.endswith((".", "?", "!", ":")) for _, _, rest in after):
            continue  # prose follows: no signature block
        if not _name_line(line):
            continue
        neighbours = [*tail[max(0, i - 1) : i], *after[:1]]
        if any(_name_line(rest) for _, _, rest in neighbours):
            return None  # a list of names (participants, a distribution list), not one signature
        block_end = end
        for _, e, rest in after[:MAX_SIGNATURE_LINES]:
            if any(ch.isdigit() for ch in rest):
                break  # a telephone number or address: the person is named already
            block_end = e
        return start, block_end, line.rstrip(",").strip()
    return None


def _name_line(line: str) -> bool:
    """A line that is a person's name and nothing else; "Afdeling Veiligheid" (an organisational unit) is not."""
    first = line.split()[0].lower() if line.split() else ""
    names = person_names(line)
    return first not in _UNIT_NOUNS and len(names) == 1 and names[0] == line.rstrip(",").strip()
