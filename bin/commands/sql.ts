import { type Command, Option } from 'commander';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';
import { ledgerSql, quoteIdentifier } from '../../lambdas/core/sql-catalog.js';

interface SqlOptions {
  readonly engine: 'athena' | 'duckdb';
  readonly format: SourceFormat;
  readonly database: string;
  readonly table?: string;
}

/**
 * The ledger SQL as the engine runs it. Athena: over "database"."table". DuckDB: over the files at
 * --table, exactly as `whopays report` reads them (paste it into the duckdb shell); without
 * --table, over a relation named cur_lines/dbr_lines that the user creates.
 */
async function sqlFor(options: SqlOptions): Promise<string> {
  if (options.engine === 'athena') {
    const table = options.table ?? options.format;
    return ledgerSql(
      options.format,
      `${quoteIdentifier(options.database)}.${quoteIdentifier(table)}`,
    ).trim();
  }
  if (options.table === undefined) return `${ledgerSql(options.format).trim()};`;
  const engine = await DuckDbEngine.create({ threads: 1 });
  try {
    const source = await engine.prepare({ location: options.table, format: options.format });
    return `${engine.ledgerSql(source).trim()};`;
  } finally {
    await engine.close();
  }
}

/** `whopays sql`: prints the attribution SQL for the Athena console or the duckdb shell. */
export function registerSql(program: Command): void {
  program
    .command('sql')
    .description('print the attribution (ledger) SQL exactly as that engine runs it')
    .addOption(
      new Option('--engine <engine>', 'engine that will run it')
        .choices(['athena', 'duckdb'])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--format <format>', 'source format')
        .choices(['dbr', 'cur', 'cur2', 'focus'])
        .makeOptionMandatory(),
    )
    .option('--database <name>', 'athena: Glue database of the table', 'whopays')
    .option(
      '--table <name>',
      'athena: Glue table (default: the format name); duckdb: billing file or folder to read',
    )
    .action(async (options: SqlOptions) => {
      process.stdout.write(`${await sqlFor(options)}\n`);
    });
}
