import { createReadStream, createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Zip, ZipDeflate } from 'fflate';
import { DBR_RT_COLUMNS } from '../../examples/writers/dbr-files.js';
import { macrosSql, PAYER_ACCOUNT_ID, type Shape } from './shape.js';

/** DBR-RT columns (docs/CUR-REFERENCE.md §1.2) and the tag columns of a China DBR. */
export const DBR_HEADERS: readonly string[] = [
  ...DBR_RT_COLUMNS,
  'user:Name',
  'user:project',
  'user:kubernetes.io/service-name',
];

/** Subscriptions per product, EC2 first. Product names are the ones the published method matches. */
const SUBSCRIPTION_PRODUCTS = [
  { product: 'Amazon Elastic Compute Cloud', count: 200, type: 'm5.large' },
  { product: 'AmazonRDS', count: 60, type: 'db.m5.large' },
  { product: 'Amazon ElastiCache', count: 20, type: 'cache.r5.large' },
  { product: 'AmazonRedshift', count: 20, type: 'dc2.large' },
] as const;

export const DBR_SUBSCRIPTIONS = SUBSCRIPTION_PRODUCTS.reduce((n, p) => n + p.count, 0);

/** Product, instance type of subscription number `s` (SQL), following SUBSCRIPTION_PRODUCTS. */
const subscriptionCase = (field: 'product' | 'type'): string => {
  let start = 0;
  const arms = SUBSCRIPTION_PRODUCTS.map((p) => {
    start += p.count;
    return `when s < ${start} then '${p[field]}'`;
  });
  return `case ${arms.join(' ')} end`;
};

/**
 * The China DBR-RT as one SELECT: line items (RI owner rows with 认购 or HeavyUsage, RI-covered
 * usage in other accounts, on-demand usage), then one VAT row per account, the Rounding row and
 * the AccountTotal / InvoiceTotal / StatementTotal rows, all text as in the file.
 */
