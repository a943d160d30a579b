import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { LedgerEngine, LedgerRequest, LedgerResult } from '../core/engine.js';
import { InputError } from '../core/errors.js';
import { LedgerRowSchema } from '../core/ledger.js';
import type { SourceFormat } from '../core/source-columns.js';
import { ledgerSql } from '../core/sql-catalog.js';
import { extractZipCsv, verifyGzip } from './archive-files.js';
import { inputErrorFromDuckDb } from './duckdb-errors.js';
import { missingRequiredColumns, type Reader, readerSql, relationSql } from './duckdb-relation.js';
import { type DataFile, discoverFiles } from './file-discovery.js';
import { detectFormat, type FileColumn } from './source-headers.js';

/** Settings of the embedded DuckDB. */
export interface DuckDbEngineOptions {
  /** DuckDB `memory_limit`. @default half of this machine's memory */
  readonly memoryLimit?: string;
  /** DuckDB `threads`. @default the number of CPUs Node may use */
  readonly threads?: number;
}

/** A source ready to query: its files as DuckDB reads them, their format and columns. */
export interface PreparedSource {
  readonly location: string;
  readonly format: SourceFormat;
  /** The files as the user named them. */
  readonly files: readonly string[];
  readonly reader: Reader;
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
}

interface InspectedFile extends ReadableFile {
  readonly format: SourceFormat | undefined;
  readonly columns: readonly FileColumn[];
  readonly empty: boolean;
}

const defaultMemoryLimit = (): string => `${Math.max(256, Math.floor(totalmem() / 2 ** 21))}MB`;

/**
 * The local engine: reads DBR, CUR 1 and CUR 2.0 files with an embedded DuckDB and runs the ledger
 * SQL of sql/ledger/ over them. Line items never reach JavaScript: DuckDB aggregates them and only
 * the ledger rows come back.
 */
export class DuckDbEngine implements LedgerEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly scratch: string,
  ) {}

  static async create(options: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    const scratch = await mkdtemp(join(tmpdir(), 'whopays-'));
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit ?? defaultMemoryLimit(),
      threads: String(options.threads ?? availableParallelism()),
      // Spill files (if any) go to our scratch folder, never to the user's working directory.
      temp_directory: join(scratch, 'spill'),
    });
    return new DuckDbEngine(instance, scratch);
  }

  async ledger(request: LedgerRequest): Promise<LedgerResult> {
    const connection = await this.instance.connect();
    const unpacked = await mkdtemp(join(this.scratch, 'source-'));
    try {
      const { source, files } = await this.prepareIn(connection, request, unpacked);
      const display = displayNames(files);
      const gzips = files.filter((file) => file.gzip);
      const query = connection
        .runAndReadAll(ledgerSql(source.format, `(\n${source.relation}\n)`))
        .catch((error: unknown) => {
          throw inputErrorFromDuckDb(error, request.location, display) ?? error;
        });
      // DuckDB reads a truncated gzip without complaint: check every one while the query runs.
      const [reader] = await Promise.all([
        query,
        ...gzips.map((file) => verifyGzip(file.path, file.original)),
      ]);
      const rows = reader.getRowObjectsJson().map((row) => LedgerRowSchema.parse(row));
      return { location: request.location, format: source.format, files: source.files, rows };
    } finally {
      connection.closeSync();
      await rm(unpacked, { recursive: true, force: true });
    }
  }

  /**
   * Inspects a source without running the ledger: format, files and the relation `select`, for
   * `whopays sql --engine duckdb`. Zip sources are refused (the DuckDB shell cannot read them).
   */
  async prepare(request: LedgerRequest): Promise<PreparedSource> {
    const connection = await this.instance.connect();
    try {
      const discovered = await discoverFiles(request.location);
      const zip = discovered.find((file) => file.kind === 'csv.zip');
      if (zip) throw new InputError(zip.path, 'DuckDB cannot read .zip: unzip it first');
      return (await this.prepareIn(connection, request, this.scratch)).source;
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    this.instance.closeSync();
    await rm(this.scratch, { recursive: true, force: true });
  }

  private async prepareIn(
    connection: DuckDBConnection,
    request: LedgerRequest,
    unpackTo: string,
  ): Promise<{ source: PreparedSource; files: ReadableFile[] }> {
    const discovered = await discoverFiles(request.location);
    const files = await readableFiles(discovered, unpackTo);
    const inspected: InspectedFile[] = [];
    for (const file of files) inspected.push(await inspect(connection, file));
    const format = request.format ?? agreedFormat(request.location, inspected);
    for (const file of inspected) {
      const missing = missingRequiredColumns(format, file.columns);
      if (missing.length > 0) {
        const what = missing.length === 1 ? 'column' : 'columns';
        throw new InputError(file.original, `missing required ${what} ${missing.join(', ')}`);
      }
      if (file.empty) throw new InputError(file.original, 'no billing lines (header only)');
    }
    const readers = new Set(inspected.map((file) => file.reader));
    if (readers.size > 1) {
      throw new InputError(request.location, 'mixed CSV and Parquet files in one source');
    }
    const reader = inspected[0]!.reader;
    const relation = relationSql(
      format,
      reader,
      inspected.map((file) => file.path),
      unionColumns(inspected),
    );
    const source = {
      location: request.location,
      format,
      files: discovered.map((file) => file.path),
      reader,
      relation,
    };
    return { source, files };
  }
}

