import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { discoverSource } from '../../lambdas/adapters/file-discovery.js';
import { writeFilesAtomically } from '../../lambdas/adapters/output-folder.js';
import { parseAccountsFile, withAccountNames } from '../../lambdas/core/account-names.js';
import {
  parseRatesFile,
  type RatesFile,
  type ReportWithConverted,
  withConvertedView,
} from '../../lambdas/core/currency-rates.js';
import type { LedgerResult } from '../../lambdas/core/engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import { type BillingGroup, parseBillingGroups } from '../../lambdas/core/groups.js';
import { buildReport, type LedgerSource } from '../../lambdas/core/report.js';
import {
  type AccountIdStyle,
  accountsCsv,
  commitmentsCsv,
  groupsCsv,
  transfersCsv,
} from '../../lambdas/core/report-csv.js';
import { renderReportHtml } from '../../lambdas/core/report-html.js';
import { formatReportTable } from '../../lambdas/core/report-table.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';
import { firstOverlap, overlapProblem } from '../../lambdas/core/source-overlap.js';
import { terminalLine } from '../../lambdas/core/untrusted-text.js';
import { severalPeriodsWarning } from '../../lambdas/core/warnings.js';

interface ReportOptions {
  readonly format: 'auto' | SourceFormat;
  readonly groups?: string;
  readonly accounts?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly dbrCurrency?: string;
  readonly rates?: string;
  readonly threads?: string;
  readonly memoryLimit?: string;
  readonly csvIds: AccountIdStyle;
}

const readText = (file: string): Promise<string> =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(file, error.code === 'ENOENT' ? 'no such file' : error.message);
  });

async function readGroups(file: string): Promise<BillingGroup[]> {
  const text = await readText(file);
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

const readRates = async (file: string): Promise<RatesFile> =>
  parseRatesFile(await readText(file), file);

/** The progress-line note on data files left out as older report versions. */
const skippedNote = (skipped: readonly string[]): string => {
  if (skipped.length === 0) return '';
  const files = skipped.length === 1 ? '1 file' : `${skipped.length} files`;
  return `; skipped ${files} of older report versions (not in the latest manifest)`;
};

/** The progress-line note on paths left out because their file was already read. */
const duplicateNote = (duplicates: readonly string[]): string => {
  if (duplicates.length === 0) return '';
  const paths =
    duplicates.length === 1 ? '1 duplicate path' : `${duplicates.length} duplicate paths`;
  return `; skipped ${paths} (same file as one already read)`;
};

/** The format read, and the one the columns show when `--format` named another. */
const formatNote = (format: SourceFormat, detected: SourceFormat | undefined): string =>
  detected === undefined
    ? format
    : `${format} as --format says, though the columns are ${FORMAT_NAMES[detected]}`;

const FORMAT_NAMES: Record<SourceFormat, string> = {
  dbr: 'DBR',
  cur: 'CUR 1',
  cur2: 'CUR 2.0',
  focus: 'FOCUS',
};

/** The progress-line note on files of a folder that are not billing data. */
const ignoredNote = (ignored: readonly string[]): string => {
  if (ignored.length === 0) return '';
  const files = ignored.length === 1 ? '1 file' : `${ignored.length} files`;
  const names = ignored.slice(0, 3).map((path) => terminalLine(basename(path)));
  const more = ignored.length > 3 ? ', …' : '';
  return `; ignored ${files} that are not billing data (${names.join(', ')}${more})`;
};

/** More DuckDB threads than this buy nothing and can exhaust memory (100,000 threads: killed). */
const MAX_THREADS = 1024;
/** DuckDB cannot allocate its first 8 MiB block below this. */
const MIN_MEMORY_BYTES = 16 * 2 ** 20;
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

const threadCount = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value))
    throw new InputError('--threads', `not a positive integer: ${value}`);
  if (Number(value) > MAX_THREADS) {
    throw new InputError(
      '--threads',
      `${value} is more than ${MAX_THREADS} (this machine has ${availableParallelism()} CPUs)`,
    );
  }
  return Number(value);
};

/** A DuckDB memory limit within what DuckDB can start with and this machine has. */
const memoryLimit = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const size = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)$/i.exec(value);
  if (!size) throw new InputError('--memory-limit', `not a size such as 4GB: ${value}`);
  const bytes = Number(size[1]) * SIZE_UNITS[size[2]!.toUpperCase()]!;
  if (bytes < MIN_MEMORY_BYTES)
    throw new InputError('--memory-limit', `${value} is less than 16MiB`);
  if (bytes > totalmem()) {
    const total = `${Math.floor(totalmem() / 2 ** 20)}MiB`;
    throw new InputError(
      '--memory-limit',
      `${value} is more than this machine's memory (${total})`,
    );
  }
  return value;
};

/** The files `--out` writes, every one rendered before anything touches the disk. */
function outputFiles(
  report: ReportWithConverted,
  withGroups: boolean,
  accountIds: AccountIdStyle,
): Record<string, string> {
  return {
    'report.json': `${JSON.stringify(report, null, 2)}\n`,
    'accounts.csv': accountsCsv(report, { accountIds }),
    'transfers.csv': transfersCsv(report, { accountIds }),
    'commitments.csv': commitmentsCsv(report, { accountIds }),
    ...(withGroups ? { 'groups.csv': groupsCsv(report) } : {}),
    'report.html': renderReportHtml(report),
  };
}

