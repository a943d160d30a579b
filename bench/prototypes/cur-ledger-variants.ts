// Times the CUR ledger query alone (best of 3) for the committed sql/ledger/cur_ledger.sql and for
// candidate variants of it, on the same relation the engine builds, and checks every variant gives
// the same rows (sorted digest of all columns, money as text).
//
// usage: npx tsx bench/prototypes/cur-ledger-variants.ts <cur parquet file or folder> [variant.sql ...]
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { LEDGER_COLUMNS } from '../../lambdas/core/ledger.js';

const [location, ...variants] = process.argv.slice(2);
const engine = await DuckDbEngine.create();
const prepared = await engine.prepare({ location: location! });
// LAZY_MONEY=1: convert each money column only on the line types the ledger reads it for.
const usedOn: Record<string, string> = {
  reservation_effective_cost: "'DiscountedUsage'",
  reservation_unused_amortized_upfront_fee_for_billing_period: "'RIFee'",
  reservation_unused_recurring_fee: "'RIFee'",
  savings_plan_savings_plan_effective_cost: "'SavingsPlanCoveredUsage'",
  savings_plan_total_commitment_to_date: "'SavingsPlanRecurringFee'",
  savings_plan_used_commitment: "'SavingsPlanRecurringFee'",
};
const lazy = (text: string) =>
  text
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(.*) as "([a-z_]+)",?$/.exec(line);
      const types = m && usedOn[m[3]!];
      if (!m || !types || !m[2]!.startsWith('case')) return line;
      const comma = line.endsWith(',') ? ',' : '';
      return `${m[1]}case when "line_item_line_item_type" in (${types}) then ${m[2]} end as "${m[3]}"${comma}`;
    })
    .join('\n');
const relationText = process.env.LAZY_MONEY === '1' ? lazy(prepared.relation) : prepared.relation;
if (process.env.SHOW === '1') console.log(relationText);
const relation = `(\n${relationText}\n)`;
const base = readFileSync('sql/ledger/cur_ledger.sql', 'utf8');
const withRelation = (sql: string) =>
  sql.replace(/from cur_lines\b/, `from ${relation} as cur_lines`);
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const columns = LEDGER_COLUMNS.map((c) =>
  c.endsWith('_cost') ? `cast(${c} as varchar) as ${c}` : c,
).join(', ');
for (const [name, text] of [
  ['committed', base],
  ...variants.map((v) => [v, readFileSync(v, 'utf8')]),
] as const) {
  const sql = `select ${columns} from (${withRelation(text)}) as ledger`;
  let best = Number.POSITIVE_INFINITY;
  let digest = '';
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const reader = await connection.runAndReadAll(sql);
    best = Math.min(best, performance.now() - t);
    const all = reader
      .getRowsJson()
      .map((r) => JSON.stringify(r))
      .sort();
    rows = all.length;
    digest = createHash('sha256').update(all.join('\n')).digest('hex').slice(0, 16);
  }
  console.log(JSON.stringify({ variant: name, bestMs: Math.round(best), rows, digest }));
}
connection.closeSync();
instance.closeSync();
await engine.close();
