import { mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBResultReader } from '@duckdb/node-api';
import { type AccountIdFault, accountIdFault, accountIdProblem } from '../core/account-ids.js';
import type { LedgerEngine, LedgerRequest, LedgerResult } from '../core/engine.js';
import { InputError } from '../core/errors.js';
import {
  appendLedgerRowsFromText,
  LEDGER_COLUMNS,
  type LedgerRow,
  type LedgerTextEncoding,
  ledgerRowsFromColumns,
} from '../core/ledger.js';
import { columnsFor, type SourceFormat } from '../core/source-columns.js';
import { type LedgerSqlOptions, ledgerSql, quoteIdentifier } from '../core/sql-catalog.js';
import { firstLineHolding } from './account-id-lines.js';
import { extractZipCsv, verifyGzip } from './archive-files.js';
import { badValueError, badValueSql } from './bad-values.js';
import { refuseUnreadableColumnTypes } from './column-types.js';
import { csvHeaderFieldCount, MAX_COLUMNS } from './csv-header.js';
import { inputErrorFromDuckDb, messageOf } from './duckdb-errors.js';
import {
  describeSql,
  duplicatedContractColumn,
  periodsPerFileSql,
  type Reader,
  readerSql,
  relationSql,
} from './duckdb-relation.js';
import { type DataFile, discoverSource } from './file-discovery.js';
import { refuseFocusInput } from './focus-checks.js';
import {
  detectFormat,
  type FileColumn,
  missingRequiredColumns,
  sourceColumnFor,
} from './source-headers.js';
import {
  headEncoding,
  headNotUtf8,
  readTextHead,
  transcodeGb18030,
  verifyUtf8,
} from './text-encoding.js';

/** Settings of the embedded DuckDB. */
export interface DuckDbEngineOptions {
  /** DuckDB `memory_limit`. @default half of this machine's memory */
  readonly memoryLimit?: string;
  /** DuckDB `threads`. @default the number of CPUs Node may use */
  readonly threads?: number;
  /** DBR only: EC2 purchase markers of the ledger SQL. @default DEFAULT_EC2_PURCHASE_MARKERS */
  readonly ec2PurchaseMarkers?: readonly string[];
  /** Where the engine makes its temporary folder (unpacked archives, spill files). @default os.tmpdir() */
  readonly scratchParent?: string;
}

/** A source ready to query: its files, format and the relation that exposes them. */
export interface PreparedSource {
  readonly location: string;
  readonly format: SourceFormat;
  /** The data files as the user named them. */
  readonly files: readonly string[];
  /** Data files of older report versions: their (report, period) manifest does not list them. */
  readonly skipped: readonly string[];
  /** Files of the folder that are not billing data (hidden, bookkeeping, other types). */
  readonly ignored: readonly string[];
  /** Paths left out as files already read (see discoverSource). */
  readonly duplicates: readonly string[];
  /** The real path of each of `files`. */
  readonly realPaths: readonly string[];
  /** The format the columns show, when `--format` named another one. */
  readonly detectedFormat?: SourceFormat;
  /** The `select` exposing the files as `cur_lines`/`dbr_lines`. */
  readonly relation: string;
}

interface ReadableFile {
  /** What DuckDB reads (a zip member is extracted to a temp folder first). */
  readonly path: string;
  /** What the user gave, for messages. */
  readonly original: string;
  readonly reader: Reader;
  readonly gzip: boolean;
  /** Set when whopays wrote the text itself (a GB18030 CSV transcoded): known to be UTF-8. */
  readonly transcoded?: boolean;
}

interface InspectedFile extends ReadableFile {
  readonly format: SourceFormat | undefined;
  readonly columns: readonly FileColumn[];
  readonly empty: boolean;
}

interface Prepared {
  readonly source: PreparedSource;
  readonly reader: Reader;
  readonly files: readonly InspectedFile[];
}

