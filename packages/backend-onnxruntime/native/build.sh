#!/bin/sh
# Builds native/kernels.wasm from native/kernels.c (Debian: apt-get install clang lld).
# The built module is committed, so installing and testing need no clang; the test
# test/wasm-build.test.ts rebuilds it when clang is present and checks the bytes match.
# The C stack takes the first 32 KiB of memory (--stack-first); the heap (src/heap.ts) starts
# past the first 64 KiB page, so the two never meet. The memory is shared (atomics, bulk
# memory, --shared-memory) so that every thread of src/pool instantiates this module over the
# same heap. The kernels keep everything in wasm locals and never touch the C stack (nothing
# in kernels.c takes an address of a local), which is what makes one stack region safe for
# every thread; test/wasm-build.test.ts checks that the module has no stack-pointer global.
# Usage: sh native/build.sh [output]   (default: native/kernels.wasm next to this script)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/kernels.wasm"}
clang --target=wasm32 -O3 -msimd128 -matomics -mbulk-memory -nostdlib -ffreestanding -fno-builtin-memset \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--shared-memory -Wl,--export-dynamic -Wl,--strip-all \
  -Wl,--max-memory=4294967296 -Wl,--stack-first -Wl,-z,stack-size=32768 \
  -o "$out" "$here/kernels.c"
