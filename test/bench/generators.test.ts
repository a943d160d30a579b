import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { unzipSync } from 'fflate';
import { writeCur } from '../../bench/generators/cur.js';
import { athenaName, CUR1_HEADERS, CUR2_COLUMNS } from '../../bench/generators/cur-columns.js';
import { DBR_HEADERS, DBR_SUBSCRIPTIONS, writeDbr } from '../../bench/generators/dbr.js';
import { accountId, PAYER_ACCOUNT_ID, shapeFor } from '../../bench/generators/shape.js';
import { CUR_COLUMNS, DBR_COLUMNS } from '../../lambdas/core/source-columns.js';

// Correctness of the benchmark data (no timing here: speed is measured by `npm run bench`).

let dir: string;
let instance: DuckDBInstance;
let db: DuckDBConnection;

const rows = async (sql: string): Promise<Record<string, unknown>[]> =>
  (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whopays-bench-'));
  instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  db = await instance.connect();
  const cur = shapeFor(20_000);
  await writeCur(db, cur, 'cur2-parquet', join(dir, 'cur2.parquet'));
  await writeCur(db, cur, 'cur1-parquet', join(dir, 'cur1.parquet'));
  await writeCur(db, cur, 'cur1-csv', join(dir, 'cur1.csv.gz'));
  await writeDbr(db, shapeFor(20_000, '2019-05'), join(dir, 'dbr.csv'), join(dir, 'dbr.csv.zip'));
});

