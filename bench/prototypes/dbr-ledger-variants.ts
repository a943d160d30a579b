// Times DBR ledger SQL variants and CSV reader options on one DBR CSV, alternating variants so a
// busy machine weighs on each alike, and prints per run the query time and a digest of the sorted
// ledger rows (money as text), with the CPU time of the process (steadier than wall time when
// other work shares the machine): variants that agree on the digest return the same ledger.
//
// usage: npx esbuild bench/prototypes/dbr-ledger-variants.ts --bundle --platform=node --format=esm
//   --packages=external --loader:.sql=text --outfile=bench/data/dbr-ledger-variants.mjs
//   node bench/data/dbr-ledger-variants.mjs <dbr.csv> <runs> <label>=<ledger.sql>[|<read_csv options>] ...
// DUMP=1 prints the first variant's full query instead; EXPLAIN=1 adds its EXPLAIN ANALYZE.
// e.g. node bench/data/dbr-ledger-variants.mjs dbr.csv 3 now=sql/ledger/dbr_ledger.sql 'big=sql/ledger/dbr_ledger.sql|buffer_size = 33554432'
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { describeSql, relationSql } from '../../lambdas/adapters/duckdb-relation.js';

const [csv, runsText, ...specs] = process.argv.slice(2);
const variants = specs.map((spec) => {
  const [label, rest] = spec.split(/=(.*)/s) as [string, string];
  const [sqlPath, extra] = rest.split('|') as [string, string | undefined];
  return { label, sql: readFileSync(sqlPath, 'utf8'), extra };
});
const instance = await DuckDBInstance.create(':memory:', {
  memory_limit: `${Math.max(256, Math.floor(totalmem() / 2 ** 21))}MB`,
  threads: String(availableParallelism()),
});
const connection = await instance.connect();
const described = await connection.runAndReadAll(describeSql('csv', csv!));
const columns = described
  .getRowObjectsJson()
  .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
const baseRelation = relationSql('dbr', 'csv', [{ path: csv!, columns }]);

const queryOf = (variant: (typeof variants)[number]): string => {
  const relation = variant.extra
    ? baseRelation.replace(/buffer_size = \d+\)/, (m) => `${m.slice(0, -1)}, ${variant.extra})`)
    : baseRelation;
  const ledger = variant.sql.replace(/\bfrom dbr_lines\b/, `from (\n${relation}\n) as dbr_lines`);
  return `select * replace (cast(usage_cost as varchar) as usage_cost, cast(invoice_cost as varchar) as invoice_cost) from (\n${ledger}\n) as ledger`;
};

if (process.env.DUMP) {
  console.log(queryOf(variants[0]!));
  process.exit(0);
}
const best = new Map<string, { ms: number; cpuMs: number }>();
for (let run = 0; run < Number(runsText); run++) {
  for (const variant of variants) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const reader = await connection.runAndReadAll(queryOf(variant));
    const ms = Math.round(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const rows = reader.getRowsJson().map((row) => JSON.stringify(row));
    rows.sort();
    const digest = createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 12);
    const seen = best.get(variant.label) ?? { ms: ms, cpuMs: cpuMs };
    best.set(variant.label, { ms: Math.min(seen.ms, ms), cpuMs: Math.min(seen.cpuMs, cpuMs) });
    console.log(`${variant.label}\t${ms} ms\tcpu ${cpuMs} ms\t${rows.length} rows\t${digest}`);
  }
}
for (const [label, { ms, cpuMs }] of best) console.log(`best ${label}\t${ms} ms\tcpu ${cpuMs} ms`);
if (process.env.EXPLAIN) {
  const reader = await connection.runAndReadAll(`explain analyze ${queryOf(variants[0]!)}`);
  console.log(String(reader.getRows()[0]![1]));
}
connection.closeSync();
instance.closeSync();