async function readableFiles(
  files: readonly DataFile[],
  unpackTo: string,
): Promise<ReadableFile[]> {
  const readable: ReadableFile[] = [];
  for (const file of files) {
    if (file.kind === 'csv.zip') {
      const members = await extractZipCsv(file.path, unpackTo);
      for (const path of members) {
        readable.push({ path, original: file.path, reader: 'csv', gzip: false });
      }
      continue;
    }
    const reader = file.kind === 'parquet' ? 'parquet' : 'csv';
    readable.push({ path: file.path, original: file.path, reader, gzip: file.kind === 'csv.gz' });
  }
  return readable;
}

/** Reads one file's columns (and one row, to refuse a file without lines). */
async function inspect(connection: DuckDBConnection, file: ReadableFile): Promise<InspectedFile> {
  const { size } = await stat(file.path);
  if (size === 0) throw new InputError(file.original, 'empty file');
  const from = readerSql(file.reader, [file.path]);
  try {
    const described = await connection.runAndReadAll(`describe select * from ${from}`);
    const columns = described
      .getRowObjectsJson()
      .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }))
      .filter((column) => column.name !== 'filename');
    const probe = await connection.runAndReadAll(`select 1 from ${from} limit 1`);
    return { ...file, format: detectFormat(columns), columns, empty: probe.currentRowCount === 0 };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw inputErrorFromDuckDb(error, file.original, () => file.original) ?? error;
  }
}

/** The one format every file of a source shows; a folder mixing formats is refused. */
function agreedFormat(location: string, files: readonly InspectedFile[]): SourceFormat {
  const unknown = files.find((file) => file.format === undefined);
  if (unknown) throw new InputError(unknown.original, 'not a billing file (no DBR or CUR columns)');
  const first = files[0]!;
  const other = files.find((file) => file.format !== first.format);
  if (other) {
    throw new InputError(
      location,
      `mixed formats: ${basename(first.original)} is ${first.format}, ${basename(other.original)} is ${other.format}`,
    );
  }
  return first.format!;
}

/** Every column any file has (union_by_name gives NULL where a file lacks one). */
function unionColumns(files: readonly InspectedFile[]): FileColumn[] {
  const seen = new Map<string, FileColumn>();
  for (const file of files) {
    for (const column of file.columns) if (!seen.has(column.name)) seen.set(column.name, column);
  }
  return [...seen.values()];
}

function displayNames(files: readonly ReadableFile[]): (path: string) => string {
  const names = new Map(files.map((file) => [file.path, file.original]));
  return (path) => names.get(path) ?? path;
}
