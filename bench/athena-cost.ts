// Columns each Athena query of the pipeline reads from a CUR table and the share of the Parquet's
// bytes they hold; a script (bundled by bench/build-direct.mjs: it imports the .sql files).
//
// usage: node bench/data/athena-cost.mjs <cur2.parquet> <cur1.parquet>   (JSON on stdout)
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { athenaLedgerQuery, partitionPredicate } from '../lambdas/adapters/athena-ledger-query.js';
import type { SourceFormat } from '../lambdas/core/source-columns.js';
import { athenaViewStatements } from '../lambdas/core/sql-catalog.js';

export interface AthenaQueryCost {
  readonly query: string;
  readonly columnsRead: readonly string[];
  readonly tableColumns: number;
  /** Share of the Parquet's compressed bytes in the columns the query reads. */
  readonly byteShare: number;
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly partitionPredicate: boolean;
}

const words = (sql: string): Set<string> => new Set(sql.toLowerCase().match(/[a-z0-9_]+/g) ?? []);

/**
 * Columns each Athena query of the pipeline reads from a CUR table, and the share of the file's
 * bytes they hold (measured on a generated Parquet with parquet_metadata: Athena bills the column
 * chunks it reads, so a pruned scan costs that share of a full one).
 */
export const athenaQueryCosts = async (
  connection: DuckDBConnection,
  parquet: string,
  format: Exclude<SourceFormat, 'dbr'>,
): Promise<AthenaQueryCost[]> => {
  const meta = await connection.runAndReadAll(`
    select split_part(path_in_schema, ', ', 1) as column_name, sum(total_compressed_size) as bytes
    from parquet_metadata('${parquet}') group by 1`);
  const bytes = new Map(
    meta.getRowObjectsJson().map((r) => [String(r.column_name), Number(r.bytes)] as const),
  );
  const total = [...bytes.values()].reduce((a, b) => a + b, 0);
  const target = {
    format,
    database: 'billing',
    table: format === 'cur2' ? 'cur2' : 'cur',
    payerAccountId: '052601815908',
    billingPeriod: '2025-11',
  } as const;
  const queries = [
    { query: `pipeline ledger (${format})`, sql: athenaLedgerQuery(target), pipeline: true },
    ...athenaViewStatements({ tables: { [format]: { database: 'billing', table: target.table } } })
      .filter(
        (statement) => statement.view.endsWith('_ledger') && statement.view !== 'whopays_ledger',
      )
      .map((statement) => ({
        query: `view ${statement.view}`,
        sql: statement.sql,
        pipeline: false,
      })),
  ];
  return queries.map(({ query, sql }) => {
    const used = words(sql);
    const columnsRead = [...bytes.keys()].filter((column) => used.has(column));
    const bytesRead = columnsRead.reduce((sum, column) => sum + (bytes.get(column) ?? 0), 0);
    return {
      query,
      columnsRead,
      tableColumns: bytes.size,
      byteShare: bytesRead / total,
      bytesRead,
      bytesTotal: total,
      partitionPredicate: sql.includes(partitionPredicate(target)),
    };
  });
};

const [cur2, cur1] = process.argv.slice(2);
if (cur2 && cur1) {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const costs = [
    ...(await athenaQueryCosts(connection, cur2, 'cur2')),
    ...(await athenaQueryCosts(connection, cur1, 'cur')),
  ];
  connection.closeSync();
  instance.closeSync();
  process.stdout.write(`${JSON.stringify(costs)}\n`);
}
