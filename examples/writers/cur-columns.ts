import { createHash } from 'node:crypto';
import type { CurLine, CurScenario } from '../scenarios/scenario-types.js';
import type { Cell } from './duckdb-copy.js';

/** What a column's value is computed from. */
export interface LineContext {
  readonly scenario: CurScenario;
  readonly line: CurLine;
  readonly index: number;
}

type Kind = 'text' | 'money' | 'timestamp' | 'map';

/**
 * One CUR column: its CUR 1 CSV header and/or CUR 2.0 Parquet name (a column missing from one
 * format has no name there) and how its value comes from a scenario line.
 */
export interface CurColumn {
  readonly cur1?: string;
  readonly cur2?: string;
  readonly kind: Kind;
  readonly value: (ctx: LineContext) => Cell;
}

/** CUR 2.0 Parquet types (money is DOUBLE there, as AWS writes it). */
export const PARQUET_TYPE: Record<Kind, string> = {
  text: 'VARCHAR',
  money: 'DOUBLE',
  timestamp: 'TIMESTAMP',
  map: 'MAP(VARCHAR, VARCHAR)',
};

/** CUR 1 manifest `columns[].type`. */
export const MANIFEST_TYPE: Record<Kind, string> = {
  text: 'String',
  money: 'OptionalBigDecimal',
  timestamp: 'DateTime',
  map: 'String',
};

const nextMonth = (billingPeriod: string): string => {
  const [year, month] = billingPeriod.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
};

/** First instants of the billing period and of the next one, ISO 8601 UTC. */
export const periodBounds = (billingPeriod: string): { start: string; end: string } => ({
  start: `${billingPeriod}-01T00:00:00Z`,
  end: `${nextMonth(billingPeriod)}-01T00:00:00Z`,
});

const accountName = (scenario: CurScenario, id: string): string =>
  [scenario.payer, ...scenario.linked].find((a) => a.id === id)?.name ?? '';

// Stable ids: the same scenario always yields the same files.
const lineItemId = ({ scenario, index }: LineContext): string =>
  createHash('sha256').update(`${scenario.reportName}/${index}`).digest('hex').slice(0, 52);

const orNull = (value: string | undefined): string | null =>
  value === undefined || value === '' ? null : value;

const isInstanceLine = (line: CurLine): boolean => line.instanceType !== undefined;

const pricingTerm = (line: CurLine): string | null => {
  if (['DiscountedUsage', 'RIFee', 'Fee'].includes(line.type) && line.ri) return 'Reserved';
  if (line.type === 'Usage' || line.type === 'SavingsPlanCoveredUsage') return 'OnDemand';
  return null;
};

const text = (cur1: string | undefined, cur2: string | undefined, value: CurColumn['value']) =>
  ({ cur1, cur2, kind: 'text', value }) as const;
const money = (cur1: string | undefined, cur2: string | undefined, value: CurColumn['value']) =>
  ({ cur1, cur2, kind: 'money', value }) as const;
const time = (cur1: string | undefined, cur2: string | undefined, value: CurColumn['value']) =>
  ({ cur1, cur2, kind: 'timestamp', value }) as const;
const map = (cur2: string, value: CurColumn['value']) =>
  ({ cur1: undefined, cur2, kind: 'map', value }) as const;

/**
 * The columns the examples carry: the attribution contract (lambdas/core/source-columns.ts) plus
 * enough of the rest of AWS's schema (docs/CUR-REFERENCE.md §3.1, §4.1) to look like a real delivery.
 */
