#!/usr/bin/env bash
# `kura-tui add` of ADD conversations to a BASE-conversation project against
# a full rerun of BASE+ADD, offline: wall time and peak RSS from
# /usr/bin/time -v. Usage: benches/add.sh [BASE] [ADD] [EMBEDDER]
# (defaults 5000 1000 lexical; EMBEDDER minilm needs `kura-tui model install`).
# Builds and uses the release binary unless KURA_BIN names another one.
# Writes into a temporary directory.
set -euo pipefail
base=${1:-5000}
add=${2:-1000}
embedder=${3:-lexical}
cd "$(dirname "$0")/.."
if [ -z "${KURA_BIN:-}" ]; then
  cargo build --release --quiet
fi
bin=${KURA_BIN:-$PWD/target/release/kura-tui}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
total=$((base + add))

measure() { # label, command...
  local label=$1
  shift
  /usr/bin/time -v "$@" >"$work/out" 2>"$work/time"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$work/time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$work/time" | awk '{print $NF}')
  printf '%-34s wall %8s   peak RSS %5d MiB\n' "$label" "$wall" $((rss / 1024))
}

# The same generator seed: the first BASE of TOTAL are the BASE project.
"$bin" demo "$work/full" --conversations "$total" >/dev/null
"$bin" demo "$work/base" --conversations "$base" >/dev/null
tail -n "$add" "$work/full/conversations.jsonl" >"$work/new.jsonl"
for p in base full; do
  sed -i "s/^embedder = \"auto\"/embedder = \"$embedder\"/" "$work/$p/kura.toml"
done

"$bin" run "$work/base" --offline --headless >/dev/null 2>&1
measure "add $add to $base ($embedder)" "$bin" add "$work/base" --input "$work/new.jsonl" --offline
measure "full run of $total ($embedder)" "$bin" run "$work/full" --offline --headless
echo "after add: $(grep -c . "$work/base/conversations.jsonl") conversations;" \
  "unassigned: $(grep -o '"unassigned": *[0-9]*' "$work/base/added.json" | head -1)"
