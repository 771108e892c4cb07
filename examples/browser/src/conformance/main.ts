// The @saekit/core conformance suite on navigator.gpu (SwiftShader in headless Chromium):
// every case of every group, on each kernel set, without vitest. The result lands in
// `window.conformance` and in #status for test/conformance.test.ts to read.
import { createWebGpuBackend } from '@saekit/backend-webgpu';
import { CaseContext, CONFORMANCE_GROUPS, DEFAULT_TOLERANCE } from '@saekit/core/testing';

interface Outcome {
  readonly kernels: string;
  readonly adapter: string;
  readonly passed: number;
  readonly failed: readonly { name: string; error: string }[];
}

const status = document.getElementById('status') as HTMLElement;
const log = document.getElementById('log') as HTMLElement;

async function runSet(kernels: 'gpu' | 'software'): Promise<Outcome> {
  const backend = await createWebGpuBackend({ kernels });
  let passed = 0;
  const failed: { name: string; error: string }[] = [];
  for (const group of CONFORMANCE_GROUPS) {
    for (const c of group.cases) {
      // The opt-in large cases allocate several 128 MiB tensors: too much for a page.
      if (c.large === true) continue;
      const name = `${kernels} / ${group.name} / ${c.name}`;
      status.textContent = `running ${name}`;
      const ctx = new CaseContext(backend, DEFAULT_TOLERANCE, 20241, `${group.name}/${c.name}`);
      try {
        await c.run(ctx);
        passed++;
      } catch (err) {
        failed.push({ name, error: err instanceof Error ? err.message : String(err) });
        log.textContent += `FAIL ${name}: ${String(err)}\n`;
      } finally {
        await ctx.dispose();
        backend.flush();
      }
    }
  }
  const adapter = backend.adapter.description || backend.adapter.vendor || 'unnamed adapter';
  await backend.destroy();
  return { kernels, adapter, passed, failed };
}

async function main(): Promise<void> {
  const sets = (new URL(location.href).searchParams.get('kernels') ?? 'software,gpu').split(',');
  const outcomes: Outcome[] = [];
  for (const s of sets) outcomes.push(await runSet(s as 'gpu' | 'software'));
  (window as unknown as { conformance: Outcome[] }).conformance = outcomes;
  status.dataset.state = 'done';
  status.textContent = outcomes
    .map((o) => `${o.kernels}: ${o.passed} passed, ${o.failed.length} failed`)
    .join('; ');
}

main().catch((err: unknown) => {
  status.dataset.state = 'error';
  status.textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
});
