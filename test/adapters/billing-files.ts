// Writes small billing files in the real delivery formats (DBR CSV, CUR 1 CSV, CUR 2.0 Parquet)
// from rows in contract column names, for the engine and CLI tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { zipSync } from 'fflate';

/** One billing line in contract column names; absent = empty field. */
export type Line = Readonly<Record<string, string | null | undefined>>;

/** CUR 1 CSV headers of the contract columns, as AWS writes them (docs/CUR-REFERENCE.md §3.1). */
export const CUR1_HEADERS: Readonly<Record<string, string>> = {
  bill_payer_account_id: 'bill/PayerAccountId',
  bill_invoice_id: 'bill/InvoiceId',
  bill_billing_period_start_date: 'bill/BillingPeriodStartDate',
  line_item_usage_account_id: 'lineItem/UsageAccountId',
  line_item_line_item_type: 'lineItem/LineItemType',
  line_item_resource_id: 'lineItem/ResourceId',
  line_item_currency_code: 'lineItem/CurrencyCode',
  line_item_unblended_cost: 'lineItem/UnblendedCost',
  reservation_reservation_a_r_n: 'reservation/ReservationARN',
  reservation_effective_cost: 'reservation/EffectiveCost',
  reservation_unused_amortized_upfront_fee_for_billing_period:
    'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
  reservation_unused_recurring_fee: 'reservation/UnusedRecurringFee',
  savings_plan_savings_plan_a_r_n: 'savingsPlan/SavingsPlanARN',
  savings_plan_savings_plan_effective_cost: 'savingsPlan/SavingsPlanEffectiveCost',
  savings_plan_total_commitment_to_date: 'savingsPlan/TotalCommitmentToDate',
  savings_plan_used_commitment: 'savingsPlan/UsedCommitment',
  pricing_public_on_demand_cost: 'pricing/publicOnDemandCost',
};

/** DBR-RT header (docs/CUR-REFERENCE.md §1.2) with two tag columns: the examples' writer's. */
import { DBR_HEADER } from '../../examples/writers/dbr-files.js';

export { DBR_HEADER };

const csvField = (value: string | null | undefined): string => {
  if (value === undefined || value === null) return '';
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
};

/** CSV text: a header row and one row per line, quoted where needed. */
export function csvText(
  header: readonly string[],
  rows: readonly (readonly (string | null | undefined)[])[],
) {
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}

/** A CUR 1 CSV (AWS headers) of the lines, with a few columns the ledger never reads. */
export function cur1Csv(lines: readonly Line[], columns = Object.keys(CUR1_HEADERS)): string {
  const header = [
    'identity/LineItemId',
    ...columns.map((c) => CUR1_HEADERS[c]!),
    'resourceTags/user:Name',
  ];
  const rows = lines.map((line, index) => [
    `line-${index}`,
    ...columns.map((column) => line[column]),
    'web, 中文',
  ]);
  return csvText(header, rows);
}

/** A DBR CSV of rows given by DBR column name. */
export const dbrCsv = (rows: readonly Line[]): string =>
  csvText(
    DBR_HEADER,
    rows.map((row) => DBR_HEADER.map((column) => row[column])),
  );

export function writeGzip(path: string, text: string): void {
  writeFileSync(path, gzipSync(Buffer.from(text, 'utf8')));
}

export function writeZip(path: string, memberName: string, text: string): void {
  writeFileSync(path, zipSync({ [memberName]: Buffer.from(text, 'utf8') }));
}

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

const MONEY = new Set([
  'line_item_unblended_cost',
  'reservation_effective_cost',
  'reservation_unused_amortized_upfront_fee_for_billing_period',
  'reservation_unused_recurring_fee',
  'savings_plan_savings_plan_effective_cost',
  'savings_plan_total_commitment_to_date',
  'savings_plan_used_commitment',
  'pricing_public_on_demand_cost',
]);

/**
 * A Parquet file typed as AWS writes CUR (money DOUBLE, billing period start TIMESTAMP).
 * `cur2` adds the CUR 2.0-only columns (`bill_payer_account_name`, the `product` map).
 */
