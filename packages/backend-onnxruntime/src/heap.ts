/** Byte alignment of every block: a cache line, and enough for any SIMD load. */
const ALIGN = 64;
const PAGE = 65536;
/** wasm32's ceiling: 65 536 pages of 64 KiB. */
export const MAX_HEAP_BYTES = 2 ** 32;

/**
 * Every tensor of one backend instance lives in one shared WebAssembly.Memory, so the SIMD
 * kernels address tensors by offset with no copy, on every thread of the pool at once, and a
 * CBLAS library reads and writes the same bytes through typed-array views. (onnxruntime-node
 * refuses SharedArrayBuffer views; its products go through staging buffers, see gemm/ort.ts.)
 * Blocks come from a first-fit free list with coalescing; the memory grows when no
 * free block fits and never shrinks, so a training loop that disposes what it creates stays
 * flat. Growing detaches earlier views: holders re-derive them (OrtTensor.data does).
 */
export class Heap {
  readonly memory = new WebAssembly.Memory({
    initial: 1,
    maximum: MAX_HEAP_BYTES / PAGE,
    shared: true,
  });
  /** Free blocks [offset, bytes], sorted by offset, never adjacent (they are merged). */
  readonly #free: [number, number][] = [];
  /** Live blocks: offset → bytes. */
  readonly #live = new Map<number, number>();
  /**
   * The end of the highest block ever handed out. The first page is the C stack of the SIMD
   * kernels (native/build.sh puts it there), and offset 0 is C's null.
   */
  #top = PAGE;

  /** Bytes currently in live blocks. */
  get liveBytes(): number {
    let n = 0;
    for (const b of this.#live.values()) n += b;
    return n;
  }

  /** The memory's current size in bytes. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.#free.length; i++) {
      const [at, have] = this.#free[i];
      if (have < size) continue;
      if (have === size) this.#free.splice(i, 1);
      else this.#free[i] = [at + size, have - size];
      this.#live.set(at, size);
      return at;
    }
    // No fit: take the top, first absorbing a free block that ends there.
    const last = this.#free[this.#free.length - 1];
    let at = this.#top;
    if (last !== undefined && last[0] + last[1] === this.#top) {
      this.#free.pop();
      at = last[0];
    }
    const end = at + size;
    if (end > MAX_HEAP_BYTES) {
      throw new RangeError(
        `the onnxruntime backend's heap would need ${end} bytes, over wasm32's ${MAX_HEAP_BYTES}`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.#top = Math.max(this.#top, end);
    this.#live.set(at, size);
    return at;
  }

  free(at: number): void {
    const size = this.#live.get(at);
    if (size === undefined) return;
    this.#live.delete(at);
    // Insert sorted, merging with the neighbours it touches.
    let lo = 0;
    let hi = this.#free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#free[mid][0] < at) lo = mid + 1;
      else hi = mid;
    }
    let block: [number, number] = [at, size];
    const next = this.#free[lo];
    if (next !== undefined && at + size === next[0]) {
      block = [at, size + next[1]];
      this.#free.splice(lo, 1);
    }
    const prev = this.#free[lo - 1];
    if (prev !== undefined && prev[0] + prev[1] === at) {
      prev[1] += block[1];
    } else this.#free.splice(lo, 0, block);
  }
}
