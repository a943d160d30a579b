import { InputError } from './errors.js';
import type { LedgerRow } from './ledger.js';
import { type Amount, formatMoney, MoneyFormatError, parseMoney } from './money.js';
import type { Money, PeriodReport, Report } from './report-model.js';

/**
 * One row of the monthly invoice CSV (`<payer>-aws-billing-csv-YYYY-MM.csv`, docs/CUR-REFERENCE.md §2),
 * every field as text (account ids keep their leading zeros), NULL when the column is absent or the
 * field empty.
 */
export interface InvoiceCsvRow {
  readonly PayerAccountId: string | null;
  readonly LinkedAccountId: string | null;
  readonly RecordType: string | null;
  readonly RecordID: string | null;
  readonly BillingPeriodStartDate: string | null;
  readonly LinkedAccountName: string | null;
  readonly CurrencyCode: string | null;
  readonly TotalCost: string | null;
}

/** The per-account figures of one invoice summary file. */
export interface InvoiceSummary {
  readonly file: string;
  readonly payerAccountId: string;
  /** `YYYY-MM`, from `BillingPeriodStartDate`; undefined when the file has none. */
  readonly billingPeriod?: string;
  readonly currency?: string;
  /** False while AWS still marks the file estimated (`EstimatedDisclaimer`, `InvoiceTotal:Estimated`). */
  readonly final: boolean;
  /** Where `accounts` comes from: the `AccountTotal` rows, or the charge rows when there are none. */
  readonly basis: 'line-items' | 'account-totals';
  readonly accounts: readonly InvoiceAccount[];
  /** Σ `TotalCost` of the `InvoiceTotal` rows (one per invoice); undefined when there are none. */
  readonly invoiceTotal?: Money;
  readonly warnings: readonly string[];
}

export interface InvoiceAccount {
  readonly accountId: string;
  readonly name?: string;
  readonly totalCost: Money;
}

const LINE_ITEM_TYPES = new Set(['PayerLineItem', 'LinkedLineItem']);

/** Rounding to the cent moves an amount by at most half a cent. */
const HALF_CENT = parseMoney('0.005');

/**
 * Reads the per-account totals of an invoice summary.
 *
 * The compared figure is each account's `AccountTotal` row: what the invoice charges the account,
 * rounded as billed, and what `InvoiceTotal` adds up. A file without `AccountTotal` rows falls back
 * to Σ `TotalCost` (after credits, with tax, as the DBR books them) of its `PayerLineItem` /
 * `LinkedLineItem` rows per `LinkedAccountId` (the payer's own rows may leave it empty). When both
 * exist they are cross-checked: a gap larger than rounding to the cent (0.005) is a warning.
 *
 * @throws InputError naming `file` when the rows are not an invoice summary, mix payers or
 *   currencies, or hold a `TotalCost` that is not a decimal amount.
 */
export function summarizeInvoice(rows: readonly InvoiceCsvRow[], file: string): InvoiceSummary {
  const payers = distinct(rows.map((r) => r.PayerAccountId));
  if (payers.length !== 1) {
    throw new InputError(
      file,
      payers.length === 0
        ? 'no PayerAccountId: not an AWS invoice summary (aws-billing-csv)'
        : `several payers (${payers.join(', ')}): reconcile one payer's invoice at a time`,
    );
  }
  const payer = payers[0]!;
  const lineItems = new Map<string, { total: Amount; name?: string }>();
  const accountTotals = new Map<string, Amount>();
  let invoiceTotal: Amount | undefined;
  let estimated = false;
  for (const row of rows) {
    const type = row.RecordType ?? '';
    if (type === 'EstimatedDisclaimer') estimated = true;
    if (LINE_ITEM_TYPES.has(type)) {
      const id = row.LinkedAccountId ?? payer;
      const entry = lineItems.get(id) ?? { total: 0n };
      entry.total += money(row, file);
      if (entry.name === undefined && row.LinkedAccountName) entry.name = row.LinkedAccountName;
      lineItems.set(id, entry);
    } else if (type === 'AccountTotal') {
      const id = row.LinkedAccountId ?? /^AccountTotal:(\d{12})$/.exec(row.RecordID ?? '')?.[1];
      if (id === undefined) throw new InputError(file, 'an AccountTotal row names no account');
      accountTotals.set(id, (accountTotals.get(id) ?? 0n) + money(row, file));
    } else if (type === 'InvoiceTotal') {
      invoiceTotal = (invoiceTotal ?? 0n) + money(row, file);
      if ((row.RecordID ?? '').endsWith(':Estimated')) estimated = true;
    }
  }
  const currencies = distinct(
    rows.filter((r) => LINE_ITEM_TYPES.has(r.RecordType ?? '')).map((r) => r.CurrencyCode),
  );
  if (currencies.length > 1) {
    throw new InputError(file, `several currencies (${currencies.join(', ')}) in one invoice`);
  }
  const periods = distinct(rows.map((r) => billingPeriodOf(r.BillingPeriodStartDate)));
  if (periods.length > 1) {
    throw new InputError(file, `several billing periods (${periods.join(', ')}) in one invoice`);
  }
  if (lineItems.size === 0 && accountTotals.size === 0) {
    throw new InputError(
      file,
      'no PayerLineItem, LinkedLineItem or AccountTotal rows: not an AWS invoice summary (aws-billing-csv)',
    );
  }
  const warnings: string[] = [];
  if (lineItems.size > 0) {
    for (const [id, stated] of accountTotals) {
      const summed = lineItems.get(id)?.total ?? 0n;
      if (abs(summed - stated) > HALF_CENT) {
        warnings.push(
          `invoice AccountTotal of ${id} is ${formatMoney(stated)} but its line items sum to ${formatMoney(summed)}`,
        );
      }
    }
  }
  const name = (id: string) => lineItems.get(id)?.name;
  const basis = accountTotals.size > 0 ? 'account-totals' : 'line-items';
  const figures =
    basis === 'account-totals'
      ? [...accountTotals]
      : [...lineItems].map(([id, e]) => [id, e.total] as const);
  const accounts: InvoiceAccount[] = figures.map(([accountId, total]) => ({
    accountId,
    ...(name(accountId) !== undefined && { name: name(accountId) }),
    totalCost: formatMoney(total),
  }));
  accounts.sort((a, b) => cmp(a.accountId, b.accountId));
  return {
    file,
    payerAccountId: payer,
    ...(periods[0] !== undefined && { billingPeriod: periods[0] }),
    ...(currencies[0] !== undefined && { currency: currencies[0] }),
    final: !estimated,
    basis,
    accounts,
    ...(invoiceTotal !== undefined && { invoiceTotal: formatMoney(invoiceTotal) }),
    warnings,
  };
}

