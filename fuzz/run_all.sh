#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another,
# on one core. Logs go to fuzz/logs/<target>.log; crashes to
# fuzz/artifacts/<target>/. Fork mode keeps a target running after a crash
# so that it gets its whole time.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
targets=(json_stream ingest_csv ingest_chatgpt ingest_claude detect ingest_openai ingest_kura ingest_sharegpt ingest_turns)
mkdir -p logs
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t: $(date -u +%FT%TZ)"
    cargo fuzz run -s none "$t" "corpus/$t" ../tests/fixtures/ingest -- \
        -max_total_time="$seconds" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
        -ignore_ooms=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        >"logs/$t.log" 2>&1
    echo "   exit $?; $(grep -E '^#[0-9]+' "logs/$t.log" | tail -n 1)"
done
