"""Files uploaded in the app: stored under a name no other file has, with a sidecar (`ingest.access`) that
records the access groups chosen at upload and who uploaded it (`uploaded_by`).

Never overwritten: when the name is taken — by the same user or anyone else — the upload becomes a new version
`nota (2).pdf` and the earlier document stays until someone who may edit it deletes it. A replaced file would
silently change (or, with other groups, hide) a document that belongs to someone else.

The sidecar is created before the file, both with O_EXCL: two uploads of the same name at once get two names,
and a re-index running at that moment never finds the file without its groups (it would be public meanwhile).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from ingest.access import SIDECAR_SUFFIX

OWNER_KEY = "uploaded_by"
_MAX_VERSIONS = 1000


@dataclass(frozen=True, slots=True)
class StoredUpload:
    path: Path
    requested: str  # the name the file was uploaded under
    groups: tuple[str, ...]

    @property
    def renamed(self) -> bool:
        return self.path.name != self.requested


def sidecar_of(file: Path) -> Path:
    return file.with_name(file.name + SIDECAR_SUFFIX)


def _names(name: str) -> Iterator[str]:
    yield name
    stem, ext = Path(name).stem, Path(name).suffix
    for n in range(2, _MAX_VERSIONS):
        yield f"{stem} ({n}){ext}"


def _create(path: Path, data: bytes) -> bool:
    """Write `data` to a new file; False when the name exists already. A failed write leaves nothing."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return True


def store_upload(folder: Path, name: str, data: bytes, groups: Sequence[str], owner: str) -> StoredUpload:
    """Save an uploaded file (`name` already a safe plain name) with its sidecar; see the module docstring."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    sidecar = json.dumps({"groups": list(groups), OWNER_KEY: owner}, ensure_ascii=False).encode()
    try:
        for candidate in _names(name):
            target = folder / candidate
            # A sidecar without its file (an interrupted upload) still reserves the name: not ours to reuse.
            if target.exists() or not _create(sidecar_of(target), sidecar):
                continue
            try:
                if _create(target, data):
                    return StoredUpload(target, name, tuple(groups))
            except OSError:
                sidecar_of(target).unlink(missing_ok=True)
                raise
            sidecar_of(target).unlink(missing_ok=True)  # the file appeared meanwhile: the next name
    except OSError as exc:
        raise IngestError(f"upload could not be saved: {exc}", path=name, hint="check the free disk space") from exc
    raise IngestError(
        f"too many versions of {name!r} in {folder}", path=name, hint="delete old versions or rename the file"
    )


def remove_upload(file: Path) -> None:
    """Remove an uploaded file and its sidecar (after its document was deleted or refused)."""
    file.unlink(missing_ok=True)
    sidecar_of(file).unlink(missing_ok=True)


def upload_owner(file: Path) -> str | None:
    """Who uploaded `file` according to its sidecar; None for files from the corpus, uploads of older versions
    and anything unreadable (only an admin may then delete it when it is public)."""
    try:
        data: Any = json.loads(sidecar_of(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    owner = data.get(OWNER_KEY) if isinstance(data, dict) else None
    return owner if isinstance(owner, str) and owner else None
