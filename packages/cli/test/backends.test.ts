import { describe, expect, it } from 'vitest';
import { chooseBackend, cliRegistry, describeChoice } from '../src/backends.js';

describe('chooseBackend', () => {
  it('creates the named backend and describes the choice from its descriptor', async () => {
    const chosen = await chooseBackend('cpu');
    expect(chosen.backend.name).toBe('cpu');
    expect(describeChoice(chosen)).toBe(
      'backend: cpu on plain TypeScript, one thread (cpu-native)',
    );
    await chosen.backend.destroy();
  });

  it("auto is the registry's choice: a working backend and a reason for each one skipped", async () => {
    const chosen = await chooseBackend('auto');
    const skipped = chosen.refused.map((r) => r.name);
    expect(skipped).not.toContain(chosen.backend.name);
    for (const r of chosen.refused) expect(r.reason.length).toBeGreaterThan(0);
    // The registry's own plan gives the same choice: the CLI adds no policy of its own.
    const plan = await (await cliRegistry()).plan();
    expect(plan.order[0]).toBe(chosen.backend.name);
    expect(chosen.backend.descriptor.kind).not.toBe('cpu-emulated');
    await chosen.backend.destroy();
  });

  it('--backend onnxruntime runs on ORT, and auto picks it over tfjs and cpu where it loads', async () => {
    const named = await chooseBackend('onnxruntime');
    expect(named.backend.name).toBe('onnxruntime');
    expect(named.backend.descriptor.kind).toBe('cpu-native');
    await named.backend.destroy();
    const plan = await (await cliRegistry()).plan();
    const at = (name: string) => plan.order.indexOf(name);
    expect(at('onnxruntime')).toBeGreaterThanOrEqual(0);
    expect(at('onnxruntime')).toBeLessThan(at('cpu'));
    if (at('tfjs') >= 0) expect(at('onnxruntime')).toBeLessThan(at('tfjs'));
  });

  it('a named backend that cannot start fails with its reason', async () => {
    const r = await cliRegistry();
    r.register({
      name: 'broken',
      priority: 0,
      probe: async () => ({ ok: false, reason: 'no such device' }),
      create: async () => {
        throw new Error('no such device');
      },
    });
    await expect(chooseBackend('broken' as never)).rejects.toThrow(/broken \(no such device\)/);
  });
});
