import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import {
  csvText,
  cur1Csv,
  DBR_HEADER,
  dbrCsv,
  type Line,
  tempFolder,
  writeCurParquet,
  writeGzip,
  writeZip,
} from './billing-files.js';

const PAYER = '000123456789';
const A = '001111111111';
const B = '002222222222';
const partition = 'aws-cn';

const usage = (account: string, cost: string, period = '2025-10'): Line => ({
  bill_payer_account_id: PAYER,
  bill_billing_period_start_date: `${period}-01T00:00:00Z`,
  line_item_usage_account_id: account,
  line_item_line_item_type: 'Usage',
  line_item_currency_code: 'CNY',
  line_item_unblended_cost: cost,
});

let engine: DuckDbEngine;
let folder: ReturnType<typeof tempFolder>;
beforeAll(async () => {
  engine = await DuckDbEngine.create({ threads: 2, memoryLimit: '512MB' });
});
afterAll(() => engine.close());
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.cleanup());

const file = (name: string) => join(folder.path, name);

/** usage_cost per (period, usage account), from the ledger rows. */
const usageByAccount = (rows: readonly LedgerRow[]) =>
  Object.fromEntries(
    rows
      .filter((row) => row.line_item_type !== 'Rounding')
      .map((row) => [`${row.billing_period} ${row.usage_account_id}`, row.usage_cost]),
  );

