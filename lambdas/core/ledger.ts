import { z } from 'zod';

/**
 * One row of the attribution ledger: the result of sql/ledger/<format>_ledger.sql on either engine.
 *
 * Grain: (billing_period, currency_code, payer_account_id, usage_account_id, owner_account_id,
 * invoice_account_id, commitment, line_item_type, note, commitment_id). Every billing line of the source is in
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
  billing_period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  /** NULL for DBR (it has no currency column): the source's declared currency applies. */
  currency_code: z.string().nullable(),
  payer_account_id: z.string().min(1),
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
  /**
   * The commitment of the commitment detail (ATTRIBUTION.md) the rows belong to: CUR the RI, SP or
   * CR ARN, DBR the owned SubscriptionId. Rows with a `commitment` are lines it covered (its
   * consumers); rows without one are its unused fee (RIFee, SavingsPlanRecurringFee). NULL for
   * every other row. Optional in the type so that ledgers built without the detail still read.
   */
  commitment_id: z.string().nullish(),
  /** Σ pricing_public_on_demand_cost of the covered lines of commitment_id; NULL when none has one. */
  on_demand_cost: z.string().nullish(),
});

export type LedgerRow = z.infer<typeof LedgerRowSchema>;

/**
 * The note of a DBR ledger row holding records the published method does not count (Discount, a
 * record type AWS adds): line_item_type is the RecordType, invoice_cost their cost. The report
 * names them in a warning and books them on no account.
 */
export const UNCOUNTED_RECORD_NOTE = 'uncounted-record';

/** The ledger's columns, in the order of the SQL's final select. */
export const LEDGER_COLUMNS = Object.keys(LedgerRowSchema.shape) as (keyof LedgerRow)[];

/** `YYYY-MM` of a real month: `2025-13` and `2025-00` break the schema. */
const BILLING_PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const COMMITMENTS = new Set<unknown>([null, 'ri', 'sp', 'cr']);
const MONEY_COLUMNS = new Set<string>(['usage_cost', 'invoice_cost']);
const COUNT_COLUMNS = new Set<string>(['line_count', 'final_line_count']);
/** Columns a ledger without the commitment detail leaves out (read as NULL). */
const OPTIONAL_COLUMNS = new Set<string>(['commitment_id', 'on_demand_cost']);

/** The per-value check of one column; the same constraints as {@link LedgerRowSchema}. */
const checkFor = (column: keyof LedgerRow): ((value: unknown) => boolean) => {
  if (column === 'billing_period') return (v) => typeof v === 'string' && BILLING_PERIOD.test(v);
  if (column === 'commitment') return (v) => COMMITMENTS.has(v);
  if (column === 'payer_account_id') return (v) => typeof v === 'string' && v !== '';
  if (MONEY_COLUMNS.has(column)) return (v) => typeof v === 'string';
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
    commitmentId,
    onDemandCost,
  ] = LEDGER_COLUMNS.map((column) => {
    const given =
      columns[column] ??
      (OPTIONAL_COLUMNS.has(column)
        ? new Array(columns.billing_period?.length ?? 0).fill(null)
        : undefined);
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
      commitment_id: commitmentId![i],
      on_demand_cost: onDemandCost![i],
    } as LedgerRow;
  }
  return rows;
}

/** How a ledger travels as one text: values joined by `separator`, NULL written as `nullText`. */
export interface LedgerTextEncoding {
  readonly separator: string;
  readonly nullText: string;
}

/**
 * Appends the `rowCount` ledger rows of one text to `rows`: their values row after row, in the order
 * of {@link LEDGER_COLUMNS}, joined by the encoding's separator. This is how the DuckDB engine reads
 * the ledger, since a few long texts cross into JavaScript far faster than a million single
 * values. A value the same as the one above it (the period, the payer, the line item type...) or
 * as the row's usage account is not copied: far fewer strings for the garbage collector. Every
 * value is checked against the constraints of {@link LedgerRowSchema}.
 *
 * @returns false when the text does not hold exactly `rowCount` rows: a value held the separator.
 *   Nothing is appended then.
 * @throws Error naming the row, the column and the value that breaks the schema.
 */
