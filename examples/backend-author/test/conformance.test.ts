import { describeBackendConformance } from '@saekit/core/testing';
import { createNaiveBackend } from '../src/index.js';

// The whole contract: every kernel against a float64 oracle, and training steps vs `cpu`.
// `large` adds tensors over 128 MiB; a host-memory backend has no reason to fail them.
describeBackendConformance('naive', async () => createNaiveBackend(), { large: true });
