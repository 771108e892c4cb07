import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const tsx = join(pkg, '..', '..', 'node_modules', '.bin', 'tsx');

describe('quickstart example', () => {
  it('runs as a script and recovers the known features it was trained on', () => {
    // A shortened run of the real entry point (`pnpm start` runs 1500 steps).
    const out = execFileSync(tsx, ['--conditions=source', 'src/main.ts', '--steps', '400'], {
      cwd: pkg,
      encoding: 'utf8',
    });
    expect(out).toMatch(/step 400\/400 {2}fvu \d\.\d{3}/);
    const m = /recovered (\d+) of (\d+) true features/.exec(out);
    expect(m, out).not.toBeNull();
    const [recovered, total] = [Number(m![1]), Number(m![2])];
    expect(total).toBe(384);
    expect(recovered / total).toBeGreaterThanOrEqual(0.9);
  });
});