export function appendLedgerRowsFromText(
  text: string,
  rowCount: number,
  encoding: LedgerTextEncoding,
  rows: LedgerRow[],
): boolean {
  const { separator, nullText } = encoding;
  const first = rows.length;
  const width = LEDGER_COLUMNS.length;
  // The value of each column in the row above: reused when the next one is the same.
  const above: string[] = new Array(width).fill(nullText);
  // The value being read is text[start, end).
  let start = 0;
  let end = -1;
  const next = (): void => {
    start = end + 1;
    end = text.indexOf(separator, start);
    if (end === -1) end = text.length;
  };
  const same = (value: string): boolean =>
    value.length === end - start && text.startsWith(value, start);
  const value = (column: number): string => {
    next();
    const last = above[column]!;
    if (same(last)) return last;
    const read = text.slice(start, end);
    above[column] = read;
    return read;
  };
  const orNull = (v: string): string | null => (v === nullText ? null : v);
  const count = (): number => {
    next();
    // As the schema coerces it (Number(null) is 0).
    if (same(nullText)) return 0;
    let n = 0;
    for (let i = start; i < end; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Number.NaN;
      n = n * 10 + digit;
    }
    return end > start ? n : Number.NaN;
  };
  // Only a wrong value needs the separators counted: were the values shifted by one they held?
  const whole = (): boolean => text.split(separator).length === rowCount * width;
  const fail = (column: number, shown: string | number | null): false => {
    if (!whole()) {
      rows.length = first;
      return false;
    }
    const name = LEDGER_COLUMNS[column]!;
    throw new Error(
      `ledger row ${rows.length}: ${name} ${JSON.stringify(shown)} breaks the schema`,
    );
  };
  let period = '';
  for (let r = 0; r < rowCount; r++) {
    // Fewer values than rows: not a text of rowCount rows.
    if (end >= text.length) return fail(0, null);
    const billingPeriod = value(0);
    // Rows of a period come together: a period already matched needs no second look.
    if (billingPeriod !== period) {
      if (!BILLING_PERIOD.test(billingPeriod)) return fail(0, orNull(billingPeriod));
      period = billingPeriod;
    }
    const currency = value(1);
    const payer = value(2);
    if (payer === nullText || payer === '') return fail(2, orNull(payer));
    const usage = value(3);
    next();
    const owner = same(usage) ? usage : text.slice(start, end);
    next();
    const invoice = same(usage) ? usage : text.slice(start, end);
    const commitment = orNull(value(6));
    if (!COMMITMENTS.has(commitment)) return fail(6, commitment);
    const type = value(7);
    const note = value(8);
    next();
    const usageCost = text.slice(start, end);
    if (usageCost === nullText) return fail(9, null);
    next();
    const invoiceCost = text.slice(start, end);
    if (invoiceCost === nullText) return fail(10, null);
    const lines = count();
    if (!Number.isSafeInteger(lines)) return fail(11, orNull(text.slice(start, end)));
    const finalLines = count();
    if (!Number.isSafeInteger(finalLines)) return fail(12, orNull(text.slice(start, end)));
    const commitmentId = orNull(value(13));
    next();
    const onDemandCost = orNull(text.slice(start, end));
    rows.push({
      billing_period: billingPeriod,
      currency_code: orNull(currency),
      payer_account_id: payer,
      usage_account_id: orNull(usage),
      owner_account_id: orNull(owner),
      invoice_account_id: orNull(invoice),
      commitment: commitment as LedgerRow['commitment'],
      line_item_type: orNull(type),
      note: orNull(note),
      usage_cost: usageCost,
      invoice_cost: invoiceCost,
      line_count: lines,
      final_line_count: finalLines,
      commitment_id: commitmentId,
      on_demand_cost: onDemandCost,
    });
  }
  if (end !== text.length) {
    rows.length = first;
    return false;
  }
  return true;
}