async function runReport(paths: readonly string[], options: ReportOptions): Promise<void> {
  const currency = options.dbrCurrency?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    throw new InputError('--dbr-currency', `not a currency code: ${options.dbrCurrency}`);
  }
  const threads = threadCount(options.threads);
  const memory = memoryLimit(options.memoryLimit);
  const groups = options.groups === undefined ? undefined : await readGroups(options.groups);
  const rates = options.rates === undefined ? undefined : await readRates(options.rates);
  const names =
    options.accounts === undefined
      ? undefined
      : parseAccountsFile(await readText(options.accounts), options.accounts);
  const engine = await DuckDbEngine.create({
    ...(threads === undefined ? {} : { threads }),
    ...(memory === undefined ? {} : { memoryLimit: memory }),
  });
  const sources: LedgerSource[] = [];
  // Real paths of the files read so far: a file reached by two paths counts once.
  const alreadyRead = new Set<string>();
  // Written once every source is read and checked: a refusal is the only line on stderr.
  const progress: string[] = [];
  try {
    for (const path of paths) {
      const started = performance.now();
      const { files: unread, duplicates } = await discoverSource(path, alreadyRead);
      if (unread.length === 0) {
        progress.push(
          `skipped ${terminalLine(path)}: every file in it was already read (same real path)\n`,
        );
        continue;
      }
      const format = options.format === 'auto' ? undefined : options.format;
      const result = await engine.ledger({
        location: path,
        alreadyRead,
        ...(format ? { format } : {}),
      });
      for (const real of result.realPaths) alreadyRead.add(real);
      const lines = result.rows.reduce((sum, row) => sum + row.line_count, 0);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const files = result.files.length === 1 ? '1 file' : `${result.files.length} files`;
      const notes = `${skippedNote(result.skipped)}${ignoredNote(result.ignored)}${duplicateNote(duplicates)}`;
      progress.push(
        `read ${terminalLine(path)}: ${formatNote(result.format, result.detectedFormat)}, ${files}, ${lines} lines, ${seconds} s${notes}\n`,
      );
      sources.push({
        path,
        format: result.format,
        ...(result.format === 'dbr' ? { currency: dbrCurrency(result, currency) } : {}),
        rows: result.rows,
        warnings: result.multiPeriodFiles.map(severalPeriodsWarning),
      });
    }
  } finally {
    await engine.close();
  }
  const overlap = firstOverlap(sources);
  if (overlap !== undefined) throw new InputError(overlap.first.path, overlapProblem(overlap));
  for (const line of progress) process.stderr.write(line);
  const attributed = buildReport({ sources, ...(groups ? { groups } : {}) });
  const built = names === undefined ? attributed : withAccountNames(attributed, names);
  // Converted before anything is printed or written, so the JSON and the HTML agree.
  const report = rates === undefined ? built : withConvertedView(built, rates);
  const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report);
  if (options.out !== undefined) {
    await writeFilesAtomically(
      options.out,
      outputFiles(report, groups !== undefined, options.csvIds),
      // A rerun without --groups replaces an earlier run's folder, groups.csv included.
      { formerFiles: ['groups.csv'] },
    );
    process.stderr.write(`wrote ${terminalLine(options.out)}\n`);
  }
  process.stdout.write(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
}

/** `whopays report <path>…`: attributes every source on the embedded DuckDB engine. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'attribute commitment costs of DBR, CUR 1, CUR 2.0 and AWS FOCUS files (each path is one source: a file or a folder)',
    )
    .argument('<path...>', 'billing file (.csv, .csv.gz, .csv.zip, .parquet) or folder, per payer')
    .addOption(
      new Option('--format <format>', 'source format; auto tells it from the columns')
        .choices(['auto', 'dbr', 'cur', 'cur2', 'focus'])
        .default('auto'),
    )
    .option('--groups <file>', 'billing groups JSON (Billing Conductor CreateBillingGroup shape)')
    .option(
      '--accounts <file>',
      'account names: CSV (account_id,name[,business_unit][,cost_center]) or JSON [{"accountId","name",…}]',
    )
    .option(
      '--out <dir>',
      'also write report.json, accounts.csv, transfers.csv, commitments.csv, report.html (and groups.csv with --groups) here',
    )
    .option('--json', 'print the report JSON (and nothing else) on stdout')
    .option(
      '--dbr-currency <code>',
      'currency of DBR sources, which have no currency column (default: CNY for -ACTS- files, else USD)',
    )
    .option(
      '--rates <file>',
      'exchange rates JSON {"base":"USD","rates":{"CNY":"0.1385"}}: adds a converted view (not a bill) to the JSON and HTML',
    )
    .addOption(
      // The CSVs are what people open in spreadsheets, where a bare 003786579754 becomes a number and
      // loses its zeros; programs read report.json, or ask for plain ids.
      new Option(
        '--csv-ids <style>',
        'account ids in the CSVs: excel (="003786579754", kept as text by spreadsheets) or plain',
      )
        .choices(['excel', 'plain'])
        .default('excel'),
    )
    .option('--threads <n>', 'DuckDB threads (default: all CPUs)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB (default: half the memory)')
    .addHelpText(
      'after',
      `
Each path is billed in its own currency: CUR files say theirs, DBR files do not (--dbr-currency).
Periods billed in several currencies stay separate; --rates adds a converted view for comparison.
A folder holding CUR manifests is read as the latest report version each manifest lists.
FOCUS files of AWS Data Exports (1.0 or 1.2 with AWS columns) are read like CUR 2.0 exports;
FOCUS files of other clouds are refused.

Examples:
  whopays report cur2-export/ --out report/
  whopays report focus-export/ --out report/
  whopays report 123456789012-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-2020-08.csv.zip --dbr-currency CNY
  whopays report dbr-folder/ cur-folder/ --rates rates.json --groups groups.json --out report/`,
    )
    .action((paths: string[], options: ReportOptions) => runReport(paths, options));
}
