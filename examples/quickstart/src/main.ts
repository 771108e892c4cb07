import type { BackendChoice } from './backend.js';
import { runQuickstart } from './quickstart.js';

// `--steps N` shortens the run (the test uses it); `--backend cpu|onnxruntime|auto` (default
// auto) picks where it runs.
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const steps = arg('--steps');
const backend = arg('--backend');
if (backend !== undefined && !['auto', 'cpu', 'onnxruntime'].includes(backend)) {
  console.error(`--backend must be auto, cpu or onnxruntime, got ${backend}`);
  process.exit(2);
}
runQuickstart({
  ...(steps === undefined ? {} : { steps: Number(steps) }),
  ...(backend === undefined ? {} : { backend: backend as BackendChoice }),
}).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
