"""Ingestion pipeline with the fake embedder and real embedded Chroma: incremental, idempotent, sync,
duplicates, bad files in a batch, and recovery after a crash between store write and manifest commit."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from assistant.composition import Assistant, build_assistant
from assistant.core.config import Settings
from assistant.core.records import Chunk, make_chunk_id
from ingest.pdffonts import FIGURES_RECOVERED, PDF_READER
from ingest.quality import RUN_TOGETHER


@pytest.fixture
def folder(tmp_path: Path, corpus_dir: Path) -> Path:
    target = tmp_path / "docs"
    shutil.copytree(corpus_dir, target)
    return target


@pytest.fixture
def assistant(test_settings: Settings) -> Assistant:
    return build_assistant(test_settings)


def _consistent(a: Assistant) -> None:
    """Manifest and store agree exactly: no duplicates, no orphans."""
    assert sorted(a.manifest.chunk_ids()) == sorted(a.store.ids())
    assert len(set(a.store.ids())) == a.store.count()


def test_ingest_is_incremental_and_idempotent(assistant: Assistant, folder: Path) -> None:
    first = assistant.ingest([folder])
    assert first.summary()["ingested"] == 5 and not first.failed
    chunks = assistant.store.count()
    assert chunks >= 10
    docs = {d.source: d for d in assistant.manifest.documents()}
    assert set(docs) == {p.name for p in folder.iterdir()}
    assert docs["002_5525973de46d0ec1.txt"].doc_type == "letter"

    second = assistant.ingest([folder])
    assert second.summary()["unchanged"] == 5
    assert assistant.store.count() == chunks
    _consistent(assistant)


def test_changed_file_replaces_its_chunks(assistant: Assistant, folder: Path) -> None:
    assistant.ingest([folder])
    target = folder / "003_145eaa7edb620ff2.txt"
    old_doc = next(d for d in assistant.manifest.documents() if d.source == target.name)
    old_ids = set(assistant.manifest.chunk_ids(old_doc.doc_id))
    target.write_text(target.read_text(encoding="utf-8") + "\n\nNAGEKOMEN\n\nEen extra alinea over Oslo.\n", "utf-8")
    report = assistant.ingest([folder])
    assert report.summary()["updated"] == 1 and report.summary()["unchanged"] == 4
    new_doc = next(d for d in assistant.manifest.documents() if d.source == target.name)
    assert new_doc.doc_id != old_doc.doc_id
    assert not old_ids & set(assistant.store.ids())
    hits = assistant.search("Een extra alinea over Oslo", k=3)
    assert any("extra alinea" in h.chunk.text for h in hits)
    _consistent(assistant)


def test_same_content_under_two_names_is_stored_once(assistant: Assistant, folder: Path) -> None:
    shutil.copy(folder / "000_c0ed1ecefa30b148.txt", folder / "kopie van verslag.txt")
    report = assistant.ingest([folder])
    assert report.count("ingested") == 5 and report.count("duplicate") == 1
    assert len(assistant.manifest.documents()) == 5
    _consistent(assistant)


def test_sync_removes_documents_whose_files_are_gone(assistant: Assistant, folder: Path) -> None:
    assistant.ingest([folder])
    (folder / "004_a1746381f5f4cd88.txt").unlink()
    without_sync = assistant.ingest([folder])
    assert without_sync.count("removed") == 0 and len(assistant.manifest.documents()) == 5
    report = assistant.ingest([folder], sync=True)
    assert report.count("removed") == 1
    assert {d.source for d in assistant.manifest.documents()} == {p.name for p in folder.iterdir()}
    _consistent(assistant)


def test_one_bad_file_never_stops_the_batch(assistant: Assistant, folder: Path) -> None:
    (folder / "leeg.txt").write_bytes(b"")
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (folder / "plaatje.png").write_bytes(b"\x89PNG\r\n")
    report = assistant.ingest([folder])
    by_source = {r.source: r for r in report.results}
    assert report.count("ingested") == 5
    assert by_source["leeg.txt"].status == "failed" and "empty" in (by_source["leeg.txt"].error or "")
    assert by_source["kapot.pdf"].status == "failed"
    assert by_source["plaatje.png"].status == "skipped" and ".png" in (by_source["plaatje.png"].error or "")
    assert report.failed
    failed = {f.source: f.error for f in assistant.manifest.files() if f.status == "failed"}
    assert set(failed) == {"leeg.txt", "kapot.pdf"}
    # Fixing the file makes it ingest on the next run.
    (folder / "leeg.txt").write_text("Nu staat er wel tekst in dit bestand over veiligheid.", encoding="utf-8")
    assert assistant.ingest([folder]).count("updated") == 1


def test_explicit_unsupported_file_is_a_failure(assistant: Assistant, tmp_path: Path) -> None:
    f = tmp_path / "sheet.xlsx"
    f.write_bytes(b"PK\x03\x04")
    report = assistant.ingest([f])
    assert report.failed and "unsupported file type '.xlsx'" in (report.results[0].error or "")


class CrashAfterWrite:
    """Wraps the real store; raises after the first upsert, as a kill between store write and commit would."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.crashed = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def add(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> None:
        self.inner.add(chunks, vectors)  # type: ignore[attr-defined]
        if not self.crashed:
            self.crashed = True
            raise KeyboardInterrupt("simulated crash")


