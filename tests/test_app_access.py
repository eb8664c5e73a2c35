"""The app's sign-in and access groups through Streamlit's AppTest: with no sign-in configured only public
documents are shown (and only on localhost); with local users a sign-in form guards the app; with OIDC the
identity's e-mail maps to groups. Every element of every page is searched for the secret markers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.access.audit import read_entries
from assistant.access.users import UserStore
from assistant.composition import build_assistant
from assistant.core.config import load_settings
from assistant.core.groups import Role
from tests.access_corpus import OIDC_SECRETS, SECRET, SECRET2, make_corpus

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("assistant/ui/pages/library.py", "assistant/ui/pages/briefing.py", "assistant/ui/pages/about.py")
QUESTION = f"Wat zegt dossier {SECRET} over EFUS in Brussel?"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = make_corpus(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    report = build_assistant(load_settings()).ingest([corpus])
    assert report.count("ingested") == 7
    return data


def _protos(node: Any) -> Iterator[str]:
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield str(proto)  # every text field, including dataframe bytes and widget options
    for child in getattr(node, "children", {}).values():
        yield from _protos(child)


def everything(at: AppTest) -> str:
    return "\n".join(_protos(at._tree))


def visit_all(at: AppTest) -> str:
    """Ask the marker question, then open every other page (briefing on EFUS); all that was shown."""
    seen = []
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    seen.append(everything(at).replace(QUESTION, ""))  # the user's own question is echoed
    for page in PAGES:
        if page.endswith("about.py") and not any(p.endswith("about.py") for p in _registered(at)):
            continue  # the settings page is only registered for administrators
        at.switch_page(page).run()
        assert not at.exception, at.exception
        if page.endswith("briefing.py"):
            at.button(key="briefing-example-2").click().run()  # "EFUS"
            assert any("EFUS" in h.value for h in at.subheader), [h.value for h in at.subheader]
        seen.append(everything(at))
    return "\n".join(seen)


def _registered(at: AppTest) -> list[str]:
    try:
        at.switch_page("assistant/ui/i18n.py")  # a file that is no page
    except ValueError as exc:  # AppTest names the pages the app registered
        return [p for p in str(exc).split("'") if p.endswith(".py")]
    return []


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_user").set_value(name)
    at.text_input(key="login_password").set_value(password)
    return at.button[0].click().run()


def test_without_sign_in_only_public_documents_and_a_localhost_notice(data_dir: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, at.exception
    assert any("alleen op deze computer" in c.value for c in at.sidebar.caption)
    shown = visit_all(at)
    assert "Verslag dienstreis Parijs" in shown  # the public corpus is there
    assert SECRET not in shown and SECRET2 not in shown
    entries = read_entries(data_dir / "audit.jsonl")
    assert {"ask", "briefing"} <= {e["action"] for e in entries} and all(e["user"] == "lokaal" for e in entries)


def test_the_operator_view_would_show_the_secret(data_dir: Path) -> None:
    """Counter-check for the test above: the same visit with all groups does show the markers."""
    UserStore(data_dir / "users.json").add("beheer", "lang-wachtwoord", ["veiligheid", "bestuur"])
    at = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "beheer", "lang-wachtwoord")
    shown = visit_all(at)
    assert SECRET in shown and SECRET2 in shown


def test_local_sign_in_refuses_wrong_password_and_applies_groups(data_dir: Path) -> None:
    UserStore(data_dir / "users.json").add("an", "lang-wachtwoord", ["veiligheid"])
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert at.title[0].value == "Aanmelden" and not at.chat_input  # the form, and nothing else
    sign_in(at, "an", "fout-wachtwoord")
    assert any("verkeerd wachtwoord" in e.value for e in at.error) and not at.chat_input
    sign_in(at, "an", "lang-wachtwoord")
    assert not at.exception and at.chat_input  # the chat is there
    assert any("an" in m.value and "veiligheid" in m.value for m in at.sidebar.markdown)
    shown = visit_all(at)
    assert SECRET in shown and SECRET2 not in shown  # group veiligheid, not bestuur
    actions = [(e["action"], e["user"]) for e in read_entries(data_dir / "audit.jsonl")]
    assert ("login_failed", "an") in actions and ("login", "an") in actions
    log = (data_dir / "audit.jsonl").read_text()
    assert "lang-wachtwoord" not in log and "fout-wachtwoord" not in log  # passwords are never logged


def test_repeated_wrong_passwords_are_refused_before_they_are_checked(data_dir: Path) -> None:
    UserStore(data_dir / "users.json").add("kees", "lang-wachtwoord", [])
    at = AppTest.from_file(APP, default_timeout=90).run()
    messages: list[str] = []
    for _ in range(6):  # two typos are free; then each attempt must wait 1, 2, 4 … s: some come too early
        sign_in(at, "kees", "geraden-wachtwoord")
        messages += [e.value for e in at.error]
    assert any("Te veel mislukte pogingen" in m for m in messages), messages
    assert not at.chat_input
    actions = [e["action"] for e in read_entries(data_dir / "audit.jsonl") if e["user"] == "kees"]
    assert "login_refused" in actions and actions.count("login_failed") >= 3


def test_a_demoted_or_removed_user_loses_access_at_the_next_action(data_dir: Path) -> None:
    users = UserStore(data_dir / "users.json")
    users.add("an", "lang-wachtwoord", ["veiligheid"])
    users.add("beheer", "lang-wachtwoord", ["veiligheid", "bestuur"])  # someone is left, so sign-in stays on
    at = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "an", "lang-wachtwoord")
    assert SECRET in visit_all(at)
    users.add("an", "lang-wachtwoord", [])  # demoted while the tab is open
    at.switch_page("assistant/ui/pages/chat.py").run()
    assert any("geen" in m.value for m in at.sidebar.markdown)  # the sidebar shows the current groups
    assert SECRET not in visit_all(at)
    users.remove("an")
    at.switch_page("assistant/ui/pages/chat.py").run()
    assert any("verwijderd of gewijzigd" in w.value for w in at.warning) and not at.chat_input
    assert at.title[0].value == "Aanmelden"
    actions = [e["action"] for e in read_entries(data_dir / "audit.jsonl") if e["user"] == "an"]
    assert "session_groups_changed" in actions and "session_revoked" in actions


def test_a_disabled_user_is_signed_out_at_the_next_action_and_cannot_sign_in(data_dir: Path) -> None:
    users = UserStore(data_dir / "users.json")
    users.add("an", "lang-wachtwoord", ["veiligheid"], role=Role.EDITOR)
    users.add("beheer", "lang-wachtwoord", ["veiligheid", "bestuur"])
    at = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "an", "lang-wachtwoord")
    assert SECRET in visit_all(at)
    users.set_enabled("an", False)
    at.switch_page("assistant/ui/pages/chat.py").run()
    assert at.title[0].value == "Aanmelden" and not at.chat_input
    assert users.authenticate("an", "lang-wachtwoord") is None  # the right password no longer signs in
    again = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "an", "lang-wachtwoord")
    assert again.title[0].value == "Aanmelden" and not again.chat_input
    users.add("an", "een-nieuw-wachtwoord", ["veiligheid"])  # a new password does not re-enable the account
    assert users.authenticate("an", "een-nieuw-wachtwoord") is None
    back = users.set_enabled("an", True)
    assert back.role is Role.EDITOR and back.groups == ("veiligheid",)  # as it was
    assert users.authenticate("an", "een-nieuw-wachtwoord") is not None


def test_settings_page_is_for_administrators_only(data_dir: Path) -> None:
    users = UserStore(data_dir / "users.json")
    users.add("lezer", "lang-wachtwoord", ["veiligheid"])
    users.add("beheer", "lang-wachtwoord", [], role=Role.ADMIN)
    reader = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "lezer", "lang-wachtwoord")
    assert not any(p.endswith("about.py") for p in _registered(reader))  # not in a reader's navigation
    assert any(p.endswith("chat.py") for p in _registered(reader))
    admin = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "beheer", "lang-wachtwoord")
    admin.switch_page("assistant/ui/pages/about.py").run()
    assert not admin.warning and admin.dataframe


def test_oidc_user_gets_mapped_groups(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_OIDC_GROUPS", json.dumps({"an@denhaag.nl": ["bestuur"]}))
    secrets = OIDC_SECRETS
    out = AppTest.from_file(APP, default_timeout=90)
    out.secrets = secrets
    out.user = {"is_logged_in": False}
    out.run()
    assert out.title[0].value == "Aanmelden" and not out.chat_input

    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets = secrets
    at.user = {"is_logged_in": True, "email": "an@denhaag.nl", "name": "An"}
    at.run()
    assert not at.exception, at.exception
    shown = visit_all(at)
    assert SECRET2 in shown and SECRET not in shown

    other = AppTest.from_file(APP, default_timeout=90)
    other.secrets = secrets
    other.user = {"is_logged_in": True, "email": "piet@elders.nl"}
    other.run()
    shown = visit_all(other)
    assert SECRET not in shown and SECRET2 not in shown


def test_no_sign_in_refuses_a_non_local_address(data_dir: Path) -> None:
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=90).run()
    finally:
        config.set_option("server.address", before)
    assert any("0.0.0.0" in e.value for e in at.error)
    assert not at.chat_input


def test_evaluation_runs_are_listed_only_to_who_may_read_them(tmp_path: Path) -> None:
    from assistant.access.principal import Principal
    from eval.page import run_visible

    def run(name: str, meta: dict[str, object] | None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if meta is not None:
            (folder / "meta.json").write_text(json.dumps(meta))
        return folder

    public_run, secret_run = run("a", {"access": []}), run("b", {"access": ["veiligheid"]})
    operator_run, old_run = run("c", {"access": None}), run("d", None)
    an = Principal("an", frozenset({"veiligheid"}))
    assert run_visible(public_run, Principal.public()) and not run_visible(secret_run, Principal.public())
    assert run_visible(secret_run, an) and not run_visible(operator_run, an) and not run_visible(old_run, an)
    assert run_visible(old_run, Principal.operator())
    # Runs that record their user belong to that user, whatever the groups (the operator sees all).
    own, other = run("e", {"access": [], "user": "an"}), run("f", {"access": [], "user": "piet"})
    assert run_visible(own, an) and not run_visible(other, an) and not run_visible(own, Principal.public())
    assert run_visible(other, Principal.operator())


def test_uploaded_question_sets_are_private_to_their_uploader(tmp_path: Path) -> None:
    from assistant.access.principal import Principal
    from assistant.core.config import TestSettings
    from eval.page import question_sets, uploads_dir

    settings = TestSettings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    an, piet = Principal("an", frozenset({"veiligheid"})), Principal("piet", frozenset({"veiligheid"}))
    for who in (an, piet):  # the same file name: neither replaces the other
        folder = uploads_dir(settings, who)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "vragen.jsonl").write_text(json.dumps({"id": who.name}))
    mine = [p for p in question_sets(settings, an) if "eval-uploads" in p.parts]
    assert [json.loads(p.read_text())["id"] for p in mine] == ["an"]
    everyone = [p for p in question_sets(settings, Principal.operator()) if "eval-uploads" in p.parts]
    assert sorted(json.loads(p.read_text())["id"] for p in everyone) == ["an", "piet"]


def test_downloads_and_exports_are_audited(data_dir: Path) -> None:
    UserStore(data_dir / "users.json").add("an", "lang-wachtwoord", [])
    at = sign_in(AppTest.from_file(APP, default_timeout=90).run(), "an", "lang-wachtwoord")
    at.chat_input[0].set_value("In welk jaar is de gemeente Den Haag lid geworden van EFUS?").run()
    source = next(b for b in at.download_button if b.key and b.key.startswith("dl-"))
    source.click().run()
    at.download_button(key="export_md").click().run()
    assert not at.exception, at.exception
    entries = {e["action"]: e for e in read_entries(data_dir / "audit.jsonl") if e["user"] == "an"}
    assert entries["download"]["documents"][0]["title"] and entries["download"]["file"].endswith(".txt")
    assert entries["export"]["kind"] == "conversation-markdown" and entries["export"]["cited"]
    assert entries["ask"]["cited"] and entries["login"]["method"] == "password"
