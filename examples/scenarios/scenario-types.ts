/**
 * The example billing data, described once as plain lines. The generator turns each scenario into
 * the files AWS delivers (DBR zip, invoice CSV, CUR 1 CSV.gz, CUR 2.0 Parquet); examples/expected.ts
 * works the attribution out from the same lines by hand.
 *
 * Money is a decimal string exactly as it appears in the file; an absent amount is an empty field
 * (CSV) or NULL (Parquet).
 */

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, joined so no partition is hard-coded. */
export const arn = (
  partition: string,
  service: string,
  region: string,
  account: string,
  resource: string,
): string => ['arn', partition, service, region, account, resource].join(':');

export interface Account {
  readonly id: string;
  readonly name: string;
}

/** Cost-allocation tags of a line (DBR `user:*` columns, CUR `resourceTags/user:*`). */
export interface Tags {
  readonly Name?: string;
  readonly project?: string;
}

/** One DBR-RT line item (RecordType `LineItem`). */
export interface DbrLine {
  readonly account: string;
  /** `usage` is charged in CostBeforeTax of the invoice, `credit` in Credits, `tax` in TaxAmount. */
  readonly kind: 'usage' | 'credit' | 'tax';
  readonly productName: string;
  readonly subscriptionId?: string;
  readonly usageType: string;
  readonly operation?: string;
  readonly availabilityZone?: string;
  readonly reservedInstance: 'Y' | 'N';
  readonly description: string;
  readonly quantity: string;
  readonly rate: string;
  readonly cost: string;
  readonly resourceId?: string;
  readonly tags?: Tags;
}

export interface DbrScenario {
  readonly payer: Account;
  readonly linked: readonly Account[];
  /** YYYY-MM */
  readonly billingPeriod: string;
  /** A number once the month is closed (this example is final). */
  readonly invoiceId: string;
  readonly currency: string;
  /** Where the seller of record's legal text lives in the invoice file. */
  readonly sellerOfRecord: string;
  readonly taxationAddress: string;
  /**
   * Who bought each subscription: the truth the invoice follows. The DBR itself does not say it;
   * whopays recovers it from the '认购' / HeavyUsage rows.
   */
  readonly subscriptionOwners: Readonly<Record<string, string>>;
  readonly lines: readonly DbrLine[];
}

/** CUR `line_item_line_item_type` values used by the examples. */
export type CurLineType =
  | 'Usage'
  | 'DiscountedUsage'
  | 'Fee'
  | 'RIFee'
  | 'SavingsPlanUpfrontFee'
  | 'SavingsPlanRecurringFee'
  | 'SavingsPlanCoveredUsage'
  | 'SavingsPlanNegation'
  | 'Credit'
  | 'Refund'
  | 'Tax';

/** The reservation/* columns of a line (only the ones its type carries). */
export interface RiColumns {
  readonly arn: string;
  readonly effectiveCost?: string;
  readonly amortizedUpfrontCostForUsage?: string;
  readonly recurringFeeForUsage?: string;
  readonly amortizedUpfrontFeeForBillingPeriod?: string;
  readonly unusedAmortizedUpfrontFeeForBillingPeriod?: string;
  readonly unusedRecurringFee?: string;
  readonly unusedQuantity?: string;
}

/** The savingsPlan/* columns of a line. */
export interface SpColumns {
  readonly arn: string;
  readonly effectiveCost?: string;
  readonly rate?: string;
  readonly totalCommitmentToDate?: string;
  readonly usedCommitment?: string;
  readonly amortizedUpfrontCommitmentForBillingPeriod?: string;
  readonly recurringCommitmentForBillingPeriod?: string;
}

/** CUR 2.0 capacity_reservation_* columns (only labels: they never move cost). */
export interface CrColumns {
  readonly arn: string;
  readonly status: 'Reserved' | 'Used' | 'Unused';
  readonly type: 'ODCR';
}

export interface CurLine {
  readonly account: string;
  readonly type: CurLineType;
  readonly billType?: 'Anniversary' | 'Purchase' | 'Refund';
  readonly productCode: string;
  readonly productName: string;
  readonly usageType: string;
  readonly operation?: string;
  readonly availabilityZone?: string;
  readonly resourceId?: string;
  readonly description: string;
  readonly usageAmount?: string;
  readonly rate?: string;
  readonly unblendedCost: string;
  /**
   * `pricing/publicOnDemandCost`. @default the unblended cost on Usage and SavingsPlanCoveredUsage
   * lines (charged at the public on-demand rate), none on the others
   */
  readonly onDemandCost?: string;
  readonly instanceType?: string;
  readonly ri?: RiColumns;
  readonly sp?: SpColumns;
  readonly cr?: CrColumns;
  readonly tags?: Tags;
}

export interface CurScenario {
  /** `cur` = legacy CUR 1 (CSV.gz), `cur2` = Data Exports CUR 2.0 (Parquet). */
  readonly format: 'cur' | 'cur2';
  /** Report (CUR 1) or export (CUR 2.0) name: part of every S3 key. */
  readonly reportName: string;
  readonly payer: Account;
  readonly linked: readonly Account[];
  /** YYYY-MM */
  readonly billingPeriod: string;
  /** Blank while the month is open (provisional). */
  readonly invoiceId: string;
  readonly currency: string;
  /** `aws` or `aws-cn`: every ARN of the scenario is built with it. */
  readonly partition: string;
  readonly region: string;
  readonly lines: readonly CurLine[];
}
