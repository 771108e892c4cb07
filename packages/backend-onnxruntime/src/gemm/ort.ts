import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import type { NativeSession, Ort } from '../ort/binding.js';
import { SessionCache } from '../ort/sessions.js';
import { addBiasRows, type GemmProvider, type Product } from './product.js';

/** A grow-only, non-shared Float32Array: ORT refuses views of the shared heap. */
class Staging {
  #data = new Float32Array(0);

  of(n: number): Float32Array {
    if (this.#data.length < n) this.#data = new Float32Array(Math.max(n, this.#data.length * 2));
    return this.#data.subarray(0, n);
  }

  release(): void {
    this.#data = new Float32Array(0);
  }
}

/**
 * Dense products on ORT's MLAS: one ONNX Gemm per shape and option set on a cached session.
 * onnxruntime-node accepts only views of plain ArrayBuffers, and the heap is shared (so the
 * pool's threads can work on it), so operands are copied into staging buffers and the result
 * copied back: about 2 ms per 10 MB each way, against a product of 100+ ms at the sizes
 * where it matters. The fallback where no CBLAS library loads (gemm/cblas.ts).
 */
export class OrtGemm implements GemmProvider {
  readonly variant = 'mlas';
  readonly label: string;
  readonly sessions: SessionCache;
  readonly #a = new Staging();
  readonly #b = new Staging();
  readonly #c = new Staging();
  readonly #y = new Staging();

  constructor(ort: Ort, threads: number) {
    this.sessions = new SessionCache(ort, threads);
    this.label = `MLAS (onnxruntime ${ort.version})`;
  }

  run(ctx: OrtContext, out: Tensor, a: Tensor, b: Tensor, p: Product): void {
    const { ar, ac, br, bc, M, N, transA, transB, alpha, accumulate, bias } = p;
    const withC = accumulate || bias !== undefined;
    const key = `gemm ${ar}x${ac} ${br}x${bc} ${transA ? 1 : 0}${transB ? 1 : 0} ${alpha} ${withC ? (accumulate ? 'acc' : 'bias') : '-'}`;
    const session: NativeSession = this.sessions.get(key, () => ({
      nodes: [
        {
          op: 'Gemm',
          inputs: withC ? ['A', 'B', 'C'] : ['A', 'B'],
          outputs: ['Y'],
          attrs: { transA: transA ? 1 : 0, transB: transB ? 1 : 0, alpha: { float: alpha } },
        },
      ],
      inputs: [
        { name: 'A', type: 'float', dims: [ar, ac] },
        { name: 'B', type: 'float', dims: [br, bc] },
        ...(withC ? [{ name: 'C', type: 'float' as const, dims: accumulate ? [M, N] : [N] }] : []),
      ],
      outputs: [{ name: 'Y', type: 'float', dims: [M, N] }],
    }));
    const T = ctx.ort.Tensor;
    const sa = this.#a.of(ar * ac);
    sa.set(ctx.f32(a));
    const sb = this.#b.of(br * bc);
    sb.set(ctx.f32(b));
    const o = ctx.f32(out);
    const y = this.#y.of(M * N);
    const feeds: Record<string, InstanceType<typeof T>> = {
      A: new T('float32', sa, [ar, ac]),
      B: new T('float32', sb, [br, bc]),
    };
    if (accumulate) {
      // ORT copies C into Y before adding the product: feeding Y itself skips that copy.
      y.set(o);
      feeds.C = new T('float32', y, [M, N]);
    } else if (bias !== undefined) {
      const sc = this.#c.of(N);
      sc.set(ctx.f32(bias));
      feeds.C = new T('float32', sc, [N]);
    }
    session.run(feeds, { Y: new T('float32', y, [M, N]) }, {});
    o.set(y);
    if (accumulate && bias !== undefined) addBiasRows(o, ctx.f32(bias), M, N);
  }

  destroy(): void {
    this.sessions.clear();
    for (const s of [this.#a, this.#b, this.#c, this.#y]) s.release();
  }
}
