import { createRequire } from 'node:module';
import type { InferenceSession, OnnxValue, Tensor as OrtTensor } from 'onnxruntime-node';

/**
 * onnxruntime-node's native session, called synchronously. The package's public
 * `InferenceSession.run` defers every run to a later event-loop turn (setImmediate) and returns
 * a promise, but saekit kernels are synchronous; the binding underneath runs in the calling
 * thread and returns when the outputs are written, so it is used directly. Its shape is pinned
 * by the `~1.30` dependency range and checked at load (`loadOrt`).
 */
export interface NativeSession {
  loadModel(
    buffer: ArrayBuffer,
    byteOffset: number,
    byteLength: number,
    options: InferenceSession.SessionOptions,
  ): void;
  run(
    feeds: Record<string, OnnxValue>,
    fetches: Record<string, OnnxValue>,
    options: InferenceSession.RunOptions,
  ): Record<string, OnnxValue>;
  dispose(): void;
}

export interface Ort {
  readonly Session: new () => NativeSession;
  readonly Tensor: typeof OrtTensor;
  readonly version: string;
}

let loaded: Ort | Error | undefined;

/** The ORT binding, or the reason it cannot load here (naming the platform and the way out). */
export function loadOrt(): Ort | Error {
  if (loaded !== undefined) return loaded;
  const where = `${process.platform}-${process.arch}, Node ${process.versions.node}`;
  try {
    const require = createRequire(import.meta.url);
    const common = require('onnxruntime-node') as { Tensor: typeof OrtTensor };
    const { binding, initOrt } = require('onnxruntime-node/dist/binding.js') as {
      binding: { InferenceSession: new () => NativeSession };
      initOrt: () => void;
    };
    const { version } = require('onnxruntime-node/package.json') as { version: string };
    if (typeof binding?.InferenceSession !== 'function' || typeof initOrt !== 'function') {
      throw new Error(`onnxruntime-node ${version} has no native InferenceSession binding`);
    }
    initOrt();
    loaded = { Session: binding.InferenceSession, Tensor: common.Tensor, version };
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    loaded = new Error(
      `onnxruntime-node cannot load on ${where} (${why}); it ships CPU binaries for linux x64/arm64, darwin arm64 and win32 x64/arm64: reinstall it (pnpm install) on one of those, or choose --backend tfjs or cpu`,
    );
  }
  return loaded;
}