def test_crash_between_store_write_and_commit_is_recovered(test_settings: Settings, folder: Path) -> None:
    from ingest.pipeline import Ingestor

    a = build_assistant(test_settings)
    a.ingest([folder / "000_c0ed1ecefa30b148.txt"])
    # Change a file so the crash happens while replacing: old version stored, new one half written.
    target = folder / "001_23d19e44c1f29afc.txt"
    a.ingest([target])
    target.write_text(target.read_text(encoding="utf-8").replace("700", "701"), encoding="utf-8")
    crashing = Ingestor(a.manifest, CrashAfterWrite(a.store), a.embedder)  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        crashing.ingest([target])
    assert len(a.manifest.unfinished()) == 1  # the new version is pending, its chunks are in the store
    report = a.ingest([folder])
    assert report.recovered > 0
    _consistent(a)
    assert len(a.manifest.documents()) == 5
    texts = " ".join(c.text for c in a.store.get(a.store.ids()))  # type: ignore[attr-defined]
    assert "701 deelnemers" in texts and "700 deelnemers" not in texts


def test_delete_document(assistant: Assistant, folder: Path) -> None:
    assistant.ingest([folder])
    doc = assistant.manifest.documents()[0]
    removed = assistant.ingestor.delete_document(doc.doc_id)
    assert removed == doc.chunk_count
    assert doc.doc_id not in {d.doc_id for d in assistant.manifest.documents()}
    _consistent(assistant)


@pytest.mark.integration
def test_ingest_real_government_pdfs(test_settings: Settings) -> None:
    """The shared real PDFs through the whole pipeline: all ingested, none flagged,
    the DPIA's running header/footer in no stored chunk, page numbers on every chunk."""
    from tests.conftest import TESTDATA_PDFS

    if not TESTDATA_PDFS.is_dir():
        pytest.skip("../shared/testdata/pdfs is absent")
    a = build_assistant(test_settings)
    report = a.ingest([TESTDATA_PDFS])
    assert not report.failed, [r.error for r in report.results if r.error]
    by_source = {r.source: r for r in report.results}
    # The composite-font report reads with its word gaps and figures (`ingest.pdffonts`): nothing is flagged.
    assert any(FIGURES_RECOVERED in w for w in by_source["Bijlage_J_-_MinVWS-Coronamelder-REPORT-v1.0.pdf"].warnings)
    flagged = [s for s, r in by_source.items() if any("extraction quality" in w for w in r.warnings)]
    assert flagged == []
    dpia = next(d for d in a.manifest.documents() if d.source.startswith("Bijlage_A"))
    chunks = a.store.get(a.manifest.chunk_ids(dpia.doc_id))  # type: ignore[attr-defined]
    assert len(chunks) == dpia.chunk_count > 50
    assert all(c.page is not None and 1 <= c.page <= 75 for c in chunks)
    import re

    footer = re.compile(r"\b\d{1,2} \| 75\b")
    assert not [c.chunk_id for c in chunks if footer.search(c.text)]
    running_header = "VWS | Directie Informatiebeleid / CIO - DPIA COVID-19 notificatie-app"
    assert not [c.chunk_id for c in chunks if running_header in " ".join(c.text.split())]
    _consistent(a)


