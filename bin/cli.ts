// The `whopays` command line (shared REPORT.md). Bundled by scripts/build-cli.mjs into dist/cli.mjs.
import { Command, CommanderError } from 'commander';
import { messageOf } from '../lambdas/adapters/duckdb-errors.js';
import {
  IdentityViolationError,
  InputError,
  ReconciliationMismatchError,
} from '../lambdas/core/errors.js';
import { terminalLine } from '../lambdas/core/untrusted-text.js';
import pkg from '../package.json' with { type: 'json' };
import { registerDoctor } from './commands/doctor.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerReport } from './commands/report.js';
import { registerSql } from './commands/sql.js';
import { environmentInputError, guardStdout } from './environment-errors.js';

/** Exit codes of REPORT.md. */
const EXIT = { ok: 0, differences: 1, badInput: 2, bug: 3 } as const;

/** One line on stderr, `whopays: …` (commander's own usage errors included). */
const complain = (text: string): void => {
  process.stderr.write(
    `whopays: ${terminalLine(
      text
        .replace(/^error: /, '')
        .trim()
        .split('\n')[0]!,
    )}\n`,
  );
};

function buildProgram(): Command {
  const program = new Command('whopays')
    .description(
      'who pays for AWS commitments: RI, Savings Plan and Capacity Reservation attribution',
    )
    .version(pkg.version)
    // Usage errors must exit 2 through our handler, not commander's process.exit(1).
    .exitOverride()
    .configureOutput({ outputError: (text) => complain(text) })
    .showSuggestionAfterError();
  registerReport(program);
  registerSql(program);
  registerReconcile(program);
  registerDoctor(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const refused = error instanceof InputError ? error : environmentInputError(error);
    if (refused !== undefined) {
      complain(refused.message);
      return EXIT.badInput;
    }
    if (error instanceof ReconciliationMismatchError) {
      complain(error.message);
      return EXIT.differences;
    }
    if (error instanceof IdentityViolationError) {
      complain(`${error.message} (please report this)`);
      return EXIT.bug;
    }
    complain(`BUG: ${messageOf(error)} (please report this)`);
    return EXIT.bug;
  }
}

guardStdout(complain, EXIT.badInput);
process.exitCode = await main(process.argv);