export async function writeCurParquet(
  path: string,
  lines: readonly Line[],
  flavour: 'cur' | 'cur2',
): Promise<void> {
  const columns = Object.keys(CUR1_HEADERS);
  const typed = (column: string, value: string | null | undefined): string => {
    if (value === undefined || value === null) return 'null';
    if (MONEY.has(column)) return `cast(${literal(value)} as double)`;
    if (column === 'bill_billing_period_start_date') {
      return `cast(${literal(value.slice(0, 19).replace('T', ' '))} as timestamp)`;
    }
    return literal(value);
  };
  const selects = lines.map((line) => {
    const fields = columns.map((column) => `${typed(column, line[column])} as ${column}`);
    if (flavour === 'cur2') {
      fields.push(`'Payer org' as bill_payer_account_name`);
      fields.push(`map(['product_name'], ['Amazon Elastic Compute Cloud']) as product`);
    } else {
      fields.push(`'Amazon Elastic Compute Cloud' as product_product_name`);
    }
    return `select ${fields.join(', ')}`;
  });
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(
      `copy (${selects.join(' union all ')}) to ${literal(path)} (format parquet)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A fresh temp folder, removed by the returned cleanup. */
export function tempFolder(): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'whopays-test-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A fresh temporary folder for each test of the calling file (removed after it), with `path` to
 * name something inside it and `write` to create a file there (parent folders included).
 */
export function folderPerTest(): {
  path: (...parts: string[]) => string;
  write: (name: string, text: string) => string;
} {
  let folder: ReturnType<typeof tempFolder>;
  beforeEach(() => {
    folder = tempFolder();
  });
  afterEach(() => folder.cleanup());
  const path = (...parts: string[]) => join(folder.path, ...parts);
  const write = (name: string, text: string) => {
    mkdirSync(join(path(name), '..'), { recursive: true });
    writeFileSync(path(name), text);
    return path(name);
  };
  return { path, write };
}

/** The FOCUS columns whopays reads, in the order AWS's table dictionary lists them. */
export const FOCUS_HEADER = [
  'BilledCost',
  'BillingAccountId',
  'BillingCurrency',
  'BillingPeriodStart',
  'CapacityReservationId',
  'CapacityReservationStatus',
  'ChargeCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'EffectiveCost',
  'InvoiceId',
  'ProviderName',
  'SubAccountId',
] as const;

/** A FOCUS CSV of the rows (FOCUS column names), with a column the ledger never reads. */
export const focusCsv = (rows: readonly Line[], header: readonly string[] = FOCUS_HEADER): string =>
  csvText(
    [...header, 'x_ServiceCode'],
    rows.map((row) => [...header.map((column) => row[column]), 'AmazonEC2']),
  );

/**
 * A FOCUS Parquet file typed as AWS's table dictionary says (money DOUBLE, BillingPeriodStart a
 * timestamp, here zoned UTC), with a column the ledger never reads.
 */
export async function writeFocusParquet(path: string, rows: readonly Line[]): Promise<void> {
  const typed = (column: string, value: string | null | undefined): string => {
    if (value === undefined || value === null) {
      return column === 'BilledCost' || column === 'EffectiveCost'
        ? 'cast(null as double)'
        : 'cast(null as varchar)';
    }
    if (column === 'BilledCost' || column === 'EffectiveCost') {
      return `cast(${literal(value)} as double)`;
    }
    if (column === 'BillingPeriodStart') return `cast(${literal(value)} as timestamptz)`;
    return literal(value);
  };
  const selects = rows.map((row) => {
    const fields = FOCUS_HEADER.map((column) => `${typed(column, row[column])} as ${column}`);
    return `select ${fields.join(', ')}, 'AmazonEC2' as x_ServiceCode`;
  });
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run("set TimeZone = 'UTC'");
    await connection.run(
      `copy (${selects.join(' union all ')}) to ${literal(path)} (format parquet)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
