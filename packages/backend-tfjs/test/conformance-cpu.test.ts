import { describeBackendConformance } from '@saekit/core/testing';
import { createTfjsBackend } from '../src/index.js';
import { tfjsConformanceGroups } from './conformance-groups.js';

describeBackendConformance('tfjs cpu', () => createTfjsBackend({ prefer: ['cpu'] }), {
  groups: tfjsConformanceGroups({ large: false }),
});
