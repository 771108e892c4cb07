#!/usr/bin/env bash
# Debian packages saekit's tests use. Idempotent: does nothing when all are present.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "setup-system: need root for: $*" >&2; return 1; fi; }
[ -f /etc/debian_version ] || { echo "setup-system: not Debian; install Mesa >= 25 Vulkan drivers yourself" >&2; exit 0; }
echo "setup-system: nothing to install yet"