/**
 * How one account's difference is judged:
 * - `match`: |difference| ≤ tolerance;
 * - `rounding`: beyond tolerance, but the DBR's Rounding row covers it (same sign, no larger than
 *   the rounding) and the differences of all accounts add up to the rounding within tolerance;
 * - `mismatch`: anything else (exit 1).
 */
export type DifferenceStatus = 'match' | 'rounding' | 'mismatch';

export interface AccountDifference {
  readonly accountId: string;
  readonly name?: string;
  /** whopays' `ownerCost` from the detail file ("0" when the account has no line in it). */
  readonly ownerCost: Money;
  /** The invoice summary's figure ("0" when the account is not on the invoice). */
  readonly invoiced: Money;
  /** invoiced − ownerCost. */
  readonly difference: Money;
  readonly status: DifferenceStatus;
}

/** Where the DBR Rounding row's amount went, cent by cent. */
export interface RoundingExplanation {
  /** The DBR Rounding row (`totals.rounding`): the invoice's correction of the unrounded lines. */
  readonly dbrRounding: Money;
  /** Σ of the per-account differences: what the invoice moved, account by account. */
  readonly sumOfDifferences: Money;
  /** sumOfDifferences − dbrRounding: what the Rounding row does not explain (0 when it all closes). */
  readonly unexplained: Money;
}

export interface DbrReconciliation {
  readonly kind: 'dbr-invoice';
  readonly detailFile: string;
  readonly invoiceFile: string;
  readonly billingPeriod: string;
  readonly currency: string;
  readonly payerAccountId: string;
  readonly tolerance: Money;
  readonly invoiceBasis: InvoiceSummary['basis'];
  readonly final: { readonly detail: boolean; readonly invoice: boolean };
  readonly accounts: readonly AccountDifference[];
  readonly totals: {
    readonly ownerCost: Money;
    readonly invoiced: Money;
    readonly difference: Money;
  };
  readonly rounding: RoundingExplanation;
  /** The invoice's `InvoiceTotal` against Σ of its accounts, when the file has one. */
  readonly invoiceTotal?: {
    readonly stated: Money;
    readonly sumOfAccounts: Money;
    readonly difference: Money;
  };
  readonly warnings: readonly string[];
  /** False when an account is a `mismatch` or the rounding leaves more than tolerance unexplained. */
  readonly ok: boolean;
}

export interface ReconcileDbrInput {
  readonly detailFile: string;
  readonly report: Report;
  readonly invoice: InvoiceSummary;
  /** Largest accepted |difference|, a non-negative decimal string. */
  readonly tolerance: Money;
}

/**
 * Compares whopays' `ownerCost` per account (from a DBR detail file) with an invoice summary, and
 * explains the DBR Rounding row: per account, invoiced − ownerCost; their sum against the rounding.
 *
 * @throws InputError when the two files are not of the same payer, billing period and currency.
 */
