#!/usr/bin/env node
import { CommanderError } from 'commander';
import { runFiltered, wantsFilteredChild } from './dawn-noise.js';
import { describeError, exitCodeFor } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { expandedGlobError } from './expanded-glob.js';
import { buildProgram } from './program.js';

/**
 * Entry point of the `saekit` binary: runs a command and turns every failure into one line
 * on stderr and a documented exit code (a stack trace only with SAEKIT_DEBUG=1).
 */
async function main(argv: string[]): Promise<number> {
  if (wantsFilteredChild(argv)) return runFiltered(argv);
  const program = buildProgram();
  try {
    // Bare `saekit`: the help, on stdout like any asked-for output, and success.
    if (argv.length <= 2) {
      program.outputHelp();
      return ExitCode.ok;
    }
    const glob = expandedGlobError(program, argv.slice(2));
    if (glob) throw glob;
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (or the help / version).
      const benign = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
      return benign.includes(err.code) || err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const code = exitCodeFor(err);
    // An interrupted command has already said where its checkpoint is.
    if (code === ExitCode.interrupted) return code;
    process.stderr.write(`saekit: error: ${describeError(err)}\n`);
    if (process.env.SAEKIT_DEBUG && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    } else if (code === ExitCode.internal) {
      process.stderr.write(
        'saekit: this looks like a bug; rerun with SAEKIT_DEBUG=1 for details\n',
      );
    }
    return code;
  }
}

main(process.argv).then(
  (code) => {
    // Native backends (Dawn) can hold the event loop open; a finished command exits.
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`saekit: error: ${describeError(err)}\n`);
    process.exit(ExitCode.internal);
  },
);
