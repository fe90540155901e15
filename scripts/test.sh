#!/usr/bin/env bash
# Installs what is missing (Debian/Ubuntu) and runs every check: formatting, clippy, unit
# tests, and the end-to-end tests that build and run the generated Go assembly with the Go
# toolchain. CI runs exactly this (.ci/run).
#
# What the suite runs besides Go and Rust (tests/*.rs, benches/):
#   clang-19      the package flow and build.rs tests, the AArch64 assembler, the x86
#                 encoding comparison, the Go benchmarks' C baseline (pulls in libc6-dev,
#                 which cgo and the C harness link against)
#   qemu-user     arm64 Go tests run under qemu-aarch64; the package flow's fallback tests
#                 under qemu-riscv64, qemu-ppc64le and qemu-s390x
#   gcc           e2e_x86 assembles GCC's output and links the cgo reference with it
#   g++           the drop-in suite compiles a C++ project's kernels with it (clang++-19
#                 comes with clang-19)
#   llvm-19       llvm-objdump-19 prints the instructions of the ISA-wide differential
#                 (tests/isa_differential.rs) as LLVM writes Intel syntax
# Not needed: binutils for aarch64, cross C libraries (arm64 kernels compile against
# clang's own freestanding headers). Go fetches golang.org/x/sys from its module
# proxy (network) for the generated packages.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
have clang-19 || missing+=(clang-19)
have llvm-objdump-19 || missing+=(llvm-19)
for q in qemu-aarch64 qemu-riscv64 qemu-ppc64le qemu-s390x; do
  have "$q" || { missing+=(qemu-user); break; }
done
have gcc || missing+=(gcc)
have g++ || missing+=(g++)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! have sudo; then
    echo "error: missing ${missing[*]}; run as root or install them (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
have go || { echo "error: Go is required (https://go.dev/dl/)" >&2; exit 1; }
have cargo || { echo "error: Rust is required (https://rustup.rs)" >&2; exit 1; }
if have rustup; then rustup component add rustfmt clippy >/dev/null 2>&1 || true; fi

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --release
# Every benchmark runs once so none can rot: the Go ones are in `cargo test`
# (tests/go_benchmarks.rs, -benchtime=1x); the translator's on a small input here.
BENCH_MIN_LINES=3000 BENCH_RUNS=1 BENCH_COLD=1 cargo bench --bench translate
