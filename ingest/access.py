"""Access groups of a file at ingest: a sidecar `<file>.meta.json` or the nearest folder `.access.json`.

Rule: the most specific setting wins, nothing is merged.
1. `<file>.meta.json` with a `groups` key (e.g. `{"groups": ["veiligheid"]}`) sets the file's groups;
   `{"groups": []}` makes it explicitly public even inside a restricted folder.
2. Otherwise the nearest `.access.json` (`{"groups": [...]}`) in the file's folder or any folder above it
   applies to everything below it, however the file was named on the command line.
3. Otherwise the document is public.
Merging (a union) would widen access — a document is visible to members of *any* of its groups — so a
subfolder could never narrow its parent's audience; "nearest wins" keeps each setting readable on its own.

A setting that cannot be read or is invalid fails the file (it is not ingested as public by mistake).
Because groups are part of a document's identity (`access_key`), the same bytes with other groups are a
different document, and a changed sidecar re-indexes the document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.groups import parse_groups
from assistant.core.records import Chunk, Document, make_chunk_id, make_doc_id
from ingest.chunking import chunk_id_seed

SIDECAR_SUFFIX = ".meta.json"
FOLDER_FILE = ".access.json"


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIX) or path.name == FOLDER_FILE


def _read_groups(path: Path, *, required: bool) -> tuple[str, ...] | None:
    """Groups from a JSON settings file; None when it has no `groups` key and `required` is False."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(
            f"access settings {path} cannot be read: {exc}",
            path=str(path),
            hint='write valid JSON such as {"groups": ["veiligheid"]}, or remove the file',
        ) from exc
    if not isinstance(data, dict) or ("groups" not in data and required):
        raise IngestError(
            f'access settings {path} need an object with a "groups" list',
            path=str(path),
            hint='write {"groups": ["veiligheid"]} ({"groups": []} = public)',
        )
    if "groups" not in data:
        return None
    groups = data["groups"]
    if isinstance(groups, str) or not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise IngestError(
            f'access settings {path}: "groups" must be a list of names',
            path=str(path),
            hint='write {"groups": ["veiligheid", "bestuur"]}',
        )
    try:
        return parse_groups(groups)
    except ValueError as exc:
        raise IngestError(f"access settings {path}: {exc}", path=str(path)) from exc


def _is_file(path: Path) -> bool:
    # A file whose name is near the 255-byte limit cannot have a sidecar (its name would be too long):
    # pathlib raises ENAMETOOLONG instead of answering False.
    try:
        return path.is_file()
    except OSError:
        return False


def access_groups(file: Path) -> tuple[str, ...]:
    """The groups of `file` by the rule in the module docstring. Raises IngestError on a bad setting."""
    sidecar = file.with_name(file.name + SIDECAR_SUFFIX)
    if _is_file(sidecar):
        found = _read_groups(sidecar, required=False)
        if found is not None:
            return found
    for folder in file.absolute().parents:
        candidate = folder / FOLDER_FILE
        if _is_file(candidate):
            return _read_groups(candidate, required=True) or ()
    return ()


def access_key(content_sha256: str, groups: Sequence[str]) -> str:
    """The identity of a document: its content, plus its groups when it has any (public documents keep the
    plain content hash, so indexes built before access groups existed stay valid)."""
    if not groups:
        return content_sha256
    return hashlib.sha256(f"{content_sha256}\ngroups={','.join(groups)}".encode()).hexdigest()


def access_doc_id(content_sha256: str, groups: Sequence[str]) -> str:
    return make_doc_id(access_key(content_sha256, groups))


def apply_access(doc: Document, chunks: Sequence[Chunk], groups: Sequence[str]) -> tuple[Document, list[Chunk]]:
    """The document and its chunks carrying `groups`, with ids that include them."""
    groups = tuple(groups)
    if not groups:
        return doc, list(chunks)
    key = access_key(doc.sha256, groups)
    doc_id = make_doc_id(key)
    meta = {**doc.metadata, "access_groups": ",".join(groups)}
    new_doc = replace(doc, doc_id=doc_id, groups=groups, metadata=meta)
    seed = access_key(chunk_id_seed(doc), groups)
    scoped = [replace(c, doc_id=doc_id, groups=groups) for c in chunks]
    new_chunks = [replace(c, chunk_id=make_chunk_id(seed, c.start, c.end, c.content_key())) for c in scoped]
    return new_doc, new_chunks
