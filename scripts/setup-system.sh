#!/usr/bin/env bash
# Debian packages saekit's tests use. Each step is idempotent: it does nothing when its
# packages are already present.
#   - Mesa >= 25 software Vulkan (llvmpipe) from bookworm-backports, so Dawn (npm `webgpu`)
#     finds an adapter without a GPU.
#   - OpenBLAS, the CBLAS library the onnxruntime backend runs dense products on.
#   - Chromium (browser example, SwiftShader WebGPU) and Jupyter's nbconvert (notebook example).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f /etc/debian_version ] || {
  echo "setup-system: not Debian; install Mesa >= 25 Vulkan drivers, OpenBLAS, chromium and jupyter nbconvert yourself" >&2
  exit 0
}
bash packages/backend-webgpu/scripts/install-mesa.sh
bash packages/backend-onnxruntime/scripts/install-openblas.sh
bash scripts/install-examples-system.sh