afterAll(async () => {
  db.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe('athenaName', () => {
  it.each([
    ['lineItem/UsageAccountId', 'line_item_usage_account_id'],
    ['reservation/ReservationARN', 'reservation_reservation_a_r_n'],
    ['savingsPlan/SavingsPlanARN', 'savings_plan_savings_plan_a_r_n'],
    ['product/instanceType', 'product_instance_type'],
    ['resourceTags/user:Name', 'resource_tags_user_name'],
  ])('maps the CSV header %s to the Athena column %s', (header, name) => {
    expect(athenaName(header)).toBe(name);
  });
});

describe('account ids', () => {
  it('are 12 digits with leading zeros', () => {
    expect(accountId(0)).toBe('003786579754');
    expect(accountId(1)).toBe('003786684483'); // 3786579754 + 104729
  });
});

describe('CUR files', () => {
  it('are wide like real CURs and carry every contract column', async () => {
    const cur1Names = CUR1_HEADERS.map(athenaName);
    expect(CUR1_HEADERS.length).toBeGreaterThanOrEqual(60);
    expect(CUR2_COLUMNS.length).toBeGreaterThanOrEqual(120);
    for (const column of CUR_COLUMNS) {
      expect(cur1Names).toContain(column.name);
      expect(CUR2_COLUMNS).toContain(column.name);
    }
    const header = readFileSync(join(dir, 'cur1.csv.gz'));
    expect(header.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip magic
  });

  it('types CUR 2.0 as Data Exports does: DOUBLE money, MAP product, timestamps', async () => {
    const described = await rows(`describe select * from '${join(dir, 'cur2.parquet')}'`);
    const types = new Map(described.map((r) => [r.column_name, String(r.column_type)]));
    expect(types.size).toBe(CUR2_COLUMNS.length);
    expect(types.get('line_item_unblended_cost')).toBe('DOUBLE');
    expect(types.get('product')).toBe('MAP(VARCHAR, VARCHAR)');
    expect(types.get('bill_billing_period_start_date')).toMatch(/^TIMESTAMP/);
    expect(types.get('capacity_reservation_capacity_reservation_arn')).toBe('VARCHAR');
  });

  it('holds every line type, commitments owned by a few big accounts and used across accounts', async () => {
    const file = `'${join(dir, 'cur2.parquet')}'`;
    const types = await rows(
      `select distinct line_item_line_item_type as t from ${file} order by t`,
    );
    expect(types.map((r) => r.t)).toEqual([
      'Credit',
      'DiscountedUsage',
      'Fee',
      'RIFee',
      'SavingsPlanCoveredUsage',
      'SavingsPlanNegation',
      'SavingsPlanRecurringFee',
      'Tax',
      'Usage',
    ]);
    const [shape] = await rows(`
      select
        count(distinct line_item_usage_account_id) as accounts,
        count(distinct split_part(reservation_reservation_a_r_n, ':', 5))
          filter (where reservation_reservation_a_r_n <> '') as ri_owners,
        count(*) filter (where line_item_line_item_type = 'DiscountedUsage'
          and split_part(reservation_reservation_a_r_n, ':', 5) <> line_item_usage_account_id) as cross_ri,
        count(*) filter (where line_item_line_item_type = 'SavingsPlanCoveredUsage'
          and split_part(savings_plan_savings_plan_a_r_n, ':', 4) = '') as sp_without_region,
        count(*) filter (where line_item_resource_id like '%:capacity-reservation/cr-%'
          and split_part(line_item_resource_id, ':', 5) <> line_item_usage_account_id) as assigned_cr,
        count(*) filter (where line_item_line_item_type = 'RIFee') as ri_fees,
        min(length(line_item_usage_account_id)) as min_len,
        max(length(line_item_usage_account_id)) as max_len
      from ${file}`);
    expect(Number(shape!.accounts)).toBeGreaterThan(1000);
    // Owners are drawn from the 10 biggest accounts only (purchases are centralized).
    expect(Number(shape!.ri_owners)).toBeLessThanOrEqual(10);
    expect(Number(shape!.cross_ri)).toBeGreaterThan(0);
    expect(Number(shape!.sp_without_region)).toBeGreaterThan(0);
    expect(Number(shape!.assigned_cr)).toBeGreaterThan(0);
    // One RIFee per Reserved Instance of the shape.
    expect(Number(shape!.ri_fees)).toBe(300);
    expect([shape!.min_len, shape!.max_len].map(Number)).toEqual([12, 12]);
  });

  it('concentrates cost in a few accounts (Zipf-like)', async () => {
    const [top] = await rows(`
      with per as (
        select line_item_usage_account_id as a, sum(line_item_unblended_cost) as c
        from '${join(dir, 'cur2.parquet')}' group by 1
      )
      select sum(c) filter (where a in (select a from per order by c desc limit 30)) / sum(c) as share
      from per`);
    // 30 of 3000 accounts (1 %) carry more than a third of the cost.
    expect(Number(top!.share)).toBeGreaterThan(0.33);
  });

  it('writes the same lines in CUR 1 CSV.gz and CUR 1 Parquet', async () => {
    const sum = async (from: string, cost: string) =>
      (
        await rows(
          `select count(*) as n, sum(cast(${cost} as decimal(38, 10)))::varchar as s from ${from}`,
        )
      )[0];
    const csv = await sum(
      `read_csv('${join(dir, 'cur1.csv.gz')}', header = true, all_varchar = true)`,
      `nullif("lineItem/UnblendedCost", '')`,
    );
    const parquet = await sum(`'${join(dir, 'cur1.parquet')}'`, 'line_item_unblended_cost');
    expect(csv).toEqual(parquet);
    expect(Number(csv!.n)).toBe(20_000);
  });
});

describe('China DBR', () => {
  const csv = () => `read_csv('${join(dir, 'dbr.csv')}', header = true, all_varchar = true)`;

  it('has every DBR column, the contract columns among them, all as quoted text', async () => {
    const header = readFileSync(join(dir, 'dbr.csv'), 'utf8').split('\n')[0]!;
    expect(header).toBe(DBR_HEADERS.map((h) => `"${h}"`).join(','));
    for (const column of DBR_COLUMNS) expect(DBR_HEADERS).toContain(column.name);
  });

  it('is zipped as AWS delivers it, with the CSV inside', () => {
    const members = unzipSync(readFileSync(join(dir, 'dbr.csv.zip')));
    expect(Object.keys(members)).toEqual(['dbr.csv']);
    expect(Buffer.from(members['dbr.csv']!).equals(readFileSync(join(dir, 'dbr.csv')))).toBe(true);
  });

  it('has owner rows (认购 for EC2, HeavyUsage otherwise), covered rows in other accounts, totals', async () => {
    const [r] = await rows(`
      select
        count(*) filter (where ProductName = 'Amazon Elastic Compute Cloud'
          and ItemDescription like '%认购%' and SubscriptionId <> '') as ec2_owner_rows,
        count(*) filter (where ProductName in ('AmazonRDS', 'Amazon ElastiCache', 'AmazonRedshift')
          and UsageType like '%HeavyUsage%') as other_owner_rows,
        count(*) filter (where RecordType = 'Rounding') as rounding,
        count(*) filter (where RecordType = 'InvoiceTotal') as invoice_totals,
        count(*) filter (where RecordType = 'StatementTotal') as statement_totals,
        count(*) filter (where ItemDescription = '税金 VAT 类型') as tax_rows,
        count(distinct LinkedAccountId) filter (where RecordType = 'LineItem') as accounts,
        count(*) filter (where RecordType = 'AccountTotal') as account_totals,
        count(*) filter (where InvoiceID = '1320575235') = count(*) as final,
        count(*) filter (where PayerAccountId = '${PAYER_ACCOUNT_ID}') = count(*) as one_payer
      from ${csv()}`);
    // The first DBR_SUBSCRIPTIONS rows are the owner rows: 200 EC2, 100 others.
    expect(Number(r!.ec2_owner_rows)).toBe(200);
    expect(Number(r!.other_owner_rows)).toBe(DBR_SUBSCRIPTIONS - 200);
    expect([r!.rounding, r!.invoice_totals, r!.statement_totals].map(Number)).toEqual([1, 1, 1]);
    // One VAT row and one AccountTotal per account with line items.
    expect(Number(r!.tax_rows)).toBe(Number(r!.accounts));
    expect(Number(r!.account_totals)).toBe(Number(r!.accounts));
    expect(r!.final).toBe(true);
    expect(r!.one_payer).toBe(true);
  });

  it('balances: InvoiceTotal = line items + Rounding, exactly', async () => {
    const [r] = await rows(`
      select
        sum(cast(UnBlendedCost as decimal(38, 10))) filter (where RecordType = 'Rounding') as rounding,
        sum(cast(UnBlendedCost as decimal(38, 10))) filter (where RecordType = 'LineItem')
          + sum(cast(UnBlendedCost as decimal(38, 10))) filter (where RecordType = 'Rounding')
          = sum(cast(UnBlendedCost as decimal(38, 10))) filter (where RecordType = 'InvoiceTotal')
          as balanced
      from ${csv()}`);
    expect(r!.rounding).toBe('-2.5094690054');
    expect(r!.balanced).toBe(true);
  });

  it('is the same file on every run (row order included)', async () => {
    await writeDbr(
      db,
      shapeFor(20_000, '2019-05'),
      join(dir, 'again.csv'),
      join(dir, 'again.csv.zip'),
    );
    expect(readFileSync(join(dir, 'again.csv')).equals(readFileSync(join(dir, 'dbr.csv')))).toBe(
      true,
    );
  });
});
