import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import type { ReportWithConverted } from '../../lambdas/core/currency-rates.js';
import { parseMoney } from '../../lambdas/core/money.js';
import type { Report } from '../../lambdas/core/report-model.js';
import {
  cur1Csv,
  dbrCsv,
  type Line,
  tempFolder,
  writeCurParquet,
  writeGzip,
  writeZip,
} from '../adapters/billing-files.js';
import { riCrossAccount } from '../fixtures/scenarios/cur-scenarios.js';
import { chinaPublishedMethod } from '../fixtures/scenarios/dbr-scenarios.js';
import type { ExpectedAccount } from '../fixtures/scenarios/types.js';

const ROOT = resolve(__dirname, '../..');

/** Runs the real built command, as `npx whopays` does. */
const whopays = (...args: string[]) => {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/whopays.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

let folder: ReturnType<typeof tempFolder>;
const file = (name: string) => join(folder.path, name);
/** Writes a file into the test folder and returns its path. */
const written = (name: string, text: string) => {
  writeFileSync(file(name), text);
  return file(name);
};

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
}, 60_000);
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.cleanup());

const MONEY = /^-?\d+(\.\d+)?$/;
const ACCOUNT = /^\d{12}$/;

/** Per-account totals of a report, comparable with a scenario's hand-worked expectation. */
const totalsOf = (report: Report) =>
  report.periods
    .flatMap((period) =>
      period.accounts.map((a) => [
        `${period.billingPeriod} ${a.accountId}`,
        parseMoney(a.usageCost),
        parseMoney(a.ownerCost),
        parseMoney(a.invoiceCost),
      ]),
    )
    .sort();
const expectedTotals = (accounts: readonly ExpectedAccount[]) =>
  accounts
    .map((a) => [
      `${a.billingPeriod} ${a.accountId}`,
      parseMoney(a.usageCost),
      parseMoney(a.ownerCost),
      parseMoney(a.invoiceCost),
    ])
    .sort();