/** The ledger of a local source, with the files left out (older report versions, not billing data). */
export interface LocalLedgerResult extends LedgerResult {
  readonly skipped: readonly string[];
  readonly ignored: readonly string[];
  readonly duplicates: readonly string[];
  /** The real path of each file read. */
  readonly realPaths: readonly string[];
  /** The format the columns show, when the request named another one. */
  readonly detectedFormat?: SourceFormat;
  /** Files whose lines span several billing periods (one AWS file is one period). */
  readonly multiPeriodFiles: readonly { readonly path: string; readonly periods: string }[];
}

/** A local source to attribute, and the files earlier sources read (so none counts twice). */
export interface LocalLedgerRequest extends LedgerRequest {
  /** Real paths of files already read: left out of this source. */
  readonly alreadyRead?: ReadonlySet<string>;
}

/** The engine's private temporary folder, or one line saying why TMPDIR cannot hold it. */
const scratchFolder = (parent: string): Promise<string> =>
  mkdtemp(join(parent, 'whopays-')).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      parent,
      `cannot create a temporary folder here (${error.code ?? error.message}): set TMPDIR to a writable folder`,
    );
  });

const defaultMemoryLimit = (): string => `${Math.max(256, Math.floor(totalmem() / 2 ** 21))}MB`;

/**
 * The local engine: reads DBR, CUR 1, CUR 2.0 and FOCUS files with an embedded DuckDB and runs the ledger
 * SQL of sql/ledger/ over them. Line items never reach JavaScript: DuckDB aggregates them and only
 * the ledger rows come back.
 *
 * @example
 * const engine = await DuckDbEngine.create({ threads: 4 });
 * try { const { rows } = await engine.ledger({ location: 'cur/' }); } finally { await engine.close(); }
 */
export class DuckDbEngine implements LedgerEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly scratch: string,
    private readonly sqlOptions: LedgerSqlOptions,
  ) {}

  static async create(options: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    const scratch = await scratchFolder(options.scratchParent ?? tmpdir());
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit ?? defaultMemoryLimit(),
      threads: String(options.threads ?? availableParallelism()),
      // Spill files (if any) go to our scratch folder, never to the user's working directory.
      temp_directory: join(scratch, 'spill'),
    });
    await useUtc(instance);
    const markers = options.ec2PurchaseMarkers;
    return new DuckDbEngine(instance, scratch, markers ? { ec2PurchaseMarkers: markers } : {});
  }

  async ledger(request: LocalLedgerRequest): Promise<LocalLedgerResult> {
    const connection = await this.instance.connect();
    const unpacked = await mkdtemp(join(this.scratch, 'source-'));
    try {
      const prepared = await prepare(connection, request, unpacked);
      const ledger = this.ledgerSql(prepared.source);
      const run = (sql: string) =>
        connection
          .runAndReadAll(sql)
          .catch((error: unknown) => failure(connection, prepared, error));
      const query = run(ledgerTextSql(ledger));
      // DuckDB reads a truncated gzip without complaint: check every one while the query runs.
      // Both settle before anything throws: the connection must not close under a running query.
      // A broken gzip comes first: its cut-off last row also fails the query as a CSV error.
      // Gzip text is checked for UTF-8 as it is inflated (verifyGzip).
      const gzips = prepared.files.filter((file) => file.gzip);
      const checks = Promise.allSettled(gzips.map((f) => verifyGzip(f.path, f.original)));
      const [outcome] = await Promise.allSettled([query]);
      const broken = (await checks).find((check) => check.status === 'rejected');
      if (broken) throw broken.reason;
      if (outcome!.status === 'rejected') {
        await refuseInvalidUtf8(prepared, outcome!.reason);
        throw outcome!.reason;
      }
      const rows = await readLedgerRows(connection, prepared, outcome!.value, () =>
        run(ledgerColumnsSql(ledger)),
      );
      const badId = firstBadAccountId(rows);
      if (badId !== undefined) throw await accountIdRefusal(connection, prepared, badId);
      const multiPeriodFiles = await filesOfSeveralPeriods(connection, prepared, rows);
      const { format, files, skipped, ignored, duplicates, realPaths, detectedFormat } =
        prepared.source;
      if (format === 'focus') {
        const original = new Map(prepared.files.map((file) => [file.path, file.original]));
        const displayName = (path: string) => original.get(path) ?? path;
        const { reader } = prepared;
        const source = { location: request.location, reader, files: prepared.files, displayName };
        await refuseFocusInput(connection, source, rows);
      }
      return {
        location: request.location,
        format,
        files,
        skipped,
        ignored,
        duplicates,
        realPaths,
        ...(detectedFormat ? { detectedFormat } : {}),
        multiPeriodFiles,
        rows,
      };
    } finally {
      connection.closeSync();
      await rm(unpacked, { recursive: true, force: true });
    }
  }

  /**
   * Inspects a source without running the ledger (format, files, relation), for `whopays sql
   * --engine duckdb`. Zip sources are refused: the DuckDB shell cannot read them.
   */
  async prepare(request: LedgerRequest): Promise<PreparedSource> {
    const connection = await this.instance.connect();
    try {
      return (await prepare(connection, request, this.scratch, false)).source;
    } finally {
      connection.closeSync();
    }
  }

  /** The ledger query over a prepared source, as DuckDB runs it (one statement). */
  ledgerSql(source: PreparedSource): string {
    return ledgerSql(source.format, `(\n${source.relation}\n)`, this.sqlOptions);
  }

  async close(): Promise<void> {
    this.instance.closeSync();
    await rm(this.scratch, { recursive: true, force: true });
  }
}

