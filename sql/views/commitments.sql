-- The commitment detail of ATTRIBUTION.md: every commitment with its owner,
-- used and unused cost, and each consumer's cost, on-demand cost and
-- savings. utilization is left to the report (a ratio rounded to 4 places;
-- DECIMAL division rounds differently in the two engines).
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     commitment, commitment_id, owner_account_id, consumer_account_id);
--     consumer_account_id is NULL for a commitment nobody used.
-- Reads: ledger (rows of sql/ledger/*_ledger.sql).
-- Parameters: none.

with

detail_rows as (
    select
        billing_period,
        coalesce(currency_code, '') as currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        commitment,
        line_item_type,
        commitment_id,
        usage_cost,
        on_demand_cost
    from ledger
    where
        commitment_id is not null
        and coalesce(line_item_type, '') <> 'Rounding'
),

-- Covered lines are their usage account's (the owner's own use included).
consumer_rows as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        commitment,
        commitment_id,
        owner_account_id,
        usage_account_id as consumer_account_id,
        cast(sum(usage_cost) as decimal(38, 10)) as cost,
        cast(sum(on_demand_cost) as decimal(38, 10)) as on_demand_cost
    from detail_rows
    where commitment is not null
    group by
        billing_period,
        currency_code,
        payer_account_id,
        commitment,
        commitment_id,
        owner_account_id,
        usage_account_id
),

-- Unused: RIFee and SavingsPlanRecurringFee lines (they sit in the owner's
-- account, which field 5 of the ARN names) and a CR's own lines. Trino
-- returns NULL for a split_part past the last field: the coalesce makes it
-- '' as in DuckDB.
unused_rows as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        coalesce(
            commitment,
            case line_item_type
                when 'RIFee' then 'ri'
                when 'SavingsPlanRecurringFee' then 'sp'
            end
        ) as commitment,
        commitment_id,
        case
            when commitment is null
                then coalesce(split_part(commitment_id, ':', 5), '')
            else owner_account_id
        end as owner_account_id,
        usage_cost as unused_cost
    from detail_rows
    where
        commitment = 'cr'
        or (
            commitment is null
            and line_item_type in ('RIFee', 'SavingsPlanRecurringFee')
        )
),

-- used_cost is Σ consumers' cost; unused_cost stays NULL without an unused
-- line (sum of NULLs).
commitment_parts as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        commitment,
        commitment_id,
        owner_account_id,
        cost as used_cost,
        cast(null as decimal(38, 10)) as unused_cost
    from consumer_rows
    union all
    select
        billing_period,
        currency_code,
        payer_account_id,
        commitment,
        commitment_id,
        owner_account_id,
        cast(0 as decimal(38, 10)) as used_cost,
        unused_cost
    from unused_rows
),

commitment_totals as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        commitment,
        commitment_id,
        owner_account_id,
        cast(sum(used_cost) as decimal(38, 10)) as used_cost,
        cast(sum(unused_cost) as decimal(38, 10)) as unused_cost
    from commitment_parts
    group by
        billing_period,
        currency_code,
        payer_account_id,
        commitment,
        commitment_id,
        owner_account_id
),

final as (
    select
        commitment_totals.billing_period,
        nullif(commitment_totals.currency_code, '') as currency_code,
        commitment_totals.payer_account_id,
        commitment_totals.commitment,
        commitment_totals.commitment_id,
        commitment_totals.owner_account_id,
        commitment_totals.used_cost,
        commitment_totals.unused_cost,
        consumer_rows.consumer_account_id,
        consumer_rows.cost,
        consumer_rows.on_demand_cost,
        cast(consumer_rows.on_demand_cost - consumer_rows.cost as decimal(38, 10))
            as savings
    from commitment_totals
    left join consumer_rows
        on
            commitment_totals.billing_period = consumer_rows.billing_period
            and commitment_totals.currency_code = consumer_rows.currency_code
            and commitment_totals.payer_account_id
            = consumer_rows.payer_account_id
            and commitment_totals.commitment = consumer_rows.commitment
            and commitment_totals.commitment_id = consumer_rows.commitment_id
            and commitment_totals.owner_account_id
            = consumer_rows.owner_account_id
)

select * from final
