import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { writeFilesAtomically } from '../../lambdas/adapters/output-folder.js';
import type { LedgerResult } from '../../lambdas/core/engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import { type BillingGroup, parseBillingGroups } from '../../lambdas/core/groups.js';
import { buildReport, type LedgerSource } from '../../lambdas/core/report.js';
import { accountsCsv, groupsCsv, transfersCsv } from '../../lambdas/core/report-csv.js';
import { renderReportHtml } from '../../lambdas/core/report-html.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { formatReportTable } from '../../lambdas/core/report-table.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';

interface ReportOptions {
  readonly format: 'auto' | SourceFormat;
  readonly groups?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly dbrCurrency?: string;
  readonly threads?: string;
  readonly memoryLimit?: string;
}

async function readGroups(file: string): Promise<BillingGroup[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(file, error.code === 'ENOENT' ? 'no such file' : error.message);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `not valid JSON (${(error as Error).message})`);
  }
  return parseBillingGroups(json, file);
}

/**
 * The currency of a DBR source (DBR has no currency column): the one given, else CNY for files
 * of the AWS China seller (`-ACTS-` in the name), else USD.
 */
export function dbrCurrency(result: LedgerResult, given: string | undefined): string {
  if (given !== undefined) return given;
  return result.files.some((file) => basename(file).includes('-ACTS-')) ? 'CNY' : 'USD';
}

const positiveInteger = (option: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new InputError(option, `not a positive integer: ${value}`);
  return Number(value);
};

/** The files `--out` writes, every one rendered before anything touches the disk. */
function outputFiles(report: Report, withGroups: boolean): Record<string, string> {
  return {
    'report.json': `${JSON.stringify(report, null, 2)}\n`,
    'accounts.csv': accountsCsv(report),
    'transfers.csv': transfersCsv(report),
    ...(withGroups ? { 'groups.csv': groupsCsv(report) } : {}),
    'report.html': renderReportHtml(report),
  };
}

async function runReport(paths: readonly string[], options: ReportOptions): Promise<void> {
  const currency = options.dbrCurrency?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    throw new InputError('--dbr-currency', `not a currency code: ${options.dbrCurrency}`);
  }
  const threads = positiveInteger('--threads', options.threads);
  const memory = options.memoryLimit;
  if (memory !== undefined && !/^\d+(\.\d+)?\s*([KMGT]i?B|B)$/i.test(memory)) {
    throw new InputError('--memory-limit', `not a size such as 4GB: ${memory}`);
  }
  const groups = options.groups === undefined ? undefined : await readGroups(options.groups);
  const engine = await DuckDbEngine.create({
    ...(threads === undefined ? {} : { threads }),
    ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
  });
  const sources: LedgerSource[] = [];
  try {
    for (const path of paths) {
      const started = performance.now();
      const format = options.format === 'auto' ? undefined : options.format;
      const result = await engine.ledger({ location: path, ...(format ? { format } : {}) });
      const lines = result.rows.reduce((sum, row) => sum + row.line_count, 0);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const files = result.files.length === 1 ? '1 file' : `${result.files.length} files`;
      process.stderr.write(
        `read ${path}: ${result.format}, ${files}, ${lines} lines, ${seconds} s\n`,
      );
      sources.push({
        path,
        format: result.format,
        ...(result.format === 'dbr' ? { currency: dbrCurrency(result, currency) } : {}),
        rows: result.rows,
      });
    }
  } finally {
    await engine.close();
  }
  const report = buildReport({ sources, ...(groups ? { groups } : {}) });
  const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report);
  if (options.out !== undefined) {
    await writeFilesAtomically(options.out, outputFiles(report, groups !== undefined));
    process.stderr.write(`wrote ${options.out}\n`);
  }
  process.stdout.write(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
}

/** `whopays report <path>…`: attributes every source on the embedded DuckDB engine. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'attribute commitment costs of DBR, CUR 1 and CUR 2.0 files (each path is one source: a file or a folder)',
    )
    .argument('<path...>', 'billing file (.csv, .csv.gz, .csv.zip, .parquet) or folder, per payer')
    .addOption(
      new Option('--format <format>', 'source format; auto tells it from the columns')
        .choices(['auto', 'dbr', 'cur', 'cur2'])
        .default('auto'),
    )
    .option('--groups <file>', 'billing groups JSON (Billing Conductor CreateBillingGroup shape)')
    .option('--out <dir>', 'also write report.json, accounts.csv, transfers.csv, report.html here')
    .option('--json', 'print the report JSON (and nothing else) on stdout')
    .option(
      '--dbr-currency <code>',
      'currency of DBR sources (default: CNY for -ACTS- files, else USD)',
    )
    .option('--threads <n>', 'DuckDB threads (default: all CPUs)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB (default: half the memory)')
    .action((paths: string[], options: ReportOptions) => runReport(paths, options));
}
