import { runQuickstart } from './quickstart.js';

// `--steps N` shortens the run (the test uses it); the default takes about a minute.
const i = process.argv.indexOf('--steps');
const steps = i >= 0 ? Number(process.argv[i + 1]) : undefined;
runQuickstart(steps === undefined ? {} : { steps }).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
