import { z } from 'zod';

/**
 * One row of the attribution ledger: the result of sql/ledger/<format>_ledger.sql on either engine.
 *
 * Grain: (billing_period, currency_code, payer_account_id, usage_account_id, owner_account_id,
 * invoice_account_id, commitment, line_item_type, note). Every billing line of the source is in
 * exactly one ledger row, so the report is computed from ledger rows alone:
 *
 * - usageCost(a)   = Σ usage_cost   where usage_account_id   = a
 * - ownerCost(a)   = Σ usage_cost   where owner_account_id   = a
 * - invoiceCost(a) = Σ invoice_cost where invoice_account_id = a
 * - transfer(o, c, k) = Σ usage_cost where owner = o, usage = c, commitment = k, o ≠ c
 *
 * Rows with line_item_type 'Rounding' (DBR only) are not line items: their invoice_cost is the
 * invoice rounding (totals.rounding) and their account columns are NULL.
 *
 * Engines return every value as text (Athena's VarCharValue, DuckDB's JSON rows): money stays a
 * decimal string end to end.
 */
export const LedgerRowSchema = z.object({
  billing_period: z.string().regex(/^\d{4}-\d{2}$/),
  /** NULL for DBR (it has no currency column): the source's declared currency applies. */
  currency_code: z.string().nullable(),
  payer_account_id: z.string(),
  usage_account_id: z.string().nullable(),
  owner_account_id: z.string().nullable(),
  invoice_account_id: z.string().nullable(),
  /** The commitment that moves the line from usage account to owner; NULL for other lines. */
  commitment: z.enum(['ri', 'sp', 'cr']).nullable(),
  /** CUR `line_item_line_item_type`; DBR 'LineItem' or 'Rounding'. */
  line_item_type: z.string().nullable(),
  /** A machine-readable anomaly, e.g. 'ambiguous-subscription:123456'; NULL for normal rows. */
  note: z.string().nullable(),
  usage_cost: z.string(),
  invoice_cost: z.string(),
  line_count: z.coerce.number().int(),
  /** Lines whose bill is closed (CUR bill_invoice_id set; DBR InvoiceID not 'Estimated'). */
  final_line_count: z.coerce.number().int(),
});

export type LedgerRow = z.infer<typeof LedgerRowSchema>;
