import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configField, TRAIN_CONFIG_FIELDS } from '@saekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE_DOCS, EXAMPLE_DATA, TRANSCODER_DOC } from '../src/architecture-help.js';
import { parseSweep } from '../src/sweep-file.js';
import { memberConfigs, memberValues } from '../src/sweep-plan.js';
import { saekit, tempDir } from './saekit.js';

/** The architectures as `saekit train --help` and the root README document them. */
const dir = tempDir('architectures');
afterAll(() => dir.remove());
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
/** What each saves as in SAELens's cfg (BatchTopK and Matryoshka run as a JumpReLU). */
const SAVED_AS = {
  topk: 'topk',
  batchtopk: 'jumprelu',
  matryoshka: 'jumprelu',
  jumprelu: 'jumprelu',
  standard: 'standard',
};

/** The documented command, shortened to 20 steps into the test's folder: its cfg.json. */
function trainShort(name: string, example: string): TrainedCfg {
  const out = join(dir.path, name);
  const args = `${EXAMPLE_DATA} ${example}`.split(' ').slice(2);
  // Later flags win: a short run into the test's folder.
  const r = saekit(['train', ...args, '--steps', '20', '--backend', 'cpu', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, 'cfg.json'), 'utf8'));
}
interface TrainedCfg {
  architecture: string;
  d_in: number;
  d_out?: number;
  saekit: { transcoder?: boolean; train_config: { architecture: string; targetTensor?: string } };
}

describe('architecture docs', () => {
  it.each(ARCHITECTURE_DOCS.map((a) => [a.name, a] as const))(
    '%s: the --help command runs (20 steps) and trains that architecture',
    (name, a) => {
      const cfg = trainShort(name, a.example);
      expect(cfg.architecture).toBe(SAVED_AS[name]);
      expect(cfg.saekit.train_config.architecture).toBe(name);
      expect(cfg.saekit.transcoder).toBeUndefined();
    },
  );

  it('transcoder: the --help command runs (20 steps) and trains a transcoder of its target', () => {
    const target = /--target-tensor (\S+)/.exec(TRANSCODER_DOC.example)?.[1];
    expect(target).toBeDefined();
    const cfg = trainShort('transcoder', TRANSCODER_DOC.example);
    expect(cfg).toMatchObject({
      architecture: 'topk',
      d_in: 32,
      d_out: 32,
      apply_b_dec_to_input: false,
      saekit: { transcoder: true, train_config: { architecture: 'topk', targetTensor: target } },
    });
  });

  it("lists every setting the schema marks as an architecture's", () => {
    // The schema's help of an architecture's own setting starts with the architectures it applies to.
    for (const f of TRAIN_CONFIG_FIELDS) {
      const owners = /^([a-z]+(?:, [a-z]+)*): /.exec(f.help)?.[1].split(', ') ?? [];
      for (const name of owners) {
        const doc = ARCHITECTURE_DOCS.find((a) => a.name === name);
        expect(doc?.keys, `${f.key} (${name})`).toContain(f.key);
      }
    }
  });

  it('--help lists every architecture with its settings and command', () => {
    const help = saekit(['train', '--help']).stdout;
    for (const a of ARCHITECTURE_DOCS) {
      expect(help).toContain(`  ${a.name}: `);
      expect(help).toContain(`$ ${EXAMPLE_DATA} ${a.example}`);
    }
    expect(help).toContain('  transcoder (--target-tensor NAME): ');
    expect(help).toContain(`$ ${EXAMPLE_DATA} ${TRANSCODER_DOC.example}`);
    expect(help).toContain(
      `settings: --target-tensor (default ${configField('targetTensor')?.default})`,
    );
    expect(help).toMatch(/--jumprelu-bandwidth \(default 0\.001\)/);
    expect(help).toContain('--sweep FILE');
  });

  it('the root README shows the same commands, and a sweep file that is valid', () => {
    expect(README).toContain(`S='${EXAMPLE_DATA}'`);
    for (const a of [...ARCHITECTURE_DOCS, TRANSCODER_DOC])
      expect(README).toContain(`$S ${a.example}\n`);
    // The table's transcoder row gives the schema's default.
    const row = README.split('\n').find((l) =>
      l.startsWith('| transcoder: `--target-tensor NAME` |'),
    );
    expect(row).toContain(`\`--target-tensor\` (${configField('targetTensor')?.default})`);
    const json = /cat > sweep\.json <<'JSON'\n([\s\S]*?)\nJSON\n/.exec(README)?.[1] ?? '';
    const members = parseSweep(json, 'README sweep.json');
    expect(members.map((m) => m.name)).toEqual(ARCHITECTURE_DOCS.map((a) => a.name));
    const base = { k: 4, dSae: 128, batchSize: 256, steps: 1000, lr: 0.01 };
    const configs = memberConfigs(
      'README sweep.json',
      members,
      members.map((m) => memberValues(base, m)),
      32,
    );
    expect(configs.map((c) => c.architecture ?? 'topk')).toEqual(
      ARCHITECTURE_DOCS.map((a) => a.name),
    );
  });
});
