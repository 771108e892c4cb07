#!/usr/bin/env bash
# Installs Mesa >= 25 software Vulkan (llvmpipe) on Debian 12 so that Dawn (npm `webgpu`)
# finds an adapter without a GPU. Bookworm's own Mesa 22.x is refused by Dawn, so the
# driver comes from bookworm-backports. Idempotent; needs root (or sudo).
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "install-mesa: need root for: $*" >&2; return 1; fi; }

if ! grep -qs 'bookworm' /etc/os-release; then
  echo "install-mesa: not Debian 12 (bookworm); install Mesa >= 25 Vulkan drivers (llvmpipe) yourself" >&2
  exit 0
fi

installed_major() {
  dpkg-query -W -f='${Status} ${Version}\n' mesa-vulkan-drivers 2>/dev/null |
    awk '/install ok installed/ { split($4, v, "."); sub(/^[0-9]+:/, "", v[1]); print v[1] }'
}
major=$(installed_major || true)
if [ -n "$major" ] && [ "$major" -ge 25 ] && dpkg-query -W libvulkan1 >/dev/null 2>&1; then
  echo "install-mesa: mesa-vulkan-drivers $major.x already installed"
  exit 0
fi

# Use the machine's own Debian mirror (deb822 or one-line sources) for backports.
uri=''
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
  uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list)
fi
uri=${uri:-http://deb.debian.org/debian}

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
    as_root tee /etc/apt/sources.list.d/backports.sources >/dev/null
fi

as_root apt-get update
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  -t bookworm-backports mesa-vulkan-drivers libvulkan1

major=$(installed_major || true)
if [ -z "$major" ] || [ "$major" -lt 25 ]; then
  echo "install-mesa: expected mesa-vulkan-drivers >= 25, got '${major:-none}'" >&2
  exit 1
fi
echo "install-mesa: mesa-vulkan-drivers $major.x installed"