/**
 * Billing periods are UTC: a Parquet period column written as a UTC-adjusted timestamp is read as
 * TIMESTAMP WITH TIME ZONE, which DuckDB shows in the machine's zone (an October bill becomes
 * 2025-09 in New York). Set once for every connection; the TimeZone setting needs the ICU
 * extension loaded, so it cannot go in the instance's config.
 */
async function useUtc(instance: DuckDBInstance): Promise<void> {
  const connection = await instance.connect();
  try {
    await connection.run(`set global TimeZone = 'UTC'`);
  } finally {
    connection.closeSync();
  }
}

/**
 * The ledger query as the engine reads it column-wise: money cast to text in SQL (DuckDB's own
 * decimal text, exact). The ledger SQL itself stays the one Athena runs. Only for a ledger that
 * {@link ledgerTextSql} cannot carry: a value at a time is slow.
 */
const ledgerColumnsSql = (ledger: string): string => {
  const columns = LEDGER_COLUMNS.map((c) =>
    c === 'usage_cost' || c === 'invoice_cost' ? `cast(${c} as varchar) as ${c}` : c,
  );
  return `select ${columns.join(', ')}\nfrom (\n${ledger}\n) as ledger`;
};

/**
 * The ledger text of {@link ledgerTextSql}: values joined by chr(31), the ASCII unit separator;
 * NULL as chr(30), the record separator.
 */
const LEDGER_TEXT: LedgerTextEncoding = { separator: '\x1f', nullText: '\x1e' };
/** Ledger rows per text: ~10 MB, far below the longest string V8 makes (2^29 characters). */
const ROWS_PER_TEXT = 65_536;

/**
 * The ledger query as the engine reads it: every value as text, joined by chr(31) into one text per
 * 65,536 rows, with the number of rows it holds. Bringing a DuckDB value into JavaScript costs
 * far more than cutting a long text there: ~70k ledger rows read in ~70 ms instead of ~350.
 * Values that the encoding could not tell apart are counted (`unreadable`): a value that is chr(30)
 * alone reads as NULL. A chr(31) inside a value shows as too many values for the rows.
 */