export function reconcileDbr(input: ReconcileDbrInput): DbrReconciliation {
  const { invoice, report, detailFile } = input;
  const tolerance = parseMoney(input.tolerance);
  const period = pickPeriod(report, invoice, detailFile);
  if (!period.payerAccountIds.includes(invoice.payerAccountId)) {
    throw new InputError(
      invoice.file,
      `payer ${invoice.payerAccountId} is not the detail file's payer (${period.payerAccountIds.join(', ')})`,
    );
  }
  const owner = new Map(period.accounts.map((a) => [a.accountId, parseMoney(a.ownerCost)]));
  const billed = new Map(invoice.accounts.map((a) => [a.accountId, a]));
  const ids = [...new Set([...owner.keys(), ...billed.keys()])].sort(cmp);
  const rounding = parseMoney(period.totals.rounding);
  const diffs = ids.map((id) => {
    const ownerCost = owner.get(id) ?? 0n;
    const invoiced = billed.has(id) ? parseMoney(billed.get(id)!.totalCost) : 0n;
    return {
      id,
      name: billed.get(id)?.name,
      ownerCost,
      invoiced,
      difference: invoiced - ownerCost,
    };
  });
  const sumOfDifferences = diffs.reduce((s, d) => s + d.difference, 0n);
  const unexplained = sumOfDifferences - rounding;
  const closes = abs(unexplained) <= tolerance;
  const accounts: AccountDifference[] = diffs.map((d) => ({
    accountId: d.id,
    ...(d.name !== undefined && { name: d.name }),
    ownerCost: formatMoney(d.ownerCost),
    invoiced: formatMoney(d.invoiced),
    difference: formatMoney(d.difference),
    status: judge(d.difference, rounding, tolerance, closes),
  }));
  const totalOwner = diffs.reduce((s, d) => s + d.ownerCost, 0n);
  const totalInvoiced = diffs.reduce((s, d) => s + d.invoiced, 0n);
  const warnings = [...invoice.warnings, ...period.warnings];
  if (period.final !== invoice.final) {
    warnings.push(
      `the detail file is ${period.final ? 'final' : 'estimated'} but the invoice is ${invoice.final ? 'final' : 'estimated'}: compare files of the same delivery`,
    );
  }
  for (const d of diffs) {
    if (!owner.has(d.id))
      warnings.push(`account ${d.id} is on the invoice but not in the detail file`);
    if (!billed.has(d.id))
      warnings.push(`account ${d.id} is in the detail file but not on the invoice`);
  }
  return {
    kind: 'dbr-invoice',
    detailFile,
    invoiceFile: invoice.file,
    billingPeriod: period.billingPeriod,
    currency: period.currency,
    payerAccountId: invoice.payerAccountId,
    tolerance: formatMoney(tolerance),
    invoiceBasis: invoice.basis,
    final: { detail: period.final, invoice: invoice.final },
    accounts,
    totals: {
      ownerCost: formatMoney(totalOwner),
      invoiced: formatMoney(totalInvoiced),
      difference: formatMoney(totalInvoiced - totalOwner),
    },
    rounding: {
      dbrRounding: formatMoney(rounding),
      sumOfDifferences: formatMoney(sumOfDifferences),
      unexplained: formatMoney(unexplained),
    },
    ...(invoice.invoiceTotal !== undefined && {
      invoiceTotal: {
        stated: invoice.invoiceTotal,
        sumOfAccounts: formatMoney(totalInvoiced),
        difference: formatMoney(parseMoney(invoice.invoiceTotal) - totalInvoiced),
      },
    }),
    warnings,
    ok: closes && accounts.every((a) => a.status !== 'mismatch'),
  };
}

function judge(
  difference: Amount,
  rounding: Amount,
  tolerance: Amount,
  closes: boolean,
): DifferenceStatus {
  if (abs(difference) <= tolerance) return 'match';
  const sameSign = difference < 0n === rounding < 0n;
  if (closes && rounding !== 0n && sameSign && abs(difference) <= abs(rounding) + tolerance) {
    return 'rounding';
  }
  return 'mismatch';
}

function pickPeriod(report: Report, invoice: InvoiceSummary, detailFile: string): PeriodReport {
  const candidates = report.periods.filter(
    (p) =>
      (invoice.billingPeriod === undefined || p.billingPeriod === invoice.billingPeriod) &&
      (invoice.currency === undefined || p.currency === invoice.currency),
  );
  if (candidates.length === 1) return candidates[0]!;
  const have = report.periods.map((p) => `${p.billingPeriod} ${p.currency}`).join(', ') || 'none';
  if (candidates.length === 0) {
    const want = [invoice.billingPeriod, invoice.currency].filter(Boolean).join(' ');
    throw new InputError(
      invoice.file,
      `the invoice is for ${want}, the detail file ${detailFile} has ${have}`,
    );
  }
  throw new InputError(
    detailFile,
    `several billing periods (${have}) and the invoice names none: reconcile one month at a time`,
  );
}

