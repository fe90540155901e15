#!/usr/bin/env bash
# Minimises a target's live corpus (fuzz/work/corpus/TARGET, its seeds and the committed
# corpus) into the committed fuzz/corpus/TARGET: a smallest set of inputs with the same
# coverage (libFuzzer -set_cover_merge=1, the greedy set cover `cargo fuzz cmin` offers),
# inputs cut to a few KiB so the committed corpora stay small and their replay (tests/
# fuzz_corpora.rs) takes seconds. One core, nice'd.
#   fuzz/minimise.sh TARGET...
set -euo pipefail
cd "$(dirname "$0")"
bin=target/x86_64-unknown-linux-gnu/release
for t in "$@"; do
  case $t in
    arm64_object | prototype) max=8192 ;; # an ELF object / a JSON AST alone take a few KiB
    *) max=2048 ;;
  esac
  rm -rf "work/min/$t"
  mkdir -p "work/min/$t" "work/corpus/$t" "corpus/$t" "seeds/$t"
  nice -n 10 "$bin/$t" -set_cover_merge=1 -max_len=$max -timeout=5 "work/min/$t" \
    "corpus/$t" "work/corpus/$t" "seeds/$t" >"work/$t.min.log" 2>&1
  rm -rf "corpus/$t"
  mv "work/min/$t" "corpus/$t"
  echo "$t: $(ls "corpus/$t" | wc -l) files, $(du -sb "corpus/$t" | cut -f1) bytes, $(grep -o '[0-9]* new coverage edges' "work/$t.min.log")"
done
