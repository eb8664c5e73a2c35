"""Roles (issue #17, item 4): readers ask and search, editors upload into one of their own groups (or public)
and delete what they may edit, admins change everything. Checked in the rules, the principal-scoped assistant
(where the library is changed), the app (AppTest: controls, callbacks, the chosen group), uploads that never
overwrite, the users file and OIDC claims."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from assistant.access.audit import read_entries
from assistant.access.principal import Principal
from assistant.access.users import UserStore, hash_password, role_for_claims
from assistant.composition import build_assistant
from assistant.core.config import AccessSettings, TestSettings, load_settings
from assistant.core.errors import AccessDeniedError, ConfigurationError
from assistant.core.groups import Role, parse_role
from ingest.uploads import store_upload, upload_owner
from tests.access_corpus import OIDC_SECRETS, SECRET, SECRET2, make_corpus

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LIBRARY = "assistant/ui/pages/library.py"
PASSWORD = "lang-wachtwoord"
MARKER = "QWPLANVEILIG"  # in the editor's upload
UPLOAD_TEXT = f"Plan {MARKER}\n\nHet plan {MARKER} over cameratoezicht in Den Haag loopt tot 2027.\n"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The access corpus (public documents, one of group veiligheid, one of group bestuur), selected through
    the environment like the app is; with an editor (veiligheid), a reader and an editor of bestuur."""
    corpus = make_corpus(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    assert build_assistant(load_settings()).ingest([corpus]).count("ingested") == 7
    users = UserStore(data / "users.json")
    users.add("an", PASSWORD, ["veiligheid"], Role.EDITOR)
    users.add("lees", PASSWORD, ["veiligheid"])  # no role given: a reader
    users.add("piet", PASSWORD, ["bestuur"], Role.EDITOR)
    return data


def sign_in(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.text_input(key="login_user").set_value(name)
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button[0].click().run()
    at.switch_page(LIBRARY).run()
    assert not at.exception, at.exception
    return at


# ------------------------------------------------------------------------------------------------ rules


def test_role_names_parse_and_unknown_names_are_refused() -> None:
    assert parse_role(" Editor ") is Role.EDITOR and parse_role("admin") is Role.ADMIN
    with pytest.raises(ValueError, match="reader, editor, admin"):
        parse_role("beheerder")
    assert Principal("x").role is Role.READER  # least privilege unless granted
    assert Principal.operator().role is Role.ADMIN
    with pytest.raises(ValidationError, match="invalid role"):
        TestSettings(oidc_roles={"@denhaag.nl": "superuser"}, _env_file=None)  # type: ignore[call-arg]


def test_who_may_upload_where_and_edit_what() -> None:
    reader = Principal("lees", frozenset({"veiligheid"}))
    editor = Principal("an", frozenset({"veiligheid", "bestuur"}), role=Role.EDITOR)
    admin = Principal("beheer", frozenset({"veiligheid"}), role=Role.ADMIN)
    assert reader.upload_choices() == () and not reader.may_upload_to(())
    assert editor.upload_choices() == (("bestuur",), ("veiligheid",), ())  # a group first, public last
    assert editor.may_upload_to(("veiligheid",)) and not editor.may_upload_to(("financien",))
    assert not reader.may_edit(("veiligheid",), "lees")
    assert editor.may_edit(("veiligheid",), None) and editor.may_edit(("bestuur", "veiligheid"), "piet")
    assert not editor.may_edit(("financien", "veiligheid"), None)  # a group of others: not theirs
    assert editor.may_edit((), "an") and not editor.may_edit((), "piet") and not editor.may_edit((), None)
    assert admin.may_edit((), None) and admin.may_edit(("veiligheid",), "piet")
    assert not admin.may_edit(("bestuur",), None)  # what they cannot see, they cannot delete


def test_users_without_a_role_are_readers_and_roles_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    old = {"users": {"an": {"groups": ["veiligheid"], "hash": hash_password(PASSWORD)}}}  # before roles existed
    path.write_text(json.dumps(old))
    store = UserStore(path)
    assert store.users()["an"].role is Role.READER
    assert store.authenticate("an", PASSWORD) == Principal("an", frozenset({"veiligheid"}), role=Role.READER)
    store.set_role("an", Role.EDITOR)
    assert store.users()["an"].groups == ("veiligheid",) and store.authenticate("an", PASSWORD) is not None
    store.add("an", PASSWORD, ["bestuur"])  # a new password without --role keeps the role
    assert store.users()["an"].role is Role.EDITOR and json.loads(path.read_text())["users"]["an"]["role"] == "editor"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.add("nieuw", PASSWORD).role is Role.READER
    with pytest.raises(ConfigurationError, match="no user"):
        store.set_role("niemand", Role.ADMIN)
    data = json.loads(path.read_text())
    data["users"]["an"]["role"] = "baas"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigurationError, match="cannot be read"):
        store.users()


def test_oidc_claims_map_to_roles() -> None:
    mapping = {"An@DenHaag.nl": "admin", "@denhaag.nl": "editor", "piet@denhaag.nl": "reader"}
    assert role_for_claims({"email": "an@denhaag.nl"}, mapping) is Role.ADMIN
    assert role_for_claims({"email": "kees@denhaag.nl"}, mapping) is Role.EDITOR
    assert role_for_claims({"email": "piet@denhaag.nl"}, mapping) is Role.READER  # the exact address wins
    assert role_for_claims({"email": "x@elders.nl"}, mapping) is Role.READER
    claims = {"email": "piet@denhaag.nl", "roles": ["Editor", "Finance.Approver"]}
    assert role_for_claims(claims, mapping, "roles") is Role.EDITOR  # the identity provider's role counts
    assert role_for_claims({"email": "x@elders.nl", "roles": "admin"}, {}, "roles") is Role.ADMIN
    with pytest.raises(ConfigurationError, match="ASSISTANT_OIDC_ROLES"):
        role_for_claims({"email": "an@denhaag.nl"}, {"an@denhaag.nl": "baas"})


# ---------------------------------------------------------------------------------- the scoped assistant


def test_only_editors_change_the_library_and_only_what_they_may_edit(data_dir: Path) -> None:
    assistant = build_assistant(load_settings())
    docs = assistant.manifest.documents()
    secret = next(d for d in docs if d.groups == ("veiligheid",))
    bestuur = next(d for d in docs if d.groups == ("bestuur",))
    public = next(d for d in docs if not d.groups)
    reader = assistant.scoped(Principal("lees", frozenset({"veiligheid"})))
    editor = assistant.scoped(Principal("an", frozenset({"veiligheid"}), role=Role.EDITOR))
    with pytest.raises(AccessDeniedError, match="may not change the library"):
        reader.ingest([assistant.settings.ingest.corpus_dir])
    with pytest.raises(AccessDeniedError):
        reader.delete_document(secret.doc_id)
    with pytest.raises(AccessDeniedError):
        editor.delete_document(public.doc_id)  # a public corpus document: not theirs
    with pytest.raises(AccessDeniedError):
        editor.delete_document(bestuur.doc_id)  # another group's
    assert {d.doc_id for d in editor.editable_documents()} == {secret.doc_id}
    assert editor.delete_document(secret.doc_id) > 0
    admin = assistant.scoped(Principal("beheer", role=Role.ADMIN))
    assert admin.delete_document(public.doc_id) > 0
    remaining = {d.doc_id for d in assistant.manifest.documents()}
    assert bestuur.doc_id in remaining and secret.doc_id not in remaining and public.doc_id not in remaining


# ------------------------------------------------------------------------------------------------ uploads


def test_an_upload_never_replaces_an_existing_file(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    first = store_upload(folder, "nota.txt", b"van an", ("veiligheid",), "an")
    second = store_upload(folder, "nota.txt", b"van piet", (), "piet")
    assert (first.path.name, first.renamed) == ("nota.txt", False)
    assert (second.path.name, second.renamed) == ("nota (2).txt", True)
    assert first.path.read_bytes() == b"van an" and second.path.read_bytes() == b"van piet"
    sidecar = json.loads((folder / "nota.txt.meta.json").read_text())
    assert sidecar == {"groups": ["veiligheid"], "uploaded_by": "an"}
    assert upload_owner(second.path) == "piet" and upload_owner(tmp_path / "elders.txt") is None
    (folder / "nota (3).txt.meta.json").write_text("{}")  # a sidecar whose upload was interrupted
    assert store_upload(folder, "nota.txt", b"derde", (), "an").path.name == "nota (4).txt"


# ------------------------------------------------------------------------------------------------ the app


def test_a_reader_sees_no_upload_or_delete_controls(data_dir: Path) -> None:
    at = sign_in("lees")
    assert not at.file_uploader
    keys = {b.key for b in at.button}
    assert not {"docs_upload_go", "docs_delete_go", "docs_reindex"} & keys, keys
    assert not any(s.key == "docs_delete_pick" for s in at.selectbox)
    assert any("redacteur of beheerder" in i.value for i in at.info)
    assert any("rol: lezer" in m.value for m in at.sidebar.markdown)
    assert at.text_input(key="docs_search")  # searching stays


def _upload_callback(folder: str) -> None:
    """A session of `an`, whose role changed to reader a moment ago, presses the upload button: the callback
    runs (as Streamlit runs it, before the page's sign-in check) with a file in the uploader."""
    from pathlib import Path

    import streamlit as st

    from assistant.access.principal import Principal
    from assistant.core.groups import Role
    from assistant.ui import library
    from assistant.ui.state import PRINCIPAL_KEY

    class Uploaded:  # the uploader's file: name, size and bytes
        name, size = "plan.txt", 40

        def getvalue(self) -> bytes:
            return b"Plan voor iedereen zichtbaar\n\nTekst.\n"

    if "done" not in st.session_state:
        st.session_state["done"] = True
        st.session_state[PRINCIPAL_KEY] = Principal("an", frozenset({"veiligheid"}), role=Role.EDITOR)
        st.session_state["files"] = [Uploaded()]
        st.session_state[library.GROUP_KEY] = ""
        library._accept_uploads("files", Path(folder), 50)


def test_the_upload_callback_refuses_a_reader_on_its_own(data_dir: Path) -> None:
    UserStore(data_dir / "users.json").set_role("an", Role.READER)
    at = AppTest.from_function(_upload_callback, args=(str(data_dir / "uploads"),), default_timeout=60).run()
    assert not at.exception, at.exception
    assert not (data_dir / "uploads").exists() or not any((data_dir / "uploads").iterdir())
    assert at.session_state["docs_upload_problems"] == [("docs.denied", {})]
    refused = [e for e in read_entries(data_dir / "audit.jsonl") if e["action"] == "upload_refused"]
    assert refused and refused[-1]["reason"] == "docs.denied" and refused[-1]["user"] == "an"


def test_an_editor_uploads_into_a_chosen_group_that_others_cannot_see(data_dir: Path) -> None:
    at = sign_in("an")
    group = at.selectbox(key="docs_upload_group")
    assert group.options == ["Alleen groep 'veiligheid'", "Openbaar: iedereen die de assistent gebruikt"]
    assert group.value == "veiligheid"  # preselected: never public by accident
    at.file_uploader[0].upload("plan.txt", UPLOAD_TEXT.encode())
    at.button(key="docs_upload_go").click().run()
    assert not at.error and not at.exception, [e.value for e in at.error]
    sidecar = json.loads((data_dir / "uploads" / "plan.txt.meta.json").read_text())
    assert sidecar == {"groups": ["veiligheid"], "uploaded_by": "an"}
    upload = next(e for e in read_entries(data_dir / "audit.jsonl") if e["action"] == "upload")
    assert (upload["user"], upload["groups"], upload["stored_as"]) == ("an", ["veiligheid"], "plan.txt")

    # The same name again, by the same editor, public this time: a new version, the first one untouched.
    at.selectbox(key="docs_upload_group").set_value("").run()
    at.file_uploader[0].upload("plan.txt", b"Een ander plan\n\nOpenbaar.\n")
    at.button(key="docs_upload_go").click().run()
    assert any("plan (2).txt" in i.value and "nieuwe versie" in i.value for i in at.info), [i.value for i in at.info]
    assert (data_dir / "uploads" / "plan.txt").read_text() == UPLOAD_TEXT

    assistant = build_assistant(load_settings())
    mine = assistant.scoped(Principal("an", frozenset({"veiligheid"})))
    other = assistant.scoped(Principal("piet", frozenset({"bestuur"}), role=Role.EDITOR))
    assert MARKER in repr(mine.search(f"plan {MARKER} cameratoezicht", k=20))
    assert MARKER not in repr(other.search(f"plan {MARKER} cameratoezicht", k=20))
    assert not any(MARKER in d.title for d in other.documents())


def test_an_editor_is_offered_only_documents_of_their_own_groups(data_dir: Path) -> None:
    at = sign_in("piet")
    picker = at.selectbox(key="docs_delete_pick")
    titles = picker.options
    assert len(titles) == 1 and SECRET2 in titles[0]  # the bestuur document; no public or veiligheid one
    assert not any(SECRET in t for t in titles)
    picker.select_index(0).run()
    at.button(key="docs_delete_go").click().run()
    at.button(key="docs_delete_yes").click().run()
    assert any("verwijderd" in s.value for s in at.success)
    actions = [(e["user"], e["action"]) for e in read_entries(data_dir / "audit.jsonl")]
    assert ("piet", "delete") in actions


def test_without_sign_in_the_local_user_still_uploads_and_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(LIBRARY).run()
    assert at.selectbox(key="docs_upload_group").options == ["Openbaar: iedereen die de assistent gebruikt"]
    at.file_uploader[0].upload("plan.txt", UPLOAD_TEXT.encode())
    at.button(key="docs_upload_go").click().run()
    assert not at.error and not at.exception, [e.value for e in at.error]
    assert at.selectbox(key="docs_delete_pick").options  # the local user (an admin) may delete


def test_oidc_roles_decide_the_library_controls(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_OIDC_GROUPS", json.dumps({"@denhaag.nl": ["veiligheid"]}))
    monkeypatch.setenv("ASSISTANT_OIDC_ROLES", json.dumps({"an@denhaag.nl": "editor"}))
    secrets = OIDC_SECRETS
    seen = {}
    for email in ("an@denhaag.nl", "kees@denhaag.nl"):
        at = AppTest.from_file(APP, default_timeout=90)
        at.secrets = secrets
        at.user = {"is_logged_in": True, "email": email}
        at.run()
        at.switch_page(LIBRARY).run()
        assert not at.exception, at.exception
        seen[email] = bool(at.file_uploader)
    assert seen == {"an@denhaag.nl": True, "kees@denhaag.nl": False}
    login = [e for e in read_entries(data_dir / "audit.jsonl") if e["action"] == "login"]
    assert {(e["user"], e["role"]) for e in login} == {("an@denhaag.nl", "editor"), ("kees@denhaag.nl", "reader")}


def test_settings_describe_the_role_mapping() -> None:
    for name in ("oidc_roles", "oidc_roles_claim"):
        assert AccessSettings.model_fields[name].description
