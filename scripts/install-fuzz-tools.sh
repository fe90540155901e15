#!/usr/bin/env bash
# Installs what the fuzz campaigns need (FUZZING.md): Rust nightly and cargo-fuzz. Not
# needed by the test suite — CI replays the committed corpora on stable Rust.
set -euo pipefail
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
