/**
 * Column layouts of the generated CUR files. The attribution columns carry the lines of
 * cur-lines.ts; the others are filler with realistic types and cardinality, so a reader that does
 * not prune columns pays for them as it would on a real CUR.
 */

const group = (category: string, names: readonly string[]): string[] =>
  names.map((n) => `${category}/${n}`);

/** CUR 1 CSV headers (`category/Name`), about the width of a real resource-level CUR 1. */
export const CUR1_HEADERS: readonly string[] = [
  ...group('identity', ['LineItemId', 'TimeInterval']),
  ...group('bill', [
    'InvoiceId',
    'InvoicingEntity',
    'BillingEntity',
    'BillType',
    'PayerAccountId',
    'BillingPeriodStartDate',
    'BillingPeriodEndDate',
  ]),
  ...group('lineItem', [
    'UsageAccountId',
    'LineItemType',
    'UsageStartDate',
    'UsageEndDate',
    'ProductCode',
    'UsageType',
    'Operation',
    'AvailabilityZone',
    'ResourceId',
    'UsageAmount',
    'NormalizationFactor',
    'NormalizedUsageAmount',
    'CurrencyCode',
    'UnblendedRate',
    'UnblendedCost',
    'BlendedRate',
    'BlendedCost',
    'LineItemDescription',
    'TaxType',
    'LegalEntity',
  ]),
  ...group('product', [
    'ProductName',
    'availability',
    'clockSpeed',
    'currentGeneration',
    'ecu',
    'instanceFamily',
    'instanceType',
    'licenseModel',
    'location',
    'locationType',
    'memory',
    'networkPerformance',
    'operatingSystem',
    'operation',
    'physicalProcessor',
    'preInstalledSw',
    'processorArchitecture',
    'productFamily',
    'region',
    'servicecode',
    'sku',
    'storage',
    'tenancy',
    'usagetype',
    'vcpu',
    'fromLocation',
    'toLocation',
    'groupDescription',
  ]),
  ...group('pricing', [
    'RateCode',
    'RateId',
    'currency',
    'publicOnDemandCost',
    'publicOnDemandRate',
    'term',
    'unit',
    'LeaseContractLength',
    'OfferingClass',
    'PurchaseOption',
  ]),
  ...group('reservation', [
    'AmortizedUpfrontCostForUsage',
    'AmortizedUpfrontFeeForBillingPeriod',
    'EffectiveCost',
    'EndTime',
    'ModificationStatus',
    'NormalizedUnitsPerReservation',
    'NumberOfReservations',
    'RecurringFeeForUsage',
    'StartTime',
    'SubscriptionId',
    'TotalReservedNormalizedUnits',
    'TotalReservedUnits',
    'UnitsPerReservation',
    'UnusedAmortizedUpfrontFeeForBillingPeriod',
    'UnusedNormalizedUnitQuantity',
    'UnusedQuantity',
    'UnusedRecurringFee',
    'UpfrontValue',
    'ReservationARN',
    'AvailabilityZone',
  ]),
  ...group('savingsPlan', [
    'TotalCommitmentToDate',
    'SavingsPlanARN',
    'SavingsPlanRate',
    'UsedCommitment',
    'SavingsPlanEffectiveCost',
    'AmortizedUpfrontCommitmentForBillingPeriod',
    'RecurringCommitmentForBillingPeriod',
    'StartTime',
    'EndTime',
    'OfferingType',
    'PaymentOption',
    'PurchaseTerm',
    'Region',
    'InstanceTypeFamily',
  ]),
  ...group('resourceTags', ['user:Name', 'user:project', 'user:team', 'user:env', 'aws:createdBy']),
];

/**
 * The Athena/Parquet name of a CUR 1 CSV header (docs/CUR-REFERENCE.md §3.1): `_` before every capital
 * that follows another letter, lower case, non-alphanumerics to `_`, runs of `_` collapsed.
 * `reservation/ReservationARN` → `reservation_reservation_a_r_n`.
 */
