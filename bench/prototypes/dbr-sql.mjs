// Runs one DBR ledger SQL file on a DBR CSV in DuckDB and prints time, rows and a digest of the
// result: `node bench/prototypes/dbr-sql.mjs <ledger.sql> <dbr.csv>` (run under /usr/bin/time -v
// for the peak memory). Compares SQL variants without the rest of whopays.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [sqlPath, csvPath] = process.argv.slice(2);
const columns = [
  'InvoiceID',
  'PayerAccountId',
  'LinkedAccountId',
  'RecordType',
  'ProductName',
  'SubscriptionId',
  'UsageType',
  'ItemDescription',
  'UsageStartDate',
  'UnBlendedCost',
];
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(
  `create view dbr_lines as select ${columns.map((c) => `"${c}"`).join(', ')} from read_csv('${csvPath}', all_varchar = true, header = true)`,
);
const started = performance.now();
const reader = await connection.runAndReadAll(
  `select * from (${readFileSync(sqlPath, 'utf8')}) order by all`,
);
const rows = reader.getRowObjectsJson();
const ms = performance.now() - started;
const digest = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
console.log(JSON.stringify({ ms: Math.round(ms), rows: rows.length, digest }));
