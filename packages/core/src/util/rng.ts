/**
 * A small seeded generator (sfc32, seeded through splitmix32) whose whole state is four
 * uint32 values, so a training state can store it and a resumed run draws the same numbers.
 */
export class Rng {
  #s: Uint32Array;

  /**
   * `stream` names what the numbers are for. Two generators given the same seed but
   * different streams draw independent sequences: without it a synthetic dictionary and a
   * trainer's initial weights made from one user seed would be the same Gaussian draws,
   * and the "trained" SAE would start at the answer.
   */
  constructor(seed: number | readonly number[], stream = '') {
    if (typeof seed === 'number') {
      let x = (seed ^ hashString(stream)) >>> 0;
      const next = () => {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        return (z ^ (z >>> 16)) >>> 0;
      };
      this.#s = new Uint32Array([next(), next(), next(), next()]);
      for (let i = 0; i < 12; i++) this.nextUint32();
    } else {
      if (seed.length !== 4) throw new RangeError('Rng state must be 4 uint32 values');
      this.#s = Uint32Array.from(seed);
    }
  }

  /** The state, to resume this exact sequence with `new Rng(state)`. */
  state(): number[] {
    return Array.from(this.#s);
  }

  nextUint32(): number {
    const s = this.#s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller; one value per call, so the stream stays simple to resume). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** FNV-1a, enough to separate a handful of named streams. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return s.length === 0 ? 0 : h;
}
