#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for saekit: system packages (Mesa's software Vulkan
# driver for WebGPU tests), pnpm, the workspace's dependencies, and a build of every package.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "setup: need root for: $*" >&2; return 1; fi; }

bash scripts/setup-system.sh || { [ "${CI:-}" = true ] && exit 1; echo "setup: system packages skipped (see above); WebGPU tests will skip" >&2; }

if ! command -v pnpm >/dev/null || ! pnpm --version | grep -q '^10\.'; then
  as_root npm install -g pnpm@10
fi
pnpm install --frozen-lockfile
pnpm build
