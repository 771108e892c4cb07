import { describe, expect, it } from 'vitest';
import { Heap } from '../src/heap.js';

describe('heap', () => {
  it('reuses freed blocks, merging neighbours, so create/dispose cycles do not grow it', () => {
    const heap = new Heap();
    const a = heap.alloc(1000);
    const b = heap.alloc(3000);
    const c = heap.alloc(500);
    expect(new Set([a, b, c]).size).toBe(3);
    for (const at of [a, b, c]) expect(at % 64).toBe(0);
    const capacity = heap.capacity;
    heap.free(a);
    heap.free(b);
    // a and b merged: a block of 4000 bytes fits where they were, below c.
    const ab = heap.alloc(4000);
    expect(ab).toBe(a);
    heap.free(ab);
    heap.free(c);
    for (let i = 0; i < 1000; i++) heap.free(heap.alloc(1000 + (i % 7) * 300));
    expect(heap.capacity).toBe(capacity);
    expect(heap.liveBytes).toBe(0);
  });

  it('grows for a block that fits nowhere, keeping earlier offsets', () => {
    const heap = new Heap();
    const a = heap.alloc(64);
    new Int32Array(heap.memory.buffer, a, 1)[0] = 42;
    const big = heap.alloc(8 * 2 ** 20);
    expect(big).toBeGreaterThan(a);
    expect(heap.capacity).toBeGreaterThanOrEqual(big + 8 * 2 ** 20);
    expect(new Int32Array(heap.memory.buffer, a, 1)[0]).toBe(42);
  });
});
