/**
 * The body of every pool worker, as source text: started with `new Worker(src, { eval: true })`
 * so that it runs unchanged from src/ (vitest, tsx) and from dist/ (tsup), with no separate
 * entry file to locate at run time. It instantiates the kernels module over the shared heap,
 * then loops: sleep on the generation word, run its slot's call, count itself done.
 *
 * Control words (Int32Array): [0] generation, [1] parts finished. Slot s of the Float64Array
 * holds [kernel id, args…] at s·SLOT_WORDS, the return value at the slot's last word; id −1
 * means "no part for you this time", −2 "exit". A throw is reported as the slot's error flag
 * (word SLOT_WORDS − 2) so the caller fails instead of waiting forever.
 */
export const SLOT_WORDS = 16;
export const NO_PART = -1;
export const EXIT = -2;

export const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slots, slot, names } = workerData;
// A module that fails to instantiate leaves fns null: every call then reports an error.
let fns = null;
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  fns = names.map((n) => exports[n]);
} catch {}
const c = new Int32Array(control);
const a = new Float64Array(slots);
const base = slot * ${SLOT_WORDS};
let seen = 0;
for (;;) {
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  const id = a[base];
  if (id === ${EXIT}) break;
  if (id !== ${NO_PART}) {
    try {
      const n = a[base + 1];
      const args = [];
      for (let i = 0; i < n; i++) args.push(a[base + 2 + i]);
      const r = fns[id](...args);
      a[base + ${SLOT_WORDS - 1}] = typeof r === 'number' ? r : 0;
      a[base + ${SLOT_WORDS - 2}] = 0;
    } catch (e) {
      a[base + ${SLOT_WORDS - 2}] = 1;
    }
  }
  Atomics.add(c, 1, 1);
  Atomics.notify(c, 1);
}
`;
