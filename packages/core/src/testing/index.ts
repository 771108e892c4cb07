export type { ConformanceCase, ConformanceGroup } from './case.js';
export { CaseContext } from './case.js';
export { type ConformanceOptions, describeBackendConformance } from './conformance.js';
export { CONFORMANCE_GROUPS } from './groups.js';
export * as oracle from './oracle.js';
export { type KernelPaths, pathProblems } from './paths.js';
export { CaseRandom } from './random.js';
export {
  expectRecovered,
  RECOVERY_BARS,
  RECOVERY_SCENARIO,
  type RecoveryResult,
  runRecoveryScenario,
} from './recovery.js';
export {
  centralDifferenceGradients,
  centralDifferences,
  type ReferenceDenseProblem,
  type ReferenceDenseResult,
  type ReferenceParams,
  type ReferenceProblem,
  type ReferenceResult,
  referenceDenseLoss,
  referenceJumpReluThresholdGradient,
  referenceLoss,
} from './reference-loss.js';
export {
  bound,
  DEFAULT_TOLERANCE,
  type Expected,
  type Mismatch,
  mismatches,
  type Tolerance,
} from './tolerance.js';
export {
  type ReferenceParamName,
  type ReferenceStep,
  type ReferenceStepMetrics,
  referenceParamsAfter,
  referenceStep,
} from './update-reference.js';
