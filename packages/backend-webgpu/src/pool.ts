/**
 * Storage buffers by size: a training step frees and re-creates the same shapes, so exact
 * (16-byte rounded) sizes are reused without waste. Reuse needs no fence because every use of
 * a buffer is encoded on the same queue, in order.
 */
export class BufferPool {
  readonly #free = new Map<number, GPUBuffer[]>();
  #bytesFree = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly keepBytes = 512 * 1024 * 1024,
  ) {}

  static round(bytes: number): number {
    return Math.max(16, Math.ceil(bytes / 16) * 16);
  }

  /** A buffer of at least `bytes`; `fresh` says it was just created (so zero-filled). */
  acquire(bytes: number): { buffer: GPUBuffer; fresh: boolean } {
    const size = BufferPool.round(bytes);
    const list = this.#free.get(size);
    const buffer = list?.pop();
    if (buffer) {
      this.#bytesFree -= size;
      return { buffer, fresh: false };
    }
    return { buffer: this.device.createBuffer({ size, usage: this.usage }), fresh: true };
  }

  release(buffer: GPUBuffer): void {
    if (this.#bytesFree + buffer.size > this.keepBytes) {
      buffer.destroy();
      return;
    }
    const list = this.#free.get(buffer.size) ?? [];
    list.push(buffer);
    this.#free.set(buffer.size, list);
    this.#bytesFree += buffer.size;
  }

  clear(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#bytesFree = 0;
  }
}