export const athenaName = (header: string): string =>
  header
    .replace(/(?<=[A-Za-z])([A-Z])/g, '_$1')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** CUR 2.0 columns (Data Exports, resources + split cost + capacity reservation data): 128. */
export const CUR2_COLUMNS: readonly string[] = [
  'bill_bill_type',
  'bill_billing_entity',
  'bill_billing_period_end_date',
  'bill_billing_period_start_date',
  'bill_invoice_id',
  'bill_invoicing_entity',
  'bill_payer_account_id',
  'bill_payer_account_name',
  'capacity_reservation_capacity_reservation_arn',
  'capacity_reservation_capacity_reservation_status',
  'capacity_reservation_capacity_reservation_type',
  'cost_category',
  'discount',
  'discount_bundled_discount',
  'discount_total_discount',
  'identity_line_item_id',
  'identity_time_interval',
  'line_item_availability_zone',
  'line_item_blended_cost',
  'line_item_blended_rate',
  'line_item_currency_code',
  'line_item_legal_entity',
  'line_item_line_item_description',
  'line_item_line_item_type',
  'line_item_net_unblended_cost',
  'line_item_net_unblended_rate',
  'line_item_normalization_factor',
  'line_item_normalized_usage_amount',
  'line_item_operation',
  'line_item_product_code',
  'line_item_resource_id',
  'line_item_tax_type',
  'line_item_unblended_cost',
  'line_item_unblended_rate',
  'line_item_usage_account_id',
  'line_item_usage_account_name',
  'line_item_usage_amount',
  'line_item_usage_end_date',
  'line_item_usage_start_date',
  'line_item_usage_type',
  'pricing_currency',
  'pricing_lease_contract_length',
  'pricing_offering_class',
  'pricing_public_on_demand_cost',
  'pricing_public_on_demand_rate',
  'pricing_purchase_option',
  'pricing_rate_code',
  'pricing_rate_id',
  'pricing_term',
  'pricing_unit',
  'product',
  'product_comment',
  'product_fee_code',
  'product_fee_description',
  'product_from_location',
  'product_from_location_type',
  'product_from_region_code',
  'product_instance_family',
  'product_instance_type',
  'product_instancesku',
  'product_location',
  'product_location_type',
  'product_operation',
  'product_pricing_unit',
  'product_product_family',
  'product_region_code',
  'product_servicecode',
  'product_sku',
  'product_to_location',
  'product_to_location_type',
  'product_to_region_code',
  'product_usagetype',
  'reservation_amortized_upfront_cost_for_usage',
  'reservation_amortized_upfront_fee_for_billing_period',
  'reservation_availability_zone',
  'reservation_effective_cost',
  'reservation_end_time',
  'reservation_modification_status',
  'reservation_net_amortized_upfront_cost_for_usage',
  'reservation_net_amortized_upfront_fee_for_billing_period',
  'reservation_net_effective_cost',
  'reservation_net_recurring_fee_for_usage',
  'reservation_net_unused_amortized_upfront_fee_for_billing_period',
  'reservation_net_unused_recurring_fee',
  'reservation_net_upfront_value',
  'reservation_normalized_units_per_reservation',
  'reservation_number_of_reservations',
  'reservation_recurring_fee_for_usage',
  'reservation_reservation_a_r_n',
  'reservation_start_time',
  'reservation_subscription_id',
  'reservation_total_reserved_normalized_units',
  'reservation_total_reserved_units',
  'reservation_units_per_reservation',
  'reservation_unused_amortized_upfront_fee_for_billing_period',
  'reservation_unused_normalized_unit_quantity',
  'reservation_unused_quantity',
  'reservation_unused_recurring_fee',
  'reservation_upfront_value',
  'resource_tags',
  'savings_plan_amortized_upfront_commitment_for_billing_period',
  'savings_plan_end_time',
  'savings_plan_instance_type_family',
  'savings_plan_net_amortized_upfront_commitment_for_billing_period',
  'savings_plan_net_recurring_commitment_for_billing_period',
  'savings_plan_net_savings_plan_effective_cost',
  'savings_plan_offering_type',
  'savings_plan_payment_option',
  'savings_plan_purchase_term',
  'savings_plan_recurring_commitment_for_billing_period',
  'savings_plan_region',
  'savings_plan_savings_plan_a_r_n',
  'savings_plan_savings_plan_effective_cost',
  'savings_plan_savings_plan_rate',
  'savings_plan_start_time',
  'savings_plan_total_commitment_to_date',
  'savings_plan_used_commitment',
  'split_line_item_actual_usage',
  'split_line_item_net_split_cost',
  'split_line_item_net_unused_cost',
  'split_line_item_parent_resource_id',
  'split_line_item_public_on_demand_split_cost',
  'split_line_item_public_on_demand_unused_cost',
  'split_line_item_reserved_usage',
  'split_line_item_split_cost',
  'split_line_item_split_usage',
  'split_line_item_split_usage_ratio',
  'split_line_item_unused_cost',
  'tags',
];

