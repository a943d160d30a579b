-- Attribution ledger of a Detailed Billing Report (the published AWS China
-- blog method of docs/CUR-REFERENCE.md 1.7-1.8).
-- Grain: one row per (billing_period, currency_code, payer_account_id,
--     usage_account_id, owner_account_id, invoice_account_id, commitment,
--     line_item_type, note, commitment_id).
-- Reads: dbr_lines (columns of DBR_COLUMNS, lambdas/core/source-columns.ts,
--     all text), once.
-- Parameters: none; the EC2 purchase markers below are replaced by
--     lambdas/core/sql-catalog.ts when configured.
--
-- Shape: a DBR has millions of lines but few distinct (account,
-- subscription, invoice, period) keys. The lines are read once and grouped
-- on the columns as read, with per line only what tells lines apart (the
-- month of the date, the claim inputs) and the cost; the trims and record
-- kinds are derived from the ~80k groups, which are grouped again at the
-- ledger's own keys. Owners, ambiguity and undated periods are worked out
-- on those groups. Reading the lines more than once would make the engine
-- keep every line (with its description) in memory between the reads.
-- Per-line work is what costs (bench/FINDINGS.md).

with

ec2_purchase_markers as (
    select marker
    from (
        values ('认购'), ('Sign up charge for subscription')
    ) as markers (marker)
),

-- Every DBR field is text. Both engines cast text to DECIMAL exactly,
-- scientific notation included, rounding beyond 10 digits half away from
-- zero: DuckDB reads '1.5E-7' as 0.0000001500 (tested); Trino parses with
-- java.math.BigDecimal and rounds HALF_UP. DECIMAL(18,10) first, on the text
-- as read: casting text to DECIMAL(38,10) is ~20x slower in DuckDB and only
-- amounts of 1e8 or more need it. The lines it cannot read (those, empty or
-- padded text: Trino accepts no whitespace) take the trimmed 38-digit cast,
-- where text that is no number still fails; the CASE runs it on those only.
-- The description is kept for EC2 lines with a subscription only (a few
-- hundred distinct texts); HeavyUsage fees of the other reservable services
-- are flagged per line. Both are claims only on line items (below).
raw_lines as (
    select
        InvoiceID as invoice_text,
        PayerAccountId as payer_account_id,
        LinkedAccountId as linked_text,
        RecordType as record_text,
        SubscriptionId as subscription_text,
        substr(trim(UsageStartDate), 1, 7) as usage_month,
        case
            when
                ProductName = 'Amazon Elastic Compute Cloud'
                and SubscriptionId <> ''
                then ItemDescription
        end as ec2_description,
        ProductName in (
            'Amazon ElastiCache',
            'Amazon Elasticsearch Service',
            'Amazon OpenSearch Service',
            'AmazonRDS',
            'Amazon Relational Database Service',
            'AmazonRedshift',
            'Amazon Redshift'
        )
        and strpos(UsageType, 'HeavyUsage') > 0 as heavy_usage_fee,
        UnBlendedCost as cost_text,
        try_cast(UnBlendedCost as decimal(18, 10)) as small_cost
    from dbr_lines
),

raw_groups as (
    select
        invoice_text,
        payer_account_id,
        linked_text,
        record_text,
        subscription_text,
        usage_month,
        ec2_description,
        heavy_usage_fee,
        sum(small_cost) as small_cost,
        sum(
            case
                when small_cost is null
                    then
                        cast(
                            coalesce(nullif(trim(cost_text), ''), '0')
                            as decimal(38, 10)
                        )
            end
        ) as large_cost,
        count(*) as line_count
    from raw_lines
    group by
        invoice_text,
        payer_account_id,
        linked_text,
        record_text,
        subscription_text,
        usage_month,
        ec2_description,
        heavy_usage_fee
),

trimmed_groups as (
    select
        trim(coalesce(invoice_text, '')) as invoice_id,
        payer_account_id,
        -- The published method's SQLite LIKE ignores ASCII case: `lineitem`
        -- is a line item too.
        lower(trim(coalesce(record_text, ''))) like '%lineitem%' as line_item,
        trim(coalesce(record_text, '')) = 'Rounding' as rounding,
        trim(coalesce(record_text, '')) as record_type,
        linked_text,
        nullif(trim(coalesce(subscription_text, '')), '') as subscription_id,
        nullif(usage_month, '') as usage_period,
        ec2_description,
        heavy_usage_fee,
        coalesce(small_cost, 0) + coalesce(large_cost, 0) as unblended_cost,
        line_count
    from raw_groups
),

