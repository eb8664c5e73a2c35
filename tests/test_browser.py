"""The app in a real browser: `streamlit run` as a subprocess, driven by headless Chromium through Playwright.

Needs the Debian `chromium` package (/usr/bin/chromium) and the `playwright` Python package; Playwright's own
browser download (`playwright install`) is never used. Skipped with a reason when either is missing.
Screenshots go to test-artifacts/; with UPDATE_SCREENSHOTS=1 they are also copied to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.briefing.boilerplate import addresses_reader
from assistant.composition import build_assistant
from assistant.core.config import load_settings
from tests.servers import wait_until_up

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEV_SET = ROOT.parent / "shared" / "eval" / "questions-dev.jsonl"
QUESTION = "In welk jaar is de gemeente Den Haag lid geworden van EFUS?"
SOURCE_TITLE = "Verslag dienstreis Parijs van 24 juni-27 juni 2015"
# Markup in a document must reach the user as text: nothing in it may run or render.
HOSTILE_DOC = (
    "Sleutelbeheer\n\n"
    "De portier bewaart de kluissleutel <script>window.__pwned = 1</script> in een verzegelde envelop "
    '<img src="x" onerror="window.__pwned = 2"> naast de balie.\n'
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _save(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"browser-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_SCREENSHOTS / f"{name}.png")
    return target


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free port, test profile, bundled corpus ingested; yields the URL."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
    data = tmp_path_factory.mktemp("browser") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(data)})
    settings = load_settings(profile="test", data_dir=data, _env_file=None)
    hostile = tmp_path_factory.mktemp("hostile-docs")
    (hostile / "kluis.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    build_assistant(settings).ingest([settings.ingest.corpus_dir, hostile])

    port = _free_port()
    log = (tmp_path_factory.mktemp("browser-log") / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/_stcore/health", proc, timeout=60, what=f"streamlit on port {port} (log: {log.name})")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser: Any, url: str, height: int = 1000) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(url)
    page.get_by_test_id("stApp").wait_for()
    return page


def test_chat_in_a_real_browser(server: str, browser: Any) -> None:
    page = _open(browser, server, height=1150)
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=60_000)
    box.fill(QUESTION)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").filter(has_text="[1]").first
    answer.wait_for(timeout=60_000)
    assert "2015" in answer.inner_text()
    # The answer's [1] is a link to its source card, which shows the quote marked in its passage.
    link = answer.locator("a[href^='#bron-'][href$='-1']").first
    link.click()
    card = page.locator("[id^='bron-'][id$='-1']").first
    card.wait_for(state="attached", timeout=10_000)
    assert page.url.endswith(link.get_attribute("href") or "?")
    mark = page.locator("mark").first
    mark.wait_for(timeout=10_000)
    assert mark.is_visible() and "lid geworden van EFUS" in mark.inner_text()
    assert page.get_by_text(SOURCE_TITLE).first.is_visible()
    page.get_by_text("Origineel downloaden").first.wait_for()
    page.wait_for_timeout(800)  # let the streamed text settle before the picture
    assert _save(page, "chat").stat().st_size > 10_000
    # "Bekijk document" opens the whole document at the cited passage, the quote marked.
    page.get_by_role("button", name="Bekijk document").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=30_000)
    assert SOURCE_TITLE in dialog.inner_text()
    marked = dialog.locator("mark").first
    marked.wait_for(timeout=10_000)
    assert "lid geworden van EFUS" in marked.inner_text()
    page.wait_for_timeout(500)
    _save(page, "document")
    page.close()


def test_every_page_renders_in_a_real_browser(server: str, browser: Any) -> None:
    page = _open(browser, server)
    for path, heading in (
        ("documenten", "Documenten"),
        ("evaluatie", "Evaluatie"),
        ("over", "Over / Instellingen"),
    ):
        page.goto(f"{server}/{path}")
        page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
        page.get_by_test_id("stApp").wait_for()
        if path == "evaluatie" and DEV_SET.is_file():
            # Run the dev set (test profile: seconds) so the picture shows metric cards and the table.
            page.get_by_role("button", name="Evaluatie starten").click()
            page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
            first = _picked_run(page)
            # A second run in a row: the results switch to it, not stay on the first.
            page.get_by_role("button", name="Evaluatie starten").click()
            page.wait_for_function(
                "name => { const box = document.querySelector('input[aria-label=Run]');"
                " return box !== null && box.value !== name; }",
                arg=first,
                timeout=120_000,
            )
            second = _picked_run(page)
            assert second != first and second in page.get_by_text("Klaar in").first.inner_text()
            page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # data grids draw on a canvas after the heading appears
        assert not page.get_by_test_id("stException").count()
        _save(page, {"documenten": "documents", "evaluatie": "evaluation", "over": "about"}[path])
    page.close()


def _picked_run(page: Any) -> str:
    """The run the evaluation page shows (the value of its "Run" selector)."""
    return str(page.locator("input[aria-label='Run']").first.input_value())


def test_briefing_in_a_real_browser(server: str, browser: Any) -> None:
    page = _open(browser, f"{server}/briefing")
    page.get_by_role("heading", name="Briefing").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Briefing maken").click()  # nothing filled in
    page.get_by_text("Vul eerst een onderwerp").wait_for(timeout=30_000)
    page.get_by_label("Onderwerp of bestemming").fill("Brussel")
    page.get_by_role("button", name="Briefing maken").click()
    page.get_by_role("heading", name="Briefing: Brussel").wait_for(timeout=120_000)
    page.get_by_text("Relevante beleidsthema's").first.wait_for()
    text = page.get_by_test_id("stMain").inner_text()
    briefing = text.split("Briefing: Brussel", 1)[1].split("Bronnen", 1)[0]
    # No line of the briefing is a call to action or a question to the reader.
    assert not [line for line in briefing.splitlines() if addresses_reader(line.split("—")[-1])]
    page.wait_for_timeout(800)
    _save(page, "briefing")
    page.close()


def test_markup_in_documents_is_shown_as_text_and_never_runs(server: str, browser: Any) -> None:
    page = _open(browser, server)
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=60_000)
    box.fill("Wie bewaart de kluissleutel in een verzegelde envelop?")
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").filter(has_text="kluissleutel").last
    answer.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # time for any injected handler (img onerror) to fire, if it could
    assert "<script>" in answer.inner_text()  # visible as characters
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x']").count() == 0
