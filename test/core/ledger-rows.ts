import type { LedgerRow } from '../../lambdas/core/ledger.js';

/** Account ids of the core tests (leading zeros on purpose). */
export const PAYER = '052601815908';
export const PAYER2 = '099999999999';
export const A = '003786579754';
export const B = '006671276842';
export const C = '111111111111';

/**
 * A ledger row with the defaults of a plain, final CUR usage line of account A in 2025-10 USD: owner
 * and invoice account default to the usage account, invoice_cost to usage_cost.
 */
export function row(over: Partial<LedgerRow> & { usage_cost?: string }): LedgerRow {
  const usage = over.usage_account_id === undefined ? A : over.usage_account_id;
  const lines = over.line_count ?? 1;
  return {
    billing_period: '2025-10',
    currency_code: 'USD',
    payer_account_id: PAYER,
    usage_account_id: usage,
    owner_account_id: usage,
    invoice_account_id: usage,
    commitment: null,
    line_item_type: 'Usage',
    note: null,
    usage_cost: '0',
    invoice_cost: over.usage_cost ?? '0',
    line_count: lines,
    final_line_count: lines,
    ...over,
  };
}
