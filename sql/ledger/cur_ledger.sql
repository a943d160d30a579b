-- Attribution ledger of CUR 1 and CUR 2.0 billing lines.
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note).
-- Reads: cur_lines (columns of CUR_COLUMNS, lambdas/core/source-columns.ts).
-- Parameters: none.
--
-- Shape: one pass over the lines computes only what differs line by line
-- (the owner field of a commitment's ARN and the amortized cost) and groups
-- on the columns as read; everything else (the billing period, the invoice
-- flag, the commitment kind, the owner fallback) is derived from the ~70k
-- groups. A month of CUR has tens of millions of lines: per-line work is
-- what costs (bench/FINDINGS.md).

with

-- Which commitment moves the line (ATTRIBUTION.md) and the account that
-- owns it, from field 5 of the commitment's ARN:
--   DiscountedUsage          the RI, reservation_reservation_a_r_n
--   SavingsPlanCoveredUsage  the Savings Plan, savings_plan_savings_plan_a_r_n
--   Usage                    a shared Capacity Reservation's own line, whose
--                            resource id is the CR's ARN (instances running
--                            inside a CR carry their instance id: they never
--                            move)
-- commitment_owner is NULL when the line moves nothing, '' when a commitment
-- line names no owner (it then stays with its usage account). Trino returns
-- NULL for a split_part past the last field where DuckDB returns '': the
-- coalesce makes both ''. The two LIKEs are a cheap superset of the CR rule,
-- so the split_parts run on CR-looking resource ids only.
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
                            and split_part(line_item_resource_id, ':', 3)
                            = 'ec2'
                            and split_part(line_item_resource_id, ':', 6)
                            like 'capacity-reservation/cr-%'
                            then split_part(line_item_resource_id, ':', 5)
                    end
            when 'DiscountedUsage'
                then coalesce(
                    split_part(reservation_reservation_a_r_n, ':', 5), ''
                )
            when 'SavingsPlanCoveredUsage'
                then coalesce(
                    split_part(savings_plan_savings_plan_a_r_n, ':', 5), ''
                )
        end as commitment_owner,
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
        commitment_owner,
        sum(amortized_cost) as amortized_cost,
        sum(unblended_cost) as unblended_cost,
        count(*) as line_count
    from classified_lines
    group by
        period_start,
        currency_code,
        payer_account_id,
        usage_account_id,
        line_item_type,
        invoice_id,
        commitment_owner
),

attributed_groups as (
    select
        -- Timestamp in Parquet/Athena, ISO text in CSV: both start YYYY-MM.
        substr(cast(period_start as varchar), 1, 7) as billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        coalesce(nullif(commitment_owner, ''), usage_account_id)
            as owner_account_id,
        case
            when commitment_owner is null then cast(null as varchar)
            when line_item_type = 'DiscountedUsage' then 'ri'
            when line_item_type = 'SavingsPlanCoveredUsage' then 'sp'
            else 'cr'
        end as commitment,
        line_item_type,
        -- A commitment line that names no owner (no ARN, or an ARN without
        -- its account field) stays with its usage account: said by name.
        case
            when commitment_owner = '' then 'no-commitment-owner'
        end as note,
        amortized_cost,
        unblended_cost,
        line_count,
        case
            when trim(coalesce(invoice_id, '')) <> '' then line_count else 0
        end as final_line_count
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
        note,
        cast(coalesce(sum(amortized_cost), 0) as decimal(38, 10))
            as usage_cost,
        cast(coalesce(sum(unblended_cost), 0) as decimal(38, 10))
            as invoice_cost,
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
        line_item_type,
        note
)

select * from final
