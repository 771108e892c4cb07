export { Llama2cTokenizer, loadTokenizer, type TokenDecoder } from '@saekit/io';
export { InputError, InterruptedError, UsageError } from './errors.js';
export { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
export { buildProgram, VERSION } from './program.js';
export {
  type ContextExample,
  type ContextToken,
  type FeatureReport,
  type ReportInput,
  renderReport,
} from './report/html.js';
