"""Two repairs for composite PDF fonts whose text map (ToUnicode) is incomplete, as TeX and some office exports
write them.

1. **Word gaps.** Such a font often maps no glyph to a space: the producer moves the pen instead. pypdf then
   takes the width of character code 32 as the space width, but in a two-byte (Identity-H) font code 32 is an
   arbitrary glyph (a "Q" of 673/1000 em in one test PDF), so no word gap (about 230/1000) reads as a space and
   the words run together ("Thisdocumentdescribestheresults"). `install_space_fix` makes pypdf fall back to its
   own default gap width for these fonts, as it already does for fonts without a space width. A font whose
   glyphs all have one width counts as fixed pitch there even when its descriptor does not say so (TeX's LMMono
   sets no FixedPitch flag): its space is one glyph wide, so the tightened glyphs of a code listing do not read
   as word gaps ("f9c02602 -db1e" for "f9c02602-db1e").
2. **Figures.** The same fonts may draw figures with alternate glyphs (tabular or old-style) that the text map
   leaves out; pypdf then prints each glyph number as a character ("August ŵųŵų" for "August 2020").
   `FigureRepair` finds, in the embedded TrueType program, ten consecutive unmapped glyphs whose outlines
   have the figures' contour counts (0 has two, 8 three, …; fonts keep a figure set together and in order) and
   adds them to the font's text map, font by font: two fonts of one document may number their figures
   differently.

Both act only where the font says nothing itself; a font that maps a space or a figure is left alone.
"""

from __future__ import annotations

import io
import logging
from typing import Any

log = logging.getLogger(__name__)

# Contours of the figures 0-9 in a TrueType outline: 0, 6, 9 and 4 (closed) have a counter, 8 two; a "4" with
# an open top has one. A glyph a subset font dropped has none and matches any position.
FIGURE_CONTOURS: tuple[frozenset[int], ...] = tuple(
    frozenset(c) for c in ((2,), (1,), (1,), (1,), (1, 2), (1,), (2,), (1,), (3,), (2,))
)
MIN_FIGURES_PRESENT = 5  # a run must show at least this many figures' outlines
MIN_FIGURES_USED = 2  # ... and at least this many of them must occur in the page text
_TWO_BYTE = "utf-16-be"
# The PDF reader's version, kept in each PDF's metadata (`PDF_READER`): a PDF flagged for words running together
# by an older reader is read again on the next ingest (`Manifest.read_again`). 2: the two repairs above. 3: one
# glyph width as the space of a monospaced font without a space glyph (`assistant ingest --reread` applies it).
PDF_READER = "pdf_reader"
PDF_READER_VERSION = 3
_NO_SPACE = "\uffff"  # the space key of a two-byte font that maps no glyph to a space: it has no width
FIGURES_RECOVERED = "figures recovered"  # the warning of a document whose figures `FigureRepair` restored

_installed = False


def install_space_fix() -> bool:
    """Patch pypdf once so that a two-byte font that maps no glyph to a space uses pypdf's default word-gap
    width. Returns whether the patch is in place (False when pypdf's internals differ: text stays as before)."""
    global _installed
    if _installed:
        return True
    try:
        from pypdf.generic._font import Font
    except ImportError:
        return False
    original = getattr(Font, "_get_space_char", None)
    original_width = getattr(Font, "_add_space_width", None)
    if original is None or original_width is None:
        return False

    def space_char(encoding: Any, character_map: dict[Any, Any]) -> str:
        found: str = original(encoding, character_map)
        two_byte = isinstance(encoding, str) and encoding.replace("_", "-").lower() == _TWO_BYTE
        if found == " " and two_byte and " " not in character_map.values():
            # No glyph is a space: a key without a width makes the extractor use its default gap width.
            return _NO_SPACE
        return found

    def space_width(character_widths: dict[str, float], flags: int, space: str) -> float:
        if space == _NO_SPACE:
            widths = {w for key, w in character_widths.items() if key != "default" and w > 0}
            if len(widths) == 1:
                # Monospaced by its metrics: a space is one glyph wide, as pypdf has it for fixed pitch. Given
                # as the width of the space key, or the extractor would put its default gap width in its place.
                character_widths[_NO_SPACE] = widths.pop()
        width: float = original_width(character_widths, flags, space)
        return width

    Font._get_space_char = staticmethod(space_char)  # type: ignore[method-assign]
    Font._add_space_width = staticmethod(space_width)  # type: ignore[method-assign,assignment]
    _installed = True
    return True


