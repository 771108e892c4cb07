import {
  ConfigError,
  checkField,
  configField,
  isDenseArchitecture,
  resolveTrainConfig,
  TRAIN_CONFIG_FIELDS,
  type TrainableArchitecture,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

const shape = { dIn: 16, dSae: 64, k: 4 };
const noK = { dIn: 16, dSae: 64 };

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError');
}

describe('TRAIN_CONFIG_FIELDS: one schema for the library and the CLI', () => {
  it('lists every key the resolved config has (but the internal rewarm and notes)', () => {
    const resolved = Object.keys(resolveTrainConfig(shape)).filter(
      (k) => k !== 'notes' && k !== 'rewarm',
    );
    expect(TRAIN_CONFIG_FIELDS.map((f) => f.key).sort()).toEqual(resolved.sort());
  });

  it('every choice it lists is accepted by the resolver, anything else is refused naming the key', () => {
    for (const field of TRAIN_CONFIG_FIELDS) {
      if (field.type.kind !== 'choice') continue;
      for (const choice of field.type.choices) {
        // jumprelu and standard take no k.
        const base =
          field.key === 'architecture' && isDenseArchitecture(choice as TrainableArchitecture)
            ? noK
            : shape;
        const c = resolveTrainConfig({ ...base, [field.key]: choice });
        expect(c[field.key as keyof typeof c]).toBe(choice);
      }
      const e = errorOf(() => resolveTrainConfig({ ...shape, [field.key]: 'nope' }));
      expect(e.key).toBe(field.key);
      expect(e.detail).toMatch(/must be '.*' or '.*', got 'nope'/);
    }
    expect(resolveTrainConfig({ ...shape, bDecInit: 'zeros' }).bDecInit).toBe('zeros');
  });

  it('the resolver checks each value with its field: bounds and integrality', () => {
    const cases: [string, unknown, RegExp][] = [
      ['batchSize', 0, /must be a positive integer, got 0/],
      ['warmupSteps', -1, /must be an integer ≥ 0, got -1/],
      ['warmupSteps', 1.5, /must be an integer ≥ 0/],
      ['lr', 0, /must be a finite number > 0, got 0/],
      ['auxkAlpha', -0.1, /must be a finite number ≥ 0/],
      ['beta2', 1, /must be in \[0, 1\), got 1/],
      ['seed', 2 ** 32, /must be an integer in \[0, 4294967295\]/],
      ['normalizeActivations', 'yes', /must be true or false/],
    ];
    for (const [key, value, message] of cases) {
      const e = errorOf(() => resolveTrainConfig({ ...shape, [key]: value }));
      expect(e.key, key).toBe(key);
      expect(e.detail, key).toMatch(message);
      // The same check a CLI runs on a parsed flag value.
      expect(() => checkField(configField(key)!, value)).toThrow(message);
    }
  });

  it('relations between values carry a hint naming the fix', () => {
    const e = errorOf(() => resolveTrainConfig({ ...shape, k: 65 }));
    expect(e).toMatchObject({
      key: 'k',
      detail: 'k = 65 exceeds dSae = 64',
      hint: 'lower k or raise dSae',
    });
    expect(e.message).toBe("invalid config 'k': k = 65 exceeds dSae = 64; lower k or raise dSae");
  });
});