/** invoiceCost per payer against Σ unblended cost, for one (period, currency, payer) of a CUR. */
export interface PayerCheck {
  readonly billingPeriod: string;
  readonly currency: string;
  readonly payerAccountId: string;
  readonly final: boolean;
  /** Σ invoiceCost of the payer's accounts in the report. */
  readonly invoiceCost: Money;
  /** Σ line_item_unblended_cost of the payer's lines, straight from the ledger rows. */
  readonly unblendedCost: Money;
  /** invoiceCost − unblendedCost: zero unless whopays lost or double-counted a line. */
  readonly difference: Money;
  /** The rounding the data carries: CUR has no Rounding line, so "0". */
  readonly rounding: Money;
  /**
   * usageCost − invoiceCost of the payer (amortized against cash): upfront fees and commitment
   * timing, shown for context; it is never a reconciliation difference.
   */
  readonly amortizationGap: Money;
}

export interface CurReconciliation {
  readonly kind: 'cur-unblended';
  readonly detailFile: string;
  readonly tolerance: Money;
  readonly payers: readonly PayerCheck[];
  readonly ok: boolean;
}

/**
 * For CUR sources: per (period, currency, payer), the report's `invoiceCost` against the sum of the
 * ledger's unblended cost, and the rounding the data carries (CUR has no Rounding line item).
 */
export function reconcileCur(input: {
  readonly detailFile: string;
  readonly report: Report;
  readonly rows: readonly LedgerRow[];
  readonly tolerance: Money;
}): CurReconciliation {
  const tolerance = parseMoney(input.tolerance);
  const unblended = new Map<string, Amount>();
  const rounding = new Map<string, Amount>();
  for (const row of input.rows) {
    const key = `${row.billing_period}|${row.currency_code ?? ''}|${row.payer_account_id}`;
    const target = row.line_item_type === 'Rounding' ? rounding : unblended;
    target.set(key, (target.get(key) ?? 0n) + parseMoney(row.invoice_cost));
  }
  const payers: PayerCheck[] = [];
  for (const period of input.report.periods) {
    for (const payer of period.payerAccountIds) {
      const mine = period.accounts.filter((a) => a.payerAccountId === payer);
      const invoiceCost = mine.reduce((s, a) => s + parseMoney(a.invoiceCost), 0n);
      const usageCost = mine.reduce((s, a) => s + parseMoney(a.usageCost), 0n);
      const key = `${period.billingPeriod}|${period.currency}|${payer}`;
      const sum = unblended.get(key) ?? 0n;
      payers.push({
        billingPeriod: period.billingPeriod,
        currency: period.currency,
        payerAccountId: payer,
        final: period.final,
        invoiceCost: formatMoney(invoiceCost),
        unblendedCost: formatMoney(sum),
        difference: formatMoney(invoiceCost - sum),
        rounding: formatMoney(rounding.get(key) ?? 0n),
        amortizationGap: formatMoney(usageCost - invoiceCost),
      });
    }
  }
  return {
    kind: 'cur-unblended',
    detailFile: input.detailFile,
    tolerance: formatMoney(tolerance),
    payers,
    ok: payers.every((p) => abs(parseMoney(p.difference)) <= tolerance),
  };
}

/** Parses a `--tolerance` value: a non-negative decimal amount. */
export function parseTolerance(text: string): Money {
  try {
    const amount = parseMoney(text.trim());
    if (amount < 0n) throw new MoneyFormatError(text);
    return formatMoney(amount);
  } catch {
    throw new InputError(
      '--tolerance',
      `not a non-negative decimal amount: ${JSON.stringify(text)}`,
    );
  }
}

function money(row: InvoiceCsvRow, file: string): Amount {
  const text = (row.TotalCost ?? '').trim();
  if (text === '') return 0n;
  try {
    return parseMoney(text);
  } catch {
    const where = row.RecordID ? `record ${row.RecordID}` : `a ${row.RecordType} row`;
    throw new InputError(
      file,
      `${where}: TotalCost is not a decimal amount: ${JSON.stringify(text)}`,
    );
  }
}

/** `2025/10/01 00:00:00` (invoice CSV) or `2025-10-01…` → `2025-10`. */
function billingPeriodOf(date: string | null): string | null {
  const m = /^(\d{4})[/-](\d{2})/.exec(date ?? '');
  return m ? `${m[1]}-${m[2]}` : null;
}

function distinct(values: readonly (string | null | undefined)[]): string[] {
  return [
    ...new Set(values.filter((v): v is string => v !== null && v !== undefined && v !== '')),
  ].sort(cmp);
}

const abs = (a: Amount): Amount => (a < 0n ? -a : a);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
