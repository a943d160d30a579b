import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import type {
  ExpectedAccount,
  ExpectedRounding,
  ExpectedTransfer,
} from '../fixtures/scenarios/types.js';

// The report's formulas (lambdas/core/ledger.ts) recomputed from ledger rows with exact BigInt
// decimals: an oracle for the views and for the hand-worked expectations.

const money = (text: string): string => formatMoney(parseMoney(text));
const key = (...parts: (string | null)[]): string => JSON.stringify(parts);

/** Canonical money text (10 digits, '0' for zero), so '12.3400000000' equals '12.34'. */
export const canonicalAccounts = (accounts: readonly ExpectedAccount[]): ExpectedAccount[] =>
  accounts
    .map((a) => ({
      ...a,
      usageCost: money(a.usageCost),
      ownerCost: money(a.ownerCost),
      invoiceCost: money(a.invoiceCost),
    }))
    .sort((x, y) => accountKey(x).localeCompare(accountKey(y)));

export const canonicalTransfers = (transfers: readonly ExpectedTransfer[]): ExpectedTransfer[] =>
  transfers
    .map((t) => ({ ...t, cost: money(t.cost) }))
    .sort((x, y) => transferKey(x).localeCompare(transferKey(y)));

export const canonicalRounding = (rounding: readonly ExpectedRounding[]): ExpectedRounding[] =>
  rounding.map((r) => ({ ...r, amount: money(r.amount) }));

const accountKey = (a: ExpectedAccount) =>
  key(a.billingPeriod, a.currency, a.payerAccountId, a.accountId);
const transferKey = (t: ExpectedTransfer) =>
  key(
    t.billingPeriod,
    t.currency,
    t.payerAccountId,
    t.ownerAccountId,
    t.consumerAccountId,
    t.commitment,
  );

const isLineItem = (row: LedgerRow) => row.line_item_type !== 'Rounding';

export function accountsFromLedger(rows: readonly LedgerRow[]): ExpectedAccount[] {
  const totals = new Map<
    string,
    {
      base: Omit<ExpectedAccount, 'usageCost' | 'ownerCost' | 'invoiceCost'>;
      usage: bigint;
      owner: bigint;
      invoice: bigint;
    }
  >();
  const add = (
    row: LedgerRow,
    accountId: string | null,
    basis: 'usage' | 'owner' | 'invoice',
    amount: string,
  ) => {
    if (accountId === null) throw new Error(`ledger line item without ${basis} account`);
    const base = {
      billingPeriod: row.billing_period,
      currency: row.currency_code,
      payerAccountId: row.payer_account_id,
      accountId,
    };
    const k = accountKey({ ...base, usageCost: '', ownerCost: '', invoiceCost: '' });
    const entry = totals.get(k) ?? { base, usage: 0n, owner: 0n, invoice: 0n };
    entry[basis] += parseMoney(amount);
    totals.set(k, entry);
  };
  for (const row of rows.filter(isLineItem)) {
    add(row, row.usage_account_id, 'usage', row.usage_cost);
    add(row, row.owner_account_id, 'owner', row.usage_cost);
    add(row, row.invoice_account_id, 'invoice', row.invoice_cost);
  }
  return canonicalAccounts(
    [...totals.values()].map((t) => ({
      ...t.base,
      usageCost: formatMoney(t.usage),
      ownerCost: formatMoney(t.owner),
      invoiceCost: formatMoney(t.invoice),
    })),
  );
}

export function transfersFromLedger(rows: readonly LedgerRow[]): ExpectedTransfer[] {
  const totals = new Map<string, { transfer: ExpectedTransfer; cost: bigint }>();
  for (const row of rows.filter(isLineItem)) {
    if (row.commitment === null || row.owner_account_id === row.usage_account_id) continue;
    const transfer: ExpectedTransfer = {
      billingPeriod: row.billing_period,
      currency: row.currency_code,
      payerAccountId: row.payer_account_id,
      ownerAccountId: row.owner_account_id!,
      consumerAccountId: row.usage_account_id!,
      commitment: row.commitment,
      cost: '0',
    };
    const k = transferKey(transfer);
    const entry = totals.get(k) ?? { transfer, cost: 0n };
    entry.cost += parseMoney(row.usage_cost);
    totals.set(k, entry);
  }
  return canonicalTransfers(
    [...totals.values()]
      .filter((t) => t.cost !== 0n)
      .map((t) => ({ ...t.transfer, cost: formatMoney(t.cost) })),
  );
}

