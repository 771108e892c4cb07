import { describeBackendConformance } from '@saekit/core/testing';
import { createTfjsBackend } from '../src/index.js';

describeBackendConformance('tfjs cpu', () => createTfjsBackend({ prefer: ['cpu'] }));