const ledgerTextSql = (ledger: string): string => {
  const text = LEDGER_COLUMNS.map((c) => `cast(${c} as varchar)`);
  const values = text.map((t) => `coalesce(${t}, chr(30))`);
  return `select string_agg(line, chr(31)) as ledger_text, count(*) as row_count,
  count(*) filter (where unreadable) as unreadable_count
from (
  select concat_ws(chr(31), ${values.join(', ')}) as line,
    ${text.map((t) => `${t} = chr(30)`).join(' or ')} as unreadable,
    (row_number() over ()) // ${ROWS_PER_TEXT} as part
  from (\n${ledger}\n) as ledger
) as lines
group by part`;
};

/**
 * Names the plain CSV whose text is not UTF-8, when a failed query may have met one. DuckDB
 * checks the text of every column it reads, and fails on invalid UTF-8 with a CSV error or, in
 * some plans, an INTERNAL error (which also invalidates the database): the CSVs are read again
 * only then, so a good source pays nothing for this.
 */
async function refuseInvalidUtf8(prepared: Prepared, reason: unknown): Promise<void> {
  const explained = reason instanceof InputError && !reason.problem.startsWith('not UTF-8 text');
  if (explained) return;
  for (const file of prepared.files) {
    if (file.reader === 'csv' && !file.gzip && !file.transcoded) {
      await verifyUtf8(file.path, file.original);
    }
  }
}

/**
 * The ledger rows of a finished query. A row that breaks the ledger schema (a period that is no
 * month, no payer) comes from a line the ledger could not read: that line is found and named.
 */
async function readLedgerRows(
  connection: DuckDBConnection,
  prepared: Prepared,
  text: DuckDBResultReader,
  byColumns: () => Promise<DuckDBResultReader>,
): Promise<LedgerRow[]> {
  try {
    return (
      ledgerRowsFromText(text) ?? ledgerRowsFromColumns((await byColumns()).getColumnsObjectJson())
    );
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw (await badValue(connection, prepared)) ?? error;
  }
}

/** The rows of {@link ledgerTextSql}'s result, checked; undefined when the text cannot carry them. */
function ledgerRowsFromText(reader: DuckDBResultReader): LedgerRow[] | undefined {
  const rows: LedgerRow[] = [];
  for (const [text, count, unreadable] of reader.getRows()) {
    if (unreadable !== 0n) return undefined;
    if (!appendLedgerRowsFromText(String(text), Number(count), LEDGER_TEXT, rows)) return undefined;
  }
  return rows;
}

async function prepare(
  connection: DuckDBConnection,
  request: LocalLedgerRequest,
  unpackTo: string,
  allowZip = true,
): Promise<Prepared> {
  const found = await discoverSource(request.location, request.alreadyRead);
  const { files: discovered, skipped, ignored, duplicates, realPaths } = found;
  if (discovered.length === 0) {
    throw new InputError(request.location, 'every file here was already read (same real path)');
  }
  const zip = discovered.find((file) => file.kind === 'csv.zip');
  if (zip && !allowZip) throw new InputError(zip.path, 'DuckDB cannot read .zip: unzip it first');
  const pattern = discovered.find((file) => hasGlobCharacters(file.path));
  if (pattern && !allowZip) {
    throw new InputError(pattern.path, 'DuckDB would read this name as a pattern: rename it');
  }
  const files: InspectedFile[] = [];
  for (const file of await readableFiles(discovered, unpackTo)) {
    files.push(await inspect(connection, file, unpackTo));
  }
  const transcoded = files.find((file) => file.transcoded);
  if (transcoded && !allowZip) {
    throw new InputError(transcoded.original, 'DuckDB cannot read GB18030 text: save it as UTF-8');
  }
  const format = request.format ?? agreedFormat(request.location, files);
  const shown = files.find((file) => file.format !== undefined && file.format !== format)?.format;
  for (const file of files) {
    const missing = missingRequiredColumns(format, file.columns);
    if (missing.length > 0) {
      const what = missing.length === 1 ? 'column' : 'columns';
      throw new InputError(file.original, `missing required ${what} ${missing.join(', ')}`);
    }
    const duplicated = duplicatedContractColumn(format, file.columns);
    if (duplicated !== undefined) {
      throw new InputError(file.original, `duplicated column ${duplicated}`);
    }
    if (file.empty) throw new InputError(file.original, 'no billing lines (header only)');
  }
  const reader = files[0]!.reader;
  if (files.some((file) => file.reader !== reader)) {
    throw new InputError(request.location, 'mixed CSV and Parquet files in one source');
  }
  refuseUnreadableColumnTypes(format, files);
  const source = {
    location: request.location,
    format,
    files: discovered.map((file) => file.path),
    skipped,
    ignored,
    duplicates,
    realPaths,
    ...(shown ? { detectedFormat: shown } : {}),
    relation: relationSql(format, reader, files),
  };
  return { source, reader, files };
}

