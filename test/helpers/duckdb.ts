import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type LedgerRow, LedgerRowSchema } from '../../lambdas/core/ledger.js';
import {
  columnsFor,
  SOURCE_RELATION,
  type SourceFormat,
} from '../../lambdas/core/source-columns.js';
import { type LedgerSqlOptions, ledgerSql } from '../../lambdas/core/sql-catalog.js';
import type { LineRow } from '../fixtures/scenarios/types.js';

export type { LineRow };

/**
 * How the engine types the columns it exposes: `csv` as the CSV readers do (money DECIMAL, dates
 * text), `parquet` as CUR Parquet stores them (money DOUBLE, billing period start TIMESTAMP).
 */
export type ColumnTyping = 'csv' | 'parquet';

/** Runs `fn` on a fresh in-memory DuckDB, closed afterwards. */
export async function withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>) {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * Creates `cur_lines` or `dbr_lines` with every contract column and inserts `rows`. A key that is
 * not a contract column fails, so a typo in a fixture cannot silently become NULL.
 */
export async function createLines(
  connection: DuckDBConnection,
  format: SourceFormat,
  rows: readonly LineRow[],
  typing: ColumnTyping = 'csv',
): Promise<void> {
  const columns = columnsFor(format);
  const known = new Set(columns.map((column) => column.name));
  for (const row of rows) {
    const unknown = Object.keys(row).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new Error(`fixture row has unknown columns: ${unknown}`);
  }
  const typeOf = (name: string, kind: 'text' | 'money'): string => {
    if (format === 'dbr') return 'VARCHAR';
    if (kind === 'money') return typing === 'parquet' ? 'DOUBLE' : 'DECIMAL(38, 10)';
    const periodStart = name === 'bill_billing_period_start_date' || name === 'BillingPeriodStart';
    if (periodStart && typing === 'parquet') return 'TIMESTAMP';
    return 'VARCHAR';
  };
  const types = columns.map((column) => typeOf(column.name, column.kind));
  const relation = SOURCE_RELATION[format];
  await connection.run(
    `create table ${relation} (${columns.map((c, i) => `${c.name} ${types[i]}`).join(', ')})`,
  );
  if (rows.length === 0) return;
  const sqlValue = (row: LineRow, name: string, type: string): string => {
    const value = row[name];
    if (value === undefined || value === null) return 'null';
    // CUR CSV writes ISO timestamps ('2025-11-01T00:00:00Z'); Parquet holds a TIMESTAMP.
    if (type === 'TIMESTAMP')
      return `cast(${literal(value.slice(0, 19).replace('T', ' '))} as timestamp)`;
    return `cast(${literal(value)} as ${type})`;
  };
  const values = rows
    .map((row) => `(${columns.map((c, i) => sqlValue(row, c.name, types[i]!)).join(', ')})`)
    .join(',\n');
  await connection.run(`insert into ${relation} values ${values}`);
}

/** Runs a query and returns its rows as JSON values (DECIMAL as exact strings). */
export async function queryRows(
  connection: DuckDBConnection,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Runs the real ledger SQL of `format` over the lines table, parsed by the ledger contract. */
export async function runLedger(
  connection: DuckDBConnection,
  format: SourceFormat,
  options: LedgerSqlOptions = {},
): Promise<LedgerRow[]> {
  const rows = await queryRows(connection, ledgerSql(format, undefined, options));
  return rows.map((row) => LedgerRowSchema.parse(row));
}

/** Materialises the ledger of `format` as table `ledger`, the relation the views read. */
export async function createLedgerTable(
  connection: DuckDBConnection,
  format: SourceFormat,
  options: LedgerSqlOptions = {},
): Promise<void> {
  await connection.run(`create table ledger as ${ledgerSql(format, undefined, options)}`);
}
