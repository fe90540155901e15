#!/usr/bin/env bash
# Minimises a target's live corpus (fuzz/work/corpus/TARGET, plus the committed one) into
# the committed fuzz/corpus/TARGET: the smallest set of inputs with the same coverage
# (libFuzzer -merge=1, what `cargo fuzz cmin` runs), inputs over 16 KiB left out so the
# replay test stays fast. One core, nice'd.
#   fuzz/minimise.sh TARGET...
set -euo pipefail
cd "$(dirname "$0")"
bin=target/x86_64-unknown-linux-gnu/release
for t in "$@"; do
  rm -rf "work/min/$t"
  mkdir -p "work/min/$t" "work/corpus/$t" "corpus/$t"
  nice -n 10 "$bin/$t" -merge=1 -max_len=16384 -timeout=5 "work/min/$t" "corpus/$t" \
    "work/corpus/$t" >"work/$t.min.log" 2>&1
  rm -rf "corpus/$t"
  mv "work/min/$t" "corpus/$t"
  echo "$t: $(ls "corpus/$t" | wc -l) files, $(du -sh "corpus/$t" | cut -f1)"
done
