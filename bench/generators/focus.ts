import type { DuckDBConnection } from '@duckdb/node-api';
import { curLinesSql } from './cur-lines.js';
import { macrosSql, PAYER_ACCOUNT_ID, type Shape } from './shape.js';

/**
 * FOCUS ("FOCUS 1.2 with AWS columns", AWS Data Exports table dictionary) of the same spend as the
 * CUR 2.0 generator: every CUR line of cur-lines.ts becomes one FOCUS row through this mapping,
 * so the two files describe the same bill and must give the same three bases and transfers
 * (docs/ATTRIBUTION.md, FOCUS):
 *
 * | FOCUS | from the CUR 2.0 line |
 * |---|---|
 * | BillingAccountId, SubAccountId | bill_payer_account_id, line_item_usage_account_id |
 * | BillingPeriodStart/End, ChargePeriodStart/End | bill_billing_period_*, line_item_usage_* |
 * | BillingCurrency | line_item_currency_code |
 * | InvoiceId | bill_invoice_id (NULL when empty) |
 * | BilledCost | line_item_unblended_cost |
 * | EffectiveCost | the amortized cost of ATTRIBUTION.md's CUR table (reservation_effective_cost, …) |
 * | ChargeCategory | `Purchase` for Fee, SavingsPlanUpfrontFee; `Tax`, `Credit` as typed; else `Usage` |
 * | CommitmentDiscountStatus | `Used` for DiscountedUsage, SavingsPlanCoveredUsage; `Unused` for RIFee, SavingsPlanRecurringFee |
 * | CommitmentDiscountId, Type, Category | the RI's ARN, `Reserved Instance`, `Usage`; the SP's ARN, `Savings Plan`, `Spend` |
 * | CapacityReservationId, Status | the CR's ARN on a CR's own lines: `Unused` for UnusedBox, `Used` for the rate-0 Reservation line |
 * | ResourceId, x_ServiceCode, x_Operation | line_item_resource_id, line_item_product_code, an operation |
 *
 * One row per CUR line, where AWS may fold or split: a SavingsPlanNegation stays a row of its own
 * (no commitment columns, EffectiveCost 0) where AWS nets it into the covered row's BilledCost, and a
 * RIFee or SP recurring fee stays one `Unused` row carrying both the fee (BilledCost) and the unused
 * amortized cost (EffectiveCost) where AWS may write a Purchase row and an Unused row. Either way each
 * account's sums are the same. Amounts are computed in DECIMAL and stored as DOUBLE, as AWS stores them.
 */
const DECIMAL = 'decimal(38, 10)';
const dec = (sql: string): string => `cast(${sql} as ${DECIMAL})`;

const EFFECTIVE_COST = `case line_item_type
  when 'DiscountedUsage' then ${dec('ri_effective_cost')}
  when 'RIFee' then coalesce(${dec('ri_unused_amortized_upfront')}, 0) + coalesce(${dec('ri_unused_recurring')}, 0)
  when 'Fee' then case when ri_arn is not null then 0 else ${dec('unblended_cost')} end
  when 'SavingsPlanCoveredUsage' then ${dec('sp_effective_cost')}
  when 'SavingsPlanNegation' then 0
  when 'SavingsPlanUpfrontFee' then 0
  when 'SavingsPlanRecurringFee' then coalesce(${dec('sp_total_commitment')}, 0) - coalesce(${dec('sp_used_commitment')}, 0)
  else ${dec('unblended_cost')}
end`;

const RI_LINE = `line_item_type in ('DiscountedUsage', 'RIFee', 'Fee')`;
const SP_LINE = `line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')`;

