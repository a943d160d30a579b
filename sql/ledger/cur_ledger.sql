-- Attribution ledger of CUR 1 and CUR 2.0 billing lines.
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note, commitment_id).
-- Reads: cur_lines (columns of CUR_COLUMNS, lambdas/core/source-columns.ts).
-- Parameters: none.
--
-- Shape: one pass over the lines computes only what differs line by line
-- (the ARN of the line's commitment, the amortized and on-demand cost) and
-- groups on the columns as read; everything else (the billing period, the
-- invoice flag, the commitment kind and owner, the owner fallback) is
-- derived from the groups. A month of CUR has tens of millions of lines:
-- per-line work is what costs (bench/FINDINGS.md).

with

-- The commitment of the line (ATTRIBUTION.md, owner rule and commitment
-- detail), by its ARN:
--   DiscountedUsage          the RI that covers it, reservation_reservation_a_r_n
--   RIFee                    the RI whose unused fee it is
--   SavingsPlanCoveredUsage  the Savings Plan, savings_plan_savings_plan_a_r_n
--   SavingsPlanRecurringFee  the Savings Plan whose unused commitment it is
--   Usage                    a shared Capacity Reservation's own line, whose
--                            resource id is the CR's ARN (instances running
--                            inside a CR carry their instance id: they never
--                            move)
-- commitment_arn is NULL when the line has no commitment, '' when a covered
-- line names none (it then stays with its usage account). The two LIKEs are
-- a cheap superset of the CR rule: the exact test runs on the groups.
-- Money: each value is cast to DECIMAL before any arithmetic or sum, so
-- totals are exact and do not depend on row order or engine.
classified_lines as (
    select
        bill_billing_period_start_date as period_start,
        line_item_currency_code as currency_code,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as usage_account_id,
        line_item_line_item_type as line_item_type,
        bill_invoice_id as invoice_id,
        case line_item_line_item_type
            when 'Usage'
                then
                    case
                        when
                            line_item_resource_id like 'arn:%'
                            and line_item_resource_id
                            like '%:capacity-reservation/cr-%'
                            then line_item_resource_id
                    end
            when 'DiscountedUsage' then coalesce(reservation_reservation_a_r_n, '')
            when 'RIFee' then reservation_reservation_a_r_n
            when 'SavingsPlanCoveredUsage'
                then coalesce(savings_plan_savings_plan_a_r_n, '')
            when 'SavingsPlanRecurringFee' then savings_plan_savings_plan_a_r_n
        end as commitment_arn,
        -- What the covered line would have cost on demand (commitment detail).
        case line_item_line_item_type
            when 'DiscountedUsage'
                then cast(pricing_public_on_demand_cost as decimal(38, 10))
            when 'SavingsPlanCoveredUsage'
                then cast(pricing_public_on_demand_cost as decimal(38, 10))
        end as on_demand_cost,
        -- Usage first: most lines are Usage and leave the CASE there.
        case line_item_line_item_type
            when 'Usage'
                then cast(line_item_unblended_cost as decimal(38, 10))
            when 'DiscountedUsage'
                then cast(reservation_effective_cost as decimal(38, 10))
            when 'RIFee'
                then
                    coalesce(
                        cast(
                            reservation_unused_amortized_upfront_fee_for_billing_period
                            as decimal(38, 10)
                        ),
                        0
                    )
                    + coalesce(
                        cast(
                            reservation_unused_recurring_fee as decimal(38, 10)
                        ),
                        0
                    )
            when 'Fee'
                then
                    case
                        when
                            trim(coalesce(reservation_reservation_a_r_n, ''))
                            <> ''
                            then cast(0 as decimal(38, 10))
                        else cast(line_item_unblended_cost as decimal(38, 10))
                    end
            when 'SavingsPlanCoveredUsage'
                then
                    cast(
                        savings_plan_savings_plan_effective_cost
                        as decimal(38, 10)
                    )
            when 'SavingsPlanNegation' then cast(0 as decimal(38, 10))
            when 'SavingsPlanUpfrontFee' then cast(0 as decimal(38, 10))
            when 'SavingsPlanRecurringFee'
                then
                    coalesce(
                        cast(
                            savings_plan_total_commitment_to_date
                            as decimal(38, 10)
                        ),
                        0
                    )
                    - coalesce(
                        cast(savings_plan_used_commitment as decimal(38, 10)),
                        0
                    )
            else cast(line_item_unblended_cost as decimal(38, 10))
        end as amortized_cost,
        cast(line_item_unblended_cost as decimal(38, 10)) as unblended_cost
    from cur_lines
),

line_groups as (
    select
        period_start,
        currency_code,
        payer_account_id,
        usage_account_id,
        line_item_type,
        invoice_id,
        commitment_arn,
        sum(amortized_cost) as amortized_cost,
        sum(unblended_cost) as unblended_cost,
        sum(on_demand_cost) as on_demand_cost,
        count(*) as line_count
    from classified_lines
    group by
        period_start,
        currency_code,
        payer_account_id,
        usage_account_id,
        line_item_type,
        invoice_id,
        commitment_arn
),

-- The account that owns the commitment: field 5 of its ARN. Trino returns
-- NULL for a split_part past the last field where DuckDB returns '': the
-- coalesce makes both ''. A Usage line moves only when its resource id is a
-- capacity reservation ARN (ATTRIBUTION.md, CR rule).
owned_groups as (
    select
        *,
        case
            when
                commitment_arn is not null
                and (
                    line_item_type <> 'Usage'
                    or (
                        split_part(commitment_arn, ':', 3) = 'ec2'
                        and split_part(commitment_arn, ':', 6)
                        like 'capacity-reservation/cr-%'
                    )
                )
                then coalesce(split_part(commitment_arn, ':', 5), '')
        end as arn_owner
    from line_groups
),

attributed_groups as (
    select
        -- Timestamp in Parquet/Athena, ISO text in CSV: both start YYYY-MM.
        substr(cast(period_start as varchar), 1, 7) as billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        -- Only covered lines move (fees stay in the account that pays them).
        case
            when line_item_type in ('RIFee', 'SavingsPlanRecurringFee')
                then usage_account_id
            else coalesce(nullif(arn_owner, ''), usage_account_id)
        end as owner_account_id,
        case
            when
                arn_owner is null
                or line_item_type in ('RIFee', 'SavingsPlanRecurringFee')
                then cast(null as varchar)
            when line_item_type = 'DiscountedUsage' then 'ri'
            when line_item_type = 'SavingsPlanCoveredUsage' then 'sp'
            else 'cr'
        end as commitment,
        -- The commitment detail knows a commitment by its ARN and owner: a
        -- line whose ARN names no owner belongs to none.
        case when arn_owner <> '' then commitment_arn end as commitment_id,
        line_item_type,
        amortized_cost,
        unblended_cost,
        case
            when arn_owner <> '' then on_demand_cost
        end as on_demand_cost,
        line_count,
        case
            when trim(coalesce(invoice_id, '')) <> '' then line_count else 0
        end as final_line_count
    from owned_groups
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
        cast(coalesce(sum(amortized_cost), 0) as decimal(38, 10))
            as usage_cost,
        cast(coalesce(sum(unblended_cost), 0) as decimal(38, 10))
            as invoice_cost,
        cast(sum(line_count) as bigint) as line_count,
        cast(sum(final_line_count) as bigint) as final_line_count,
        commitment_id,
        cast(sum(on_demand_cost) as decimal(38, 10)) as on_demand_cost
    from attributed_groups
    group by
        billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        commitment,
        line_item_type,
        commitment_id
)

select * from final