def _unmapped_figure_run(font: Any) -> int | None:
    """The first glyph id of the one run of ten unmapped glyphs shaped like the figures 0-9 in a composite
    TrueType font without figures in its text map, or None."""
    from pypdf._cmap import get_encoding

    if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
        return None
    descendants = font.get("/DescendantFonts")
    if not descendants:
        return None
    cid_font = descendants[0].get_object()
    if cid_font.get("/CIDToGIDMap", "/Identity") != "/Identity":
        return None
    descriptor = cid_font.get("/FontDescriptor")
    program = descriptor.get_object().get("/FontFile2") if descriptor is not None else None
    if program is None:
        return None
    _encoding, text_map = get_encoding(font)
    if any(isinstance(v, str) and any(ch.isdigit() for ch in v) for v in text_map.values()):
        return None  # the font maps figures itself
    mapped = {ord(k) for k in text_map if isinstance(k, str) and len(k) == 1}
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - a dependency; without it figures stay as pypdf read them
        return None
    try:
        program_font = TTFont(io.BytesIO(program.get_object().get_data()), lazy=True)
        glyphs = program_font["glyf"]
        contours = [glyphs[name].numberOfContours for name in program_font.getGlyphOrder()]
    except Exception:  # a damaged or unusual font program: leave the text as it is
        return None
    runs = []
    for start in range(len(contours) - 9):
        window = contours[start : start + 10]
        present = [i for i, c in enumerate(window) if c != 0]
        if (
            len(present) >= MIN_FIGURES_PRESENT
            and all(window[i] in FIGURE_CONTOURS[i] for i in present)
            and not any(start + i in mapped for i in range(10))
        ):
            runs.append(start)
    return runs[0] if len(runs) == 1 else None  # two candidate runs: no way to tell which is the figures


def _add_to_text_map(font: Any, start: int) -> None:
    from pypdf.generic import StreamObject

    stream = font["/ToUnicode"].get_object()
    if not isinstance(stream, StreamObject):
        return
    data = stream.get_data()
    entries = "".join(f"<{start + i:04X}> <{0x30 + i:04X}>\n" for i in range(10))
    block = f"10 beginbfchar\n{entries}endbfchar\n".encode("ascii")
    at = data.rfind(b"endcmap")
    stream.set_data(data[:at] + block + data[at:] if at >= 0 else data + block)


class FigureRepair:
    """Adds the figures of each font whose text map lacks them (see the module docstring), page by page over
    one document. A font is inspected once; it is repaired on the first page whose text shows its figures."""

    def __init__(self) -> None:
        self._runs: dict[int, int | None] = {}  # font (by object identity) -> first figure glyph, or None
        self._done: set[int] = set()

    @property
    def fonts_repaired(self) -> int:
        return len(self._done)

    def page(self, page: Any, text: str) -> bool:
        """Repair the fonts of `page` whose figures its `text` shows as unmapped glyphs. Returns whether a
        font changed, so the caller reads the page again."""
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            return False
        shown = set(text)
        changed = False
        for ref in fonts.get_object().values():
            font = ref.get_object()
            key = id(font)
            if key in self._done:
                continue
            if key not in self._runs:
                try:
                    self._runs[key] = _unmapped_figure_run(font)
                except Exception:  # pypdf or fontTools on a malformed font: leave it as it is
                    log.debug("font not inspected", exc_info=True)
                    self._runs[key] = None
            start = self._runs[key]
            if start is None or len({chr(start + i) for i in range(10)} & shown) < MIN_FIGURES_USED:
                continue
            _add_to_text_map(font, start)
            self._done.add(key)
            changed = True
        return changed
