#!/usr/bin/env bash
# Regenerates c/sample_avx2.s from c/sample.c with the flags real projects use.
set -euo pipefail
cd "$(dirname "$0")/.."
"${CC:-clang-19}" -S -O3 -DENABLE_AVX2 -mavx2 -mfma -masm=intel --target=x86_64-unknown-linux-gnu \
  -mno-red-zone -mstackrealign -mllvm -inline-threshold=1000 -fno-asynchronous-unwind-tables \
  -fno-exceptions -fno-jump-tables -fno-builtin c/sample.c -o c/sample_avx2.s