export function roundingFromLedger(rows: readonly LedgerRow[]): ExpectedRounding[] {
  const totals = new Map<string, ExpectedRounding & { sum: bigint }>();
  for (const row of rows.filter((r) => !isLineItem(r))) {
    const k = key(row.billing_period, row.payer_account_id);
    const entry = totals.get(k) ?? {
      billingPeriod: row.billing_period,
      payerAccountId: row.payer_account_id,
      amount: '',
      sum: 0n,
    };
    entry.sum += parseMoney(row.invoice_cost);
    totals.set(k, entry);
  }
  return [...totals.values()].map(({ sum, ...r }) => ({ ...r, amount: formatMoney(sum) }));
}

/**
 * The two identities of ATTRIBUTION.md, per (billing period, currency, payer):
 * ownerCost(a) = usageCost(a) + Σ transfers owned by a − Σ transfers consumed by a, and
 * Σ ownerCost = Σ usageCost. Returns the violations (empty when both hold exactly).
 */
export function identityViolations(
  accounts: readonly ExpectedAccount[],
  transfers: readonly ExpectedTransfer[],
): string[] {
  const violations: string[] = [];
  const scope = (x: { billingPeriod: string; currency: string | null; payerAccountId: string }) =>
    key(x.billingPeriod, x.currency, x.payerAccountId);
  const sums = new Map<string, { usage: bigint; owner: bigint }>();
  for (const a of accounts) {
    let expected = parseMoney(a.usageCost);
    for (const t of transfers) {
      if (scope(t) !== scope(a)) continue;
      if (t.ownerAccountId === a.accountId) expected += parseMoney(t.cost);
      if (t.consumerAccountId === a.accountId) expected -= parseMoney(t.cost);
    }
    if (expected !== parseMoney(a.ownerCost)) {
      violations.push(`${accountKey(a)}: ownerCost ${a.ownerCost} != ${formatMoney(expected)}`);
    }
    const s = sums.get(scope(a)) ?? { usage: 0n, owner: 0n };
    s.usage += parseMoney(a.usageCost);
    s.owner += parseMoney(a.ownerCost);
    sums.set(scope(a), s);
  }
  for (const [k, s] of sums) {
    if (s.usage !== s.owner) violations.push(`${k}: Σ owner ${s.owner} != Σ usage ${s.usage}`);
  }
  return violations;
}

const text = (value: unknown): string => String(value);
const nullableText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** Rows of sql/views/account_totals.sql as expected-account records. */
export const accountsFromView = (rows: readonly Record<string, unknown>[]): ExpectedAccount[] =>
  canonicalAccounts(
    rows.map((r) => ({
      billingPeriod: text(r.billing_period),
      currency: nullableText(r.currency_code),
      payerAccountId: text(r.payer_account_id),
      accountId: text(r.account_id),
      usageCost: text(r.usage_cost),
      ownerCost: text(r.owner_cost),
      invoiceCost: text(r.invoice_cost),
    })),
  );

/** Rows of sql/views/transfers.sql as expected-transfer records. */
export const transfersFromView = (rows: readonly Record<string, unknown>[]): ExpectedTransfer[] =>
  canonicalTransfers(
    rows.map((r) => ({
      billingPeriod: text(r.billing_period),
      currency: nullableText(r.currency_code),
      payerAccountId: text(r.payer_account_id),
      ownerAccountId: text(r.owner_account_id),
      consumerAccountId: text(r.consumer_account_id),
      commitment: text(r.commitment) as ExpectedTransfer['commitment'],
      cost: text(r.transfer_cost),
    })),
  );
