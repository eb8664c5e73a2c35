"""The word lists in assistant/data/lexicons: each states its provenance, is documented, and ships with the
package; the loader reads tables, stems and phrases."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

from assistant.core import lexicons

FILES = sorted(lexicons.LEXICON_DIR.glob("*.txt"))


def test_every_list_starts_with_its_provenance_and_is_documented() -> None:
    assert len(FILES) >= 20
    readme = (lexicons.LEXICON_DIR / "README.md").read_text(encoding="utf-8")
    for path in FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = [line for line in lines if line.startswith("#")][:3]
        assert lines[0].startswith("# ") and len(" ".join(header)) > 60, f"{path.name}: no provenance header"
        assert f"`{path.name}`" in readme, f"{path.name} is not described in the README"
        assert lexicons.words(path.stem), f"{path.name} is empty"


def test_lists_ship_as_package_data() -> None:
    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["assistant"]
    package = lexicons.LEXICON_DIR.parent.parent
    for path in [*FILES, lexicons.LEXICON_DIR / "README.md"]:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, p) and "/" not in relative[len(p.split("*")[0]) :] for p in patterns), (
            relative
        )


def test_tables_merge_variants_and_reject_empty_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicons, "LEXICON_DIR", tmp_path)
    (tmp_path / "t-merge.txt").write_text("# A test list.\nA | a1\nB\nA | a2 | a1\n", encoding="utf-8")
    assert lexicons.table("t-merge") == {"A": ("a1", "a2"), "B": ()}
    (tmp_path / "t-bad.txt").write_text("# A test list.\nA | | a2\n", encoding="utf-8")
    with pytest.raises(lexicons.LexiconError):
        lexicons.table("t-bad")
    (tmp_path / "t-nohead.txt").write_text("een\ntwee\n", encoding="utf-8")
    with pytest.raises(lexicons.LexiconError):
        lexicons.words("t-nohead")


def test_phrase_pattern_stems_and_spaces() -> None:
    pattern = re.compile(rf"\b(?:{lexicons.phrase_pattern(['vervolg*', 'in aanloop naar', 'zal'])})\b")
    assert [m.group() for m in pattern.finditer("Vervolgafspraken: zal in  aanloop naar de top; vervolg.")] == [
        "zal",
        "in  aanloop naar",
        "vervolg",
    ]
    assert pattern.search("De vervolgafspraken zijn gemaakt.") is not None
    assert pattern.search("zalm") is None
