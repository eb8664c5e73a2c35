"""The shape of the code (issue #19): no module imports itself round a circle, not even in annotations, and no
module grows past MAX_LINES. The layer contracts are in pyproject.toml ([tool.importlinter]) and run by
`make lint`; this test names every circle when one appears."""

from __future__ import annotations

from pathlib import Path

import grimp

PACKAGES = ("assistant", "ingest", "vectorstore", "eval")
ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 700


def import_circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted; imports inside
    `if TYPE_CHECKING:` excluded by the graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert import_circles(graph) == []


def test_no_circle_in_annotations_either() -> None:
    """`if TYPE_CHECKING:` imports too: a circle there is a dependency both ways that only the annotations hide
    (the composition root builds the scoped view, which sees it through a protocol)."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False)
    assert import_circles(graph) == []


def test_no_module_is_longer_than_the_limit() -> None:
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }
    assert len(lengths) > 100
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert too_long == {}


def test_a_circle_is_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert import_circles(graph) == [["a", "b"]]
