#!/usr/bin/env bash
# Long runs of the reader property tests (tests/trust_readers.rs): the
# stage checkpoint readers (records and matrix), the partial-file reader
# and the store index, each for SECONDS (600 by default), with a fresh
# random seed per round. Prints cases run and failures per reader.
#
#   benches/fuzz_readers.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
cargo test --test trust_readers --no-run -q 2>/dev/null
bin=$(ls -t target/debug/deps/trust_readers-* | grep -v '\.d$' | head -n 1)
round_cases=2000
declare -A filters=(
  [records]="records_"
  [matrix]="matrix_"
  [partial]="partial_reader"
  [index]="index_"
)
for reader in records matrix partial index; do
  filter=${filters[$reader]}
  start=$(date +%s)
  rounds=0 failed=0
  while [ $(( $(date +%s) - start )) -lt "$secs" ]; do
    if ! PROPTEST_CASES=$round_cases INDEX_CASES=$((round_cases / 10)) "$bin" -q "$filter" >/tmp/fuzz_readers_last.log 2>&1; then
      failed=$((failed + 1))
      cp /tmp/fuzz_readers_last.log "/tmp/fuzz_readers_fail_${reader}_$rounds.log"
    fi
    rounds=$((rounds + 1))
  done
  tests=$("$bin" --list 2>/dev/null | grep -c "$filter")
  echo "$reader: $(( $(date +%s) - start )) s, $rounds rounds x $tests properties, failed rounds: $failed"
done
