import {
  type Backend,
  BackendChangeError,
  createCpuBackend,
  createCpuBackendImpl,
  defineBackend,
  MemoryRunStore,
  readSavedRun,
  type SaeWeights,
  StateError,
  syntheticSource,
  type TrainConfigInput,
  TrainingRun,
  type TrainingState,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

const D_IN = 16;
const BATCH = 64;
const config: TrainConfigInput = {
  dIn: D_IN,
  dSae: 64,
  k: 4,
  batchSize: BATCH,
  steps: 6,
  seed: 7,
  initTokens: 2 * BATCH,
  deadTokens: 4 * BATCH,
};
const synthetic = () =>
  syntheticSource({ dIn: D_IN, nFeatures: 48, activePerToken: 3, batchSize: BATCH, seed: 11 });

async function trained(store: MemoryRunStore, steps = 6): Promise<SaeWeights> {
  const run = await TrainingRun.create(createCpuBackend(), {
    config: { ...config, steps },
    source: synthetic(),
    store,
    checkpointEvery: 0,
  });
  await run.run();
  const w = await run.trainer.exportWeights();
  run.dispose();
  return w;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** A cpu backend that says it runs another kernel set (as tfjs-wasm vs tfjs-tensorflow do). */
function otherKernels(): Backend {
  const impl = createCpuBackendImpl();
  return defineBackend({ ...impl, descriptor: { ...impl.descriptor, variant: 'variant-b' } });
}

describe('issue 13 #8: the backend is part of the run', () => {
  it('records the backend and refuses to resume on another unless allowed, then warns', async () => {
    const store = new MemoryRunStore();
    await trained(store);
    const saved = (await readSavedRun(store))!;
    expect(saved.backend).toEqual({ name: 'cpu', kernels: null });
    const err = await TrainingRun.resume(otherKernels(), saved, {
      source: synthetic(),
      store,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendChangeError);
    expect(String(err)).toMatch(/backend.*"cpu \(variant-b\)" differs from the saved run's "cpu"/);
    const allowed = await TrainingRun.resume(otherKernels(), saved, {
      source: synthetic(),
      store,
      allowBackendChange: true,
    });
    expect(allowed.warnings.join('\n')).toMatch(
      /trained on cpu, this is cpu \(variant-b\).*will differ from an uninterrupted run/,
    );
    allowed.dispose();
    // The same backend resumes silently.
    const same = await TrainingRun.resume(createCpuBackend(), saved, {
      source: synthetic(),
      store,
    });
    expect(same.warnings).toEqual([]);
    same.dispose();
  });
});

describe('issue 13 #11: a finished synthetic run keeps its data position', () => {
  it('resuming a finished run saves position = steps, and extending it continues the stream', async () => {
    const store = new MemoryRunStore();
    await trained(store, 6);
    // Resumed with nothing left to do: the checkpoint it writes must keep the position.
    const again = await TrainingRun.resume(createCpuBackend(), (await readSavedRun(store))!, {
      source: synthetic(),
      store,
    });
    await again.run();
    again.dispose();
    expect((await readSavedRun(store))!.position).toBe(6);
    const extended = await TrainingRun.resume(createCpuBackend(), (await readSavedRun(store))!, {
      source: synthetic(),
      store,
      config: { steps: 10 },
      checkpointEvery: 0,
    });
    await extended.run();
    const w = await extended.trainer.exportWeights();
    extended.dispose();
    // Same as a run that went to 6 and was extended to 10 without the extra resume.
    const ref = new MemoryRunStore();
    await trained(ref, 6);
    const direct = await TrainingRun.resume(createCpuBackend(), (await readSavedRun(ref))!, {
      source: synthetic(),
      store: ref,
      config: { steps: 10 },
      checkpointEvery: 0,
    });
    await direct.run();
    const want = await direct.trainer.exportWeights();
    direct.dispose();
    expect(sameBits(w.wEnc, want.wEnc) && sameBits(w.wDec, want.wDec)).toBe(true);
  });
});

describe('issue 13 #12: a state is checked before it is trusted', () => {
  async function savedWith(edit: (s: TrainingState) => TrainingState) {
    const store = new MemoryRunStore();
    await trained(store);
    store.state = edit(store.state!);
    return (await readSavedRun(store))!;
  }
  const resume = async (saved: Awaited<ReturnType<typeof savedWith>>) =>
    TrainingRun.resume(createCpuBackend(), saved, { source: synthetic() }).catch((e: unknown) => e);

  it('non-finite weights or Adam moments are refused, naming the array and index', async () => {
    for (const name of ['wEnc', 'adam_v.wDec']) {
      const saved = await savedWith((s) => {
        const a = (s.arrays[name] as Float32Array).slice();
        a[5] = Number.NaN;
        return { ...s, arrays: { ...s.arrays, [name]: a } };
      });
      const err = await resume(saved);
      expect(err).toBeInstanceOf(StateError);
      expect(String(err)).toContain(`training state: ${name}: value NaN at index 5 is not finite`);
    }
  });

  it('a negative or non-finite inputScale is refused', async () => {
    for (const value of [-1, 0, null]) {
      const saved = await savedWith((s) => ({ ...s, meta: { ...s.meta, inputScale: value } }));
      const err = await resume(saved);
      expect(err).toBeInstanceOf(StateError);
      expect(String(err)).toMatch(/inputScale/);
    }
  });

  it('a step that does not match the data position is refused', async () => {
    const saved = await savedWith((s) => ({ ...s, meta: { ...s.meta, step: 4000 } }));
    const err = await resume(saved);
    expect(err).toBeInstanceOf(StateError);
    expect(String(err)).toMatch(/data position is batch 6 but the state is at step 4000/);
  });
});
