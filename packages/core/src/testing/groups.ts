import type { ConformanceGroup } from './case.js';
import { argumentErrorCases } from './cases/argument-errors.js';
import { denseCases } from './cases/dense.js';
import { elementwiseCases } from './cases/elementwise.js';
import { largeCases } from './cases/large.js';
import { manyRowsCases } from './cases/many-rows.js';
import { matmulCases } from './cases/matmul.js';
import { memoryCases } from './cases/memory.js';
import { optimizerCases } from './cases/optimizer.js';
import { reductionCases } from './cases/reductions.js';
import { selectionCases } from './cases/selection.js';
import { wideSelectionCases } from './cases/selection-wide.js';
import { sparseCases } from './cases/sparse.js';
import { updateStepCases } from './cases/update-step.js';
import { trainingStepsCases } from './training-steps.js';

/**
 * The groups describeBackendConformance runs by default, in order. To add a group (a kernel
 * family, or the training-steps comparison with the cpu backend), write it as a
 * ConformanceGroup in its own file and list it here.
 */
export const CONFORMANCE_GROUPS: readonly ConformanceGroup[] = [
  memoryCases,
  argumentErrorCases,
  denseCases,
  matmulCases,
  selectionCases,
  wideSelectionCases,
  sparseCases,
  reductionCases,
  elementwiseCases,
  optimizerCases,
  manyRowsCases,
  largeCases,
  trainingStepsCases,
  updateStepCases,
];
