/**
 * The page: find a WebGPU adapter, train a Top-K SAE on synthetic activations with a known
 * dictionary, plot FVU live, then score how many true features the decoder found. Every
 * result also lands in the DOM (#status[data-state], #metrics rows) so a test can read it.
 *
 * URL parameters override the run (defaults in run-config.ts):
 * ?steps=300&dIn=32&dSae=256&k=4&batch=256&seed=1&lr=0.02
 */

import { createWebGpuBackend } from '@saekit/backend-webgpu';
import { featureRecovery, type StepMetrics, SyntheticActivations, Trainer } from '@saekit/core';
import { lineChart } from './chart.js';
import { DEFAULT_RUN, type RunParams, trainerConfig, trueFeatures } from './run-config.js';

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
  const p = Object.fromEntries(
    Object.entries(DEFAULT_RUN).map(([name, fallback]) => [name, param(name, fallback)]),
  ) as RunParams;
  const { steps, dIn, batch: batchSize, seed } = p;

  if (!('gpu' in navigator)) throw new Error('this browser has no navigator.gpu (WebGPU is off)');
  const backend = await createWebGpuBackend();
  const { vendor, architecture, description } = backend.adapter;
  $<HTMLElement>('adapter').textContent =
    [vendor, architecture, description].filter(Boolean).join(' / ') || 'unnamed adapter';

  const data = new SyntheticActivations({ dIn, nFeatures: trueFeatures(p), batchSize, seed });
  const config = trainerConfig(p);
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
