import type { Report } from './report-model.js';
import { spreadsheetText } from './untrusted-text.js';

/**
 * How account ids are written. `plain` (the default) writes the 12 digits as they are: exact for every
 * program that reads CSV. Excel turns such a field into a number and drops its leading zeros when the
 * file is opened by double-click; Microsoft's documented remedy ("Keep leading zeros and large
 * numbers") is to open it with Data > From Text/CSV and set the id columns to Text, or to turn off
 * "Remove leading zeros" under File > Options > Data > Automatic data conversion (Microsoft 365).
 * `excel` writes `="003786579754"`, which Excel shows as text when double-clicked, at the price of a
 * field other programs must unwrap.
 */
export type AccountIdStyle = 'plain' | 'excel';

export interface CsvOptions {
  /** @default 'plain' */
  readonly accountIds?: AccountIdStyle;
}

/** UTF-8 byte order mark: without it Excel reads UTF-8 as the local code page and garbles Chinese. */
const BOM = '\uFEFF';

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; records end in CRLF.
const field = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** The `excel` style's text formula around a 12-digit id: computes nothing, so left as it is. */
const EXCEL_ID = /^="\d+"$/;

/** A cell: text a spreadsheet would run as a formula is escaped (untrusted-text.ts), then quoted. */
const cell = (value: string): string =>
  field(EXCEL_ID.test(value) ? value : spreadsheetText(value));

const csv = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  BOM + [header, ...rows].map((r) => `${r.map(cell).join(',')}\r\n`).join('');

// Only digits go inside ="…": a quote in an id would close the text and open a live formula.
const idWriter =
  (options: CsvOptions) =>
  (id: string | undefined): string =>
    id === undefined || id === ''
      ? ''
      : options.accountIds === 'excel' && /^\d+$/.test(id)
        ? `="${id}"`
        : id;

/**
 * One row per period x account: exact decimal strings, account ids as text, UTF-8 with BOM, CRLF.
 *
 * Columns: billing_period, currency, final, account_id, payer_account_id, usage_cost, owner_cost,
 * invoice_cost; with names (--accounts) also account_name, business_unit, cost_center.
 */
export function accountsCsv(report: Report, options: CsvOptions = {}): string {
  const id = idWriter(options);
  // Names (--accounts) add three columns at the end, only when some account has one.
  const named = report.periods.some((p) => p.accounts.some((a) => a.accountName !== undefined));
  return csv(
    [
      'billing_period',
      'currency',
      'final',
      'account_id',
      'payer_account_id',
      'usage_cost',
      'owner_cost',
      'invoice_cost',
      ...(named ? ['account_name', 'business_unit', 'cost_center'] : []),
    ],
    report.periods.flatMap((p) =>
      p.accounts.map((a) => [
        p.billingPeriod,
        p.currency,
        String(p.final),
        id(a.accountId),
        id(a.payerAccountId),
        a.usageCost,
        a.ownerCost,
        a.invoiceCost,
        ...(named ? [a.accountName ?? '', a.businessUnit ?? '', a.costCenter ?? ''] : []),
      ]),
    ),
  );
}

/**
 * One row per period x transfer, in the report's order (cost descending).
 *
 * Columns: billing_period, currency, final, owner_account_id, consumer_account_id, commitment, cost.
 */
export function transfersCsv(report: Report, options: CsvOptions = {}): string {
  const id = idWriter(options);
  return csv(
    [
      'billing_period',
      'currency',
      'final',
      'owner_account_id',
      'consumer_account_id',
      'commitment',
      'cost',
    ],
    report.periods.flatMap((p) =>
      p.transfers.map((t) => [
        p.billingPeriod,
        p.currency,
        String(p.final),
        id(t.ownerAccountId),
        id(t.consumerAccountId),
        t.commitment,
        t.cost,
      ]),
    ),
  );
}

/**
 * One row per period x billing group (only the header when no groups are configured).
 *
 * Columns: billing_period, currency, final, group, primary_account_id, account_ids (space-separated),
 * usage_cost, owner_cost, invoice_cost.
 */
export function groupsCsv(report: Report, options: CsvOptions = {}): string {
  const id = idWriter(options);
  return csv(
    [
      'billing_period',
      'currency',
      'final',
      'group',
      'primary_account_id',
      'account_ids',
      'usage_cost',
      'owner_cost',
      'invoice_cost',
    ],
    report.periods.flatMap((p) =>
      (p.groups ?? []).map((g) => [
        p.billingPeriod,
        p.currency,
        String(p.final),
        g.name,
        id(g.primaryAccountId),
        // One field for the whole list; `excel` style does not apply (a formula per id would not parse).
        g.accountIds.join(' '),
        g.usageCost,
        g.ownerCost,
        g.invoiceCost,
      ]),
    ),
  );
}

/**
 * One row per period x transfer between billing groups (only the header when none are configured).
 *
 * Columns: billing_period, currency, final, owner_group, consumer_group, commitment, cost.
 */
export function groupTransfersCsv(report: Report): string {
  return csv(
    ['billing_period', 'currency', 'final', 'owner_group', 'consumer_group', 'commitment', 'cost'],
    report.periods.flatMap((p) =>
      (p.groupTransfers ?? []).map((t) => [
        p.billingPeriod,
        p.currency,
        String(p.final),
        t.ownerGroup,
        t.consumerGroup,
        t.commitment,
        t.cost,
      ]),
    ),
  );
}

/**
 * One row per period x commitment x consumer (a commitment nobody used: one row, consumer fields
 * empty), commitments in the report's order. NULL figures are empty fields.
 *
 * Columns: billing_period, currency, final, commitment_id, commitment, owner_account_id,
 * used_cost, unused_cost, utilization, commitment_on_demand_cost, commitment_savings,
 * consumer_account_id, cost, on_demand_cost, savings.
 */
export function commitmentsCsv(report: Report, options: CsvOptions = {}): string {
  const id = idWriter(options);
  const orEmpty = (value: string | null): string => value ?? '';
  return csv(
    [
      'billing_period',
      'currency',
      'final',
      'commitment_id',
      'commitment',
      'owner_account_id',
      'used_cost',
      'unused_cost',
      'utilization',
      'commitment_on_demand_cost',
      'commitment_savings',
      'consumer_account_id',
      'cost',
      'on_demand_cost',
      'savings',
    ],
    report.periods.flatMap((p) =>
      (p.commitments ?? []).flatMap((c) => {
        const head = [
          p.billingPeriod,
          p.currency,
          String(p.final),
          c.commitmentId,
          c.commitment,
          id(c.ownerAccountId),
          c.usedCost,
          orEmpty(c.unusedCost),
          orEmpty(c.utilization),
          orEmpty(c.onDemandCost),
          orEmpty(c.savings),
        ];
        if (c.consumers.length === 0) return [[...head, '', '', '', '']];
        return c.consumers.map((x) => [
          ...head,
          id(x.accountId),
          x.cost,
          orEmpty(x.onDemandCost),
          orEmpty(x.savings),
        ]);
      }),
    ),
  );
}
