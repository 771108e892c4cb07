#!/usr/bin/env bash
# System packages the examples' tests need on Debian 12 (idempotent; as root or with sudo):
#   - Debian's Chromium, driven headless by playwright-core (examples/browser); its
#     SwiftShader WebGPU adapter needs no GPU.
#   - Jupyter's nbconvert + jupyter-client from Debian, which execute the TypeScript notebook
#     (examples/notebook) on Deno's kernel. Deno itself comes from the npm registry as a
#     workspace devDependency, so nothing here downloads a binary.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "install-examples-system: need root for: $*" >&2; return 1; fi; }
[ -f /etc/debian_version ] || {
  echo "install-examples-system: not Debian; install chromium and jupyter nbconvert yourself" >&2; exit 0; }

# jupyter-nbconvert brings nbclient and jupyter-client; fonts-liberation gives Chromium text.
packages=(chromium fonts-liberation jupyter-nbconvert)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-examples-system: all present (${packages[*]})"
  exit 0
fi
echo "install-examples-system: installing ${missing[*]}"
as_root apt-get update
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
