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

/** The ledger's columns, in the order of the SQL's final select. */
export const LEDGER_COLUMNS = Object.keys(LedgerRowSchema.shape) as (keyof LedgerRow)[];

const BILLING_PERIOD = /^\d{4}-\d{2}$/;
const COMMITMENTS = new Set<unknown>([null, 'ri', 'sp', 'cr']);
const MONEY_COLUMNS = new Set<string>(['usage_cost', 'invoice_cost']);
const COUNT_COLUMNS = new Set<string>(['line_count', 'final_line_count']);

/** The per-value check of one column; the same constraints as {@link LedgerRowSchema}. */
const checkFor = (column: keyof LedgerRow): ((value: unknown) => boolean) => {
  if (column === 'billing_period') return (v) => typeof v === 'string' && BILLING_PERIOD.test(v);
  if (column === 'commitment') return (v) => COMMITMENTS.has(v);
  if (column === 'payer_account_id' || MONEY_COLUMNS.has(column)) {
    return (v) => typeof v === 'string';
  }
  if (COUNT_COLUMNS.has(column)) return (v) => Number.isSafeInteger(v);
  return (v) => v === null || typeof v === 'string';
};

/**
 * Ledger rows from a column-wise result (column name → values), as an engine that typed the
 * columns itself returns it: money as decimal text, counts as numbers or integer text (coerced,
 * as the schema does). Checks every value against the constraints of {@link LedgerRowSchema}, one
 * column at a time, which costs a fraction of a schema parse per row.
 *
 * @throws Error naming the row, the column and the value that breaks the schema.
 */
export function ledgerRowsFromColumns(
  columns: Readonly<Record<string, readonly unknown[]>>,
): LedgerRow[] {
  const [
    period,
    currency,
    payer,
    usage,
    owner,
    invoice,
    commitment,
    type,
    note,
    usageCost,
    invoiceCost,
    lines,
    finalLines,
  ] = LEDGER_COLUMNS.map((column) => {
    const given = columns[column];
    if (given === undefined) throw new Error(`ledger result has no column ${column}`);
    const list = COUNT_COLUMNS.has(column) ? given.map(Number) : given;
    const ok = checkFor(column);
    for (let i = 0; i < list.length; i++) {
      if (!ok(list[i])) {
        throw new Error(`ledger row ${i}: ${column} ${JSON.stringify(given[i])} breaks the schema`);
      }
    }
    return list;
  });
  const count = period!.length;
  const rows: LedgerRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = {
      billing_period: period![i],
      currency_code: currency![i],
      payer_account_id: payer![i],
      usage_account_id: usage![i],
      owner_account_id: owner![i],
      invoice_account_id: invoice![i],
      commitment: commitment![i],
      line_item_type: type![i],
      note: note![i],
      usage_cost: usageCost![i],
      invoice_cost: invoiceCost![i],
      line_count: lines![i],
      final_line_count: finalLines![i],
    } as LedgerRow;
  }
  return rows;
}

/**
 * Ledger rows from their values as one flat list of text, row after row in the order of
 * {@link LEDGER_COLUMNS}, NULL written as `nullText`: how the DuckDB engine reads the ledger, since
 * a few long texts cross into JavaScript far faster than a million single values. Checks every
 * value against the constraints of {@link LedgerRowSchema} and appends the rows to `rows`.
 *
 * @throws Error naming the row, the column and the value that breaks the schema.
 */
export function appendLedgerRowsFromText(
  values: readonly string[],
  nullText: string,
  rows: LedgerRow[],
): void {
  const width = LEDGER_COLUMNS.length;
  if (values.length % width !== 0) {
    throw new Error(`ledger result: ${values.length} values are not rows of ${width}`);
  }
  const fail = (at: number, column: number): never => {
    const name = LEDGER_COLUMNS[column]!;
    const value = values[at + column];
    const shown = value === nullText ? 'null' : JSON.stringify(value);
    throw new Error(`ledger row ${rows.length}: ${name} ${shown} breaks the schema`);
  };
  const orNull = (value: string): string | null => (value === nullText ? null : value);
  // Offsets follow LEDGER_COLUMNS.
  // Rows of a period come together: a period already matched needs no second look.
  let period = '';
  for (let at = 0; at < values.length; at += width) {
    const billingPeriod = values[at]!;
    if (billingPeriod !== period) {
      if (!BILLING_PERIOD.test(billingPeriod)) fail(at, 0);
      period = billingPeriod;
    }
    const payer = values[at + 2]!;
    const commitment = orNull(values[at + 6]!);
    const usageCost = values[at + 9]!;
    const invoiceCost = values[at + 10]!;
    const lines = Number(values[at + 11]);
    const finalLines = Number(values[at + 12]);
    if (payer === nullText) fail(at, 2);
    if (!COMMITMENTS.has(commitment)) fail(at, 6);
    if (usageCost === nullText) fail(at, 9);
    if (invoiceCost === nullText) fail(at, 10);
    if (!Number.isSafeInteger(lines)) fail(at, 11);
    if (!Number.isSafeInteger(finalLines)) fail(at, 12);
    rows.push({
      billing_period: billingPeriod,
      currency_code: orNull(values[at + 1]!),
      payer_account_id: payer,
      usage_account_id: orNull(values[at + 3]!),
      owner_account_id: orNull(values[at + 4]!),
      invoice_account_id: orNull(values[at + 5]!),
      commitment: commitment as LedgerRow['commitment'],
      line_item_type: orNull(values[at + 7]!),
      note: orNull(values[at + 8]!),
      usage_cost: usageCost,
      invoice_cost: invoiceCost,
      line_count: lines,
      final_line_count: finalLines,
    });
  }
}