export type ColumnType = 'text' | 'double' | 'timestamp' | 'map';

/** Value of an attribution column (or a realistic one) from relation `l` of cur-lines.ts. */
const KNOWN: Record<string, { type: ColumnType; sql: string }> = {
  identity_line_item_id: { type: 'text', sql: `to_hex(hash(i, 40)) || to_hex(hash(i, 41))` },
  identity_time_interval: {
    type: 'text',
    sql: `strftime(usage_start, '%Y-%m-%dT%H:%M:%SZ') || '/' || strftime(usage_end, '%Y-%m-%dT%H:%M:%SZ')`,
  },
  bill_invoice_id: { type: 'text', sql: `''` },
  bill_bill_type: {
    type: 'text',
    sql: `case when kind = 'Fee' then 'Purchase' else 'Anniversary' end`,
  },
  bill_payer_account_id: { type: 'text', sql: `'$PAYER'` },
  bill_billing_period_start_date: { type: 'timestamp', sql: 'period_start' },
  bill_billing_period_end_date: { type: 'timestamp', sql: 'period_end' },
  line_item_usage_account_id: { type: 'text', sql: 'usage_account_id' },
  line_item_line_item_type: { type: 'text', sql: 'line_item_type' },
  line_item_usage_start_date: { type: 'timestamp', sql: 'usage_start' },
  line_item_usage_end_date: { type: 'timestamp', sql: 'usage_end' },
  line_item_product_code: { type: 'text', sql: 'product_code' },
  line_item_usage_type: { type: 'text', sql: 'usage_type' },
  line_item_resource_id: { type: 'text', sql: 'resource_id' },
  line_item_usage_amount: { type: 'double', sql: 'usage_amount' },
  line_item_currency_code: { type: 'text', sql: `'USD'` },
  line_item_unblended_cost: { type: 'double', sql: 'unblended_cost' },
  line_item_blended_cost: { type: 'double', sql: 'unblended_cost' },
  line_item_net_unblended_cost: { type: 'double', sql: 'unblended_cost' },
  line_item_line_item_description: {
    type: 'text',
    sql: `case kind when 'Tax' then 'Tax for product code AmazonEC2' when 'DiscountedUsage' then 'Linux/UNIX (Amazon VPC), ' || instance_type || ' Reserved Instance applied' else '$0.096 per On Demand Linux ' || instance_type || ' Instance Hour' end`,
  },
  product_product_name: { type: 'text', sql: 'product_name' },
  product_instance_type: { type: 'text', sql: 'instance_type' },
  product_servicecode: { type: 'text', sql: 'product_code' },
  product_region: { type: 'text', sql: `'us-east-1'` },
  product_region_code: { type: 'text', sql: `'us-east-1'` },
  reservation_reservation_a_r_n: { type: 'text', sql: `coalesce(ri_arn, '')` },
  reservation_effective_cost: { type: 'double', sql: 'ri_effective_cost' },
  reservation_amortized_upfront_cost_for_usage: {
    type: 'double',
    sql: 'ri_amortized_upfront_for_usage',
  },
  reservation_recurring_fee_for_usage: {
    type: 'double',
    sql: 'ri_effective_cost - ri_amortized_upfront_for_usage',
  },
  reservation_amortized_upfront_fee_for_billing_period: {
    type: 'double',
    sql: 'ri_amortized_upfront_for_period',
  },
  reservation_unused_amortized_upfront_fee_for_billing_period: {
    type: 'double',
    sql: 'ri_unused_amortized_upfront',
  },
  reservation_unused_recurring_fee: { type: 'double', sql: 'ri_unused_recurring' },
  savings_plan_savings_plan_a_r_n: { type: 'text', sql: `coalesce(sp_arn, '')` },
  savings_plan_savings_plan_effective_cost: { type: 'double', sql: 'sp_effective_cost' },
  savings_plan_total_commitment_to_date: { type: 'double', sql: 'sp_total_commitment' },
  savings_plan_used_commitment: { type: 'double', sql: 'sp_used_commitment' },
  capacity_reservation_capacity_reservation_arn: { type: 'text', sql: 'cr_arn' },
  capacity_reservation_capacity_reservation_status: {
    type: 'text',
    sql: `case when cr_arn is not null then case when unblended_cost = 0 then 'Reserved' else 'Unused' end end`,
  },
  capacity_reservation_capacity_reservation_type: {
    type: 'text',
    sql: `case when cr_arn is not null then 'ODCR' end`,
  },
  product: {
    type: 'map',
    sql: `map(['product_name', 'region', 'operating_system', 'tenancy'], [(['Amazon Elastic Compute Cloud', 'Amazon Simple Storage Service'])[1 + i % 2], 'us-east-1', 'Linux', 'Shared'])`,
  },
  resource_tags: {
    type: 'map',
    sql: `map(['user_name', 'user_project'], ['svc-' || (hash(i, 42) % 900), 'proj-' || (hash(i, 43) % 60)])`,
  },
  tags: { type: 'map', sql: `map(['user_name'], ['svc-' || (hash(i, 42) % 900)])` },
  cost_category: { type: 'map', sql: `map(['team'], ['team-' || (hash(i, 44) % 25)])` },
  discount: { type: 'map', sql: `map(['bundled_discount'], [0.0])` },
  resource_tags_user_name: { type: 'text', sql: `'svc-' || (hash(i, 42) % 900)` },
  resource_tags_user_project: { type: 'text', sql: `'proj-' || (hash(i, 43) % 60)` },
};

