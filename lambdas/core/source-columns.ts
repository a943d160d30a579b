/**
 * The column contract between the engines and the ledger SQL.
 *
 * Each engine exposes the billing lines of one source as a relation (`cur_lines` or `dbr_lines`)
 * with exactly these columns. The ledger SQL in sql/ledger/ reads nothing else, so a Parquet scan
 * reads only these columns and both engines run the same SQL text.
 *
 * - `text` columns are VARCHAR (account ids keep their leading zeros).
 * - `money` columns are numeric: DECIMAL when the engine parses text (CSV), DOUBLE where the file
 *   stores DOUBLE (CUR Parquet). The SQL casts them to DECIMAL(38,10) before summing.
 * - An optional column missing from a file is exposed as NULL (CUR 1 drops unused columns).
 */
export type SourceFormat = 'dbr' | 'cur' | 'cur2' | 'focus';

export type ColumnKind = 'text' | 'money';

export interface SourceColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  /** A file without a required column is refused (exit 2). */
  readonly required: boolean;
}

const text = (name: string, required = false): SourceColumn => ({ name, kind: 'text', required });
const money = (name: string, required = false): SourceColumn => ({ name, kind: 'money', required });

/** CUR 1 and CUR 2.0 share the Athena snake_case names of every column attribution needs. */
export const CUR_COLUMNS: readonly SourceColumn[] = [
  text('bill_payer_account_id', true),
  text('bill_invoice_id'),
  // Timestamp in Parquet, ISO text in CSV: the SQL takes its first 7 characters (YYYY-MM).
  text('bill_billing_period_start_date', true),
  text('line_item_usage_account_id', true),
  text('line_item_line_item_type', true),
  text('line_item_resource_id'),
  text('line_item_currency_code'),
  money('line_item_unblended_cost', true),
  text('reservation_reservation_a_r_n'),
  money('reservation_effective_cost'),
  money('reservation_unused_amortized_upfront_fee_for_billing_period'),
  money('reservation_unused_recurring_fee'),
  text('savings_plan_savings_plan_a_r_n'),
  money('savings_plan_savings_plan_effective_cost'),
  money('savings_plan_total_commitment_to_date'),
  money('savings_plan_used_commitment'),
  // Commitment detail only (savings); CUR 1 may leave it out.
  money('pricing_public_on_demand_cost'),
];

/**
 * DBR columns, all VARCHAR (the Glue table and the DuckDB reader keep every field as text; the SQL
 * casts `UnBlendedCost`). A DBR without consolidated billing has `Cost` instead of `UnBlendedCost`:
 * the reader exposes it under this name.
 */
export const DBR_COLUMNS: readonly SourceColumn[] = [
  text('InvoiceID'),
  text('PayerAccountId', true),
  text('LinkedAccountId', true),
  text('RecordType', true),
  text('ProductName', true),
  text('SubscriptionId'),
  text('UsageType'),
  text('ItemDescription'),
  text('UsageStartDate'),
  text('UnBlendedCost', true),
];

/**
 * FOCUS columns of AWS Data Exports ("FOCUS 1.0 with AWS columns", "FOCUS 1.2 with AWS columns"),
 * by their FOCUS names (ATTRIBUTION.md, FOCUS). `InvoiceId` and the capacity reservation columns
 * are FOCUS 1.2 only. Glue lower-cases them; both engines match names without case.
 */
export const FOCUS_COLUMNS: readonly SourceColumn[] = [
  text('ProviderName', true),
  text('BillingAccountId', true),
  text('InvoiceId'),
  // Timestamp in Parquet, ISO text in CSV: the SQL takes its first 7 characters (YYYY-MM).
  text('BillingPeriodStart', true),
  text('BillingCurrency', true),
  text('SubAccountId', true),
  text('ChargeCategory', true),
  text('CommitmentDiscountId', true),
  text('CommitmentDiscountStatus', true),
  text('CommitmentDiscountType', true),
  text('CapacityReservationId'),
  text('CapacityReservationStatus'),
  money('BilledCost', true),
  money('EffectiveCost', true),
];

/** The relation each format's ledger SQL reads. */
export const SOURCE_RELATION: Record<SourceFormat, 'cur_lines' | 'dbr_lines' | 'focus_lines'> = {
  dbr: 'dbr_lines',
  cur: 'cur_lines',
  cur2: 'cur_lines',
  focus: 'focus_lines',
};

export const columnsFor = (format: SourceFormat): readonly SourceColumn[] =>
  format === 'dbr' ? DBR_COLUMNS : format === 'focus' ? FOCUS_COLUMNS : CUR_COLUMNS;
