"""Build a BEIR-format retrieval benchmark from Dutch laws we did not write.

Source: ../shared/testdata/laws/laws_subset.jsonl.gz (statengeneraal/laws-markdown, 5,766 regulations).
Output: bench/data/laws-nl-beir/{corpus.jsonl, queries.jsonl, qrels.tsv, README.md}.

Construction (seeded, deterministic; see the README written next to the data for the limits):

* A random sample of laws with at least `MIN_ARTICLES` articles. Each law is split on its "### Artikel N"
  headings; a passage is the article body (heading line removed, Markdown links reduced to their text),
  cut to `MAX_PASSAGE` characters; at most `MAX_PER_LAW` passages per law. Passage titles are empty, so
  the law's title, which the queries come from, is not in the passages.
* Query family "title": the law's title with the date/"houdende" boilerplate, the citation title in
  parentheses and the words wet/besluit/regeling removed, lowercased. Relevant: the law's passages,
  Artikel 1 (usually the definitions and scope) graded 2, the others 1.
* Query family "section": descriptive section headings ("#### Toezicht en handhaving" under a
  Hoofdstuk/Paragraaf/Afdeling) that name the articles below them, lowercased. Headings that occur in
  more than one law ("Algemene bepalingen", "Slotbepalingen") are generic and skipped. Relevant: the
  articles of that section (graded 1), at least one of them in the corpus.

Run: .venv/bin/python bench/build_laws_beir.py [--laws PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from eval.beir import BeirDoc, write_beir

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LAWS = ROOT.parent / "shared" / "testdata" / "laws" / "laws_subset.jsonl.gz"
DEFAULT_OUT = ROOT / "bench" / "data" / "laws-nl-beir"

SEED = 20240917
N_LAWS = 420
MIN_ARTICLES = 3
MAX_PER_LAW = 12
MAX_PASSAGE = 1200
MIN_PASSAGE = 80
N_SECTION_QUERIES = 150
MAX_TITLE_QUERIES = 200

_HEADING = re.compile(r"^(#{2,4})[ \t]*(.*?)[ \t]*$", re.M)
_ARTICLE = re.compile(r"^artikel\s+([0-9]+[a-z]?(?:[.:][0-9]+[a-z]?)*)\.?\s*(.*)$", re.I)
_STRUCTURE = re.compile(r"^(hoofdstuk|paragraaf|§|afdeling|titel|deel)\b", re.I)
# The number after "Hoofdstuk"/"§": "3", "4.2a", "IV", with separators around it.
_NUMBERING = re.compile(r"^[\s.:\-]*(?:[0-9]+[a-z]?(?:\.[0-9]+[a-z]?)*|[ivxlc]+)\b[\s.:\-]*", re.I)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_]{1,2}")
_TITLE_BOILERPLATE = re.compile(
    r"^(wet|besluit|regeling|beschikking|koninklijk besluit|rijkswet)?\s*(van\s+\d{1,2}\s+\w+\s+\d{4}\s*,?)?\s*"
    r"(houdende|tot|inzake|betreffende|met betrekking tot)?\s*"
    r"(regels|nieuwe regels|vaststelling|wijziging|bepalingen)?\s*"
    r"(met betrekking tot|inzake|betreffende|omtrent|ten aanzien van|voor|van|op|ter)?\s*",
    re.I,
)
_DROP_WORDS = re.compile(r"\b(wet|besluit|regeling|rijkswet|het|de|een|op|van|der)\b", re.I)


@dataclass
class Article:
    number: str
    text: str
    section: str | None  # the descriptive heading of the section the article is in


@dataclass
class Law:
    id: str
    title: str
    articles: list[Article] = field(default_factory=list)


def clean(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def parse_law(obj: dict[str, str]) -> Law:
    """Split the Markdown on headings; articles get the most recent descriptive section heading."""
    text = obj.get("text") or ""
    law = Law(id=obj["id"], title=" ".join((obj.get("title") or "").split()))
    heads = list(_HEADING.finditer(text))
    section: str | None = None
    after_structure = False  # a "####" title right after "### Hoofdstuk 3" names that chapter
    for i, m in enumerate(heads):
        level, heading = len(m.group(1)), clean(m.group(2))
        body_end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        article = _ARTICLE.match(heading)
        if article:
            body = clean(text[m.end() : body_end])
            law.articles.append(Article(number=article.group(1), text=body, section=section))
            after_structure = False
        elif _STRUCTURE.match(heading):
            rest = _NUMBERING.sub("", _STRUCTURE.sub("", heading)).strip()
            section = rest if len(rest.split()) >= 2 else None
            after_structure = section is None
        elif level == 4 and after_structure:
            section = heading.strip(" .:")
            after_structure = False
        elif level <= 3:
            section, after_structure = None, False
    return law


def iter_laws(path: Path) -> Iterator[Law]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield parse_law(json.loads(line))


def title_query(title: str) -> str | None:
    """The law's subject in the words of its title, without the boilerplate or the citation title."""
    title = re.sub(r"\([^)]*\)\s*$", "", title).strip()
    subject = _TITLE_BOILERPLATE.sub("", title, count=1)
    subject = _DROP_WORDS.sub(" ", subject)
    subject = " ".join(re.sub(r"[,;:]", " ", subject).split()).lower()
    content = [w for w in subject.split() if len(w) > 3]
    return subject if len(content) >= 2 and len(subject) <= 120 else None