class CountingEmbedder:
    """The fake embedder, counting calls; texts holding `poison` make the call fail (a file the model rejects)."""

    def __init__(self, inner: object, poison: str | None = None) -> None:
        self.inner = inner
        self.poison = poison
        self.calls: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def embed_documents(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(len(texts))
        if self.poison and any(self.poison in t for t in texts):
            raise RuntimeError("the model rejected this input")
        return self.inner.embed_documents(texts)  # type: ignore[attr-defined,no-any-return]


def _notes(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"notitie-{n:02d}.txt"
        path.write_text(f"Notitie {n}\n\nDe werkgroep nummer {n} besprak de planning van de havenschouw.\n", "utf-8")
        paths.append(path)
    return paths


def test_small_files_are_embedded_together_and_reported_in_order(test_settings: Settings, tmp_path: Path) -> None:
    from ingest.pipeline import Ingestor

    a = build_assistant(test_settings)
    notes = _notes(tmp_path / "notes", 12)
    counting = CountingEmbedder(a.embedder)
    report = Ingestor(a.manifest, a.store, counting).ingest([tmp_path / "notes"])  # type: ignore[arg-type]
    assert report.count("ingested") == 12
    assert [r.source for r in report.results] == [p.name for p in notes]
    # One embedding call for all twelve files (each is one chunk), not one per file.
    assert counting.calls == [12]
    _consistent(a)


def test_a_file_the_embedder_rejects_fails_alone(test_settings: Settings, tmp_path: Path) -> None:
    from ingest.pipeline import Ingestor

    a = build_assistant(test_settings)
    notes = _notes(tmp_path / "notes", 6)
    notes[3].write_text("Notitie drie\n\nDeze tekst bevat het woord ONVERTEERBAAR.\n", "utf-8")
    ingestor = Ingestor(a.manifest, a.store, CountingEmbedder(a.embedder, poison="ONVERTEERBAAR"))  # type: ignore[arg-type]
    report = ingestor.ingest([tmp_path / "notes"])
    by_source = {r.source: r for r in report.results}
    assert report.count("ingested") == 5
    assert by_source[notes[3].name].status == "failed"
    assert "RuntimeError" in (by_source[notes[3].name].error or "")
    _consistent(a)


def test_same_bytes_twice_in_one_run_are_stored_once(test_settings: Settings, tmp_path: Path) -> None:
    a = build_assistant(test_settings)
    notes = _notes(tmp_path / "notes", 3)
    shutil.copy(notes[0], tmp_path / "notes" / "zz-kopie.txt")
    shutil.copy(notes[1], tmp_path / "notes" / "notitie-01b.txt")  # right behind its twin, in the same batch
    report = a.ingest([tmp_path / "notes"])
    assert report.count("ingested") == 3 and report.count("duplicate") == 2
    assert len(a.manifest.documents()) == 3
    assert len(a.manifest.files()) == 5
    _consistent(a)


def test_progress_is_told_how_many_files_come(assistant: Assistant, folder: Path) -> None:
    seen: list[str] = []
    planned: list[int] = []

    class Progress:
        def __call__(self, result: object) -> None:
            seen.append(getattr(result, "source", ""))

        def planned(self, files: int) -> None:
            planned.append(files)

    assistant.ingest([folder], progress=Progress())
    assert planned == [5] and len(seen) == 5


def test_state_tells_running_and_interrupted_ingests(test_settings: Settings, folder: Path) -> None:
    from ingest.pipeline import Ingestor

    a = build_assistant(test_settings)
    a.ingest([folder / "000_c0ed1ecefa30b148.txt"])
    state = a.ingestor.state()
    assert not state.running and not state.interrupted and state.done == 1 and state.planned == 1

    # Another writer (here: a second Ingestor on the same files, as another process would be) holds the lock.
    other = Ingestor(a.manifest, a.store, a.embedder)
    with other.exclusive():
        assert a.ingestor.state().running

    target = folder / "001_23d19e44c1f29afc.txt"
    crashing = Ingestor(a.manifest, CrashAfterWrite(a.store), a.embedder)  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        crashing.ingest([target])
    state = a.ingestor.state()
    assert state.interrupted and not state.running and state.planned == 1
    a.ingest([folder])
    assert not a.ingestor.state().interrupted


def test_answer_vectors_are_warmed_once_and_an_interrupted_warm_up_resumes(
    test_settings: Settings, folder: Path
) -> None:
    assistant = build_assistant(test_settings.updated(precompute_answer_vectors=True))
    report = assistant.ingest([folder])
    docs = {d.doc_id for d in assistant.manifest.documents()}
    assert report.answer_units > 0 and assistant.vector_cache.warmed() == docs
    # Nothing new: the second run embeds no unit.
    assert assistant.ingest([folder]).answer_units == 0

    # A warm-up killed after two documents: the next run does the rest, and only the rest.
    keep = sorted(docs)[:2]
    assistant.vector_cache.forget_warmed(keep)
    assert assistant.vector_cache.warmed() == set(keep)
    seen: list[tuple[int, int]] = []

    class Progress:
        def __call__(self, result: object) -> None:
            pass

        def warming(self, done: int, total: int) -> None:
            seen.append((done, total))

    assistant.ingest([folder], progress=Progress())
    assert assistant.vector_cache.warmed() == docs
    assert seen and seen[-1] == (3, 3)

    # A removed document loses its mark.
    (folder / "004_a1746381f5f4cd88.txt").unlink()
    assistant.ingest([folder], sync=True)
    assert assistant.vector_cache.warmed() == {d.doc_id for d in assistant.manifest.documents()}


def test_meter_rates_and_eta() -> None:
    import time

    from ingest.pipeline import FileResult, IngestMeter

    meter = IngestMeter(planned=4, started=time.perf_counter() - 10.0)
    assert meter.eta_s is None  # nothing done yet: no basis for a guess
    meter.add(FileResult("a", "a", "ingested", chunks=30))
    meter.add(FileResult("b", "b", "unchanged"))
    assert meter.chunks == 30 and 2.9 < meter.chunks_per_s < 3.01
    eta = meter.eta_s
    assert eta is not None and 9.9 < eta < 10.2  # two files in 10 s, two to go
    meter.add(FileResult("c", "c", "failed"))
    meter.add(FileResult("d", "d", "ingested", chunks=2))
    assert meter.eta_s is None


def test_the_manifest_locates_chunks_by_position_from_either_end(assistant: Assistant, folder: Path) -> None:
    assistant.ingest([folder])
    doc = max(assistant.manifest.documents(), key=lambda d: len(assistant.manifest.chunk_ids(d.doc_id)))
    ids = assistant.manifest.chunk_ids(doc.doc_id)
    ordered = sorted(assistant.store.get(ids), key=lambda c: c.ordinal)  # type: ignore[attr-defined]
    assert len(ordered) >= 2
    at = assistant.manifest.chunk_at
    assert at(doc.doc_id, 0) == ordered[0].chunk_id
    assert at(doc.doc_id, -1) == ordered[-1].chunk_id and at(doc.doc_id, -2) == ordered[-2].chunk_id
    assert at(doc.doc_id, len(ordered)) is None and at(doc.doc_id, -len(ordered) - 1) is None


@pytest.mark.integration
def test_a_run_together_pdf_read_by_an_older_reader_is_read_again(test_settings: Settings, tmp_path: Path) -> None:
    """An index written by an older PDF reader holds a composite-font PDF's run-on text, flagged: the next ingest
    reads it again (same file, same document id), replaces its chunks without leaving the old ones, and then
    stops. The current reader reads that PDF's word gaps and figures (`ingest.pdffonts`), so it is not flagged."""
    import json
    import sqlite3

    from tests.conftest import TESTDATA_PDFS

    pdf = TESTDATA_PDFS / "Bijlage_J_-_MinVWS-Coronamelder-REPORT-v1.0.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} is absent")
    folder = tmp_path / "pdfs"
    folder.mkdir()
    shutil.copy(pdf, folder / pdf.name)
    a = build_assistant(test_settings)
    assert a.ingest([folder]).summary()["ingested"] == 1
    doc = a.manifest.documents()[0]
    assert not any(RUN_TOGETHER in w for w in doc.warnings), doc.warnings
    assert any(FIGURES_RECOVERED in w for w in doc.warnings), doc.warnings
    new_ids = set(a.manifest.chunk_ids(doc.doc_id))
    # What an older reader left: the warning, no reader version, and a chunk of its own run-on text.
    from dataclasses import replace

    first = a.store.get([sorted(new_ids)[0]])[0]
    old = replace(first, chunk_id="chunk-of-the-run-on-text", text="Thereportwillbesent")
    a.store.add([old], np.asarray(a.embedder.embed_documents([old.text]), dtype=np.float32))
    with sqlite3.connect(a.manifest.path) as db:
        db.execute("INSERT INTO chunks VALUES (?, ?, ?)", (old.chunk_id, doc.doc_id, 9999))
        (metadata,) = db.execute("SELECT metadata FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
        older = {k: v for k, v in json.loads(metadata).items() if k != PDF_READER}
        flagged = json.dumps([f"extraction quality: {RUN_TOGETHER} (avg token length 9.9)"])
        db.execute(
            "UPDATE documents SET metadata = ?, warnings = ? WHERE doc_id = ?", (json.dumps(older), flagged, doc.doc_id)
        )
    assert a.manifest.read_again(doc.doc_id)

    again = a.ingest([folder])
    assert again.summary()["updated"] == 1, again.summary()
    assert not a.manifest.read_again(doc.doc_id)
    assert a.manifest.documents()[0].doc_id == doc.doc_id
    assert set(a.manifest.chunk_ids(doc.doc_id)) == new_ids  # same text as the first read: same chunk ids
    assert old.chunk_id not in a.store.ids()  # the earlier version's chunk is gone from the store too
    _consistent(a)
    assert a.ingest([folder]).summary()["unchanged"] == 1


def test_a_changed_chunk_size_cuts_the_stored_documents_again_and_says_so(
    test_settings: Settings, folder: Path
) -> None:
    """A library must not mix passages of two sizes: after `ASSISTANT_CHUNK_SIZE` / `_OVERLAP` change, the next
    ingest cuts every stored document again (the report says why), and the one after that has nothing to do."""
    import json
    import sqlite3

    first = build_assistant(test_settings)
    first.ingest([folder])
    before = {d.source: d.chunk_count for d in first.manifest.documents()}
    smaller = test_settings.updated(chunk_size=400, chunk_overlap=60)
    a = build_assistant(smaller)
    # Before the ingest, the status says what it will do (it re-embeds the library).
    assert a.status().out_of_date == {"chunked again: chunk size/overlap 1000/150 → 400/60": 5}
    assert first.status().out_of_date == {}
    report = a.ingest([folder])
    assert report.summary()["updated"] >= 4 and not report.failed, report.summary()
    assert report.read_again() == {
        "chunked again: chunk size/overlap 1000/150 → 400/60": sum(1 for r in report.results if r.reason)
    }
    after = {d.source: d.chunk_count for d in a.manifest.documents()}
    assert sum(after.values()) > sum(before.values())
    assert max(len(c.text) for c in a.store.get(a.manifest.chunk_ids())) <= 400
    _consistent(a)
    assert a.ingest([folder]).summary()["unchanged"] == 5
    assert a.status().out_of_date == {}
    # A library stored before the cut was recorded was cut with the only default so far (1,000 / 150).
    doc = a.manifest.documents()[0]
    with sqlite3.connect(a.manifest.path) as db:
        (metadata,) = db.execute("SELECT metadata FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
        older = {k: v for k, v in json.loads(metadata).items() if k != "chunking"}
        db.execute("UPDATE documents SET metadata = ? WHERE doc_id = ?", (json.dumps(older), doc.doc_id))
    assert a.manifest.read_again(doc.doc_id, "1000/150") is None
    assert a.manifest.read_again(doc.doc_id, "400/60") == "chunked again: chunk size/overlap 1000/150 → 400/60"


def test_reread_keeps_documents_whose_text_is_unchanged_and_replaces_those_read_differently(
    assistant: Assistant, folder: Path
) -> None:
    """`assistant ingest --reread`: after an upgrade that reads documents better, every file is read again. A
    document that comes out the same keeps its chunks and vectors; one whose text an older version read
    differently (same offsets, other text) is stored anew under new chunk ids, so BM25 in every process sees it."""
    import json
    import sqlite3
    from dataclasses import replace

    assistant.ingest([folder])
    target = next(d for d in assistant.manifest.documents() if d.source == "003_145eaa7edb620ff2.txt")
    # What an older version left: a chunk with the same offsets but other text, under the id it gave (from the
    # document's bytes and the offsets only), and a warning the current reader no longer gives.
    first = assistant.store.get(sorted(assistant.manifest.chunk_ids(target.doc_id)))[0]
    older = replace(
        first,
        chunk_id=make_chunk_id(target.sha256, first.start, first.end),
        text=first.text.replace(first.text.split()[0], "Oudelezing", 1),
    )
    assistant.store.delete([first.chunk_id])
    assistant.store.add([older], np.asarray(assistant.embedder.embed_documents([older.text]), dtype=np.float32))
    with sqlite3.connect(assistant.manifest.path) as db:
        db.execute("UPDATE chunks SET chunk_id = ? WHERE chunk_id = ?", (older.chunk_id, first.chunk_id))
        db.execute("UPDATE documents SET warnings = ?", (json.dumps(["a warning of an older reader"]),))
        db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    ids = {d.doc_id: set(assistant.manifest.chunk_ids(d.doc_id)) for d in assistant.manifest.documents()}
    lexical = assistant.lexical.get()  # as a serving process holds it
    assert lexical.search("Oudelezing", 5, None)
    assert assistant.ingest([folder]).count("unchanged") == 5  # a plain ingest cannot tell

    report = assistant.ingest([folder], reread=True)
    assert (report.count("unchanged"), report.count("updated"), len(report.results)) == (4, 1, 5)
    assert next(r for r in report.results if r.status == "updated").doc_id == target.doc_id
    for doc in assistant.manifest.documents():
        now = set(assistant.manifest.chunk_ids(doc.doc_id))
        assert (now == ids[doc.doc_id]) == (doc.doc_id != target.doc_id)
        assert doc.warnings == ()  # every record rewritten from the new reading
    assert older.chunk_id not in assistant.store.ids() and first.chunk_id in assistant.store.ids()
    assert not any("Oudelezing" in c.text for c in assistant.store.get(assistant.store.ids()))
    assert assistant.lexical.get() is not lexical  # the id set changed: BM25 was brought up to date
    assert not assistant.lexical.get().search("Oudelezing", 5, None)
    _consistent(assistant)
    assert assistant.ingest([folder], reread=True).count("unchanged") == 5
