-- Attribution ledger of a Detailed Billing Report (seed 003, the AWS China
-- blog method of CUR-REFERENCE.md 1.7-1.8).
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note).
-- Reads: dbr_lines (columns of DBR_COLUMNS, lambdas/core/source-columns.ts,
--     all text), once.
-- Parameters: none; the EC2 purchase markers below are replaced by
--     lambdas/core/sql-catalog.ts when configured.
--
-- Shape: a DBR has millions of lines but few distinct (account,
-- subscription, invoice, period) keys. The lines are read once and grouped
-- at that grain first; owners, ambiguity and undated periods are worked out
-- on the groups. Reading the lines more than once would make the engine keep
-- every line (with its description) in memory between the reads.

with

ec2_purchase_markers as (
    select marker
    from (
        values ('认购'), ('Sign up charge for subscription')
    ) as markers (marker)
),

source_lines as (
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
        coalesce(nullif(trim(coalesce(UnBlendedCost, '')), ''), '0')
            as cost_text
    from dbr_lines
),

-- Every DBR field is text. Both engines cast trimmed text to DECIMAL
-- exactly, scientific notation included, rounding beyond 10 digits half
-- away from zero: DuckDB reads '1.5E-7' as 0.0000001500 (tested); Trino
-- parses with java.math.BigDecimal (exponents accepted, whitespace not, hence
-- the trim) and rounds HALF_UP. DECIMAL(18,10) first: casting text to
-- DECIMAL(38,10) is ~20x slower in DuckDB and only amounts of 1e8 or more
-- need it; text that is no number still fails in the 38-digit cast.
-- Only a line item can claim a subscription for its account: EC2 purchase
-- text (matched on the groups, so the description is kept only for EC2
-- lines of a subscription), or the HeavyUsage fee of the other reservable
-- services.
typed_lines as (
    select
        invoice_id,
        payer_account_id,
        case
            when record_type like '%LineItem%' then 'LineItem'
            when record_type = 'Rounding' then 'Rounding'
        end as record_kind,
        usage_period,
        case
            when record_type like '%LineItem%' then linked_account_id
        end as linked_account_id,
        case
            when record_type like '%LineItem%' then subscription_id
        end as subscription_id,
        case
            when
                record_type like '%LineItem%'
                and subscription_id is not null
                and product_name = 'Amazon Elastic Compute Cloud'
                then item_description
        end as ec2_description,
        coalesce(
            record_type like '%LineItem%'
            and subscription_id is not null
            and product_name in (
                'Amazon ElastiCache',
                'Amazon Elasticsearch Service',
                'Amazon OpenSearch Service',
                'AmazonRDS',
                'Amazon Relational Database Service',
                'AmazonRedshift',
                'Amazon Redshift'
            )
            and strpos(usage_type, 'HeavyUsage') > 0,
            false
        ) as heavy_usage_claim,
        coalesce(
            try_cast(cost_text as decimal(18, 10)),
            cast(cost_text as decimal(38, 10))
        ) as unblended_cost
    from source_lines
),

-- Other records (totals, discounts) stay in the groups for their dates only.
line_groups as (
    select
        payer_account_id,
        linked_account_id,
        subscription_id,
        invoice_id,
        usage_period,
        record_kind,
        ec2_description,
        heavy_usage_claim,
        cast(sum(unblended_cost) as decimal(38, 10)) as unblended_cost,
        count(*) as line_count
    from typed_lines
    group by
        payer_account_id,
        linked_account_id,
        subscription_id,
        invoice_id,
        usage_period,
        record_kind,
        ec2_description,
        heavy_usage_claim
),

-- Rows without a date (Rounding) belong to the period of their invoice.
invoice_periods as (
    select
        payer_account_id,
        invoice_id,
        max(usage_period) as invoice_period
    from line_groups
    where usage_period is not null
    group by payer_account_id, invoice_id
),

payer_periods as (
    select
        payer_account_id,
        max(usage_period) as payer_period
    from line_groups
    where usage_period is not null
    group by payer_account_id
),

dated_groups as (
    select
        line_groups.*,
        coalesce(
            line_groups.usage_period,
            invoice_periods.invoice_period,
            payer_periods.payer_period
        ) as billing_period
    from line_groups
    left join invoice_periods
        on
            line_groups.payer_account_id = invoice_periods.payer_account_id
            and line_groups.invoice_id = invoice_periods.invoice_id
    left join payer_periods
        on line_groups.payer_account_id = payer_periods.payer_account_id
    where line_groups.record_kind is not null
),

ec2_purchase_claims as (
    select
        line_groups.payer_account_id,
        line_groups.subscription_id,
        line_groups.linked_account_id
    from line_groups
    -- A join, not a correlated EXISTS: Trino plans non-equi joins reliably.
    inner join ec2_purchase_markers
        on strpos(line_groups.ec2_description, ec2_purchase_markers.marker) > 0
    where line_groups.ec2_description is not null
),

heavy_usage_claims as (
    select
        payer_account_id,
        subscription_id,
        linked_account_id
    from line_groups
    where heavy_usage_claim
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
        dated_groups.billing_period,
        dated_groups.payer_account_id,
        dated_groups.linked_account_id as usage_account_id,
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
        dated_groups.invoice_id,
        dated_groups.unblended_cost,
        dated_groups.line_count
    from dated_groups
    left join subscription_owners
        on
            dated_groups.payer_account_id = subscription_owners.payer_account_id
            and dated_groups.subscription_id = subscription_owners.subscription_id
    where dated_groups.record_kind = 'LineItem'
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
        unblended_cost as invoice_cost,
        line_count
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
        unblended_cost as invoice_cost,
        line_count
    from dated_groups
    where record_kind = 'Rounding'
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
        cast(sum(line_count) as bigint) as line_count,
        cast(
            sum(
                case
                    when invoice_id not in ('', 'Estimated') then line_count
                    else 0
                end
            ) as bigint
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
