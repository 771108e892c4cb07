import { describeBackendConformance } from '@saekit/core/testing';
import { createTfjsBackend } from '../src/index.js';

// wasm also runs the > 128 MiB cases (about 3.4 GB resident, 30 s).
describeBackendConformance('tfjs wasm', () => createTfjsBackend({ prefer: ['wasm'] }), {
  large: true,
});
