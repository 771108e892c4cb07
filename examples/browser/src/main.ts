/**
 * The page: find a WebGPU adapter, train a Top-K SAE on synthetic activations with a known
 * dictionary, plot FVU live, then score how many true features the decoder found. Every
 * result also lands in the DOM (#status[data-state], #metrics rows) so a test can read it.
 *
 * URL parameters override the run: ?steps=300&dIn=32&dSae=256&k=8&batch=512&seed=1&lr=0.004
 * (lr defaults to the design rule 2e-4 / sqrt(dSae / 2^14)).
 */

import { createWebGpuBackend } from '@saekit/backend-webgpu';
import { featureRecovery, type StepMetrics, SyntheticActivations, Trainer } from '@saekit/core';
import { lineChart } from './chart.js';

const $ = <T extends Element>(id: string) => document.getElementById(id) as unknown as T;

function setStatus(state: 'starting' | 'training' | 'done' | 'error', text: string): void {
  const node = $<HTMLElement>('status');
  node.dataset.state = state;
  node.textContent = text;
}

function param(name: string, fallback: number): number;
function param(name: string, fallback?: number): number | undefined;
function param(name: string, fallback?: number): number | undefined {
  const raw = new URLSearchParams(location.search).get(name);
  if (raw === null) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(`URL parameter ${name}=${raw} is not a positive number`);
  return v;
}

function addRow(m: StepMetrics): void {
  const row = document.createElement('tr');
  const cells = [
    String(m.step),
    m.fvu.toFixed(4),
    m.l0.toFixed(1),
    `${(100 * m.deadFraction).toFixed(1)}%`,
    Math.round(m.tokensPerSecond).toLocaleString('en-US'),
  ];
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    row.append(td);
  }
  row.dataset.step = String(m.step);
  row.dataset.fvu = String(m.fvu);
  $<HTMLElement>('metrics').append(row);
}

/** Lets the browser paint between steps (the training loop would otherwise starve it). */
const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function main(): Promise<void> {
  const steps = param('steps', 300);
  const dIn = param('dIn', 32);
  const dSae = param('dSae', 256);
  const k = param('k', 8);
  const batchSize = param('batch', 512);
  const seed = param('seed', 1);
  const lr = param('lr');

  if (!('gpu' in navigator)) throw new Error('this browser has no navigator.gpu (WebGPU is off)');
  const backend = await createWebGpuBackend();
  const { vendor, architecture, description } = backend.adapter;
  $<HTMLElement>('adapter').textContent =
    [vendor, architecture, description].filter(Boolean).join(' / ') || 'unnamed adapter';

  // Twice as many latents as true features: room to find each one.
  const data = new SyntheticActivations({ dIn, nFeatures: dSae / 2, batchSize, seed });
  // The trainer's seed must differ from the data's: both draw unit rows of normals from the
  // same generator, so equal seeds would start the decoder on the true dictionary.
  const config = {
    dIn,
    dSae,
    k,
    batchSize,
    steps,
    seed: seed + 1,
    ...(lr === undefined ? {} : { lr }),
  };
  const trainer = await Trainer.create(backend, config, { initData: data.batch(4096) });
  const c = trainer.config;
  $<HTMLElement>('config').textContent =
    `d_in ${c.dIn}, d_sae ${c.dSae}, k ${c.k}, ${c.batchSize} tokens/step, ${c.steps} steps, lr ${c.lr}`;
  const chart = lineChart($<SVGSVGElement>('chart'), 'FVU');
  setStatus('training', 'training…');

  let first: StepMetrics | undefined;
  let last: StepMetrics | undefined;
  await trainer.train(data, {
    onStep: async (m) => {
      first ??= m;
      last = m;
      chart.push(m.step, m.fvu);
      if (m.step === 1 || m.step % 10 === 0 || m.step === steps) addRow(m);
      setStatus('training', `step ${m.step} / ${steps}: FVU ${m.fvu.toFixed(4)}`);
      await nextFrame();
    },
  });

  const weights = await trainer.exportWeights();
  const recovery = featureRecovery(weights.wDec, data.dictionary, dIn);
  $<HTMLElement>('recovered').textContent =
    `${recovery.recovered} of ${data.nFeatures} true features at cosine ≥ 0.9 (MMCS ${recovery.mmcs.toFixed(3)})`;
  $<HTMLElement>('recovered').dataset.mmcs = String(recovery.mmcs);
  trainer.dispose();
  await backend.destroy();
  setStatus(
    'done',
    `done: FVU ${first?.fvu.toFixed(4)} → ${last?.fvu.toFixed(4)} in ${steps} steps`,
  );
}

main().catch((err: unknown) => {
  setStatus('error', `error: ${err instanceof Error ? err.message : String(err)}`);
  console.error(err);
});
