"""Rendering answers and sources. Document and answer text is data, never markup: every piece of it is
escaped before it reaches Markdown or HTML, so `<script>` in a document is shown as text.

The string helpers at the top are pure (unit tested); the `render_*` functions draw with Streamlit.
"""

from __future__ import annotations

import html
import mimetypes
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path

import streamlit as st

from assistant.core.records import Answer, Chunk, Citation, Hit
from assistant.language.citations import split_sentences
from assistant.ui.i18n import t
from assistant.ui.reading import document_parts, part_with
from ingest.manifest import DocumentRow

STREAM_WORDS = 3  # words per streamed chunk
STREAM_DELAY_S = 0.015  # pause between chunks: enough to read as "typing", short enough not to wait for
UNVERIFIED_MARK = "⚠"
_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_ONLY_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\][.,;]?)+\s*")
PASSAGE_STYLE = (
    "white-space: pre-wrap; font-size: 0.92rem; line-height: 1.5; padding: 0.6rem 0.8rem; "
    "background: #f7f8fa; border-left: 3px solid #c9ced6; border-radius: 4px; margin: 0.2rem 0 0.4rem 0;"
)
_MARK_STYLE = "background: #fff1a8; padding: 0 2px; border-radius: 2px;"


# ----------------------------------------------------------------------------------------- pure helpers


def escape_markdown(text: str) -> str:
    """Text safe for st.markdown: HTML is shown literally (entities) and `$` does not start LaTeX."""
    return html.escape(text, quote=False).replace("$", "\\$")


def escape_label(text: str) -> str:
    """Text for a widget label or expander title (Markdown subset): also neutralise emphasis and links."""
    out = escape_markdown(" ".join(text.split()))
    for ch in "*_`[]~:":
        out = out.replace(ch, "\\" + ch)
    return out


def _find_quote(passage: str, quote: str) -> tuple[int, int] | None:
    quote = quote.strip()
    if not quote:
        return None
    start = passage.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = quote.split()
    if not words:
        return None
    # The quote may differ from the passage only in whitespace (line breaks in PDFs).
    pattern = r"\s+".join(re.escape(w) for w in words[:200])
    match = re.search(pattern, passage)
    return (match.start(), match.end()) if match else None


def highlight_html(passage: str, quote: str) -> str:
    """The passage as escaped HTML with the quote wrapped in <mark>; the whole passage escaped when the quote
    is not found in it."""
    span = _find_quote(passage, quote)
    if span is None:
        return html.escape(passage)
    start, end = span
    return (
        html.escape(passage[:start])
        + f'<mark style="{_MARK_STYLE}">'
        + html.escape(passage[start:end])
        + "</mark>"
        + html.escape(passage[end:])
    )


_MD_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_MD_CODE = re.compile(r"`([^`\n]+)`")


def strip_markdown(text: str) -> str:
    """Text without Markdown markup, for reading a passage: headings' "#", bold markers, link targets and code
    backticks go; the words stay. Single "*" and "_" stay (file names, footnote stars)."""
    text = _MD_HEADING.sub("", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_CODE.sub(r"\1", text)


def passage_block(passage: str, quote: str) -> str:
    """The passage as clean text (no Markdown markup) with the quote highlighted."""
    clean = highlight_html(strip_markdown(passage), strip_markdown(quote))
    return f'<div class="ba-passage" style="{PASSAGE_STYLE}">{clean}</div>'


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, "…" marking the cut (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ,;:-–") + "…"


EXCERPT_CONTEXT = 280  # characters of the passage shown before and after the quote on a source card


def passage_excerpt(passage: str, quote: str, context: int = EXCERPT_CONTEXT) -> str:
    """The quote with up to `context` characters of its passage on each side, cut at a word and marked
    "…": a source card shows what was quoted in its setting without the whole passage (the document view
    has the rest). The whole passage when it is short or the quote is not found in it."""
    span = _find_quote(passage, quote)
    if span is None or len(passage) <= len(quote) + 2 * context:
        return passage
    start, end = span
    low, high = max(0, start - context), min(len(passage), end + context)
    if low > 0:
        space = passage.find(" ", low, start)
        low = space + 1 if space >= 0 else low
    if high < len(passage):
        space = passage.rfind(" ", end, high)
        high = space if space >= 0 else high
    return ("… " if low > 0 else "") + passage[low:high].strip() + (" …" if high < len(passage) else "")


def source_anchor(key: str, n: int) -> str:
    """The HTML id of source card `n` of answer `key`: the target of the answer's `[n]` links."""
    return f"bron-{re.sub(r'[^A-Za-z0-9_-]', '', key)}-{n}"


_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def link_markers(text: str, key: str, numbers: set[int]) -> str:
    """Markdown with each citation marker "[2]" (or "[1, 3]") of `numbers` a link to its source card; other
    bracketed numbers stay text."""

    def link(match: re.Match[str]) -> str:
        found = [int(n) for n in re.findall(r"\d+", match.group(1))]
        if not all(n in numbers for n in found):
            return match.group()
        links = ", ".join(f"[{n}](#{source_anchor(key, n)})" for n in found)
        return f"\\[{links}\\]"

    return _MARKERS.sub(link, text)


def highlight_terms_html(text: str, query: str) -> str:
    """`text` as escaped HTML with the words of `query` marked (function words left out; a word also matches
    its inflections and compounds that start with it: "agenda" marks "agenda's", "veiligheid" "veiligheidsagenda").
    For a search preview, where the reader scans for why a passage was found."""
    from assistant.core.lexicons import words as lexicon

    stop = set(lexicon("stopwords"))
    terms = {w for w in re.findall(r"\w+", query.lower()) if len(w) >= 3 and w not in stop}
    if not terms:
        return html.escape(text)
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in sorted(terms, key=len, reverse=True)) + r")\w*", re.I
    )
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [html.escape(text[last : m.start()]), f'<mark style="{_MARK_STYLE}">{html.escape(m.group())}</mark>']
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(title: str, path: Path) -> str:
    """The name a downloaded original gets: the document's title with the file's extension (the stored name
    of a corpus file is a hash, "003_145eaa7edb620ff2.txt"); the stored name when there is no title."""
    cleaned = " ".join(_UNSAFE_NAME.sub(" ", title).split())[:100].strip(" .")
    return f"{cleaned}{path.suffix}" if cleaned else path.name


