-- The transfer ledger of ATTRIBUTION.md: cost that sits with the consumer in
-- usage_cost and with the owner in owner_cost.
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     owner_account_id, consumer_account_id, commitment).
-- Reads: ledger (rows of sql/ledger/*_ledger.sql).
-- Parameters: none.

with

ledger_rows as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        commitment,
        line_item_type,
        usage_cost
    from ledger
),

moved_rows as (
    select *
    from ledger_rows
    where
        coalesce(line_item_type, '') <> 'Rounding'
        and commitment is not null
        and owner_account_id <> usage_account_id
),

final as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        owner_account_id,
        usage_account_id as consumer_account_id,
        commitment,
        cast(sum(usage_cost) as decimal(38, 10)) as transfer_cost
    from moved_rows
    group by
        billing_period,
        currency_code,
        payer_account_id,
        owner_account_id,
        usage_account_id,
        commitment
    having sum(usage_cost) <> 0
)

select * from final
