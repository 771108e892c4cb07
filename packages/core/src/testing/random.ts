import { Rng } from '../util/rng.js';

/** Seeded data for the conformance cases: every case draws from its own stream. */
export class CaseRandom {
  readonly rng: Rng;

  constructor(seed: number, caseName: string) {
    // Mixing in the case name keeps each case's data fixed when other cases are added.
    let h = seed >>> 0;
    for (let i = 0; i < caseName.length; i++)
      h = Math.imul(h ^ caseName.charCodeAt(i), 0x01000193) >>> 0;
    this.rng = new Rng(h);
  }

  /** n normal values (mean, std), rounded to float32. */
  normal(n: number, std = 1, mean = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.rng.normal();
    return out;
  }

  /** n uniform values in [lo, hi). */
  uniform(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.rng.uniform();
    return out;
  }

  /** n integers in [lo, hi), as float32: many exact ties. */
  integers(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + this.rng.int(hi - lo);
    return out;
  }

  /** A sparse index block [rows, k] in [0, m), each slot −1 with probability `empty`. */
  indices(rows: number, k: number, m: number, empty = 0.2): Int32Array {
    const out = new Int32Array(rows * k);
    for (let i = 0; i < out.length; i++) out[i] = this.rng.uniform() < empty ? -1 : this.rng.int(m);
    return out;
  }

  /** A 0/1 mask of length m with exactly `ones` ones at random positions. */
  mask(m: number, ones: number): Float32Array {
    const order = this.rng.shuffle(Array.from({ length: m }, (_, i) => i));
    const out = new Float32Array(m);
    for (let i = 0; i < ones; i++) out[order[i]] = 1;
    return out;
  }
}
