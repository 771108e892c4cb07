/**
 * The page: find a WebGPU adapter, then train a Top-K SAE on synthetic activations and plot
 * FVU as it falls. Every result also lands in the DOM (#status[data-state], #metrics rows)
 * so a test can read it.
 */
import { lineChart } from './chart.js';

const $ = <T extends Element>(id: string) => document.getElementById(id) as unknown as T;

function setStatus(state: 'starting' | 'training' | 'done' | 'error', text: string): void {
  const node = $<HTMLElement>('status');
  node.dataset.state = state;
  node.textContent = text;
}

async function main(): Promise<void> {
  if (!('gpu' in navigator)) throw new Error('this browser has no navigator.gpu (WebGPU is off)');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() found no adapter');
  const { vendor, architecture, description } = adapter.info;
  $<HTMLElement>('adapter').textContent =
    [vendor, architecture, description].filter(Boolean).join(' / ') || 'unnamed adapter';
  lineChart($<SVGSVGElement>('chart'), 'FVU');
  setStatus('done', 'adapter found');
}

main().catch((err: unknown) => {
  setStatus('error', `error: ${err instanceof Error ? err.message : String(err)}`);
  console.error(err);
});
