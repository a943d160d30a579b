// The floor whopays is measured against: a bare Node + DuckDB process that scans the attribution
// columns of one CUR file (lambdas/core/source-columns.ts) and sums the money per usage account
// and line type. No attribution, no report: what any tool must at least pay to read those columns.
// Plain JavaScript run by node, like the bundled CLI, so neither side pays for a TypeScript loader.
//
// usage: node bench/floor.mjs <file.parquet|file.csv.gz>
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/floor.mjs <file>');
  process.exit(2);
}
const csv = /\.csv(\.gz)?$/.test(file);
const text = [
  'bill_payer_account_id',
  'bill_invoice_id',
  'bill_billing_period_start_date',
  'line_item_resource_id',
  'line_item_currency_code',
  'reservation_reservation_a_r_n',
  'savings_plan_savings_plan_a_r_n',
];
const money = [
  'line_item_unblended_cost',
  'reservation_effective_cost',
  'reservation_unused_amortized_upfront_fee_for_billing_period',
  'reservation_unused_recurring_fee',
  'savings_plan_savings_plan_effective_cost',
  'savings_plan_total_commitment_to_date',
  'savings_plan_used_commitment',
];
// CUR 1 CSV headers are `category/Name`; the Athena rule maps them to the snake_case names.
const source = csv
  ? `(select * from read_csv('${file}', header = true, all_varchar = true, normalize_names = false))`
  : `read_parquet('${file}')`;
const snake = (header) =>
  header
    .replace(/(?<=[A-Za-z])([A-Z])/g, '_$1')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const connection = await instance.connect();
let columns = [...text, ...money, 'line_item_usage_account_id', 'line_item_line_item_type'].map(
  (c) => `"${c}"`,
);
if (csv) {
  const header = await connection.runAndReadAll(`describe select * from ${source}`);
  const byName = new Map(
    header.getRowObjectsJson().map((r) => [snake(String(r.column_name)), r.column_name]),
  );
  columns = columns.map((c) => `"${byName.get(c.slice(1, -1))}"`);
}
const [payer, invoice, period, resource, currency, riArn, spArn, ...rest] = columns;
const moneyColumns = rest.slice(0, money.length);
const [account, type] = rest.slice(money.length);
// Money: DOUBLE in Parquet (cast exactly), text in CSV (the 18-digit cast, exact for these values).
const sumOf = (m) =>
  csv ? `sum(cast(nullif(${m}, '') as decimal(18, 10)))` : `sum(cast(${m} as decimal(38, 10)))`;
const sql = `
  select ${account}, ${type},
    count(*) as lines,
    max(${payer}), max(${invoice}), max(${period}), max(${currency}),
    count(${resource}), count(${riArn}), count(${spArn}),
    ${moneyColumns.map(sumOf).join(', ')}
  from ${source}
  group by all`;
const reader = await connection.runAndReadAll(sql);
process.stdout.write(`${reader.currentRowCount} groups\n`);