export const CUR_COLUMNS: readonly CurColumn[] = [
  text('identity/LineItemId', 'identity_line_item_id', lineItemId),
  text('identity/TimeInterval', 'identity_time_interval', ({ scenario }) => {
    const { start, end } = periodBounds(scenario.billingPeriod);
    return `${start}/${end}`;
  }),
  text('bill/InvoiceId', 'bill_invoice_id', ({ scenario }) => orNull(scenario.invoiceId)),
  text('bill/InvoicingEntity', 'bill_invoicing_entity', () => 'Amazon Web Services, Inc.'),
  text('bill/BillingEntity', 'bill_billing_entity', () => 'AWS'),
  text('bill/BillType', 'bill_bill_type', ({ line }) => line.billType ?? 'Anniversary'),
  text('bill/PayerAccountId', 'bill_payer_account_id', ({ scenario }) => scenario.payer.id),
  text(undefined, 'bill_payer_account_name', ({ scenario }) => scenario.payer.name),
  time(
    'bill/BillingPeriodStartDate',
    'bill_billing_period_start_date',
    ({ scenario }) => periodBounds(scenario.billingPeriod).start,
  ),
  time(
    'bill/BillingPeriodEndDate',
    'bill_billing_period_end_date',
    ({ scenario }) => periodBounds(scenario.billingPeriod).end,
  ),
  text('lineItem/UsageAccountId', 'line_item_usage_account_id', ({ line }) => line.account),
  text(undefined, 'line_item_usage_account_name', ({ scenario, line }) =>
    accountName(scenario, line.account),
  ),
  text('lineItem/LineItemType', 'line_item_line_item_type', ({ line }) => line.type),
  time(
    'lineItem/UsageStartDate',
    'line_item_usage_start_date',
    ({ scenario }) => periodBounds(scenario.billingPeriod).start,
  ),
  time(
    'lineItem/UsageEndDate',
    'line_item_usage_end_date',
    ({ scenario }) => periodBounds(scenario.billingPeriod).end,
  ),
  text('lineItem/ProductCode', 'line_item_product_code', ({ line }) => line.productCode),
  text('lineItem/UsageType', 'line_item_usage_type', ({ line }) => orNull(line.usageType)),
  text('lineItem/Operation', 'line_item_operation', ({ line }) => orNull(line.operation)),
  text('lineItem/AvailabilityZone', 'line_item_availability_zone', ({ line }) =>
    orNull(line.availabilityZone),
  ),
  text('lineItem/ResourceId', 'line_item_resource_id', ({ line }) => orNull(line.resourceId)),
  money('lineItem/UsageAmount', 'line_item_usage_amount', ({ line }) => orNull(line.usageAmount)),
  text('lineItem/CurrencyCode', 'line_item_currency_code', ({ scenario }) => scenario.currency),
  text('lineItem/UnblendedRate', 'line_item_unblended_rate', ({ line }) => orNull(line.rate)),
  money('lineItem/UnblendedCost', 'line_item_unblended_cost', ({ line }) => line.unblendedCost),
  text('lineItem/BlendedRate', 'line_item_blended_rate', ({ line }) => orNull(line.rate)),
  money('lineItem/BlendedCost', 'line_item_blended_cost', ({ line }) => line.unblendedCost),
  money(undefined, 'line_item_net_unblended_cost', ({ line }) => line.unblendedCost),
  text('lineItem/LineItemDescription', 'line_item_line_item_description', ({ line }) =>
    orNull(line.description),
  ),
  text('lineItem/TaxType', 'line_item_tax_type', ({ line }) =>
    line.type === 'Tax' ? 'Sales Tax' : null,
  ),
  text('lineItem/LegalEntity', 'line_item_legal_entity', () => 'Amazon Web Services, Inc.'),
  text('product/ProductName', undefined, ({ line }) => line.productName),
  text('product/region', undefined, ({ scenario, line }) =>
    isInstanceLine(line) ? scenario.region : null,
  ),
  text('product/instanceType', 'product_instance_type', ({ line }) => orNull(line.instanceType)),
  text('product/servicecode', 'product_servicecode', ({ line }) => line.productCode),
  map('product', ({ scenario, line }) => ({
    product_name: line.productName,
    ...(isInstanceLine(line) ? { region: scenario.region, operating_system: 'Linux' } : {}),
  })),
  money('pricing/publicOnDemandCost', 'pricing_public_on_demand_cost', ({ line }) =>
    orNull(
      line.onDemandCost ??
        (line.type === 'Usage' || line.type === 'SavingsPlanCoveredUsage'
          ? line.unblendedCost
          : undefined),
    ),
  ),
  text('pricing/term', 'pricing_term', ({ line }) => pricingTerm(line)),
  text('pricing/unit', 'pricing_unit', ({ line }) => (isInstanceLine(line) ? 'Hrs' : null)),
  text('reservation/ReservationARN', 'reservation_reservation_a_r_n', ({ line }) =>
    orNull(line.ri?.arn),
  ),
  money('reservation/EffectiveCost', 'reservation_effective_cost', ({ line }) =>
    orNull(line.ri?.effectiveCost),
  ),
  money(
    'reservation/AmortizedUpfrontCostForUsage',
    'reservation_amortized_upfront_cost_for_usage',
    ({ line }) => orNull(line.ri?.amortizedUpfrontCostForUsage),
  ),
  money('reservation/RecurringFeeForUsage', 'reservation_recurring_fee_for_usage', ({ line }) =>
    orNull(line.ri?.recurringFeeForUsage),
  ),
  money(
    'reservation/AmortizedUpfrontFeeForBillingPeriod',
    'reservation_amortized_upfront_fee_for_billing_period',
    ({ line }) => orNull(line.ri?.amortizedUpfrontFeeForBillingPeriod),
  ),
  money(
    'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
    'reservation_unused_amortized_upfront_fee_for_billing_period',
    ({ line }) => orNull(line.ri?.unusedAmortizedUpfrontFeeForBillingPeriod),
  ),
  money('reservation/UnusedRecurringFee', 'reservation_unused_recurring_fee', ({ line }) =>
    orNull(line.ri?.unusedRecurringFee),
  ),
  text('reservation/UnusedQuantity', 'reservation_unused_quantity', ({ line }) =>
    orNull(line.ri?.unusedQuantity),
  ),
  text('savingsPlan/SavingsPlanARN', 'savings_plan_savings_plan_a_r_n', ({ line }) =>
    orNull(line.sp?.arn),
  ),
  money(
    'savingsPlan/SavingsPlanEffectiveCost',
    'savings_plan_savings_plan_effective_cost',
    ({ line }) => orNull(line.sp?.effectiveCost),
  ),
  text('savingsPlan/SavingsPlanRate', 'savings_plan_savings_plan_rate', ({ line }) =>
    orNull(line.sp?.rate),
  ),
  money('savingsPlan/TotalCommitmentToDate', 'savings_plan_total_commitment_to_date', ({ line }) =>
    orNull(line.sp?.totalCommitmentToDate),
  ),
  money('savingsPlan/UsedCommitment', 'savings_plan_used_commitment', ({ line }) =>
    orNull(line.sp?.usedCommitment),
  ),
  money(
    'savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod',
    'savings_plan_amortized_upfront_commitment_for_billing_period',
    ({ line }) => orNull(line.sp?.amortizedUpfrontCommitmentForBillingPeriod),
  ),
  money(
    'savingsPlan/RecurringCommitmentForBillingPeriod',
    'savings_plan_recurring_commitment_for_billing_period',
    ({ line }) => orNull(line.sp?.recurringCommitmentForBillingPeriod),
  ),
  text('resourceTags/user:Name', undefined, ({ line }) => orNull(line.tags?.Name)),
  text('resourceTags/user:project', undefined, ({ line }) => orNull(line.tags?.project)),
  map('resource_tags', ({ line }) => ({
    ...(line.tags?.Name ? { user_name: line.tags.Name } : {}),
    ...(line.tags?.project ? { user_project: line.tags.project } : {}),
  })),
  text(undefined, 'capacity_reservation_capacity_reservation_arn', ({ line }) =>
    orNull(line.cr?.arn),
  ),
  text(undefined, 'capacity_reservation_capacity_reservation_status', ({ line }) =>
    orNull(line.cr?.status),
  ),
  text(undefined, 'capacity_reservation_capacity_reservation_type', ({ line }) =>
    orNull(line.cr?.type),
  ),
];