def passage_text(article: Article) -> str:
    text = article.text
    if len(text) > MAX_PASSAGE:
        cut = text.rfind(" ", 0, MAX_PASSAGE)
        text = text[: cut if cut > 0 else MAX_PASSAGE]
    return text


def build(laws_path: Path, out: Path) -> dict[str, int]:
    laws = [law for law in iter_laws(laws_path) if len(law.articles) >= MIN_ARTICLES]
    # Generic headings occur in many laws; count in how many laws each heading appears.
    heading_laws: Counter[str] = Counter()
    for law in laws:
        heading_laws.update({a.section.lower() for a in law.articles if a.section})
    rng = random.Random(SEED)
    sample = rng.sample(laws, min(N_LAWS, len(laws)))
    sample.sort(key=lambda law: law.id)

    corpus: dict[str, BeirDoc] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    section_candidates: list[tuple[str, list[str]]] = []
    title_candidates: list[tuple[str, str, dict[str, int]]] = []
    for law in sample:
        kept: list[tuple[str, Article]] = []
        seen_numbers: set[str] = set()
        for article in law.articles:
            if article.number in seen_numbers or len(article.text) < MIN_PASSAGE:
                continue  # repealed articles ("Vervallen") and duplicates are not passages
            seen_numbers.add(article.number)
            kept.append((f"{law.id}-art{article.number}", article))
            if len(kept) >= MAX_PER_LAW:
                break
        if not kept:
            continue
        for pid, article in kept:
            corpus[pid] = BeirDoc(title="", text=passage_text(article))
        query = title_query(law.title)
        if query is not None:
            judged = {pid: (2 if a.number == "1" else 1) for pid, a in kept}
            title_candidates.append((law.id, query, judged))
        by_section: dict[str, list[str]] = {}
        for pid, article in kept:
            if article.section and heading_laws[article.section.lower()] == 1:
                by_section.setdefault(article.section, []).append(pid)
        for heading, pids in by_section.items():
            if 2 <= len(heading.split()) <= 12:
                section_candidates.append((heading, pids))

    rng.shuffle(title_candidates)
    for law_id, query, judged in sorted(title_candidates[:MAX_TITLE_QUERIES]):
        qid = f"title-{law_id}"
        queries[qid], qrels[qid] = query, judged
    rng.shuffle(section_candidates)
    for n, (heading, pids) in enumerate(section_candidates[:N_SECTION_QUERIES], start=1):
        qid = f"section-{n:03d}"
        queries[qid], qrels[qid] = heading.lower(), dict.fromkeys(pids, 1)

    write_beir(out, corpus, queries, qrels)
    stats = {
        "laws": len(sample),
        "passages": len(corpus),
        "queries": len(queries),
        "title_queries": sum(q.startswith("title-") for q in queries),
        "section_queries": sum(q.startswith("section-") for q in queries),
        "bytes": sum(p.stat().st_size for p in out.glob("*") if p.is_file()),
    }
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=Path, default=DEFAULT_LAWS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    stats = build(args.laws, args.out)
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
