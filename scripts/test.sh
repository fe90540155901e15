#!/usr/bin/env bash
# Installs what is missing (Debian/Ubuntu: clang-19, qemu-user) and runs every check:
# formatting, clippy, unit tests, and the end-to-end tests that build and run the
# generated Go assembly with the Go toolchain. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
have clang-19 || missing+=(clang-19)
have qemu-aarch64 || missing+=(qemu-user)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
have go || { echo "error: Go is required (https://go.dev/dl/)" >&2; exit 1; }
have cargo || { echo "error: Rust is required (https://rustup.rs)" >&2; exit 1; }
if have rustup; then rustup component add rustfmt clippy >/dev/null 2>&1 || true; fi

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --release
# Every benchmark runs once so none can rot: the Go ones are in `cargo test`
# (tests/go_benchmarks.rs, -benchtime=1x); the translator's on a small input here.
BENCH_MIN_LINES=3000 BENCH_RUNS=1 cargo bench --bench translate
