import type { Shape } from './shape.js';

/**
 * The CUR billing lines as one typed relation (`l`), before they are laid out as CUR 1 or CUR 2.0
 * columns. The first commitments' rows are their monthly fees (one RIFee per RI, one recurring fee
 * per Savings Plan, one upfront Fee per RI); the rest is drawn per row:
 *
 * | share | line |
 * |---|---|
 * | 70 % | Usage (instances, storage, transfer) |
 * | 10 % | DiscountedUsage of an RI, often in another account than its owner |
 * | 8 % / 4 % | SavingsPlanCoveredUsage / SavingsPlanNegation |
 * | 1.5 % | a Capacity Reservation's own lines (UnusedBox, Reservation), 30 % of CRs billed to an assignee |
 * | 1 % / 0.5 % | Tax / Credit |
 *
 * Money is DOUBLE rounded to 10 places; NULL where the column does not apply to the line type.
 * `partition` is the ARN partition (`aws` or `aws-cn`).
 */
export const curLinesSql = (shape: Shape, partition: string): string => {
  const ri = shape.reservedInstances;
  const sp = shape.savingsPlans;
  const [year, month] = shape.billingPeriod.split('-').map(Number) as [number, number];
  const start = `${shape.billingPeriod}-01 00:00:00`;
  const next =
    month === 12
      ? `${year + 1}-01-01 00:00:00`
      : `${year}-${String(month + 1).padStart(2, '0')}-01 00:00:00`;
  return `
g as (
  select i, u(i, 1) as t from range(${shape.rows}) r(i)
),
k as (
  select i,
    case
      when i < ${ri} then 'RIFee'
      when i < ${ri + sp} then 'SavingsPlanRecurringFee'
      when i < ${2 * ri + sp} then 'Fee'
      when t < 0.70 then 'Usage'
      when t < 0.80 then 'DiscountedUsage'
      when t < 0.88 then 'SavingsPlanCoveredUsage'
      when t < 0.92 then 'SavingsPlanNegation'
      when t < 0.935 then 'CapacityReservation'
      when t < 0.945 then 'Tax'
      when t < 0.95 then 'Credit'
      else 'Usage'
    end as kind,
    case
      when i < ${ri} then i
      when i >= ${ri + sp} and i < ${2 * ri + sp} then i - ${ri + sp}
      else floor(u(i, 3) * ${ri})::bigint
    end as ri_idx,
    case when i >= ${ri} and i < ${ri + sp} then i - ${ri} else floor(u(i, 3) * ${sp})::bigint end as sp_idx,
    floor(u(i, 3) * ${shape.capacityReservations})::bigint as cr_idx,
    money(pow(u(i, 4), 3) * 25) as base,
    floor(u(i, 8) * 744)::int as hour
  from g
),
c as (
  select *,
    owner_of(ri_idx, 11) as ri_owner,
    owner_of(sp_idx, 12) as sp_owner,
    owner_of(cr_idx, 13) as cr_owner,
    case when u(cr_idx, 14) < 0.3 then acct(zipf(cr_idx, 15, ${shape.accounts})) else owner_of(cr_idx, 13) end
      as cr_billing_account,
    acct(zipf(i, 2, ${shape.accounts})) as user_account,
    (['m5.large', 'm5.xlarge', 'c5.2xlarge', 'r5.large', 't3.medium', 'm6i.4xlarge'])[1 + (hash(i, 9) % 6)::int]
      as instance_type
  from k
),
l as (
  select
    i, kind, instance_type,
    case kind
      when 'CapacityReservation' then 'Usage'
      when 'Credit' then 'Credit'
      else kind
    end as line_item_type,
    case kind
      when 'RIFee' then ri_owner
      when 'Fee' then ri_owner
      when 'SavingsPlanRecurringFee' then sp_owner
      when 'CapacityReservation' then cr_billing_account
      else user_account
    end as usage_account_id,
    case when kind in ('RIFee', 'Fee', 'DiscountedUsage') then
      'arn:${partition}:ec2:us-east-1:' || ri_owner || ':reserved-instances/' || to_hex(hash(ri_idx, 31))
    end as ri_arn,
    case when kind in ('SavingsPlanRecurringFee', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation') then
      'arn:${partition}:savingsplans::' || sp_owner || ':savingsplan/' || to_hex(hash(sp_idx, 32))
    end as sp_arn,
    case when kind = 'CapacityReservation' then
      'arn:${partition}:ec2:us-east-1:' || cr_owner || ':capacity-reservation/cr-' || to_hex(hash(cr_idx, 33))
    end as cr_arn,
    case
      when kind = 'CapacityReservation' then
        'arn:${partition}:ec2:us-east-1:' || cr_owner || ':capacity-reservation/cr-' || to_hex(hash(cr_idx, 33))
      when kind in ('Tax', 'Credit', 'RIFee', 'Fee', 'SavingsPlanRecurringFee') then ''
      when u(i, 5) < 0.15 then 'arn:${partition}:s3:::bucket-' || (hash(i, 34) % 5000)
      else 'i-' || to_hex(hash(i % 400000, 35))
    end as resource_id,
    case kind
      when 'RIFee' then 'USE1-HeavyUsage:' || instance_type
      when 'Fee' then 'USE1-HeavyUsage:' || instance_type
      when 'SavingsPlanRecurringFee' then 'ComputeSP:1yrNoUpfront'
      when 'CapacityReservation' then
        case when u(i, 6) < 0.8 then 'USE1-UnusedBox:' else 'USE1-Reservation:' end || instance_type
      when 'Tax' then ''
      when 'Credit' then ''
      else
        case when u(i, 5) < 0.15 then 'USE1-TimedStorage-ByteHrs'
             when u(i, 5) < 0.25 then 'USE1-DataTransfer-Out-Bytes'
             else 'USE1-BoxUsage:' || instance_type end
    end as usage_type,
    case
      when kind in ('SavingsPlanRecurringFee') then 'ComputeSavingsPlans'
      when kind in ('Tax', 'Credit') then 'AmazonEC2'
      when u(i, 5) < 0.15 then 'AmazonS3'
      else 'AmazonEC2'
    end as product_code,
    case
      when kind = 'SavingsPlanRecurringFee' then 'Savings Plans for AWS Compute usage'
      when u(i, 5) < 0.15 and kind = 'Usage' then 'Amazon Simple Storage Service'
      else 'Amazon Elastic Compute Cloud'
    end as product_name,
    timestamp '${start}' + to_hours(hour) as usage_start,
    timestamp '${start}' + to_hours(hour + 1) as usage_end,
    timestamp '${start}' as period_start,
    timestamp '${next}' as period_end,
    case kind
      when 'Usage' then base
      when 'DiscountedUsage' then 0
      when 'SavingsPlanCoveredUsage' then base
      when 'SavingsPlanNegation' then -base
      when 'CapacityReservation' then case when u(i, 6) < 0.8 then base else 0 end
      when 'Tax' then money(base * 0.06)
      when 'Credit' then money(-base * 0.2)
      when 'RIFee' then money(200 + u(i, 5) * 800)
      when 'SavingsPlanRecurringFee' then money(500 + u(i, 5) * 2000)
      when 'Fee' then money(1000 + u(i, 5) * 9000)
    end as unblended_cost,
    case when kind = 'DiscountedUsage' then money(base * 0.62) end as ri_effective_cost,
    case when kind = 'DiscountedUsage' then money(base * 0.31) end as ri_amortized_upfront_for_usage,
    case when kind = 'RIFee' then money(300 + u(i, 6) * 300) end as ri_amortized_upfront_for_period,
    case when kind = 'RIFee' then money(u(i, 6) * 100) end as ri_unused_amortized_upfront,
    case when kind = 'RIFee' then money(u(i, 7) * 50) end as ri_unused_recurring,
    case when kind = 'SavingsPlanCoveredUsage' then money(base * 0.7) end as sp_effective_cost,
    case when kind = 'SavingsPlanRecurringFee' then money(500 + u(i, 5) * 2000) end as sp_total_commitment,
    case when kind = 'SavingsPlanRecurringFee' then money((500 + u(i, 5) * 2000) * u(i, 7)) end
      as sp_used_commitment,
    money(u(i, 10) * 3) as usage_amount
  from c
)`;
};
