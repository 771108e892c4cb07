// A Top-K SAE training step written directly against the kernel contract (design §3, no
// AuxK), used by the memory test and, until core's trainer is merged, by the bench. It
// exercises the kernels a real step uses in the order a real step uses them.
import { type Backend, Rng, type Tensor } from '@saekit/core';

export interface StepShape {
  readonly batch: number;
  readonly dIn: number;
  readonly dSae: number;
  readonly k: number;
}

export class TopKStep {
  readonly #be: Backend;
  readonly #s: StepShape;
  readonly #t: Record<string, Tensor> = {};
  #step = 0;

  constructor(backend: Backend, shape: StepShape, seed = 1) {
    this.#be = backend;
    this.#s = shape;
    const { batch: B, dIn: d, dSae: m, k } = shape;
    const rng = new Rng(seed);
    const w = rng.fillNormal(new Float32Array(m * d), 1 / Math.sqrt(d));
    const t = this.#t;
    const mk = (name: string, dims: number[], dtype: 'float32' | 'int32' = 'float32') => {
      t[name] = backend.create(dims, dtype);
    };
    t.wEnc = backend.create([m, d], 'float32', w);
    t.wDec = backend.create([m, d], 'float32', w);
    backend.normalizeRows(t.wDec);
    for (const [name, dims] of [
      ['bEnc', [m]],
      ['bDec', [d]],
      ['x', [B, d]],
      ['xc', [B, d]],
      ['pre', [B, m]],
      ['vals', [B, k]],
      ['z', [B, k]],
      ['xhat', [B, d]],
      ['err', [B, d]],
      ['g', [B, d]],
      ['dz', [B, k]],
      ['dvals', [B, k]],
      ['dxc', [B, d]],
      ['colD', [d]],
      ['stats', [2]],
      ['fired', [m]],
      ['zpos', [B, k]],
      ['stale', [m]],
      ['gWEnc', [m, d]],
      ['gBEnc', [m]],
      ['gWDec', [m, d]],
      ['gBDec', [d]],
    ] as const)
      mk(name, [...dims]);
    mk('idx', [B, k], 'int32');
    for (const p of ['WEnc', 'BEnc', 'WDec', 'BDec']) {
      const shapeOf = t[`g${p}`].shape;
      mk(`m${p}`, [...shapeOf]);
      mk(`v${p}`, [...shapeOf]);
    }
  }

  /** The encoder product alone: the step's dense floor. */
  encoderOnly(batch: Float32Array): void {
    const t = this.#t;
    this.#be.write(t.xc, batch);
    this.#be.matmul(t.pre, t.xc, t.wEnc, { transB: true });
  }

  /** One step on `batch` [B·d]; returns nothing (no read-back), see `fvu()`. */
  step(batch: Float32Array, lr = 1e-3): void {
    const be = this.#be;
    const t = this.#t;
    const { batch: B } = this.#s;
    this.#step++;
    be.write(t.x, batch);
    // forward
    be.axpby(t.xc, 1, t.x, -1, t.bDec);
    be.matmul(t.pre, t.xc, t.wEnc, { transB: true, bias: t.bEnc });
    be.topk(t.vals, t.idx, t.pre);
    be.maskPositive(t.z, t.vals, t.vals);
    be.gatherSum(t.xhat, t.z, t.idx, t.wDec, t.bDec);
    be.axpby(t.err, 1, t.xhat, -1, t.x);
    be.reduce(t.stats, 0, t.err, 'sumSquares');
    be.reduce(t.stats, 1, t.x, 'sumSquaresCentered');
    // backward: g = 2 (x̂ − x) / Σ‖x − x̄‖², a device scale
    be.axpby(t.g, { numerator: 2, source: t.stats, index: 1 }, t.err, 0, t.err);
    be.columnSums(t.gBDec, t.g);
    be.fill(t.gWDec, 0);
    be.scatterOuterAdd(t.gWDec, t.idx, t.z, t.g);
    be.gatherDot(t.dz, t.g, t.idx, t.wDec);
    be.maskPositive(t.dvals, t.dz, t.vals);
    be.fill(t.gWEnc, 0);
    be.scatterOuterAdd(t.gWEnc, t.idx, t.dvals, t.xc);
    be.fill(t.gBEnc, 0);
    be.scatterAdd(t.gBEnc, t.idx, t.dvals);
    be.gatherSum(t.dxc, t.dvals, t.idx, t.wEnc);
    be.columnSums(t.colD, t.dxc);
    be.axpby(t.gBDec, 1, t.gBDec, -1, t.colD);
    // constraints, optimizer, dead-latent bookkeeping
    be.removeParallel(t.gWDec, t.wDec);
    const opt = { lr, beta1: 0.9, beta2: 0.999, eps: 6.25e-10, step: this.#step };
    for (const p of ['WEnc', 'BEnc', 'WDec', 'BDec']) {
      be.adam(t[`${p[0].toLowerCase()}${p.slice(1)}`], t[`g${p}`], t[`m${p}`], t[`v${p}`], opt);
    }
    be.normalizeRows(t.wDec);
    be.greaterThan(t.zpos, t.z, 0);
    be.fill(t.fired, 0);
    be.scatterAdd(t.fired, t.idx, t.zpos);
    be.staleCounter(t.stale, t.fired, B);
    be.flush();
  }

  /** FVU of the last step's batch (reads back two numbers). */
  async fvu(): Promise<number> {
    const s = await this.#be.read(this.#t.stats);
    return s[0] / s[1];
  }

  dispose(): void {
    for (const x of Object.values(this.#t)) this.#be.dispose(x);
  }
}