export const dbrSelectSql = (shape: Shape, invoiceId = '1320575235'): string => {
  const start = `${shape.billingPeriod}-01 00:00:00`;
  const money = (x: string) => `printf('%.10f', ${x})`;
  const exact = (x: string) => `cast(cast(${x} as decimal(38, 10)) as varchar)`;
  return `
with g as (
  select i, u(i, 1) as t, money(pow(u(i, 4), 3) * 25) as cost from range(${shape.rows}) r(i)
),
k as (
  select *,
    case when i < ${DBR_SUBSCRIPTIONS} then 'owner' when t < 0.12 then 'covered' else 'usage' end as kind,
    case when i < ${DBR_SUBSCRIPTIONS} then i else floor(u(i, 3) * ${DBR_SUBSCRIPTIONS})::bigint end as s,
    floor(u(i, 8) * 744)::int as hour
  from g
),
c as (
  select *,
    ${subscriptionCase('product')} as sub_product,
    ${subscriptionCase('type')} as sub_type,
    owner_of(s, 11) as sub_owner,
    acct(zipf(i, 2, ${shape.accounts})) as user_account,
    u(i, 5) as v
  from k
),
items as (
  select
    i,
    case when kind = 'owner' then sub_owner else user_account end as linked,
    case when kind = 'usage' then
      case when v < 0.6 then 'Amazon Elastic Compute Cloud' when v < 0.85 then 'Amazon Simple Storage Service'
           else 'AWS Data Transfer' end
      else sub_product end as product,
    case when kind = 'usage' then '' else (100000000 + s * 7919)::varchar end as subscription,
    case
      when kind = 'usage' then
        case when v < 0.6 then 'CNN1-BoxUsage:m5.large' when v < 0.85 then 'CNN1-TimedStorage-ByteHrs'
             else 'CNN1-DataTransfer-Out-Bytes' end
      when sub_product = 'Amazon Elastic Compute Cloud' then 'CNN1-HeavyUsage:' || sub_type
      when kind = 'owner' then 'CNN1-HeavyUsage:' || sub_type
      else 'CNN1-InstanceUsage:' || sub_type
    end as usage_type,
    case
      when kind = 'owner' and sub_product = 'Amazon Elastic Compute Cloud' then
        'CNY 0.352 每小时费用 Linux/UNIX (Amazon VPC), ' || sub_type || ' 实例 (744 小时已认购, '
          || (400 + hash(s, 6) % 344) || ' 小时已使用)'
      when kind = 'owner' then 'CNY 0.88 每小时费用 ' || sub_type || ' 预留实例 (744 小时已认购)'
      when kind = 'covered' then 'CNY 0.352 每小时费用 Linux/UNIX (Amazon VPC), ' || sub_type || ' 实例'
      when v < 0.6 then 'CNY 0.98 每小时 Linux/UNIX 按需实例费用'
      when v < 0.85 then 'CNY 0.1755 每 GB-月 标准存储费用'
      else 'CNY 0.933 每 GB 数据传出费用'
    end as description,
    case when kind = 'owner' then money(200 + u(i, 6) * 800) else cost end as amount,
    kind,
    hour
  from c
),
lines as (
  select
    '${invoiceId}' as InvoiceID,
    '${PAYER_ACCOUNT_ID}' as PayerAccountId,
    linked as LinkedAccountId,
    'LineItem' as RecordType,
    (700000000000000000 + i)::varchar as RecordId,
    product as ProductName,
    (10000000 + hash(i, 20) % 500000)::varchar as RateId,
    subscription as SubscriptionId,
    (1000000 + hash(i, 21) % 9000)::varchar as PricingPlanId,
    usage_type as UsageType,
    case when usage_type like '%InstanceUsage%' then 'CreateDBInstance:0002' else 'RunInstances' end as Operation,
    'cn-north-1' || (['a', 'b'])[1 + (hash(i, 22) % 2)::int] as AvailabilityZone,
    case when kind = 'usage' then 'N' else 'Y' end as ReservedInstance,
    description as ItemDescription,
    strftime(timestamp '${start}' + to_hours(hour), '%Y-%m-%d %H:%M:%S') as UsageStartDate,
    strftime(timestamp '${start}' + to_hours(hour + 1), '%Y-%m-%d %H:%M:%S') as UsageEndDate,
    ${money('u(i, 10) * 3')} as UsageQuantity,
    '0.3520000000' as BlendedRate,
    ${money('amount')} as BlendedCost,
    '0.3520000000' as UnBlendedRate,
    ${money('amount')} as UnBlendedCost,
    case when kind = 'owner' then '' else 'i-' || to_hex(hash(i % 100000, 23)) end as ResourceId,
    'svc-' || (hash(i, 24) % 300) as "user:Name",
    'proj-' || (hash(i, 25) % 30) as "user:project",
    case when u(i, 26) < 0.3 then 'ns/app-' || (hash(i, 27) % 50) else '' end
      as "user:kubernetes.io/service-name",
    -- Exact from here on: parallel DOUBLE sums would make the totals rows differ between runs.
    cast(amount as decimal(38, 10)) as amount
  from items
),
tax as (
  select LinkedAccountId, cast(round(sum(amount) * 0.06, 10) as decimal(38, 10)) as amount
  from lines group by all
),
tax_lines as (
  select '${invoiceId}', '${PAYER_ACCOUNT_ID}', LinkedAccountId, 'LineItem', '', '', '', '', '', '', '', '', 'N',
    '税金 VAT 类型', '${start}', '', '', '', ${exact('amount')}, '', ${exact('amount')}, '', '', '', '', amount
  from tax
),
all_lines as (select * from lines union all select * from tax_lines),
totals as (
  select '${invoiceId}', '${PAYER_ACCOUNT_ID}', '', 'Rounding', '', '', '', '', '', '', '', '', '',
    '由于整合账单和小时行项目计算流程，该行项目包含舍入错误。', '', '', '', '', '0.0025652967', '', '-2.5094690054',
    '', '', '', '', -2.5094690054::decimal(38, 10)
  union all
  select '${invoiceId}', '${PAYER_ACCOUNT_ID}', LinkedAccountId, 'AccountTotal', '', '', '', '', '', '', '', '', '',
    '关联账户# ' || LinkedAccountId || ' 总额', '', '', '', '', ${exact('sum(amount)')}, '', ${exact('sum(amount)')},
    '', '', '', '', sum(amount)
  from all_lines group by LinkedAccountId
  union all
  select '${invoiceId}', '${PAYER_ACCOUNT_ID}', '', 'InvoiceTotal', '', '', '', '', '', '', '', '', '',
    '发票 ${invoiceId} 的总额', '', '', '', '', ${exact('sum(amount) - 2.5094690054')}, '',
    ${exact('sum(amount) - 2.5094690054')}, '', '', '', '', 0
  from all_lines
  union all
  select '${invoiceId}', '${PAYER_ACCOUNT_ID}', '', 'StatementTotal', '', '', '', '', '', '', '', '', '',
    '${start} - 期间内的费用总额', '', '', '', '', ${exact('sum(amount) - 2.5094690054')}, '',
    ${exact('sum(amount) - 2.5094690054')}, '', '', '', '', 0
  from all_lines
)
select * exclude (amount) from (
  select *, 0 as part from all_lines union all select *, 1 from totals
) order by part, RecordId = '', RecordId, LinkedAccountId, RecordType`;
};

/** Writes the DBR as plain CSV (every field quoted, as AWS writes it) and as the delivered .csv.zip. */
export const writeDbr = async (
  connection: DuckDBConnection,
  shape: Shape,
  csvPath: string,
  zipPath: string,
): Promise<void> => {
  await connection.run(macrosSql(shape));
  await connection.run(
    `copy (select * exclude (part) from (${dbrSelectSql(shape)})) to '${csvPath}' (format csv, header true, force_quote *)`,
  );
  await zipFile(csvPath, zipPath);
};

/** Zips one file (streaming, so a DBR of any size fits in memory). */
const zipFile = (source: string, target: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const out = createWriteStream(target);
    out.on('error', reject);
    const zip = new Zip((error, data, final) => {
      if (error) return reject(error);
      out.write(data);
      if (final) out.end(resolve);
    });
    const entry = new ZipDeflate(basename(source), { level: 6 });
    zip.add(entry);
    const input = createReadStream(source);
    input.on('data', (chunk) => entry.push(chunk as Buffer));
    input.on('end', () => {
      entry.push(new Uint8Array(0), true);
      zip.end();
    });
    input.on('error', reject);
  });
