import {
  type Backend,
  type BackendDescriptor,
  type BackendMemory,
  type DType,
  defineBackend,
  type HostArray,
  KERNEL_NAMES,
  type KernelName,
  type KernelTable,
  NO_LIMITS,
  type Tensor,
} from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsChoice } from './choose.js';
import { BACKEND_NAME, TfjsTensor } from './handle.js';
import * as TFJS_KERNELS from './kernels/index.js';

/** What the tfjs backend adds to the contract: which tfjs engine runs it, and its memory use. */
export interface TfjsExtras {
  readonly choice: TfjsChoice;
  /** Tensors this backend holds now (not counting tfjs's own caches). */
  readonly liveTensors: number;
}

export type TfjsBackend = Backend & TfjsExtras;

/**
 * The saekit Backend on TensorFlow.js: memory is tf.Tensors behind mutable handles, and each
 * kernel (one file each under kernels/) is a tf.tidy over tfjs ops. tfjs's engine is global,
 * so every call first makes this backend's tfjs backend the active one (a no-op unless two
 * saekit tfjs backends on different tfjs backends share a process).
 */
export function defineTfjsBackend(choice: TfjsChoice): TfjsBackend {
  const live = new Set<TfjsTensor>();
  const use = (): void => {
    // setBackend on an already-started backend completes synchronously.
    if (tf.getBackend() !== choice.kind) void tf.setBackend(choice.kind);
  };
  const memory: BackendMemory = {
    create(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
      use();
      const value =
        data === undefined
          ? tf.zeros([...shape], dtype)
          : tf.tensor(hostAs(data, dtype), [...shape], dtype);
      const t = new TfjsTensor(shape, dtype, value);
      live.add(t);
      return t;
    },
    write(tensor: Tensor, data: HostArray): void {
      use();
      const t = tensor as TfjsTensor;
      t.assign(tf.tensor(hostAs(data, t.dtype), [...t.shape], t.dtype));
    },
    async read(tensor: Tensor): Promise<HostArray> {
      use();
      const t = tensor as TfjsTensor;
      const data = await t.value.data();
      // tfjs may hand back its own backing store (cpu backend): copy so callers can't corrupt it.
      return t.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    },
    dispose(tensor: Tensor): void {
      const t = tensor as TfjsTensor;
      t.release();
      live.delete(t);
    },
    status: (t) =>
      !(t instanceof TfjsTensor) || !live.has(t)
        ? t instanceof TfjsTensor && t.disposed
          ? 'disposed'
          : 'foreign'
        : 'usable',
    flush: () => {},
    destroy(): void {
      for (const t of live) t.release();
      live.clear();
    },
  };
  const kernels = {} as Record<KernelName, (...args: unknown[]) => void>;
  for (const name of KERNEL_NAMES) {
    const run = TFJS_KERNELS[name] as (...args: unknown[]) => void;
    kernels[name] = (...args) => {
      use();
      run(...args);
    };
  }
  return defineBackend(
    { descriptor: describeChoice(choice), memory, kernels: kernels as unknown as KernelTable },
    {
      choice,
      get liveTensors() {
        return live.size;
      },
    },
  );
}

/** tfjs's engines, as the registry's policy sees them. */
export function describeChoice(choice: TfjsChoice): BackendDescriptor {
  return {
    name: BACKEND_NAME,
    device: `tfjs ${choice.kind}: ${choice.detail}`,
    // tfjs-node with CUDA is the only GPU engine saekit starts; its detail names it.
    kind: choice.kind === 'tensorflow' && /gpu|cuda/i.test(choice.detail) ? 'gpu' : 'cpu-native',
    limits: NO_LIMITS,
    variant: choice.kind,
  };
}

/** A private copy in the tensor's dtype: tfjs's cpu backend keeps the array it is given. */
function hostAs(data: HostArray, dtype: DType): HostArray {
  return dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
}