def word_chunks(text: str, words: int = STREAM_WORDS, delay: float = 0.0) -> Iterator[str]:
    """The text in pieces of a few words (whitespace kept), for st.write_stream."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    for i in range(0, len(pieces), words):
        if delay and i:
            time.sleep(delay)
        yield "".join(pieces[i : i + words])


def mark_unverified(text: str, verification: Mapping[str, int]) -> str:
    """Prefix sentences without a citation marker with ⚠ when the verifier found unsupported sentences.

    Lines that only introduce what follows ("Volgens de documenten:") are not claims and stay unmarked.
    """
    if int(verification.get("unsupported", 0)) <= 0:
        return text
    spans = split_sentences(text)
    supported: list[bool] = []
    for start, end in spans:
        sentence = text[start:end]
        if _ONLY_MARKERS.fullmatch(sentence) and supported:
            supported[-1] = True  # "Zin. [1]": the splitter puts a trailing marker on its own
        supported.append(bool(_MARKER.search(sentence)) or sentence.rstrip().endswith(":"))
    out: list[str] = []
    last = 0
    for (start, end), ok in zip(spans, supported, strict=True):
        sentence = text[start:end]
        out.append(text[last:start])
        if ok:
            out.append(sentence)
        else:
            # Keep a list bullet in front of the mark so the Markdown list survives.
            bullet = re.match(r"^(\s*(?:[-*•]|\d+[.)])\s+)", sentence)
            lead = bullet.group(1) if bullet else ""
            out.append(f"{lead}{UNVERIFIED_MARK} {sentence[len(lead) :]}")
        last = end
    out.append(text[last:])
    return "".join(out)


def answer_markdown(answer: Answer, key: str | None = None) -> str:
    """The answer as it is shown: escaped, unverified sentences marked, and with `key` (the turn's) each
    inline [n] a link to its source card."""
    body = escape_markdown(mark_unverified(answer.text, answer.verification))
    if key is None or not answer.citations:
        return body
    return link_markers(body, key, {c.n for c in answer.citations})


def closest_documents(answer: Answer, limit: int = 3) -> list[Hit]:
    """The best hit of each of the first `limit` documents, for the "not in the documents" message."""
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in answer.hits:
        if hit.chunk.doc_id in seen:
            continue
        seen.add(hit.chunk.doc_id)
        out.append(hit)
        if len(out) == limit:
            break
    return out


def abstention_markdown(answer: Answer) -> str:
    """The friendly, explicit message shown instead of an answer (in the session's language)."""
    lines = [f"**{t('chat.abstain.title')}**", "", t("chat.abstain.body")]
    closest = closest_documents(answer)
    if closest:
        lines += ["", t("chat.abstain.closest")]
        for hit in closest:
            page = f" ({t('chat.page', page=hit.chunk.page)})" if hit.chunk.page else ""
            lines.append(f"- {escape_markdown(hit.chunk.title or hit.chunk.source)}{page}")
    return "\n".join(lines)


def source_label(c: Citation, date: str | None) -> str:
    parts = [f"\\[{c.n}\\] {escape_label(c.title or c.source)}"]
    if date:
        parts.append(escape_label(date))
    if c.page is not None:
        parts.append(t("chat.page", page=c.page))
    return " · ".join(parts)


# ------------------------------------------------------------------------------------------ rendering


def render_answer_text(answer: Answer, *, stream: bool, key: str | None = None) -> None:
    if answer.abstained:
        st.info(abstention_markdown(answer), icon=":material/search_off:")
        return
    body = answer_markdown(answer, key)
    if stream:
        st.write_stream(word_chunks(body, delay=STREAM_DELAY_S))
    else:
        st.markdown(body)
    stats = answer.verification
    if int(stats.get("unsupported", 0)) > 0:
        st.caption(t("chat.unverified", m=int(stats["unsupported"]), n=int(stats.get("sentences", 0))))


def _read(path: Path) -> bytes:
    return path.read_bytes()


def render_sources(
    answer: Answer,
    documents: Mapping[str, DocumentRow],
    key: str,
    on_download: Callable[..., None] | None = None,
    read_document: Callable[[str], Sequence[Chunk]] | None = None,
) -> None:
    """One card per citation, each the target of the answer's `[n]` link: title, date, page and heading,
    the quote highlighted in its passage, the whole document to read (`read_document(doc_id)`: its
    passages, none when the user may not see it) and the original file. `documents` holds only what the
    user may see, so a download is offered only for those; `on_download("download", …)` records each
    download (the audit log)."""
    if answer.abstained or not answer.citations:
        return
    hits = {h.chunk.chunk_id: h for h in answer.hits}
    st.markdown(f"**{t('chat.sources')}**")
    for c in answer.citations:
        hit = hits.get(c.chunk_id)
        doc = documents.get(c.doc_id)
        date = (hit.chunk.date if hit else None) or (doc.date if doc else None)
        st.html(f'<div id="{source_anchor(key, c.n)}"></div>')
        with st.container(border=True):
            st.markdown(f"**{source_label(c, date)}**")
            headings = [h for h in (hit.chunk.heading_path if hit else ()) if h and h != c.title]
            if headings:
                st.caption(escape_label(t("chat.heading", path=" › ".join(headings))))
            passage = strip_markdown(hit.chunk.text if hit else c.quote)
            st.html(passage_block(passage_excerpt(passage, strip_markdown(c.quote)), c.quote))
            view, download = st.columns(2)
            if (
                read_document is not None
                and doc is not None
                and view.button(t("chat.view"), key=f"view-{key}-{c.n}", icon=":material/article:")
            ):
                _document_dialog(c, read_document)
            if doc is not None and Path(doc.path).is_file():
                path = Path(doc.path)
                page = f" ({t('chat.page', page=c.page)})" if c.page is not None else ""
                download.download_button(
                    t("chat.download", page=page),
                    data=partial(_read, path),
                    file_name=download_name(c.title or c.source, path),
                    mime=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                    key=f"dl-{key}-{c.n}",
                    on_click=(
                        partial(
                            on_download, "download", documents=[{"doc_id": c.doc_id, "title": c.title}], file=path.name
                        )
                        if on_download is not None
                        else "ignore"
                    ),
                    icon=":material/download:",
                )


def _document_dialog(c: Citation, read_document: Callable[[str], Sequence[Chunk]]) -> None:
    # Read (and audited) once per opening: turning pages reruns only the dialog, which keeps these passages.
    chunks = read_document(c.doc_id)

    @st.dialog(c.title or c.source, width="large")
    def show() -> None:
        render_document(c, chunks)

    show()


def render_document(c: Citation, chunks: Sequence[Chunk]) -> None:
    """The whole document, a page (or part) at a time, opened at the cited passage with the quote marked."""
    parts = document_parts(chunks)
    if not parts:
        st.warning(t("chat.view.gone"))
        return
    index = part_with(parts, c.chunk_id)
    paged = parts[0].page is not None
    chosen = st.selectbox(
        t("chat.view.page", n=parts[-1].page) if paged else t("chat.view.parts", n=len(parts)),
        range(len(parts)),
        index=index,
        format_func=lambda i: str(parts[i].page if paged else i + 1),
        key=f"doc-part-{c.chunk_id}-{c.n}",
        placeholder=t("ui.choose"),
    )
    if chosen == index:
        st.caption(t("chat.view.cited", n=c.n))
    st.html(passage_block(parts[chosen].text, c.quote if chosen == index else ""))
