import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
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

  it('writes report.json, accounts.csv, transfers.csv and report.html with --out', () => {
    writeGzip(file('cur.csv.gz'), cur1Csv(riCrossAccount.rows));
    const run = whopays('report', file('cur.csv.gz'), '--out', file('out/2025-11'), '--json');
    expect(run.code).toBe(0);
    expect(readdirSync(file('out/2025-11')).sort()).toEqual([
      'accounts.csv',
      'report.html',
      'report.json',
      'transfers.csv',
    ]);
    const written = JSON.parse(readFileSync(file('out/2025-11/report.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(run.stdout));
    // Nothing of the staging folder is left next to it.
    expect(readdirSync(file('out'))).toEqual(['2025-11']);
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
    expect(whopays('report', '--help').stdout).toContain('--dbr-currency');
    const version = whopays('--version');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect([version.code, version.stdout.trim()]).toEqual([0, pkg.version]);
  });
});