-- Only a line item can claim a subscription for its account: EC2 purchase
-- text (matched on the groups), or the HeavyUsage fee of the other
-- reservable services. Other records (totals, discounts) stay in the groups
-- for their dates only.
typed_groups as (
    select
        payer_account_id,
        case when line_item then linked_text end as linked_account_id,
        case when line_item then subscription_id end as subscription_id,
        invoice_id,
        usage_period,
        -- Totals repeat the line items: left out. Any other record (Discount,
        -- a type AWS adds) is not counted either, as in the published method,
        -- but kept as 'Uncounted' so the report names it with its cost.
        case
            when line_item then 'LineItem'
            when rounding then 'Rounding'
            when
                lower(record_type) in (
                    'invoicetotal', 'accounttotal', 'statementtotal'
                )
                then null
            else 'Uncounted'
        end as record_kind,
        case
            when
                not line_item
                and not rounding
                and lower(record_type) not in (
                    'invoicetotal', 'accounttotal', 'statementtotal'
                )
                then record_type
        end as uncounted_type,
        case
            when line_item and subscription_id is not null
                then ec2_description
        end as ec2_description,
        coalesce(
            line_item and subscription_id is not null and heavy_usage_fee,
            false
        ) as heavy_usage_claim,
        unblended_cost,
        line_count
    from trimmed_groups
),

-- No consumer of line_groups filters it except where it must (dated_groups,
-- heavy_usage_claims): DuckDB pushes the OR of all its consumers' filters
-- below the groupings to every line, which re-evaluates the trims there
-- (~0.3 s of CPU on 1M lines). max() skips NULL and strpos(NULL, ...) joins
-- nothing, so the other consumers need no WHERE.
line_groups as (
    select
        payer_account_id,
        linked_account_id,
        subscription_id,
        invoice_id,
        usage_period,
        record_kind,
        uncounted_type,
        ec2_description,
        heavy_usage_claim,
        cast(sum(unblended_cost) as decimal(38, 10)) as unblended_cost,
        sum(line_count) as line_count
    from typed_groups
    group by
        payer_account_id,
        linked_account_id,
        subscription_id,
        invoice_id,
        usage_period,
        record_kind,
        uncounted_type,
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
    group by payer_account_id, invoice_id
),

payer_periods as (
    select
        payer_account_id,
        max(usage_period) as payer_period
    from line_groups
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
        -- The commitment detail's id: an owned subscription only.
        case
            when subscription_owners.claimant_count = 1
                then subscription_owners.subscription_id
        end as commitment_id,
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
        commitment_id,
        invoice_id,
        unblended_cost as usage_cost,
        unblended_cost as invoice_cost,
        line_count
    from attributed_line_items
),

-- Records of no account. Rounding is the invoice's: it only reaches
-- invoice_cost. Records the published method does not count (note
-- 'uncounted-record', their RecordType as line_item_type) reach only the
-- report's warnings, with their cost.
ledger_unattributed as (
    select
        billing_period,
        payer_account_id,
        cast(null as varchar) as usage_account_id,
        cast(null as varchar) as owner_account_id,
        cast(null as varchar) as invoice_account_id,
        cast(null as varchar) as commitment,
        coalesce(uncounted_type, record_kind) as line_item_type,
        case
            when record_kind = 'Uncounted' then 'uncounted-record'
        end as note,
        cast(null as varchar) as commitment_id,
        invoice_id,
        cast(0 as decimal(38, 10)) as usage_cost,
        unblended_cost as invoice_cost,
        line_count
    from dated_groups
    where record_kind in ('Rounding', 'Uncounted')
),

ledger_lines as (
    select * from ledger_line_items
    union all
    select * from ledger_unattributed
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
        ) as final_line_count,
        commitment_id,
        -- A DBR has no on-demand price.
        cast(null as decimal(38, 10)) as on_demand_cost
    from ledger_lines
    group by
        billing_period,
        payer_account_id,
        usage_account_id,
        owner_account_id,
        invoice_account_id,
        commitment,
        line_item_type,
        note,
        commitment_id
)

select * from final
