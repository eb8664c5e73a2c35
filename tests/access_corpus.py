"""A corpus with confidential documents for the access-control tests.

Two restricted documents carry unique markers in their title and text and are written to be *found*: they
talk about EFUS, Den Haag and Brussel like the public corpus, so an unfiltered search, answer or briefing
would show them (each test checks that the operator does see them, so it can fail)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from assistant.core.config import BUNDLED_CORPUS

SECRET = "ZQXGEHEIM"  # in the document of group "veiligheid" (folder .access.json)
SECRET2 = "WVKBESTUUR"  # in the document of group "bestuur" (sidecar)

SECRET_TEXT = f"""Vertrouwelijk dossier {SECRET} EFUS Brussel

In 2015 is de gemeente Den Haag officieel lid geworden van EFUS, meldt dossier {SECRET}. De delegatie van
Den Haag bezoekt Brussel en de Europese Commissie over EFUS en radicalisering ({SECRET}). De directeur van
EFUS, mw. Johnston, sprak in Brussel met de burgemeester over dossier {SECRET}.

Vervolgafspraken {SECRET}: de EFUS conferentie in Brussel wordt voorbereid door de directie Veiligheid.
"""

SECRET2_TEXT = f"""Bestuursnotitie {SECRET2} EFUS lidmaatschap

De gemeente Den Haag is lid van EFUS. Het lidmaatschap van EFUS kost {SECRET2} euro per jaar; notitie
{SECRET2} gaat over het budget van de directie Veiligheid voor Brussel.
"""


def make_corpus(root: Path) -> Path:
    """The bundled corpus plus geheim/dossier.txt (group veiligheid) and notitie.txt (group bestuur)."""
    corpus = root / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    secret_dir = corpus / "geheim"
    secret_dir.mkdir()
    (secret_dir / ".access.json").write_text(json.dumps({"groups": ["veiligheid"]}), encoding="utf-8")
    (secret_dir / "dossier.txt").write_text(SECRET_TEXT, encoding="utf-8")
    (corpus / "notitie.txt").write_text(SECRET2_TEXT, encoding="utf-8")
    (corpus / "notitie.txt.meta.json").write_text(json.dumps({"groups": ["bestuur"]}), encoding="utf-8")
    return corpus


# Streamlit's `[auth]` secrets for an OIDC provider; AppTest never contacts it (the user is set on the test).
OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "beleidsassistent",
        "client_secret": "geheim",
        "server_metadata_url": "https://login.example/.well-known/openid-configuration",
    }
}
