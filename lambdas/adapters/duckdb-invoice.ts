import { stat } from 'node:fs/promises';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../core/errors.js';
import type { InvoiceCsvRow } from '../core/reconcile.js';
import { quoteIdentifier } from '../core/sql-catalog.js';
import { inputErrorFromDuckDb } from './duckdb-errors.js';

const COLUMNS = [
  'PayerAccountId',
  'LinkedAccountId',
  'RecordType',
  'RecordID',
  'BillingPeriodStartDate',
  'LinkedAccountName',
  'CurrencyCode',
  'TotalCost',
] as const satisfies readonly (keyof InvoiceCsvRow)[];

const REQUIRED: readonly (typeof COLUMNS)[number][] = ['PayerAccountId', 'RecordType', 'TotalCost'];

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * Reads a monthly invoice summary (`<payer>-aws-billing-csv-YYYY-MM.csv`) with DuckDB, every field
 * as text so account ids keep their leading zeros. A UTF-8 byte-order mark and Chinese text are read
 * as they are; the cost-allocation variant's notice line above the header is skipped.
 *
 * @throws InputError naming the file when it is missing, not a readable CSV, or lacks a required
 *   column (PayerAccountId, RecordType, TotalCost).
 */
export async function readInvoiceCsv(path: string): Promise<InvoiceCsvRow[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new InputError(path, 'no such file');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    let header = await headerOf(connection, path, 0);
    let skip = 0;
    // The cost-allocation report opens with a notice line ("Don't see your tags …") before the header.
    if (!header.includes('RecordType')) {
      const below = await headerOf(connection, path, 1).catch(() => header);
      if (below.includes('RecordType')) [header, skip] = [below, 1];
    }
    const missing = REQUIRED.filter((name) => !header.includes(name));
    if (missing.length > 0) {
      const what = missing.length === 1 ? 'column' : 'columns';
      throw new InputError(
        path,
        `missing required ${what} ${missing.join(', ')}: not an AWS invoice summary (aws-billing-csv)`,
      );
    }
    const select = COLUMNS.map((name) =>
      header.includes(name)
        ? `nullif(trim(${quoteIdentifier(name)}), '') as ${quoteIdentifier(name)}`
        : `cast(null as varchar) as ${quoteIdentifier(name)}`,
    ).join(', ');
    const reader = await run(connection, path, `select ${select} from ${readCsv(path, skip)}`);
    return reader.getRowObjectsJson() as unknown as InvoiceCsvRow[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const readCsv = (path: string, skip: number): string =>
  `read_csv(${sqlString(path)}, header = true, all_varchar = true, skip = ${skip})`;

async function headerOf(
  connection: DuckDBConnection,
  path: string,
  skip: number,
): Promise<string[]> {
  const reader = await run(connection, path, `describe select * from ${readCsv(path, skip)}`);
  return reader.getRowObjectsJson().map((row) => String(row.column_name));
}

async function run(connection: DuckDBConnection, path: string, sql: string) {
  try {
    return await connection.runAndReadAll(sql);
  } catch (error) {
    throw inputErrorFromDuckDb(error, path) ?? error;
  }
}