async function readableFiles(
  files: readonly DataFile[],
  unpackTo: string,
): Promise<ReadableFile[]> {
  const readable: ReadableFile[] = [];
  for (const file of files) {
    if (file.kind === 'csv.zip') {
      for (const path of await extractZipCsv(file.path, unpackTo)) {
        readable.push({ path, original: file.path, reader: 'csv', gzip: false });
      }
      continue;
    }
    const reader = file.kind === 'parquet' ? 'parquet' : 'csv';
    const path = await literalPath(file, unpackTo, readable.length);
    readable.push({ path, original: file.path, reader, gzip: file.kind === 'csv.gz' });
  }
  return readable;
}

/** Characters DuckDB's file readers expand as a glob (`*`, `**`, `?`, `[abc]`), anywhere in a path. */
const GLOB_CHARACTERS = /[*?[]/;

const hasGlobCharacters = (path: string): boolean => GLOB_CHARACTERS.test(path);

/**
 * A path DuckDB reads as exactly this one file. DuckDB has no escape for glob characters, so a
 * file named `*.csv` (or in a folder `[x]`) would bring its neighbours in: such a file is read
 * through a symbolic link with a plain name in the scratch folder (its extension kept: DuckDB
 * tells gzip by it). Messages still name the user's path.
 */
async function literalPath(file: DataFile, unpackTo: string, index: number): Promise<string> {
  if (!hasGlobCharacters(file.path)) return file.path;
  const link = join(unpackTo, `literal-${index}.${file.kind}`);
  await symlink(resolve(file.path), link);
  return link;
}

/**
 * Reads one file's columns, and one row to refuse a file without lines. A CSV whose text is not
 * UTF-8 is refused, or read through a UTF-8 copy when it is GB18030 (see {@link asUtf8Text}).
 */
async function inspect(
  connection: DuckDBConnection,
  given: ReadableFile,
  unpackTo: string,
): Promise<InspectedFile> {
  const { size } = await stat(given.path);
  if (size === 0) throw new InputError(given.original, 'empty file');
  const file = given.reader === 'csv' ? await asUtf8Text(given, unpackTo) : given;
  if (file.reader === 'csv') tooManyColumns(file, await csvHeaderFieldCount(file.path, file.gzip));
  try {
    const described = await connection.runAndReadAll(describeSql(file.reader, file.path));
    const columns = described
      .getRowObjectsJson()
      .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    tooManyColumns(file, columns.length);
    // UTF-16 decoded as UTF-8 leaves a NUL in every header name.
    if (columns.some((column) => column.name.includes('\0'))) throw utf16(file);
    const first = await connection.runAndReadAll(
      `select 1 from ${readerSql(file.reader, [{ path: file.path, columns }])} limit 1`,
    );
    return { ...file, format: detectFormat(columns), columns, empty: first.currentRowCount === 0 };
  } catch (error) {
    if (error instanceof InputError) throw error;
    // A cut-off gzip often ends in half a row: say what is really wrong.
    if (file.gzip) await verifyGzip(file.path, file.original);
    throw inputErrorFromDuckDb(error, file.original, () => file.original) ?? error;
  }
}

/** Refuses a file wider than any billing file before DuckDB spends minutes on its header. */
function tooManyColumns(file: ReadableFile, count: number): void {
  if (count <= MAX_COLUMNS) return;
  throw new InputError(
    file.original,
    `${count} columns, more than the ${MAX_COLUMNS} whopays reads from one file`,
  );
}

const utf16 = (file: ReadableFile) =>
  new InputError(file.original, 'UTF-16 text: save the file as UTF-8');

/**
 * The CSV as UTF-8 text. Its first MiB tells: UTF-16 (a byte order mark) is refused; UTF-8 is read
 * as is; GB18030 (GBK, GB2312: what Excel in China saves a DBR as) is transcoded to a UTF-8 copy
 * in the scratch folder; anything else is refused, naming the first bad byte. A bad byte further
 * on is found while the ledger runs (verifyUtf8).
 */
async function asUtf8Text(file: ReadableFile, unpackTo: string): Promise<ReadableFile> {
  const head = await readTextHead(file.path, file.gzip);
  if (head.length >= 2 && [0xfffe, 0xfeff].includes(head.readUInt16BE(0))) throw utf16(file);
  const encoding = headEncoding(head);
  if (encoding === 'utf8') return file;
  if (encoding === 'other') throw headNotUtf8(file.original, head);
  const target = join(await mkdtemp(join(unpackTo, 'utf8-')), 'text.csv');
  await transcodeGb18030(file.path, file.gzip, target);
  return { ...file, path: target, gzip: false, transcoded: true };
}

/** The one format every file of a source shows; a folder mixing formats is refused. */
function agreedFormat(location: string, files: readonly InspectedFile[]): SourceFormat {
  const unknown = files.find((file) => file.format === undefined);
  if (unknown)
    throw new InputError(unknown.original, 'not a billing file (no DBR, CUR or FOCUS columns)');
  const first = files[0]!;
  const other = files.find((file) => file.format !== first.format);
  if (other) {
    const name = (file: InspectedFile) => `${basename(file.original)} is ${file.format}`;
    throw new InputError(location, `mixed formats: ${name(first)}, ${name(other)}`);
  }
  return first.format!;
}

/** The InputError naming the first line the ledger cannot read, if one is found. */
async function badValue(
  connection: DuckDBConnection,
  prepared: Prepared,
): Promise<InputError | undefined> {
  const diagnose = badValueSql(prepared.source.format, prepared.reader, prepared.files);
  if (diagnose === undefined) return undefined;
  const found = (await connection.runAndReadAll(diagnose)).getRowObjectsJson()[0];
  if (found === undefined) return undefined;
  const original = new Map(prepared.files.map((file) => [file.path, file.original]));
  const path = String(found.filename);
  return badValueError(original.get(path) ?? path, found);
}

/** The first money column whose sum over the source overflows DECIMAL(38,10), as `column X`. */
async function overflowingColumn(
  connection: DuckDBConnection,
  prepared: Prepared,
): Promise<string | undefined> {
  // DBR money is text in the relation (dbr_ledger.sql casts it).
  const format = prepared.source.format;
  const money = columnsFor(format).filter(
    (c) => c.kind === 'money' || (format === 'dbr' && c.name === 'UnBlendedCost'),
  );
  for (const { name } of money) {
    const sum = `select sum(cast(${quoteIdentifier(name)} as decimal(38, 10))) from (${prepared.source.relation})`;
    const overflows = await connection.runAndReadAll(sum).then(
      () => false,
      (error: unknown) => messageOf(error).startsWith('Out of Range Error'),
    );
    if (overflows) return `column ${name}`;
  }
  return undefined;
}

/** The first payer or usage account id of the ledger that cannot be an AWS account id. */
function firstBadAccountId(
  rows: readonly LedgerRow[],
): { id: string; fault: AccountIdFault } | undefined {
  for (const row of rows) {
    for (const id of [row.payer_account_id, row.usage_account_id]) {
      const fault = accountIdFault(id);
      if (fault !== undefined && id !== null) return { id, fault };
    }
  }
  return undefined;
}

/** The refusal of a bad account id, naming the file and the line (CSV) or row (Parquet) it is on. */
async function accountIdRefusal(
  connection: DuckDBConnection,
  prepared: Prepared,
  bad: { id: string; fault: AccountIdFault },
): Promise<InputError> {
  const { format } = prepared.source;
  for (const file of prepared.files) {
    let where: string | undefined;
    if (file.reader === 'csv') {
      const line = await firstLineHolding(file.path, file.gzip, bad.id);
      where = line === undefined ? undefined : `line ${line}`;
    } else {
      const ids = ['bill_payer_account_id', 'line_item_usage_account_id']
        .map((name) => columnsFor(format).find((c) => c.name === name))
        .map((contract) => contract && sourceColumnFor(format, contract, file.columns))
        .filter((column): column is FileColumn => column !== undefined)
        .map((column) => `cast(${quoteIdentifier(column.name)} as varchar) = ${sqlText(bad.id)}`);
      const found = await connection.runAndReadAll(
        `select file_row_number + 1 as row from read_parquet(${sqlText(file.path)}, file_row_number = true) where ${ids.join(' or ')} limit 1`,
      );
      const row = found.getRows()[0]?.[0];
      where = row === undefined ? undefined : `row ${row}`;
    }
    if (where !== undefined) {
      return new InputError(file.original, accountIdProblem(bad.id, bad.fault, where));
    }
  }
  return new InputError(prepared.source.location, accountIdProblem(bad.id, bad.fault, 'a line'));
}

/** Files whose lines span several billing periods, asked of DuckDB only when the ledger does. */
async function filesOfSeveralPeriods(
  connection: DuckDBConnection,
  prepared: Prepared,
  rows: readonly LedgerRow[],
): Promise<{ path: string; periods: string }[]> {
  const periods = [...new Set(rows.map((row) => row.billing_period))].sort();
  if (periods.length < 2) return [];
  if (prepared.files.length === 1) {
    return [{ path: prepared.files[0]!.original, periods: periods.join(', ') }];
  }
  const sql = periodsPerFileSql(prepared.source.format, prepared.reader, prepared.files);
  if (sql === undefined) return [];
  const original = new Map(prepared.files.map((file) => [file.path, file.original]));
  return (await connection.runAndReadAll(sql)).getRowObjectsJson().map((row) => ({
    path: original.get(String(row.filename)) ?? String(row.filename),
    periods: String(row.periods),
  }));
}

const sqlText = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** Maps a failed ledger query to the InputError that explains it, or rethrows it as a bug. */
async function failure(
  connection: DuckDBConnection,
  prepared: Prepared,
  error: unknown,
): Promise<never> {
  const original = new Map(prepared.files.map((file) => [file.path, file.original]));
  const displayName = (path: string) => original.get(path) ?? path;
  const message = messageOf(error);
  // A value the ledger cannot convert (text, NaN, 1e28), or a sum past DECIMAL(38,10).
  if (/^(Conversion|Out of Range) Error/.test(message)) {
    const found = await badValue(connection, prepared);
    if (found) throw found;
    if (message.startsWith('Out of Range Error')) {
      const column = (await overflowingColumn(connection, prepared)) ?? 'the money';
      throw new InputError(
        prepared.source.location,
        `${column} sums past DECIMAL(38,10) (28 integer digits): not a bill`,
      );
    }
  }
  throw inputErrorFromDuckDb(error, prepared.source.location, displayName) ?? error;
}