describe('DuckDbEngine reads', () => {
  it('a CUR 1 CSV with a BOM, quoted commas, Chinese text and exact scientific notation', async () => {
    // Prepare: the BOM sits before the first header; the tag column holds a comma and Chinese.
    writeFileSync(
      file('cur.csv'),
      `\uFEFF${cur1Csv([usage(A, '1.5E-7'), usage(B, '-2.5094690054')])}`,
    );
    // Act
    const result = await engine.ledger({ location: file('cur.csv') });
    // Assess: 1.5E-7 = 0.00000015 exactly; account ids keep their leading zeros.
    expect(result.format).toBe('cur');
    expect(usageByAccount(result.rows)).toEqual({
      [`2025-10 ${A}`]: '0.0000001500',
      [`2025-10 ${B}`]: '-2.5094690054',
    });
    expect(result.rows[0]!.payer_account_id).toBe(PAYER);
  });

  it('a CUR 1 csv.gz without the Savings Plan columns (optional columns are NULL)', async () => {
    const columns = [
      'bill_payer_account_id',
      'bill_billing_period_start_date',
      'line_item_usage_account_id',
      'line_item_line_item_type',
      'line_item_currency_code',
      'line_item_unblended_cost',
    ];
    writeGzip(file('cur.csv.gz'), cur1Csv([usage(A, '10.10'), usage(A, '0.90')], columns));
    const result = await engine.ledger({ location: file('cur.csv.gz') });
    // 10.10 + 0.90 = 11.00 on A's one Usage row.
    expect(usageByAccount(result.rows)).toEqual({ [`2025-10 ${A}`]: '11.0000000000' });
    expect(result.rows[0]!.line_count).toBe(2);
  });

  it('a money value of 1e8 or more exactly (beyond DECIMAL(18,10))', async () => {
    writeFileSync(file('cur.csv'), cur1Csv([usage(A, '123456789.0123456789'), usage(A, '1')]));
    const result = await engine.ledger({ location: file('cur.csv') });
    // 123456789.0123456789 + 1 = 123456790.0123456789
    expect(usageByAccount(result.rows)).toEqual({ [`2025-10 ${A}`]: '123456790.0123456789' });
  });

  it('a DBR with tag columns, Chinese descriptions and a Rounding row', async () => {
    // Prepare
    const line = (account: string, cost: string, extra: Line = {}): Line => ({
      InvoiceID: 'Estimated',
      PayerAccountId: PAYER,
      LinkedAccountId: account,
      RecordType: 'LineItem',
      ProductName: 'Amazon Elastic Compute Cloud',
      ItemDescription: '按需 Linux, c5.large 实例, 每小时 ¥0.6',
      UsageStartDate: '2020-08-01 00:00:00',
      UnBlendedCost: cost,
      'user:Name': 'web, "front" 服务',
      ...extra,
    });
    const rows = [
      line(A, '100.5'),
      line(B, '0.25'),
      {
        InvoiceID: 'Estimated',
        PayerAccountId: PAYER,
        RecordType: 'Rounding',
        UnBlendedCost: '-0.01',
      },
      {
        InvoiceID: 'Estimated',
        PayerAccountId: PAYER,
        RecordType: 'InvoiceTotal',
        UnBlendedCost: '100.74',
      },
    ];
    writeFileSync(file('dbr.csv'), dbrCsv(rows));
    // Act
    const result = await engine.ledger({ location: file('dbr.csv') });
    // Assess: InvoiceTotal is no line item; Rounding only reaches invoice_cost.
    expect(result.format).toBe('dbr');
    expect(usageByAccount(result.rows)).toEqual({
      [`2020-08 ${A}`]: '100.5000000000',
      [`2020-08 ${B}`]: '0.2500000000',
    });
    const rounding = result.rows.find((row) => row.line_item_type === 'Rounding');
    expect(rounding?.invoice_cost).toBe('-0.0100000000');
  });

  it('a DBR without consolidated billing (Cost instead of UnBlendedCost)', async () => {
    const header = DBR_HEADER.map((name) => (name === 'UnBlendedCost' ? 'Cost' : name)).filter(
      (name) => !['BlendedRate', 'BlendedCost', 'UnBlendedRate'].includes(name),
    );
    const values: Line = {
      InvoiceID: 'Estimated',
      PayerAccountId: PAYER,
      LinkedAccountId: A,
      RecordType: 'LineItem',
      ProductName: 'Amazon Simple Storage Service',
      UsageStartDate: '2020-08-01 00:00:00',
      Cost: '3.5',
    };
    writeFileSync(file('dbr.csv'), csvText(header, [header.map((name) => values[name])]));
    const result = await engine.ledger({ location: file('dbr.csv') });
    expect(usageByAccount(result.rows)).toEqual({ [`2020-08 ${A}`]: '3.5000000000' });
  });

  it('CUR 2.0 Parquet and CUR 1 Athena Parquet, told apart by their columns', async () => {
    await writeCurParquet(file('cur2.parquet'), [usage(A, '0.1')], 'cur2');
    await writeCurParquet(file('cur1.parquet'), [usage(A, '0.1')], 'cur');
    const cur2 = await engine.ledger({ location: file('cur2.parquet') });
    const cur1 = await engine.ledger({ location: file('cur1.parquet') });
    expect([cur2.format, cur1.format]).toEqual(['cur2', 'cur']);
    // The DOUBLE 0.1 is cast to DECIMAL(38,10) value by value: exactly 0.1.
    expect(usageByAccount(cur2.rows)).toEqual({ [`2025-10 ${A}`]: '0.1000000000' });
  });

  it('Parquet DOUBLE money as the decimal its shortest text says, small and large', async () => {
    // Prepare: DuckDB's own DOUBLE -> DECIMAL(38,10) cast gives 1810957404.9999998976 and
    // -5716203.1887235992 for the first two; A holds both, so its sum is checked too.
    const fixed: [string, string, string][] = [
      [A, '1810957405', '1810957405.0000000000'],
      [A, '-5716203.1887236', '-5716203.1887236000'],
      [B, '99999.9999999999', '99999.9999999999'], // just below the direct-cast bound
      ['003333333333', '0.0000000001', '0.0000000001'],
      ['004444444444', '100000.0000000001', '100000.0000000001'], // just above it
    ];
    // Random large doubles whose shortest text has at most 10 fraction digits: the expected
    // decimal is that text (String(x)) padded to 10 fraction digits.
    const large = fc.sample(
      fc
        .record({
          magnitude: fc.integer({ min: 5, max: 14 }),
          digits: fc.integer({ min: 0, max: 10 }),
          unit: fc.double({ min: 1, max: 10, maxExcluded: true, noNaN: true }),
          negative: fc.boolean(),
        })
        .map(({ magnitude, digits, unit, negative }) =>
          Number(((negative ? -1 : 1) * unit * 10 ** magnitude).toFixed(digits)),
        ),
      { numRuns: 60, seed: 20251001 },
    );
    const padded = (text: string) => {
      const [whole, fraction = ''] = text.split('.');
      expect(fraction.length).toBeLessThanOrEqual(10);
      return `${whole}.${fraction.padEnd(10, '0')}`;
    };
    const random = large.map((x, i): [string, string, string] => {
      expect(String(x)).not.toMatch(/e/);
      return [`9${String(i).padStart(11, '0')}`, String(x), padded(String(x))];
    });
    const cases = [...fixed, ...random];
    await writeCurParquet(
      file('cur2.parquet'),
      cases.map(([account, cost]) => usage(account, cost)),
      'cur2',
    );
    // Act
    const result = await engine.ledger({ location: file('cur2.parquet') });
    // Assess: A = 1810957405 - 5716203.1887236 = 1805241201.8112764; the others one line each.
    expect(usageByAccount(result.rows)).toEqual({
      [`2025-10 ${A}`]: '1805241201.8112764000',
      ...Object.fromEntries(
        cases.slice(2).map(([account, , want]) => [`2025-10 ${account}`, want]),
      ),
    });
  });

  it('a CUR 2.0 export folder with two billing periods, ignoring metadata', async () => {
    // Prepare
    for (const [period, cost] of [
      ['2025-10', '1.25'],
      ['2025-11', '2.5'],
    ] as const) {
      mkdirSync(file(`export/data/BILLING_PERIOD=${period}`), { recursive: true });
      await writeCurParquet(
        file(`export/data/BILLING_PERIOD=${period}/export-00001.snappy.parquet`),
        [usage(A, cost, period), usage(B, cost, period)],
        'cur2',
      );
    }
    mkdirSync(file('export/metadata/BILLING_PERIOD=2025-11'), { recursive: true });
    // An overwrite export's manifest lists the one data file of its period.
    const manifest = {
      executionId: 'e1',
      dataFiles: ['s3://bucket/export/data/BILLING_PERIOD=2025-11/export-00001.snappy.parquet'],
    };
    writeFileSync(
      file('export/metadata/BILLING_PERIOD=2025-11/export-Manifest.json'),
      JSON.stringify(manifest),
    );
    // Act
    const result = await engine.ledger({ location: file('export') });
    // Assess
    expect(result.files).toHaveLength(2);
    expect(usageByAccount(result.rows)).toEqual({
      [`2025-10 ${A}`]: '1.2500000000',
      [`2025-10 ${B}`]: '1.2500000000',
      [`2025-11 ${A}`]: '2.5000000000',
      [`2025-11 ${B}`]: '2.5000000000',
    });
  });

  it('CUR 1 year=/month= folders whose files differ in columns', async () => {
    // Prepare: October has no reservation columns (CUR 1 drops unused ones); November has an RI.
    mkdirSync(file('r/year=2025/month=10'), { recursive: true });
    mkdirSync(file('r/year=2025/month=11'), { recursive: true });
    const basic = [
      'bill_payer_account_id',
      'bill_billing_period_start_date',
      'line_item_usage_account_id',
      'line_item_line_item_type',
      'line_item_currency_code',
      'line_item_unblended_cost',
    ];
    writeGzip(file('r/year=2025/month=10/r-00001.csv.gz'), cur1Csv([usage(B, '4')], basic));
    const riArn = `arn:${partition}:ec2:cn-north-1:${A}:reserved-instances/r1`;
    const covered: Line = {
      ...usage(B, '0', '2025-11'),
      line_item_line_item_type: 'DiscountedUsage',
      reservation_reservation_a_r_n: riArn,
      reservation_effective_cost: '7',
    };
    writeGzip(file('r/year=2025/month=11/r-00001.csv.gz'), cur1Csv([covered]));
    // Act
    const result = await engine.ledger({ location: file('r') });
    // Assess: October 4 stays with B; November's 7 is B's usage and A's (the RI owner's) cost.
    expect(usageByAccount(result.rows)).toEqual({
      [`2025-10 ${B}`]: '4.0000000000',
      [`2025-11 ${B}`]: '7.0000000000',
    });
    const november = result.rows.find((row) => row.billing_period === '2025-11');
    expect([november?.owner_account_id, november?.commitment]).toEqual([A, 'ri']);
  });

  it('refuses a folder mixing CSV and Parquet', async () => {
    mkdirSync(file('m'));
    await writeCurParquet(file('m/a.parquet'), [usage(B, '4')], 'cur');
    writeFileSync(file('m/b.csv'), cur1Csv([usage(B, '4')]));
    await expect(engine.ledger({ location: file('m') })).rejects.toThrow(
      `${file('m')}: mixed CSV and Parquet files in one source`,
    );
  });

  it('with --format overriding detection', async () => {
    await writeCurParquet(file('cur2.parquet'), [usage(A, '1')], 'cur2');
    const result = await engine.ledger({ location: file('cur2.parquet'), format: 'cur' });
    expect(result.format).toBe('cur');
  });

  // The engine reads the ledger as text: values joined by chr(31), NULL written as chr(30).
  it.each([
    ['holding chr(31)', 'Usage\x1f'],
    ['that is chr(30)', '\x1e'],
  ])('a value %s exactly, and NULL apart from it', async (_name, type) => {
    const lines = [
      { ...usage(A, '1'), line_item_line_item_type: type },
      { ...usage(B, '2'), line_item_line_item_type: null },
    ];
    await writeCurParquet(file('cur2.parquet'), lines, 'cur2');
    const result = await engine.ledger({ location: file('cur2.parquet') });
    const seen = result.rows.map((row) => [row.usage_account_id, row.line_item_type, row.note]);
    expect(seen.sort()).toEqual([
      [A, type, null],
      [B, null, null],
    ]);
  });

  it('leaves no extracted zip members behind', async () => {
    // An engine with a temporary folder of its own: the machine's tmpdir changes under parallel runs.
    const scratch = mkdtempSync(join(tmpdir(), 'whopays-test-scratch-'));
    const ownEngine = await DuckDbEngine.create({
      threads: 1,
      memoryLimit: '256MB',
      scratchParent: scratch,
    });
    const dbr: Line = {
      InvoiceID: '1320575235',
      PayerAccountId: PAYER,
      LinkedAccountId: A,
      RecordType: 'LineItem',
      ProductName: 'AmazonRDS',
      UsageStartDate: '2020-08-01 00:00:00',
      UnBlendedCost: '1',
    };
    writeZip(file('dbr.csv.zip'), 'dbr.csv', dbrCsv([dbr]));
    try {
      const result = await ownEngine.ledger({ location: file('dbr.csv.zip') });
      expect(result.rows[0]!.final_line_count).toBe(1);
      // Only the engine's own scratch folder is left, and no unpacked source inside it.
      const [engineScratch, ...others] = readdirSync(scratch);
      expect(others).toEqual([]);
      expect(
        readdirSync(join(scratch, engineScratch!)).filter((name) => name.startsWith('source-')),
      ).toEqual([]);
    } finally {
      await ownEngine.close();
    }
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('DuckDbEngine refuses, naming the file and the problem', () => {
  const refuses = async (location: string, message: string | RegExp) => {
    const outcome = engine.ledger({ location });
    await expect(outcome).rejects.toMatchObject({ name: 'InputError' });
    await expect(outcome).rejects.toThrow(message);
  };
  const curCsv = () => cur1Csv([usage(A, '1')]);

  it('a missing file', async () => {
    await refuses(file('nope.csv'), `${file('nope.csv')}: no such file or directory`);
  });

  it('an empty file', async () => {
    writeFileSync(file('empty.csv'), '');
    await refuses(file('empty.csv'), `${file('empty.csv')}: empty file`);
  });

  it('a header-only file', async () => {
    writeFileSync(file('h.csv'), curCsv().split('\n')[0]!);
    await refuses(file('h.csv'), `${file('h.csv')}: no billing lines (header only)`);
  });

  it('a CSV that is not a billing file', async () => {
    writeFileSync(file('x.csv'), 'name,amount\nalice,3\n');
    await refuses(
      file('x.csv'),
      `${file('x.csv')}: not a billing file (no DBR, CUR or FOCUS columns)`,
    );
  });

  it('a file without a required column, named', async () => {
    const text = curCsv().replace('lineItem/UnblendedCost', 'lineItem/SomethingElse');
    writeFileSync(file('c.csv'), text);
    await refuses(
      file('c.csv'),
      `${file('c.csv')}: missing required column line_item_unblended_cost`,
    );
  });

  it('a truncated gzip', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => usage(A, `${i}.5`));
    const gz = gzipSync(cur1Csv(lines));
    writeFileSync(file('t.csv.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    await refuses(file('t.csv.gz'), new RegExp(`^${file('t.csv.gz')}: truncated gzip$`));
  });

  it('a .csv.gz that is not gzip', async () => {
    writeFileSync(file('g.csv.gz'), curCsv());
    await refuses(file('g.csv.gz'), `${file('g.csv.gz')}: not a gzip file`);
  });

  it('a corrupt zip and a truncated zip', async () => {
    writeFileSync(file('c.csv.zip'), 'PK\u0003\u0004 definitely not a zip');
    await refuses(file('c.csv.zip'), new RegExp(`^${file('c.csv.zip')}: (corrupt|not a) zip`));
    const lines = Array.from({ length: 3000 }, (_, i) => usage(A, `${i}.5`));
    writeZip(file('full.csv.zip'), 'dbr.csv', cur1Csv(lines));
    const zipped = require('node:fs').readFileSync(file('full.csv.zip')) as Buffer;
    writeFileSync(file('t.csv.zip'), zipped.subarray(0, Math.floor(zipped.length / 2)));
    await refuses(file('t.csv.zip'), new RegExp(`^${file('t.csv.zip')}: (truncated|corrupt) zip`));
  });

  it('a corrupt Parquet file', async () => {
    writeFileSync(file('p.parquet'), 'PAR1 not really parquet');
    await refuses(
      file('p.parquet'),
      `${file('p.parquet')}: not a valid Parquet file (corrupt or truncated)`,
    );
  });

  it('a non-numeric cost, naming the column and the value', async () => {
    writeFileSync(file('n.csv'), cur1Csv([usage(A, '1'), usage(B, '12,50 CNY')]));
    await refuses(
      file('n.csv'),
      `${file('n.csv')}: column lineItem/UnblendedCost: not a number: "12,50 CNY"`,
    );
  });

  it('a non-numeric DBR cost', async () => {
    const row: Line = {
      PayerAccountId: PAYER,
      LinkedAccountId: A,
      RecordType: 'LineItem',
      ProductName: 'AmazonRDS',
      UsageStartDate: '2020-08-01 00:00:00',
      UnBlendedCost: 'N/A',
    };
    writeFileSync(file('d.csv'), dbrCsv([row]));
    await refuses(file('d.csv'), `${file('d.csv')}: column UnBlendedCost: not a number: "N/A"`);
  });

  it('a folder mixing DBR and CUR files', async () => {
    mkdirSync(file('mixed'));
    writeFileSync(file('mixed/a.csv'), curCsv());
    writeFileSync(
      file('mixed/b.csv'),
      dbrCsv([
        {
          PayerAccountId: PAYER,
          LinkedAccountId: A,
          RecordType: 'LineItem',
          ProductName: 'x',
          UnBlendedCost: '1',
        },
      ]),
    );
    await refuses(file('mixed'), `${file('mixed')}: mixed formats: a.csv is cur, b.csv is dbr`);
  });

  it('binary data named .csv', async () => {
    const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256));
    writeFileSync(file('b.csv'), noise);
    await refuses(file('b.csv'), new RegExp(`^${file('b.csv')}: not (CSV|UTF-8) text`));
  });

  it('UTF-16 text, plain or gzipped', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(curCsv(), 'utf16le')]);
    writeFileSync(file('u.csv'), utf16);
    await refuses(file('u.csv'), `${file('u.csv')}: UTF-16 text: save the file as UTF-8`);
    writeFileSync(file('u.csv.gz'), gzipSync(utf16));
    await refuses(file('u.csv.gz'), `${file('u.csv.gz')}: UTF-16 text: save the file as UTF-8`);
  });

  it('a contract column given twice', async () => {
    const [header, row] = curCsv().trim().split('\n');
    writeFileSync(file('d.csv'), `${header},lineItem/UnblendedCost\n${row},2.00\n`);
    await refuses(file('d.csv'), `${file('d.csv')}: duplicated column lineItem/UnblendedCost`);
  });

  it('a CSV with a row of the wrong width', async () => {
    writeFileSync(file('w.csv'), `${curCsv()}1,2,3\n`);
    await refuses(file('w.csv'), new RegExp(`^${file('w.csv')}: malformed CSV at line 3`));
  });
});
