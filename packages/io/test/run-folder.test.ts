import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCpuBackend,
  type RunSnapshot,
  readSavedRun,
  SyntheticActivations,
  type TrainConfigInput,
  TrainingRun,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  appendMetrics,
  datasetSource,
  loadSae,
  openMetricsLog,
  RunFolder,
  readMetrics,
  ShardWriter,
} from '../src/index.js';
import { withTempDir } from './helpers.js';

const D_IN = 16;
const BATCH = 32;
const config: TrainConfigInput = {
  dIn: D_IN,
  dSae: 64,
  k: 4,
  batchSize: BATCH,
  steps: 24,
  initTokens: 2 * BATCH,
  deadTokens: BATCH * 5,
  seed: 7,
};

async function writeShards(dir: string): Promise<void> {
  const source = new SyntheticActivations({ dIn: D_IN, nFeatures: 48, batchSize: 100, seed: 3 });
  const writer = new ShardWriter(dir, { dIn: D_IN, dtype: 'f16', rowsPerShard: 300 });
  for (let rows = 0; rows < 900; rows += 100) await writer.append(source.batch());
  await writer.close();
}

// The SAELens metadata comes from the run's metadata, also in a resumed process.
const folderOptions = {
  saeMetadata: (s: RunSnapshot) => ({
    model_name: 'synthetic',
    dataset_path: s.metadata['data'] ?? null,
  }),
};
const dataOptions = { batchSize: BATCH, shuffleBuffer: 128, seed: 11, epochs: 2 };

describe('TrainingRun on a RunFolder over activation shards', () => {
  it('killed by its signal and resumed from disk, it ends bit-identical, with one metrics log and a loadable SAE', async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);
      const runOn = async (out: string, signal?: AbortSignal, stopAt?: () => void) => {
        const run = await TrainingRun.create(createCpuBackend(), {
          config,
          source: await datasetSource(shards, dataOptions),
          store: new RunFolder(out, folderOptions),
          checkpointEvery: 8,
          logEvery: 4,
          metadata: { data: shards },
          ...(stopAt ? { onStep: stopAt } : {}),
        });
        const result = await run.run(signal ? { signal } : {});
        return { run, result };
      };
      const straight = await runOn(join(dir, 'straight'));
      expect(straight.result.stopped).toBe('completed');
      const want = await straight.run.trainer.exportWeights();

      const out = join(dir, 'run');
      const controller = new AbortController();
      let steps = 0;
      const first = await runOn(out, controller.signal, () => {
        if (++steps === 9) controller.abort();
      });
      expect(first.result.stopped).toBe('aborted');
      first.run.dispose();

      const folder = new RunFolder(out, folderOptions);
      const saved = await readSavedRun<{ data: string }>(folder);
      expect(saved?.step).toBe(first.result.steps);
      const resumed = await TrainingRun.resume(createCpuBackend(), saved!, {
        source: await datasetSource(saved!.metadata.data, dataOptions),
        store: folder,
        checkpointEvery: 8,
        logEvery: 4,
      });
      expect((await resumed.run()).steps).toBe(24);
      const got = await resumed.trainer.exportWeights();
      for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec'] as const) {
        expect(Buffer.from(got[key].buffer).equals(Buffer.from(want[key].buffer)), key).toBe(true);
      }
      const logged = (await readMetrics(join(out, 'metrics.jsonl'))).map((r) => r.step);
      expect(logged).toEqual([4, 8, first.result.steps, 12, 16, 20, 24]);
      const sae = await loadSae(out);
      expect(Array.from(sae.weights.wDec)).toEqual(Array.from(got.wDec));
      expect(sae.sparsity).toHaveLength(64);
      const cfg = JSON.parse(await readFile(join(out, 'cfg.json'), 'utf8'));
      expect(cfg.metadata).toMatchObject({ model_name: 'synthetic', dataset_path: shards });
      expect(cfg.saekit).toMatchObject({ trained_steps: 24, final: true });
    });
  });

  it('metrics.jsonl keeps the records up to a resumed step and tolerates a torn last line', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'metrics.jsonl');
      const rec = (step: number) => ({
        step,
        tokens: step * 2,
        fvu: 1,
        mse: 1,
        l0: 1,
        dead_frac: 0,
        auxk: 0,
        lr: 0,
        grad_norm: 0,
        tokens_per_s: 1,
        elapsed_s: 0,
      });
      await openMetricsLog(path, null);
      for (const s of [10, 20, 30]) await appendMetrics(path, rec(s));
      await appendFile(path, '{"step": 40, "tok');
      expect((await readMetrics(path)).map((r) => r.step)).toEqual([10, 20, 30]);
      await openMetricsLog(path, 20);
      await appendMetrics(path, rec(30));
      expect((await readMetrics(path)).map((r) => r.step)).toEqual([10, 20, 30]);
      await openMetricsLog(path, null);
      expect(await readMetrics(path)).toEqual([]);
    });
  });
});

describe('RunFolder and an earlier run’s report', () => {
  it('a fresh run removes report.html; a resumed one keeps it', async () => {
    await withTempDir(async (dir) => {
      const folder = new RunFolder(dir);
      await writeFile(folder.paths.report, '<html>old run</html>');
      await folder.openMetrics(3);
      expect(existsSync(folder.paths.report)).toBe(true);
      await folder.openMetrics(null);
      expect(existsSync(folder.paths.report)).toBe(false);
    });
  });
});