describe('whopays report', () => {
  it('prints only the report JSON of REPORT.md with --json', async () => {
    // Prepare: the RI scenario (hand-worked in test/fixtures/scenarios) as a CUR 1 csv.gz.
    writeGzip(file('cur.csv.gz'), cur1Csv(riCrossAccount.rows));
    // Act
    const run = whopays('report', file('cur.csv.gz'), '--json');
    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.schemaVersion).toBe(1);
    expect(report.sources).toEqual([
      expect.objectContaining({ path: file('cur.csv.gz'), format: 'cur' }),
    ]);
    expect(totalsOf(report)).toEqual(expectedTotals(riCrossAccount.expected.accounts));
    for (const period of report.periods) {
      for (const account of period.accounts) {
        expect(account.accountId).toMatch(ACCOUNT);
        expect(account.payerAccountId).toMatch(ACCOUNT);
        for (const money of [account.usageCost, account.ownerCost, account.invoiceCost]) {
          expect(typeof money).toBe('string');
          expect(money).toMatch(MONEY);
        }
      }
      for (const transfer of period.transfers) expect(transfer.cost).toMatch(MONEY);
    }
    expect(run.stderr).toMatch(/^read .*cur\.csv\.gz: cur, 1 file, \d+ lines, [\d.]+ s\n$/);
  });

  it('gives the same totals from CUR 2.0 Parquet and prints a table without --json', async () => {
    await writeCurParquet(file('cur2.parquet'), riCrossAccount.rows, 'cur2');
    const json = whopays('report', file('cur2.parquet'), '--json');
    expect(totalsOf(JSON.parse(json.stdout))).toEqual(
      expectedTotals(riCrossAccount.expected.accounts),
    );
    const table = whopays('report', file('cur2.parquet'));
    expect(table.code).toBe(0);
    for (const account of riCrossAccount.expected.accounts) {
      expect(table.stdout).toContain(account.accountId);
    }
  });

  it('declares CNY for an -ACTS- DBR unless --dbr-currency says otherwise', () => {
    const name =
      '052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-2020-08.csv.zip';
    writeZip(file(name), 'dbr.csv', dbrCsv(chinaPublishedMethod.rows));
    const china = JSON.parse(whopays('report', file(name), '--json').stdout) as Report;
    expect(china.periods.map((p) => p.currency)).toEqual(['CNY']);
    expect(totalsOf(china)).toEqual(expectedTotals(chinaPublishedMethod.expected.accounts));
    const usd = JSON.parse(whopays('report', file(name), '--json', '--dbr-currency', 'USD').stdout);
    expect((usd as Report).periods.map((p) => p.currency)).toEqual(['USD']);
  });

  it('consolidates several sources (payers) in one report', () => {
    writeGzip(file('a.csv.gz'), cur1Csv(riCrossAccount.rows));
    const other: Line = {
      bill_payer_account_id: '000000000777',
      bill_billing_period_start_date: '2025-11-01T00:00:00Z',
      line_item_usage_account_id: '000000000778',
      line_item_line_item_type: 'Usage',
      line_item_currency_code: 'USD',
      line_item_unblended_cost: '2.5',
    };
    writeFileSync(file('b.csv'), cur1Csv([other]));
    const run = whopays('report', file('a.csv.gz'), file('b.csv'), '--json');
    const report = JSON.parse(run.stdout) as Report;
    expect(report.sources.map((s) => s.payerAccountIds)).toEqual([
      ['099999999999'],
      ['000000000777'],
    ]);
    expect(report.periods[0]!.payerAccountIds).toEqual(['000000000777', '099999999999']);
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('writes report.json, accounts.csv, transfers.csv, commitments.csv and report.html with --out', () => {
    writeGzip(file('cur.csv.gz'), cur1Csv(riCrossAccount.rows));
    const run = whopays('report', file('cur.csv.gz'), '--out', file('out/2025-11'), '--json');
    expect(run.code).toBe(0);
    expect(readdirSync(file('out/2025-11')).sort()).toEqual([
      'accounts.csv',
      'commitments.csv',
      'report.html',
      'report.json',
      'transfers.csv',
    ]);
    const written = JSON.parse(readFileSync(file('out/2025-11/report.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(run.stdout));
    // Nothing of the staging folder is left next to it.
    expect(readdirSync(file('out'))).toEqual(['2025-11']);
  });

  it('writes account ids in the CSVs so spreadsheets keep them as text, or plain on request', () => {
    writeGzip(file('cur.csv.gz'), cur1Csv(riCrossAccount.rows));
    const firstIds = (dir: string) => {
      const [header, row] = readFileSync(file(`${dir}/accounts.csv`), 'utf8').split('\r\n');
      const columns = header!.replace('\uFEFF', '').split(',');
      return row!.split(',')[columns.indexOf('account_id')];
    };
    expect(whopays('report', file('cur.csv.gz'), '--out', file('excel')).code).toBe(0);
    expect(
      whopays('report', file('cur.csv.gz'), '--out', file('plain'), '--csv-ids', 'plain').code,
    ).toBe(0);
    const plain = firstIds('plain')!;
    expect(plain).toMatch(/^\d{12}$/);
    // The cell is ="<id>" (a formula Excel and LibreOffice show as text), quoted per RFC 4180.
    expect(firstIds('excel')).toBe(`"=""${plain}"""`);
  });
});

/** A CUR Usage line of October 2025 (USD), for the report-version tests. */
const octoberUsage = (account: string, cost: string): Line => ({
  bill_payer_account_id: '000000000100',
  bill_billing_period_start_date: '2025-10-01T00:00:00Z',
  line_item_usage_account_id: account,
  line_item_line_item_type: 'Usage',
  line_item_currency_code: 'USD',
  line_item_unblended_cost: cost,
});

/** usageCost per account of a one-period report. */
const usageOf = (report: Report) =>
  Object.fromEntries(report.periods[0]!.accounts.map((a) => [a.accountId, a.usageCost]));

/** Creates the parent folders of a test file and returns its path. */
const placed = (name: string) => {
  mkdirSync(dirname(file(name)), { recursive: true });
  return file(name);
};

describe('whopays report counts one version of a report ("create new report version")', () => {
  const A = '000000000101';
  const B = '000000000102';

  it('CUR 1: only the assembly the date-folder manifest lists', () => {
    // Prepare: an older delivery (asm-old) and the latest one (asm-new) of October.
    const date = 'cur/ri-report/20251001-20251101';
    writeGzip(
      placed(`${date}/asm-old/ri-report-1.csv.gz`),
      cur1Csv([octoberUsage(A, '10.00'), octoberUsage(B, '5.00')]),
    );
    writeGzip(placed(`${date}/asm-new/ri-report-1.csv.gz`), cur1Csv([octoberUsage(A, '12.50')]));
    writeGzip(
      placed(`${date}/asm-new/ri-report-2.csv.gz`),
      cur1Csv([octoberUsage(B, '7.25'), octoberUsage(A, '0.50')]),
    );
    const manifest = {
      assemblyId: 'asm-new',
      account: '000000000100',
      reportKeys: [1, 2].map((n) => `ri-report/20251001-20251101/asm-new/ri-report-${n}.csv.gz`),
    };
    writeFileSync(placed(`${date}/ri-report-Manifest.json`), JSON.stringify(manifest));
    // Act
    const run = whopays('report', file('cur'), '--json');
    // Assess: A = 12.50 + 0.50 = 13.00 and B = 7.25 from asm-new alone (with asm-old counted too
    // they would be 23.00 and 12.25).
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(usageOf(report)).toEqual({ [A]: '13.0000000000', [B]: '7.2500000000' });
    expect(report.periods[0]!.totals.invoiceCost).toBe('20.2500000000');
    expect(run.stderr).toMatch(
      /^read .*cur: cur, 2 files, 3 lines, [\d.]+ s; skipped 1 file of older report versions \(not in the latest manifest\)\n$/,
    );
  });

  it('CUR 2.0: only the execution folder the metadata manifest lists', async () => {
    // Prepare
    const data = 'exp/data/BILLING_PERIOD=2025-10';
    const older = `${data}/20251005T010000Z-1111`;
    const latest = `${data}/20251006T010000Z-2222`;
    await writeCurParquet(
      placed(`${older}/exp-00001.snappy.parquet`),
      [octoberUsage(A, '4.00')],
      'cur2',
    );
    await writeCurParquet(
      placed(`${latest}/exp-00001.snappy.parquet`),
      [octoberUsage(A, '4.40'), octoberUsage(B, '1.10')],
      'cur2',
    );
    const manifest = {
      executionId: '2222',
      dataFiles: [`s3://bucket/exports/${latest}/exp-00001.snappy.parquet`],
    };
    writeFileSync(
      placed('exp/metadata/BILLING_PERIOD=2025-10/exp-Manifest.json'),
      JSON.stringify(manifest),
    );
    // Act
    const run = whopays('report', file('exp'), '--json');
    // Assess: A = 4.40 and B = 1.10 from the latest execution only (not A = 8.40).
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(usageOf(report)).toEqual({ [A]: '4.4000000000', [B]: '1.1000000000' });
    expect(report.periods[0]!.totals.usageCost).toBe('5.5000000000');
    expect(run.stderr).toMatch(/: cur2, 1 file, 2 lines, [\d.]+ s; skipped 1 file of older/);
  });

  it('refuses a manifest listing a file that is not here: exit 2, no output', () => {
    const date = 'cur/ri-report/20251001-20251101';
    writeGzip(placed(`${date}/asm-1/ri-report-1.csv.gz`), cur1Csv([octoberUsage(A, '1')]));
    const key = 'ri-report/20251001-20251101/asm-2/ri-report-1.csv.gz';
    writeFileSync(
      placed(`${date}/ri-report-Manifest.json`),
      JSON.stringify({ assemblyId: 'asm-2', reportKeys: [key] }),
    );
    const run = whopays('report', file('cur'), '--json', '--out', file('out'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `whopays: ${file(`${date}/ri-report-Manifest.json`)}: lists ${key}, missing here (${file(`cur/${key}`)})\n`,
    );
    expect(run.stdout).toBe('');
    expect(existsSync(file('out'))).toBe(false);
  });
});

describe('whopays report --rates', () => {
  it('adds a converted view of a CNY DBR and a USD CUR, in the JSON and the HTML', () => {
    // Prepare: August 2020 billed twice: a China DBR (CNY, from -ACTS- in its name) and a CUR (USD).
    const [A, B, C] = ['000000000201', '000000000202', '000000000203'];
    const dbrLine = (account: string, cost: string): Line => ({
      InvoiceID: 'Estimated',
      PayerAccountId: '000000000200',
      LinkedAccountId: account,
      RecordType: 'LineItem',
      ProductName: 'Amazon Elastic Compute Cloud',
      UsageStartDate: '2020-08-01 00:00:00',
      UnBlendedCost: cost,
    });
    const dbr = written(
      '000000000200-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-2020-08.csv',
      dbrCsv([dbrLine(A, '100'), dbrLine(B, '20')]),
    );
    const cur = written(
      'cur.csv',
      cur1Csv([
        {
          bill_payer_account_id: '000000000300',
          bill_billing_period_start_date: '2020-08-01T00:00:00Z',
          line_item_usage_account_id: C,
          line_item_line_item_type: 'Usage',
          line_item_currency_code: 'USD',
          line_item_unblended_cost: '10',
        },
      ]),
    );
    const rates = written(
      'rates.json',
      JSON.stringify({ base: 'USD', asOf: '2020-08-31', rates: { CNY: '0.1385' } }),
    );
    const groups = written(
      'groups.json',
      JSON.stringify([{ Name: 'china', AccountGrouping: { LinkedAccountIds: [A, B] } }]),
    );
    // Act
    const args = ['--rates', rates, '--groups', groups, '--out', file('out'), '--json'];
    const run = whopays('report', dbr, cur, ...args);
    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ReportWithConverted;
    // The billed figures stay one entry per currency.
    expect(report.periods.map((p) => [p.billingPeriod, p.currency])).toEqual([
      ['2020-08', 'CNY'],
      ['2020-08', 'USD'],
    ]);
    const converted = report.converted!;
    expect([converted.base, converted.asOf, converted.rates]).toEqual([
      'USD',
      '2020-08-31',
      { CNY: '0.1385', USD: '1' },
    ]);
    const [august] = converted.periods;
    expect(august!.sourceCurrencies).toEqual(['CNY', 'USD']);
    // A: 100 x 0.1385 = 13.85; B: 20 x 0.1385 = 2.77; C: 10 x 1 = 10.
    expect(august!.accounts.map((a) => [a.accountId, a.currency, a.usageCost])).toEqual([
      [A, 'CNY', '13.8500000000'],
      [B, 'CNY', '2.7700000000'],
      [C, 'USD', '10.0000000000'],
    ]);
    // 13.85 + 2.77 + 10 = 26.62; group china = 13.85 + 2.77 = 16.62.
    expect(august!.totals.usageCost).toBe('26.6200000000');
    expect(august!.totals.invoiceCost).toBe('26.6200000000');
    // C is in no group: the report's "(ungrouped)" group, 10.
    expect(august!.groups?.map((g) => [g.name, g.usageCost])).toEqual([
      ['china', '16.6200000000'],
      ['(ungrouped)', '10.0000000000'],
    ]);
    // The written JSON is the printed one; the HTML shows the converted view.
    expect(JSON.parse(readFileSync(file('out/report.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(file('out/report.html'), 'utf8')).toContain('Converted into USD');
    // groups.csv, billed figures per (period, currency) and group: china = 100 + 20 = 120 CNY and
    // 0 USD (its members have no USD lines); C, in no group, 10 USD.
    const groupsCsv = readFileSync(file('out/groups.csv'), 'utf8').trim().split('\r\n');
    const row = (currency: string, group: string, ids: string, cost: string) =>
      `2020-08,${currency},false,${group},,${ids},${cost},${cost},${cost}`;
    expect(groupsCsv.slice(1)).toEqual([
      row('CNY', 'china', `${A} ${B}`, '120.0000000000'),
      row('USD', 'china', `${A} ${B}`, '0'),
      row('USD', '(ungrouped)', C, '10.0000000000'),
    ]);
  });

  it('refuses a rates file that cannot be read or has no rate for a billed currency', () => {
    const dbr = written(
      '000000000200-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-2020-08.csv',
      dbrCsv([
        {
          InvoiceID: 'Estimated',
          PayerAccountId: '000000000200',
          LinkedAccountId: '000000000201',
          RecordType: 'LineItem',
          UsageStartDate: '2020-08-01 00:00:00',
          UnBlendedCost: '1',
        },
      ]),
    );
    const eur = written('eur.json', JSON.stringify({ base: 'USD', rates: { EUR: '1.1' } }));
    const cases = [
      [file('nope.json'), /nope\.json: no such file$/],
      [eur, /eur\.json: no rate for CNY/],
    ] as const;
    for (const [rates, message] of cases) {
      const run = whopays('report', dbr, '--rates', rates, '--out', file('out'));
      expect([run.code, run.stdout, existsSync(file('out'))]).toEqual([2, '', false]);
      // A missing rate is known once the sources are read: their progress lines come first.
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('whopays: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
    }
  });
});

describe('whopays report refuses bad input: exit 2, one stderr line naming the file, no output', () => {
  const curLine: Line = {
    bill_payer_account_id: '000000000777',
    bill_billing_period_start_date: '2025-11-01T00:00:00Z',
    line_item_usage_account_id: '000000000778',
    line_item_line_item_type: 'Usage',
    line_item_unblended_cost: '2.5',
  };
  const many = Array.from({ length: 3000 }, (_, i) => ({
    ...curLine,
    line_item_unblended_cost: `${i}.25`,
  }));

  const cases: [string, () => Promise<string> | string, RegExp][] = [
    ['a missing file', () => file('missing.csv'), /missing\.csv: no such file or directory$/],
    ['an empty file', () => written('e.csv', ''), /e\.csv: empty file$/],
    [
      'a header-only file',
      () => written('h.csv', cur1Csv([]).trim()),
      /h\.csv: no billing lines \(header only\)$/,
    ],
    [
      'a file that is not a billing file',
      () => written('x.csv', 'a,b\n1,2\n'),
      /x\.csv: not a billing file/,
    ],
    [
      'a missing required column',
      () => written('m.csv', cur1Csv([curLine]).replace('lineItem/LineItemType', 'lineItem/Kind')),
      /m\.csv: missing required column line_item_line_item_type$/,
    ],
    [
      'a truncated gzip',
      () => {
        const gz = gzipSync(cur1Csv(many));
        writeFileSync(file('t.csv.gz'), gz.subarray(0, gz.length - 100));
        return file('t.csv.gz');
      },
      /t\.csv\.gz: truncated gzip$/,
    ],
    ['a corrupt zip', () => written('z.csv.zip', 'not a zip'), /z\.csv\.zip: .*zip/],
    [
      'a corrupt Parquet file',
      () => written('p.parquet', 'PAR1xxxx'),
      /p\.parquet: not a valid Parquet file/,
    ],
    [
      'a non-numeric cost',
      () => written('n.csv', cur1Csv([{ ...curLine, line_item_unblended_cost: 'abc' }])),
      /n\.csv: column lineItem\/UnblendedCost: not a number: "abc"$/,
    ],
    [
      'a folder mixing formats',
      async () => {
        const { mkdirSync } = await import('node:fs');
        mkdirSync(file('mixed'));
        writeFileSync(file('mixed/a.csv'), cur1Csv([curLine]));
        await writeCurParquet(file('mixed/b.parquet'), [curLine], 'cur2');
        return file('mixed');
      },
      /mixed: mixed formats: a\.csv is cur, b\.parquet is cur2$/,
    ],
  ];

  it.each(cases)('%s', async (_name, make, message) => {
    // Prepare
    const path = await make();
    // Act
    const run = whopays('report', path, '--out', file('out'), '--json');
    // Assess
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^whopays: /);
    expect(lines[0]).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    expect(existsSync(file('out'))).toBe(false);
  });

  it('refuses a groups file that is not JSON, and bad options, the same way', () => {
    writeFileSync(file('c.csv'), cur1Csv([curLine]));
    writeFileSync(file('groups.json'), '[{');
    const cases = [
      [['--groups', file('groups.json')], /groups\.json: not valid JSON/],
      [['--dbr-currency', 'yuan'], /--dbr-currency: not a currency code: yuan$/],
      [['--format', 'xls'], /argument 'xls' is invalid/],
      [['--bogus'], /unknown option '--bogus'/],
    ] as const;
    for (const [args, message] of cases) {
      const run = whopays('report', file('c.csv'), ...args);
      expect([run.code, run.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(run.stderr.trim()).toMatch(message);
    }
  });
});

describe('whopays sql', () => {
  it.each(['cur2', 'cur', 'dbr'])('prints Athena SQL for %s that Trino parses', (format) => {
    const run = whopays(
      'sql',
      '--engine',
      'athena',
      '--format',
      format,
      '--database',
      'billing',
      '--table',
      'cur_2025',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('from "billing"."cur_2025" as');
    expect(new TrinoSQL().validate(run.stdout)).toEqual([]);
  });

  it('prints DuckDB SQL over a file that the duckdb shell runs as printed', async () => {
    // Prepare
    writeGzip(file('cur.csv.gz'), cur1Csv(riCrossAccount.rows));
    const run = whopays(
      'sql',
      '--engine',
      'duckdb',
      '--format',
      'cur',
      '--table',
      file('cur.csv.gz'),
    );
    expect(run.code).toBe(0);
    // Act: the printed text, run as is.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll(run.stdout)).getRowObjectsJson();
    connection.closeSync();
    instance.closeSync();
    // Assess: the same ledger lines as the report counts.
    const lines = rows.reduce((sum, row) => sum + Number(row.line_count), 0);
    expect(lines).toBe(riCrossAccount.expected.ledgerLineCount);
  });

  it('requires --engine and --format', () => {
    const run = whopays('sql', '--format', 'cur');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^whopays: required option '--engine <engine>' not specified\n$/);
  });
});

describe('whopays', () => {
  it('answers --help and --version with exit 0', () => {
    const help = whopays('--help');
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('report')]);
    for (const command of ['report', 'sql', 'reconcile']) expect(help.stdout).toContain(command);
    const reportHelp = whopays('report', '--help').stdout;
    for (const option of ['--dbr-currency', '--rates', 'groups.csv']) {
      expect(reportHelp).toContain(option);
    }
    const version = whopays('--version');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect([version.code, version.stdout.trim()]).toEqual([0, pkg.version]);
  });
});
