import { describeBackendConformance } from '@saekit/core/testing';
import { createTfjsBackend } from '../src/index.js';
import { tfjsConformanceGroups } from './conformance-groups.js';

// wasm also runs the > 128 MiB cases (about 3.4 GB resident, 30 s).
describeBackendConformance('tfjs wasm', () => createTfjsBackend({ prefer: ['wasm'] }), {
  large: true,
  groups: tfjsConformanceGroups({ large: true }),
});
