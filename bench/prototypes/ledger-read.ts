// Compares two ways of reading the ledger out of DuckDB: DECIMAL rows as JSON objects parsed by
// zod (the engine before), and money cast to VARCHAR in SQL, read column-wise and checked per
// column (lambdas/core/ledger.ts ledgerRowsFromColumns). Same rows, times in ms.
//
// usage: npx tsx bench/prototypes/ledger-read.ts <cur2 parquet file or folder>
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import {
  LEDGER_COLUMNS,
  LedgerRowSchema,
  ledgerRowsFromColumns,
} from '../../lambdas/core/ledger.js';

const location = process.argv[2]!;
const engine = await DuckDbEngine.create();
const prepared = await engine.prepare({ location });
const sql = engine.ledgerSql(prepared);
// A connection of its own: the engine's instance is private.
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const columns = LEDGER_COLUMNS.map((c) =>
  c.endsWith('_cost') ? `cast(${c} as varchar) as ${c}` : c,
).join(', ');
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, Math.round(performance.now() - t)];
};
for (let i = 0; i < 2; i++) {
  const [rowsQuery, q1] = await time(() => connection.runAndReadAll(sql));
  const [before, r1] = await time(async () =>
    rowsQuery.getRowObjectsJson().map((row: unknown) => LedgerRowSchema.parse(row)),
  );
  const [colsQuery, q2] = await time(() =>
    connection.runAndReadAll(`select ${columns} from (${sql}) as ledger`),
  );
  const [after, r2] = await time(async () =>
    ledgerRowsFromColumns(colsQuery.getColumnsObjectJson()),
  );
  const canon = (rows: unknown[]) =>
    rows
      .map((r) => JSON.stringify(r))
      .sort()
      .join('\n');
  const same = canon(before) === canon(after);
  console.log(
    JSON.stringify({
      rows: after.length,
      same,
      rowsJsonZod: { query: q1, read: r1 },
      varcharColumns: { query: q2, read: r2 },
    }),
  );
}
connection.closeSync();
instance.closeSync();
await engine.close();
