"""Helpers for tests that start a real server process (Chroma, Streamlit)."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest


def wait_until_up(
    url: str, proc: subprocess.Popen[Any], *, timeout: float, what: str, detail: Callable[[], str] | None = None
) -> None:
    """Poll `url` until it answers; fail the test (killing `proc`) when the process exits or `timeout` passes.
    `detail` adds what the process printed, so a failed start says why."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{what} did not start: {detail() if detail else url}")
            time.sleep(0.3)