const DOUBLE_SUFFIX =
  /(_cost|_rate|_amount|_fee|_units|_quantity|_value|_factor|_usage|_ratio|_discount|_commitment|_period)$/;
const TIME_SUFFIX = /(_date|_time)$/;

/**
 * Whether a column carries line data (from relation `l`) rather than filler. Maps are filler:
 * building a map per row costs more than the rest of a CUR 2.0 row, and attribution reads none.
 */
export const isLineColumn = (name: string): boolean => name in KNOWN && KNOWN[name]?.type !== 'map';

/**
 * Type and SQL expression of a column: from relation `l` for line columns, from the row number `i`
 * for filler. `payer` replaces the payer placeholder.
 */
export const columnSql = (
  name: string,
  salt: number,
  payer: string,
): { type: ColumnType; sql: string } => {
  const known = KNOWN[name];
  if (known) return { type: known.type, sql: known.sql.replace('$PAYER', payer) };
  // Filler: low-cardinality text (like product attributes) or small numbers, NULL-heavy like real CURs.
  if (TIME_SUFFIX.test(name)) {
    return { type: 'text', sql: `case when u(i, ${salt}) < 0.1 then '2025-01-01T00:00:00Z' end` };
  }
  if (DOUBLE_SUFFIX.test(name) || /^(product_vcpu|product_ecu)$/.test(name)) {
    return {
      type: 'double',
      sql: `case when u(i, ${salt}) < 0.1 then round(u(i, ${salt + 1}) * 10, 4) end`,
    };
  }
  return { type: 'text', sql: `'${name.split('_').pop()}-' || (hash(i, ${salt}) % 40)` };
};
