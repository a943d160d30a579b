-- The three bases of ATTRIBUTION.md per account.
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     account_id).
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
        invoice_account_id,
        line_item_type,
        usage_cost,
        invoice_cost
    from ledger
),

-- Rounding belongs to the invoice, not to an account.
account_line_items as (
    select *
    from ledger_rows
    where coalesce(line_item_type, '') <> 'Rounding'
),

usage_side as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        usage_account_id as account_id,
        usage_cost,
        cast(0 as decimal(38, 10)) as owner_cost,
        cast(0 as decimal(38, 10)) as invoice_cost
    from account_line_items
),

owner_side as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        owner_account_id as account_id,
        cast(0 as decimal(38, 10)) as usage_cost,
        usage_cost as owner_cost,
        cast(0 as decimal(38, 10)) as invoice_cost
    from account_line_items
),

invoice_side as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        invoice_account_id as account_id,
        cast(0 as decimal(38, 10)) as usage_cost,
        cast(0 as decimal(38, 10)) as owner_cost,
        invoice_cost
    from account_line_items
),

all_sides as (
    select * from usage_side
    union all
    select * from owner_side
    union all
    select * from invoice_side
),

final as (
    select
        billing_period,
        currency_code,
        payer_account_id,
        account_id,
        cast(sum(usage_cost) as decimal(38, 10)) as usage_cost,
        cast(sum(owner_cost) as decimal(38, 10)) as owner_cost,
        cast(sum(invoice_cost) as decimal(38, 10)) as invoice_cost
    from all_sides
    group by billing_period, currency_code, payer_account_id, account_id
)

select * from final
