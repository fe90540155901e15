#!/usr/bin/env bash
# Runs fuzz campaigns one target after another on ONE core, nice'd (see FUZZING.md):
#   fuzz/campaign.sh SECONDS TARGET...
# Each target's binary is copied first (rebuilding while a campaign runs is safe); the
# live corpus is fuzz/work/corpus/TARGET (seeded from make_seeds.py's fuzz/seeds/TARGET and
# the committed, minimised fuzz/corpus/TARGET), crashes/timeouts/OOMs go to
# fuzz/artifacts/TARGET/, the log to fuzz/work/TARGET.log. Afterwards, minimise into the
# committed corpus: fuzz/minimise.sh TARGET.
set -euo pipefail
cd "$(dirname "$0")"
secs=$1
shift
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p work/bin
for t in "$@"; do
  dict=""
  case $t in
    x86_translate) dict=dict/x86.dict ;;
    arm64_front | arm64_object) dict=dict/arm64.dict ;;
    go_decls) dict=dict/go.dict ;;
    expr) dict=dict/expr.dict ;;
    prototype) dict=dict/prototype.dict ;;
  esac
  cp "$bin/$t" "work/bin/$t"
  mkdir -p "work/corpus/$t" "corpus/$t" "artifacts/$t" "seeds/$t"
  # -fork=1: one worker process, which keeps going after a crash, timeout or OOM (all
  # are recorded in artifacts/); -timeout=1: an input taking over a second is a hang.
  nice -n 10 "work/bin/$t" "work/corpus/$t" "corpus/$t" "seeds/$t" \
    ${dict:+-dict=$dict} -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -timeout=1 -rss_limit_mb=2048 -max_len=65536 -max_total_time="$secs" \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"work/$t.log" 2>&1 || true
done
