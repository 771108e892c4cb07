#!/usr/bin/env bash
# OpenBLAS from Debian 12 (idempotent; as root or with sudo), the CBLAS library that
# @saekit/backend-onnxruntime runs its dense products on where one is installed (1.6–1.9× the
# speed of ORT's MLAS on the AMD development machine; README: benchmark). Without it the
# backend falls back to MLAS and its CBLAS tests skip, except under CI=true, where they fail.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "install-openblas: need root for: $*" >&2; return 1; fi; }
[ -f /etc/debian_version ] || {
  echo "install-openblas: not Debian; install OpenBLAS yourself (or set SAEKIT_CBLAS to a CBLAS library)" >&2; exit 0; }
if dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'install ok installed'; then
  echo "install-openblas: libopenblas0-pthread present"
  exit 0
fi
echo "install-openblas: installing libopenblas0-pthread"
as_root apt-get update
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libopenblas0-pthread
