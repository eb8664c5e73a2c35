"""Nothing may leave the machine: no hub downloads, no telemetry, no update checks. Set by the project
itself at every entry point (CLI, app, tests), before heavy libraries are imported.

The network switches are forced, not defaulted: a stray `HF_HUB_OFFLINE=0` or `ANONYMIZED_TELEMETRY=True`
in a user's shell must not turn hub calls or telemetry back on. The cosmetic ones (verbosity, progress
bars) are only defaults. Checked with outbound traffic refused: tests/test_offline.py, docs/reliability.md."""

from __future__ import annotations

import os

NETWORK_OFF = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}
QUIET = {
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}
OFFLINE_ENV = {**NETWORK_OFF, **QUIET}


def quiet_offline_environment() -> None:
    os.environ.update(NETWORK_OFF)
    for key, value in QUIET.items():
        os.environ.setdefault(key, value)
