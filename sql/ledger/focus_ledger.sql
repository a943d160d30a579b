-- Attribution ledger of FOCUS rows from AWS Data Exports ("FOCUS 1.0 with
-- AWS columns", "FOCUS 1.2 with AWS columns").
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note, commitment_id); on_demand_cost is NULL.
-- Reads: focus_lines (columns of FOCUS_COLUMNS, lambdas/core/source-columns.ts).
-- Parameters: none.
--
-- Shape: as cur_ledger.sql, one pass over the rows computes only what differs
-- row by row (the owner field of a commitment's ARN and the two costs) and
-- groups on the columns as read; the period text, the invoice flag and the
-- provider check are derived from the groups.

with

-- The commitment that moves a row to its owner (ATTRIBUTION.md, FOCUS), and
-- that owner, from field 5 of the commitment's ARN:
--   CommitmentDiscountStatus 'Used'     the RI or SP, CommitmentDiscountId;
--                                       kind from CommitmentDiscountType
--   CapacityReservationStatus 'Unused'  the CR, CapacityReservationId (1.2)
-- A row a commitment discount covers follows that rule first, as in CUR.
-- commitment_owner is NULL when the row moves nothing, '' when the id names
-- no owner (the row then stays with its usage account). An id that is not an
-- ARN (fewer than six ':' fields) moves nothing and is named in `problem`:
-- the engines refuse a CommitmentDiscountId that is not an ARN and warn of a
-- Used row without one. Trino returns NULL for a split_part past the last
-- field where DuckDB returns '': the coalesce makes both ''.
-- Money: each value is cast to DECIMAL before any sum, so totals are exact.
classified_rows as (
    select
        BillingPeriodStart as period_start,
        BillingCurrency as currency_code,
        BillingAccountId as payer_account_id,
        SubAccountId as usage_account_id,
        ChargeCategory as line_item_type,
        InvoiceId as invoice_id,
        ProviderName as provider_name,
        case
            when CommitmentDiscountStatus = 'Used'
                then
                    case
                        when CommitmentDiscountId like 'arn:%:%:%:%:%'
                            then coalesce(
                                split_part(CommitmentDiscountId, ':', 5), ''
                            )
                    end
            when CapacityReservationStatus = 'Unused'
                then
                    case
                        when CapacityReservationId like 'arn:%:%:%:%:%'
                            then coalesce(
                                split_part(CapacityReservationId, ':', 5), ''
                            )
                    end
        end as commitment_owner,
        case
            when CommitmentDiscountStatus = 'Used'
                then
                    case
                        when lower(CommitmentDiscountType) like '%savings plan%'
                            then 'sp'
                        else 'ri'
                    end
            when CapacityReservationStatus = 'Unused' then 'cr'
        end as commitment,
        -- The commitment of the commitment detail: the one a moved row names.
        -- Unused commitment rows are not tied to theirs: the detail's unused
        -- part (and on-demand savings) is not drawn from FOCUS yet.
        case
            when CommitmentDiscountStatus = 'Used'
                then
                    case
                        when CommitmentDiscountId like 'arn:%:%:%:%:%'
                            then CommitmentDiscountId
                    end
            when CapacityReservationStatus = 'Unused'
                then
                    case
                        when CapacityReservationId like 'arn:%:%:%:%:%'
                            then CapacityReservationId
                    end
        end as commitment_arn,
        case
            when CommitmentDiscountStatus = 'Used'
                then
                    case
                        when CommitmentDiscountId like 'arn:%:%:%:%:%'
                            then cast(null as varchar)
                        when trim(coalesce(CommitmentDiscountId, '')) = ''
                            then 'focus-used-without-commitment-id'
                        else 'focus-commitment-id-not-arn'
                    end
            when
                CapacityReservationStatus = 'Unused'
                and not coalesce(CapacityReservationId, '') like 'arn:%:%:%:%:%'
                then 'focus-capacity-reservation-id-not-arn'
        end as problem,
        cast(EffectiveCost as decimal(38, 10)) as effective_cost,
        cast(BilledCost as decimal(38, 10)) as billed_cost
    from focus_lines
),

row_groups as (
    select
        period_start,
        currency_code,
        payer_account_id,
        usage_account_id,
        line_item_type,
        invoice_id,
        provider_name,
        commitment_owner,
        commitment,
        commitment_arn,
        problem,
        sum(effective_cost) as effective_cost,
        sum(billed_cost) as billed_cost,
        count(*) as line_count
    from classified_rows
    group by
        period_start,
        currency_code,
        payer_account_id,
        usage_account_id,
        line_item_type,
        invoice_id,
        provider_name,
        commitment_owner,
        commitment,
        commitment_arn,
        problem
),

-- The note names what the engines refuse or warn about: a provider that is
-- not AWS ('focus-provider:<name>'; AWS writes 'AWS'), else the row's problem.
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
            else commitment
        end as commitment,
        line_item_type,
        case
            when
                upper(trim(coalesce(provider_name, ''))) not in (
                    'AWS', 'AMAZON WEB SERVICES'
                )
                then concat('focus-provider:', coalesce(provider_name, ''))
            else problem
        end as note,
        -- As cur_ledger.sql: a moved row whose ARN names no owner has none.
        case
            when coalesce(commitment_owner, '-') <> '' then commitment_arn
        end as commitment_id,
        effective_cost,
        billed_cost,
        line_count,
        case
            when trim(coalesce(invoice_id, '')) <> '' then line_count else 0
        end as final_line_count
    from row_groups
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
        cast(coalesce(sum(effective_cost), 0) as decimal(38, 10))
            as usage_cost,
        cast(coalesce(sum(billed_cost), 0) as decimal(38, 10))
            as invoice_cost,
        cast(sum(line_count) as bigint) as line_count,
        cast(sum(final_line_count) as bigint) as final_line_count,
        commitment_id,
        -- FOCUS's ListCost is not read: no savings in the commitment detail.
        cast(null as decimal(38, 10)) as on_demand_cost
    from attributed_groups
    group by
        billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        commitment,
        line_item_type,
        note,
        commitment_id
)

select * from final