/** The FOCUS 1.2 columns (standard, then AWS's x_ columns) and their values over `l`. */
const FOCUS_COLUMNS: readonly (readonly [string, string])[] = [
  ['AvailabilityZone', `case when kind = 'Usage' then 'us-east-1a' end`],
  ['BilledCost', `cast(unblended_cost as double)`],
  ['BillingAccountId', `'${PAYER_ACCOUNT_ID}'`],
  ['BillingAccountName', `'Bench payer'`],
  ['BillingAccountType', `'Billing Account'`],
  ['BillingCurrency', `'USD'`],
  ['BillingPeriodEnd', `cast(period_end as timestamp_ms)`],
  ['BillingPeriodStart', `cast(period_start as timestamp_ms)`],
  ['CapacityReservationId', 'cr_arn'],
  [
    'CapacityReservationStatus',
    `case when cr_arn is not null then case when usage_type like '%UnusedBox%' then 'Unused' else 'Used' end end`,
  ],
  [
    'ChargeCategory',
    `case when kind in ('Fee', 'SavingsPlanUpfrontFee') then 'Purchase' when kind = 'Tax' then 'Tax' when kind = 'Credit' then 'Credit' else 'Usage' end`,
  ],
  ['ChargeClass', 'cast(null as varchar)'],
  ['ChargeDescription', `usage_type || ' ' || instance_type`],
  [
    'ChargeFrequency',
    `case when kind = 'Fee' then 'One-Time' when kind in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring' else 'Usage-Based' end`,
  ],
  ['ChargePeriodEnd', `cast(usage_end as timestamp_ms)`],
  ['ChargePeriodStart', `cast(usage_start as timestamp_ms)`],
  [
    'CommitmentDiscountCategory',
    `case when ${RI_LINE} then 'Usage' when ${SP_LINE} then 'Spend' end`,
  ],
  ['CommitmentDiscountId', `case when ${RI_LINE} then ri_arn when ${SP_LINE} then sp_arn end`],
  ['CommitmentDiscountName', 'cast(null as varchar)'],
  [
    'CommitmentDiscountQuantity',
    `case when line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then usage_amount end`,
  ],
  [
    'CommitmentDiscountStatus',
    `case when line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Used' when line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Unused' end`,
  ],
  [
    'CommitmentDiscountType',
    `case when ${RI_LINE} then 'Reserved Instance' when ${SP_LINE} then 'Savings Plan' end`,
  ],
  ['CommitmentDiscountUnit', `case when ${RI_LINE} then 'Hours' when ${SP_LINE} then 'USD' end`],
  ['ConsumedQuantity', 'usage_amount'],
  ['ConsumedUnit', `'Hrs'`],
  ['ContractedCost', `cast(unblended_cost as double)`],
  ['ContractedUnitPrice', '0.096'],
  ['EffectiveCost', `cast(${EFFECTIVE_COST} as double)`],
  ['InvoiceId', 'cast(null as varchar)'],
  ['InvoiceIssuerName', `'Amazon Web Services, Inc.'`],
  ['ListCost', `cast(unblended_cost as double)`],
  ['ListUnitPrice', '0.096'],
  [
    'PricingCategory',
    `case when line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Committed' else 'Standard' end`,
  ],
  ['PricingCurrency', `'USD'`],
  ['PricingCurrencyContractedUnitPrice', '0.096'],
  ['PricingCurrencyEffectiveCost', `cast(${EFFECTIVE_COST} as double)`],
  ['PricingCurrencyListUnitPrice', '0.096'],
  ['PricingQuantity', 'usage_amount'],
  ['PricingUnit', `'Hrs'`],
  ['ProviderName', `'AWS'`],
  ['PublisherName', `'AWS'`],
  ['RegionId', `'us-east-1'`],
  ['RegionName', `'US East (N. Virginia)'`],
  ['ResourceId', `nullif(resource_id, '')`],
  ['ResourceName', 'cast(null as varchar)'],
  ['ResourceType', `case when resource_id like 'i-%' then 'Instance' end`],
  ['ServiceCategory', `case when product_code = 'AmazonS3' then 'Storage' else 'Compute' end`],
  ['ServiceName', 'product_name'],
  ['ServiceSubcategory', `'Virtual Machines'`],
  ['SkuId', `to_hex(hash(usage_type, 50))`],
  ['SkuMeter', 'usage_type'],
  ['SkuPriceDetails', 'cast(null as varchar)'],
  ['SkuPriceId', `to_hex(hash(usage_type, 51))`],
  ['SubAccountId', 'usage_account_id'],
  ['SubAccountName', `'account ' || usage_account_id`],
  ['SubAccountType', `'Linked Account'`],
  ['Tags', `map(['user_name'], ['web-' || (i % 97)])`],
  ['x_Discounts', 'cast(null as varchar)'],
  ['x_Operation', `case when usage_type like '%BoxUsage%' then 'RunInstances' else '' end`],
  ['x_ServiceCode', 'product_code'],
];

/** The FOCUS select over the CUR lines of `shape`. */
export const focusSelectSql = (shape: Shape, partition = 'aws'): string =>
  `with ${curLinesSql(shape, partition)}
select ${FOCUS_COLUMNS.map(([name, sql]) => `${sql} as "${name}"`).join(',\n')}
from l`;

/**
 * Writes the FOCUS Parquet file of `shape` to `path` with DuckDB, as the CUR 2.0 generator writes
 * its file (same lines, same row groups).
 */
export const writeFocus = async (
  connection: DuckDBConnection,
  shape: Shape,
  path: string,
  partition = 'aws',
): Promise<void> => {
  await connection.run(macrosSql(shape));
  await connection.run('set preserve_insertion_order = false');
  await connection.run(
    `copy (${focusSelectSql(shape, partition)}) to '${path.replaceAll("'", "''")}' (format parquet, compression snappy, row_group_size 250000)`,
  );
};
