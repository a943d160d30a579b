-- Attribution ledger of a Detailed Billing Report (seed 003, the AWS China
-- blog method of CUR-REFERENCE.md 1.7-1.8).
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note).
-- Reads: dbr_lines (columns of DBR_COLUMNS, lambdas/core/source-columns.ts,
--     all text).
-- Parameters: none; the EC2 purchase markers below are replaced by
--     lambdas/core/sql-catalog.ts when configured.

with

source_lines as (
    select
        InvoiceID,
        PayerAccountId,
        LinkedAccountId,
        RecordType,
        ProductName,
        SubscriptionId,
        UsageType,
        ItemDescription,
        UsageStartDate,
        UnBlendedCost
    from dbr_lines
),

ec2_purchase_markers as (
    select marker
    from (
        values ('认购'), ('Sign up charge for subscription')
    ) as markers (marker)
),

-- Every DBR field is text. Both engines cast trimmed text to DECIMAL
-- exactly, scientific notation included, rounding beyond 10 digits half
-- away from zero: DuckDB reads '1.5E-7' as 0.0000001500 (tested); Trino
-- parses with java.math.BigDecimal (exponents accepted, whitespace not, hence
-- the trim) and rounds HALF_UP.
typed_lines as (
    select
        trim(coalesce(InvoiceID, '')) as invoice_id,
        PayerAccountId as payer_account_id,
        LinkedAccountId as linked_account_id,
        trim(coalesce(RecordType, '')) as record_type,
        ProductName as product_name,
        nullif(trim(coalesce(SubscriptionId, '')), '') as subscription_id,
        coalesce(UsageType, '') as usage_type,
        coalesce(ItemDescription, '') as item_description,
        substr(nullif(trim(coalesce(UsageStartDate, '')), ''), 1, 7)
            as usage_period,
        cast(
            coalesce(nullif(trim(coalesce(UnBlendedCost, '')), ''), '0')
            as decimal(38, 10)
        ) as unblended_cost
    from source_lines
),

-- Rows without a date (Rounding) belong to the period of their invoice.
invoice_periods as (
    select
        payer_account_id,
        invoice_id,
        max(usage_period) as invoice_period
    from typed_lines
    where usage_period is not null
    group by payer_account_id, invoice_id
),

payer_periods as (
    select
        payer_account_id,
        max(usage_period) as payer_period
    from typed_lines
    where usage_period is not null
    group by payer_account_id
),

dated_lines as (
    select
        typed_lines.*,
        coalesce(
            typed_lines.usage_period,
            invoice_periods.invoice_period,
            payer_periods.payer_period
        ) as billing_period
    from typed_lines
    left join invoice_periods
        on
            typed_lines.payer_account_id = invoice_periods.payer_account_id
            and typed_lines.invoice_id = invoice_periods.invoice_id
    left join payer_periods
        on typed_lines.payer_account_id = payer_periods.payer_account_id
),

line_items as (
    select *
    from dated_lines
    where record_type like '%LineItem%'
),

-- Only the purchasing account has these rows: EC2 purchase text, or the
-- HeavyUsage fee rows of the other reservable services.
ec2_purchase_claims as (
    select
        line_items.payer_account_id,
        line_items.subscription_id,
        line_items.linked_account_id
    from line_items
    -- A join, not a correlated EXISTS: Trino plans non-equi joins reliably.
    inner join ec2_purchase_markers
        on strpos(line_items.item_description, ec2_purchase_markers.marker) > 0
    where
        line_items.subscription_id is not null
        and line_items.product_name = 'Amazon Elastic Compute Cloud'
),

heavy_usage_claims as (
    select
        payer_account_id,
        subscription_id,
        linked_account_id
    from line_items
    where
        subscription_id is not null
        and product_name in (
            'Amazon ElastiCache',
            'Amazon Elasticsearch Service',
            'Amazon OpenSearch Service',
            'AmazonRDS',
            'Amazon Relational Database Service',
            'AmazonRedshift',
            'Amazon Redshift'
        )
        and strpos(usage_type, 'HeavyUsage') > 0
),

subscription_claims as (
    select distinct
        payer_account_id,
        subscription_id,
        linked_account_id
    from (
        select * from ec2_purchase_claims
        union all
        select * from heavy_usage_claims
    ) as claims
),

-- A subscription claimed by two accounts would be counted twice by the
-- blog's join: it keeps no owner and its lines are flagged instead.
subscription_owners as (
    select
        payer_account_id,
        subscription_id,
        min(linked_account_id) as owner_account_id,
        count(*) as claimant_count
    from subscription_claims
    group by payer_account_id, subscription_id
),

attributed_line_items as (
    select
        line_items.billing_period,
        line_items.payer_account_id,
        line_items.linked_account_id as usage_account_id,
        case
            when subscription_owners.claimant_count = 1
                then subscription_owners.owner_account_id
        end as subscription_owner,
        case
            when subscription_owners.claimant_count > 1
                then
                    'ambiguous-subscription:'
                    || subscription_owners.subscription_id
        end as note,
        line_items.invoice_id,
        line_items.unblended_cost
    from line_items
    left join subscription_owners
        on
            line_items.payer_account_id = subscription_owners.payer_account_id
            and line_items.subscription_id = subscription_owners.subscription_id
),

ledger_line_items as (
    select
        billing_period,
        payer_account_id,
        usage_account_id,
        coalesce(subscription_owner, usage_account_id) as owner_account_id,
        coalesce(subscription_owner, usage_account_id) as invoice_account_id,
        case when subscription_owner is not null then 'ri' end as commitment,
        'LineItem' as line_item_type,
        note,
        invoice_id,
        unblended_cost as usage_cost,
        unblended_cost as invoice_cost
    from attributed_line_items
),

-- Rounding is the invoice's, not an account's: it only reaches invoice_cost.
ledger_rounding as (
    select
        billing_period,
        payer_account_id,
        cast(null as varchar) as usage_account_id,
        cast(null as varchar) as owner_account_id,
        cast(null as varchar) as invoice_account_id,
        cast(null as varchar) as commitment,
        'Rounding' as line_item_type,
        cast(null as varchar) as note,
        invoice_id,
        cast(0 as decimal(38, 10)) as usage_cost,
        unblended_cost as invoice_cost
    from dated_lines
    where record_type = 'Rounding'
),

ledger_lines as (
    select * from ledger_line_items
    union all
    select * from ledger_rounding
),

final as (
    select
        billing_period,
        cast(null as varchar) as currency_code,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        invoice_account_id,
        commitment,
        line_item_type,
        note,
        cast(sum(usage_cost) as decimal(38, 10)) as usage_cost,
        cast(sum(invoice_cost) as decimal(38, 10)) as invoice_cost,
        count(*) as line_count,
        sum(
            case
                when invoice_id not in ('', 'Estimated') then 1 else 0
            end
        ) as final_line_count
    from ledger_lines
    group by
        billing_period,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        invoice_account_id,
        commitment,
        line_item_type,
        note
)

select * from final
