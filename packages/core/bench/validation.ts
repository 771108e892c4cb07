// What validating every kernel call costs: the same training steps on the cpu backend through
// `defineBackend` (every call checked) and on its raw kernel table (nothing checked), at a
// tiny shape where kernels are cheapest and validation weighs the most, and at `small`.
import {
  type Backend,
  BENCH_SHAPES,
  type BenchShape,
  createCpuBackendImpl,
  defineBackend,
  Trainer,
} from '../src/index.js';

/** The cpu kernels and memory with no validation in front: for this measurement only. */
function unvalidated(): Backend {
  const impl = createCpuBackendImpl();
  return {
    name: 'cpu',
    descriptor: impl.descriptor,
    alive: true,
    ...impl.kernels,
    create: (shape, dtype = 'float32', data) => impl.memory.create(shape, dtype, data),
    write: impl.memory.write,
    read: impl.memory.read,
    dispose: impl.memory.dispose,
    flush: impl.memory.flush,
    destroy: async () => impl.memory.destroy(),
  };
}

async function msPerStep(backend: Backend, shape: BenchShape, steps: number): Promise<number> {
  const { dIn, dSae, k, batchSize } = shape;
  const trainer = await Trainer.create(backend, {
    dIn,
    dSae,
    k,
    batchSize,
    steps: steps + 5,
    seed: 1,
  });
  const batch = new Float32Array(batchSize * dIn).map((_, i) => Math.sin(i * 0.37));
  for (let i = 0; i < 5; i++) await trainer.step(batch);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainer.step(batch);
  const ms = (performance.now() - t0) / steps;
  trainer.dispose();
  return ms;
}

export interface ValidationCost {
  readonly shape: string;
  readonly validatedMs: number;
  readonly unvalidatedMs: number;
  readonly overheadMs: number;
  readonly overheadFraction: number;
}

export async function validationCost(): Promise<ValidationCost[]> {
  const shapes: [string, BenchShape, number][] = [
    ['tiny d16 m64 k4 B8', { dIn: 16, dSae: 64, k: 4, batchSize: 8 }, 2000],
    ['small', BENCH_SHAPES.small, 20],
  ];
  const out: ValidationCost[] = [];
  for (const [name, shape, steps] of shapes) {
    // Interleaved, best of three each, so a busy moment of the machine hits both alike.
    let v = Number.POSITIVE_INFINITY;
    let u = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 3; r++) {
      v = Math.min(v, await msPerStep(defineBackend(createCpuBackendImpl()), shape, steps));
      u = Math.min(u, await msPerStep(unvalidated(), shape, steps));
    }
    out.push({
      shape: name,
      validatedMs: v,
      unvalidatedMs: u,
      overheadMs: v - u,
      overheadFraction: (v - u) / u,
    });
  }
  return out;
}
