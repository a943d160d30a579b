import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { unzipSync } from 'fflate';
import { CUR_COLUMNS } from '../../lambdas/core/source-columns.js';
import { generateExamples } from './run-generator.js';

const DBR_ZIP =
  'dbr/052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip';
const INVOICE = 'invoice/052601815908-aws-billing-csv-2025-10.csv';
const CUR1_DATA =
  'cur/acme-cur/20251001-20251101/0c5f1a7e-3b2d-4e8f-9a6c-1d2e3f4a5b6c/acme-cur-1.csv.gz';
const CUR1_MANIFEST = 'cur/acme-cur/20251001-20251101/acme-cur-Manifest.json';
const CUR2_DATA = 'cur2/globex-cur2/data/BILLING_PERIOD=2025-10/globex-cur2-00001.snappy.parquet';
const CUR2_MANIFEST = 'cur2/globex-cur2/metadata/BILLING_PERIOD=2025-10/globex-cur2-Manifest.json';
const FOCUS_DATA =
  'focus/globex-focus/data/BILLING_PERIOD=2025-10/globex-focus-00001.snappy.parquet';
const FOCUS_MANIFEST =
  'focus/globex-focus/metadata/BILLING_PERIOD=2025-10/globex-focus-Manifest.json';

const listFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

type Row = Record<string, string | null>;

