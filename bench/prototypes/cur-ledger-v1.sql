-- Attribution ledger of CUR 1 and CUR 2.0 billing lines.
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note).
-- Reads: cur_lines (columns of CUR_COLUMNS, lambdas/core/source-columns.ts).
-- Parameters: none.

with

source_lines as (
    select
        bill_payer_account_id,
        bill_invoice_id,
        bill_billing_period_start_date,
        line_item_usage_account_id,
        line_item_line_item_type,
        line_item_resource_id,
        line_item_currency_code,
        line_item_unblended_cost,
        reservation_reservation_a_r_n,
        reservation_effective_cost,
        reservation_unused_amortized_upfront_fee_for_billing_period,
        reservation_unused_recurring_fee,
        savings_plan_savings_plan_a_r_n,
        savings_plan_savings_plan_effective_cost,
        savings_plan_total_commitment_to_date,
        savings_plan_used_commitment
    from cur_lines
),

-- Money arrives as DECIMAL (CSV) or DOUBLE (Parquet); each value is cast
-- before any sum so totals do not depend on row order or engine. Each
-- money column is cast only in the branch of the line type that uses it,
-- so the engine converts only the values the ledger needs.
typed_lines as (
    select
        bill_billing_period_start_date as period_start,
        line_item_currency_code as currency_code,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as usage_account_id,
        line_item_line_item_type as line_item_type,
        line_item_resource_id as resource_id,
        reservation_reservation_a_r_n as reservation_arn,
        savings_plan_savings_plan_a_r_n as savings_plan_arn,
        case
            when trim(coalesce(bill_invoice_id, '')) <> '' then 1 else 0
        end as is_final,
        coalesce(
            cast(line_item_unblended_cost as decimal(38, 10)), 0
        ) as unblended_cost,
        case
            when
                line_item_line_item_type = 'DiscountedUsage'
                then coalesce(
                    cast(reservation_effective_cost as decimal(38, 10)), 0
                )
            when
                line_item_line_item_type = 'RIFee'
                then coalesce(
                    cast(
                        reservation_unused_amortized_upfront_fee_for_billing_period
                        as decimal(38, 10)
                    ),
                    0
                )
                + coalesce(
                    cast(reservation_unused_recurring_fee as decimal(38, 10)),
                    0
                )
            when
                line_item_line_item_type = 'Fee'
                and trim(coalesce(reservation_reservation_a_r_n, '')) <> ''
                then cast(0 as decimal(38, 10))
            when
                line_item_line_item_type = 'SavingsPlanCoveredUsage'
                then coalesce(
                    cast(
                        savings_plan_savings_plan_effective_cost
                        as decimal(38, 10)
                    ),
                    0
                )
            when
                line_item_line_item_type in (
                    'SavingsPlanNegation', 'SavingsPlanUpfrontFee'
                )
                then cast(0 as decimal(38, 10))
            when
                line_item_line_item_type = 'SavingsPlanRecurringFee'
                then coalesce(
                    cast(
                        savings_plan_total_commitment_to_date
                        as decimal(38, 10)
                    ),
                    0
                )
                - coalesce(
                    cast(savings_plan_used_commitment as decimal(38, 10)), 0
                )
            else coalesce(
                cast(line_item_unblended_cost as decimal(38, 10)), 0
            )
        end as amortized_cost
    from source_lines
),

-- Which commitment rule (ATTRIBUTION.md) moves the line, and the ARN that
-- names its owner. A CR's own lines carry its ARN as the resource id;
-- instances running inside a CR carry their instance id and never move.
classified_lines as (
    select
        *,
        case
            when line_item_type = 'DiscountedUsage' then 'ri'
            when line_item_type = 'SavingsPlanCoveredUsage' then 'sp'
            when
                line_item_type = 'Usage'
                and resource_id like 'arn:%'
                and split_part(resource_id, ':', 1) = 'arn'
                and split_part(resource_id, ':', 3) = 'ec2'
                and split_part(resource_id, ':', 6)
                like 'capacity-reservation/cr-%'
                then 'cr'
        end as commitment
    from typed_lines
),

-- Summed first on the raw keys (the commitment's ARN, the period start),
-- so owner ids and periods are derived once per group, not per line.
line_groups as (
    select
        period_start,
        currency_code,
        payer_account_id,
        usage_account_id,
        commitment,
        line_item_type,
        case commitment
            when 'ri' then reservation_arn
            when 'sp' then savings_plan_arn
            when 'cr' then resource_id
        end as commitment_arn,
        sum(amortized_cost) as amortized_cost,
        sum(unblended_cost) as unblended_cost,
        count(*) as line_count,
        sum(is_final) as final_line_count
    from classified_lines
    group by 1, 2, 3, 4, 5, 6, 7
),

attributed_groups as (
    select
        -- Timestamp in Parquet/Athena, ISO text in CSV: both start YYYY-MM.
        substr(cast(period_start as varchar), 1, 7) as billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        commitment,
        line_item_type,
        -- split_part past the last field: '' in DuckDB, NULL in Trino.
        coalesce(
            nullif(split_part(commitment_arn, ':', 5), ''), usage_account_id
        ) as owner_account_id,
        amortized_cost,
        unblended_cost,
        line_count,
        final_line_count
    from line_groups
),

final as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        usage_account_id as invoice_account_id,
        commitment,
        line_item_type,
        cast(null as varchar) as note,
        cast(sum(amortized_cost) as decimal(38, 10)) as usage_cost,
        cast(sum(unblended_cost) as decimal(38, 10)) as invoice_cost,
        cast(sum(line_count) as bigint) as line_count,
        cast(sum(final_line_count) as bigint) as final_line_count
    from attributed_groups
    group by
        billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        commitment,
        line_item_type
)

select * from final
