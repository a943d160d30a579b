// Where `whopays report` spends its time on one file: prepare, the ledger query, turning DuckDB's
// result into rows (two ways), zod, buildReport, JSON. Bundled by bench/build-direct.mjs.
//
// usage: node bench/data/report-phases.mjs <file> <format>
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { LedgerRowSchema } from '../../lambdas/core/ledger.js';
import { buildReport } from '../../lambdas/core/report.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';

const [file, format] = process.argv.slice(2) as [string, SourceFormat];
const ms = (from: number): number => Math.round(performance.now() - from);
let t = performance.now();
const engine = await DuckDbEngine.create();
const source = await engine.prepare({ location: file, format });
const sql = engine.ledgerSql(source);
await engine.close();
const prepareMs = ms(t);
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
t = performance.now();
await connection.run(`create temp table ledger as ${sql}`);
const queryMs = ms(t);

t = performance.now();
const objects = (await connection.runAndReadAll('select * from ledger')).getRowObjectsJson();
const rowObjectsJsonMs = ms(t);
// The alternative: money as VARCHAR in SQL, read column-wise (no per-value JSON conversion).
t = performance.now();
const columns = (
  await connection.runAndReadAll(
    `select * replace (cast(usage_cost as varchar) as usage_cost, cast(invoice_cost as varchar) as invoice_cost,
       cast(line_count as integer) as line_count, cast(final_line_count as integer) as final_line_count)
     from ledger`,
  )
).getColumnsObject();
const columnsVarcharMs = ms(t);

t = performance.now();
const rows = objects.map((row) => LedgerRowSchema.parse(row));
const zodMs = ms(t);
t = performance.now();
const report = buildReport({ sources: [{ path: file, format, rows }] });
const buildReportMs = ms(t);
t = performance.now();
const json = JSON.stringify(report, null, 2);
const jsonMs = ms(t);
connection.closeSync();
instance.closeSync();
console.log(
  JSON.stringify({
    ledgerRows: rows.length,
    columnsRead: Object.keys(columns).length,
    transfers: report.periods.reduce((n, p) => n + p.transfers.length, 0),
    prepareMs,
    queryMs,
    rowObjectsJsonMs,
    columnsVarcharMs,
    zodMs,
    buildReportMs,
    jsonMs,
    jsonMb: Number((json.length / 2 ** 20).toFixed(1)),
  }),
);