/** Reads a CSV the way whopays must: every field text, so ids keep their leading zeros. */
async function readCsv(path: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const escaped = path.replaceAll("'", "''");
    const result = await connection.runAndReadAll(
      `select * from read_csv('${escaped}', header = true, all_varchar = true)`,
    );
    return result.getRowObjectsJson() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function describeParquet(path: string): Promise<Map<string, string>> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(
      `describe select * from read_parquet('${path}', hive_partitioning = false)`,
    );
    const rows = result.getRowObjectsJson() as { column_name: string; column_type: string }[];
    return new Map(rows.map((r) => [r.column_name, r.column_type]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function parquetRows(path: string, sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(
      `create view cur as select * from read_parquet('${path}', hive_partitioning = false)`,
    );
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('examples/generate.ts', () => {
  let out: string;
  let scratch: string;

  beforeAll(() => {
    out = generateExamples();
    scratch = mkdtempSync(join(tmpdir(), 'whopays-examples-scratch-'));
  });

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('writes each set in its AWS delivery layout and nothing else', () => {
    expect(listFiles(out)).toEqual(
      [
        DBR_ZIP,
        INVOICE,
        CUR1_DATA,
        CUR1_MANIFEST,
        CUR2_DATA,
        CUR2_MANIFEST,
        FOCUS_DATA,
        FOCUS_MANIFEST,
      ].sort(),
    );
  });

  describe('China DBR-RT', () => {
    let rows: Row[];
    let header: string;

    beforeAll(async () => {
      const entries = unzipSync(readFileSync(join(out, DBR_ZIP)));
      const [name, bytes] = Object.entries(entries)[0]!;
      expect(Object.keys(entries)).toEqual([name]);
      expect(name).toBe(DBR_ZIP.slice('dbr/'.length, -'.zip'.length));
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      header = text.slice(0, text.indexOf('\n'));
      const csv = join(scratch, name);
      writeFileSync(csv, bytes);
      rows = await readCsv(csv);
    });

    it('has the DBR-RT columns in order, every field quoted, and the user: tag columns', () => {
      expect(header.split(',').map((h) => h.replaceAll('"', ''))).toEqual([
        'InvoiceID',
        'PayerAccountId',
        'LinkedAccountId',
        'RecordType',
        'RecordId',
        'ProductName',
        'RateId',
        'SubscriptionId',
        'PricingPlanId',
        'UsageType',
        'Operation',
        'AvailabilityZone',
        'ReservedInstance',
        'ItemDescription',
        'UsageStartDate',
        'UsageEndDate',
        'UsageQuantity',
        'BlendedRate',
        'BlendedCost',
        'UnBlendedRate',
        'UnBlendedCost',
        'ResourceId',
        'user:Name',
        'user:project',
      ]);
      expect(header.startsWith('"InvoiceID","PayerAccountId"')).toBe(true);
    });

    it('carries the owner-side 认购 rows and the consumer rows of the same EC2 subscription', () => {
      const ec2Ri = rows.filter((r) => r.SubscriptionId === '2961484211');
      const owners = new Set(
        ec2Ri.filter((r) => r.ItemDescription?.includes('认购')).map((r) => r.LinkedAccountId),
      );
      const users = new Set(
        ec2Ri.filter((r) => !r.ItemDescription?.includes('认购')).map((r) => r.LinkedAccountId),
      );
      expect([...owners]).toEqual(['003786579754']);
      expect([...users]).toEqual(['006671276842']);
    });

    it('has an RDS HeavyUsage subscription, Chinese tax, credit, Rounding and total rows', () => {
      const types = rows.map((r) => r.RecordType);
      expect(types.filter((t) => t === 'LineItem')).toHaveLength(15);
      expect(types.slice(15)).toEqual([
        'Rounding',
        'InvoiceTotal',
        'AccountTotal',
        'AccountTotal',
        'AccountTotal',
        'StatementTotal',
      ]);
      expect(
        rows.some(
          (r) =>
            r.ProductName === 'Amazon Relational Database Service' &&
            r.UsageType?.includes('HeavyUsage') &&
            r.SubscriptionId === '3320571166',
        ),
      ).toBe(true);
      expect(rows.filter((r) => r.ItemDescription?.startsWith('税金 VAT 类型'))).toHaveLength(3);
      expect(rows.some((r) => r.UnBlendedCost?.startsWith('-50'))).toBe(true);
      expect(rows.find((r) => r.RecordType === 'InvoiceTotal')?.ItemDescription).toBe(
        '发票 1480023917 的总额',
      );
      expect(rows.every((r) => r.InvoiceID === '1480023917')).toBe(true);
    });

    it('keeps quoted commas inside one field and account ids with leading zeros', () => {
      expect(rows.every((r) => Object.keys(r).length === 24)).toBe(true);
      expect(rows.map((r) => r.ItemDescription)).toContain(
        'CNY 2.00 每个指标-月, 前 10,000 个指标',
      );
      expect(new Set(rows.map((r) => r.LinkedAccountId))).toEqual(
        new Set(['003786579754', '006671276842', '052601815908', null]),
      );
    });

    it('builds resource ARNs in the aws-cn partition', () => {
      const arns = rows.map((r) => r.ResourceId).filter((id) => id?.startsWith('arn:'));
      expect(arns.length).toBeGreaterThan(0);
      expect(arns.every((a) => a?.split(':')[1] === 'aws-cn')).toBe(true);
    });

    it('has a Rounding row that brings the line items to the invoice total', () => {
      // Line items sum to 3837.4303455679 (examples/expected.ts); the invoice says 3837.43.
      const rounding = rows.find((r) => r.RecordType === 'Rounding');
      expect(rounding?.UnBlendedCost).toBe('-0.0003455679');
      expect(rows.find((r) => r.RecordType === 'InvoiceTotal')?.UnBlendedCost).toBe(
        '3837.4300000000',
      );
    });
  });

  describe('monthly invoice CSV', () => {
    let rows: Row[];

    beforeAll(async () => {
      rows = await readCsv(join(out, INVOICE));
    });

    it('has the 29 invoice columns and CNY on every row', () => {
      const firstLine = readFileSync(join(out, INVOICE), 'utf8').split('\n')[0]!;
      expect(firstLine.split(',')).toHaveLength(29);
      expect(Object.keys(rows[0]!)).toHaveLength(29);
      expect(new Set(rows.map((r) => r.CurrencyCode))).toEqual(new Set(['CNY']));
    });

    it('charges each account its owner-basis amount rounded to the fen', () => {
      // ownerCost (examples/expected.ts) 3149.7636789012 → 3149.76, 9.1866666667 → 9.19,
      // 678.48 → 678.48; the invoice total is their sum, 3837.43.
      const totals = Object.fromEntries(
        rows
          .filter((r) => r.RecordType === 'AccountTotal')
          .map((r) => [r.LinkedAccountId, r.TotalCost]),
      );
      expect(totals).toEqual({
        '003786579754': '3149.76',
        '006671276842': '9.19',
        '052601815908': '678.48',
      });
      expect(rows.find((r) => r.RecordType === 'InvoiceTotal')?.TotalCost).toBe('3837.43');
      expect(rows.find((r) => r.RecordType === 'InvoiceTotal')?.RecordID).toBe(
        'InvoiceTotal:1480023917',
      );
    });

    it('books the payer on PayerLineItem rows and linked accounts on LinkedLineItem rows', () => {
      const lineItems = rows.filter((r) => r.RecordType?.endsWith('LineItem'));
      expect(
        lineItems.every(
          (r) => (r.RecordType === 'PayerLineItem') === (r.LinkedAccountId === r.PayerAccountId),
        ),
      ).toBe(true);
      expect(rows.some((r) => r.RecordType === 'EstimatedDisclaimer')).toBe(false);
    });
  });

  describe('CUR 1', () => {
    it('uses category/Name headers covering every attribution column', () => {
      const text = gunzipSync(readFileSync(join(out, CUR1_DATA))).toString('utf8');
      const header = text.slice(0, text.indexOf('\n')).split(',');
      // docs/CUR-REFERENCE.md §3.1: '/' → '_', '_' before a capital that follows a lower-case letter,
      // lower-cased; every capital of 'ARN' is split off (ReservationARN → reservation_a_r_n).
      const snake = (h: string) =>
        h
          .replace(/ARN/g, 'A_R_N')
          .replace(/([a-z])([A-Z])/g, '$1_$2')
          .replace('/', '_')
          .toLowerCase();
      const names = new Set(header.map(snake));
      for (const column of CUR_COLUMNS) expect(names).toContain(column.name);
      expect(header).toContain('lineItem/UsageAccountId');
    });

    it('leaves bill/InvoiceId blank (provisional) and keeps USD and leading zeros', async () => {
      const csv = join(scratch, 'cur1.csv');
      writeFileSync(csv, gunzipSync(readFileSync(join(out, CUR1_DATA))));
      const rows = await readCsv(csv);
      expect(rows.every((r) => r['bill/InvoiceId'] === null)).toBe(true);
      expect(new Set(rows.map((r) => r['lineItem/CurrencyCode']))).toEqual(new Set(['USD']));
      expect(rows.map((r) => r['lineItem/UsageAccountId'])).toContain('012345678901');
      expect(new Set(rows.map((r) => r['lineItem/LineItemType']))).toEqual(
        new Set([
          'Fee',
          'RIFee',
          'DiscountedUsage',
          'SavingsPlanUpfrontFee',
          'SavingsPlanRecurringFee',
          'SavingsPlanCoveredUsage',
          'SavingsPlanNegation',
          'Usage',
          'Credit',
          'Refund',
          'Tax',
        ]),
      );
    });

    it('puts unused CR capacity in the assigned account, resource id = the owner CR ARN', async () => {
      const csv = join(scratch, 'cur1-cr.csv');
      writeFileSync(csv, gunzipSync(readFileSync(join(out, CUR1_DATA))));
      const unused = (await readCsv(csv)).filter((r) =>
        r['lineItem/UsageType']?.includes('UnusedBox'),
      );
      expect(unused.length).toBeGreaterThan(0);
      for (const line of unused) {
        expect(line['lineItem/UsageAccountId']).toBe('012345678901');
        expect(line['lineItem/ResourceId']?.split(':')[4]).toBe('222233334444');
        expect(line['lineItem/ResourceId']).toMatch(/:capacity-reservation\/cr-/);
      }
    });

    it('has a date-folder manifest pointing at the data file', () => {
      const manifest = JSON.parse(readFileSync(join(out, CUR1_MANIFEST), 'utf8'));
      const text = gunzipSync(readFileSync(join(out, CUR1_DATA))).toString('utf8');
      const header = text.slice(0, text.indexOf('\n')).split(',');
      expect(manifest).toMatchObject({
        account: '111122223333',
        assemblyId: '0c5f1a7e-3b2d-4e8f-9a6c-1d2e3f4a5b6c',
        compression: 'GZIP',
        reportName: 'acme-cur',
        billingPeriod: { start: '20251001T000000.000Z', end: '20251101T000000.000Z' },
        reportKeys: [CUR1_DATA],
      });
      expect(
        manifest.columns.map((c: { category: string; name: string }) => `${c.category}/${c.name}`),
      ).toEqual(header);
    });
  });

  describe('CUR 2.0', () => {
    it('stores money as DOUBLE, product as a MAP and has the capacity_reservation columns', async () => {
      const types = await describeParquet(join(out, CUR2_DATA));
      for (const column of CUR_COLUMNS) {
        expect(types.has(column.name)).toBe(true);
        if (column.kind === 'money') expect(types.get(column.name)).toBe('DOUBLE');
      }
      expect(types.get('product')).toBe('MAP(VARCHAR, VARCHAR)');
      expect(types.get('bill_billing_period_start_date')).toBe('TIMESTAMP');
      expect(types.get('bill_payer_account_name')).toBe('VARCHAR');
      expect(types.get('capacity_reservation_capacity_reservation_arn')).toBe('VARCHAR');
      expect(types.get('capacity_reservation_capacity_reservation_status')).toBe('VARCHAR');
    });

    it('is final (bill_invoice_id set) for payer 444455556666 with a leading-zero account', async () => {
      const rows = await parquetRows(
        join(out, CUR2_DATA),
        `select distinct bill_invoice_id, bill_payer_account_id, line_item_usage_account_id
         from cur order by all`,
      );
      expect(new Set(rows.map((r) => r.bill_invoice_id))).toEqual(new Set(['2375218711']));
      expect(new Set(rows.map((r) => r.bill_payer_account_id))).toEqual(new Set(['444455556666']));
      expect(rows.map((r) => r.line_item_usage_account_id)).toContain('077788899900');
    });

    it('labels the CR lines and keeps the product name in the product map', async () => {
      const rows = await parquetRows(
        join(out, CUR2_DATA),
        `select line_item_usage_type as usage_type,
                capacity_reservation_capacity_reservation_status as status,
                product['product_name'] as product_name
         from cur where capacity_reservation_capacity_reservation_arn is not null
         order by usage_type`,
      );
      expect(rows).toEqual([
        {
          usage_type: 'USW2-BoxUsage:g5.2xlarge',
          status: 'Used',
          product_name: 'Amazon Elastic Compute Cloud',
        },
        {
          usage_type: 'USW2-Reservation:g5.2xlarge',
          status: 'Reserved',
          product_name: 'Amazon Elastic Compute Cloud',
        },
        {
          usage_type: 'USW2-UnusedBox:g5.2xlarge',
          status: 'Unused',
          product_name: 'Amazon Elastic Compute Cloud',
        },
      ]);
    });

    it('has a Data Exports manifest whose dataFiles name the Parquet file', () => {
      const manifest = JSON.parse(readFileSync(join(out, CUR2_MANIFEST), 'utf8'));
      expect(manifest.executionId).toEqual(expect.any(String));
      expect(manifest.dataFiles).toEqual([`s3://globex-cur2-444455556666/${CUR2_DATA}`]);
    });
  });

  it('is deterministic: a second run writes byte-identical files', () => {
    // Prepare
    const again = generateExamples();
    const digest = (dir: string) =>
      listFiles(dir).map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]);
    // Act
    const first = digest(out);
    const second = digest(again);
    rmSync(again, { recursive: true, force: true });
    // Assess
    expect(second).toEqual(first);
  });
});
