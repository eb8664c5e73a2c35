"""scripts/llm_setup.sh: valid shell, and llama.cpp built portably unless LLM_NATIVE=1 asks for a native build
(a native build crashed in libggml-cpu on a Xeon VM that reports AVX-512 and AMX; see docs/llm.md). Only the
`flags` command runs here: building llama.cpp takes a quarter of an hour."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "llm_setup.sh"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LLM_NATIVE", "CMAKE_ARGS")}
    return subprocess.run(
        [str(BASH), str(SCRIPT), *args], capture_output=True, text=True, env={**clean, **env}, timeout=30
    )


def test_script_is_valid_bash() -> None:
    result = subprocess.run([str(BASH), "-n", str(SCRIPT)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_portable_build_is_the_default() -> None:
    result = _run("flags")
    assert result.returncode == 0, result.stderr
    flavour, args = result.stdout.strip().split(": ", 1)
    assert flavour == "portable"
    assert set(args.split()) == {
        "-DGGML_NATIVE=OFF",
        "-DGGML_AVX2=ON",
        "-DGGML_FMA=ON",
        "-DGGML_F16C=ON",
        "-DGGML_AVX512=OFF",
        "-DGGML_AMX_TILE=OFF",
        "-DGGML_AMX_INT8=OFF",
    }


def test_native_build_is_opt_in_and_extra_cmake_args_come_last() -> None:
    assert _run("flags", LLM_NATIVE="1").stdout.strip() == "native: -DGGML_NATIVE=ON"
    extra = _run("flags", CMAKE_ARGS="-DGGML_BLAS=ON").stdout.strip()
    assert extra.startswith("portable: -DGGML_NATIVE=OFF") and extra.endswith(" -DGGML_BLAS=ON")


def test_an_unknown_llm_native_value_is_refused() -> None:
    result = _run("flags", LLM_NATIVE="perhaps")
    assert result.returncode == 2 and "LLM_NATIVE must be 1" in result.stderr
