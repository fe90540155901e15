#!/usr/bin/env bash
# Installs what regenerating the committed fixtures needs beyond scripts/test.sh: GCC for
# AArch64 (fixtures/arm64/*/variants.txt name aarch64-linux-gnu-gcc). The test suite itself
# never needs it — the .s files are committed — and must pass without it: the cross GCC
# pulls in the AArch64 C library headers (libc6-dev-arm64-cross), whose absence the
# package-flow tests rely on clang's freestanding headers to cope with. Remove both again
# (`apt-get purge gcc-aarch64-linux-gnu libc6-dev-arm64-cross && apt-get autoremove`) to
# test as a fresh machine would.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 && exit 0
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-aarch64-linux-gnu >/dev/null
