import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import type { Report } from '../../lambdas/core/report-model.js';
import {
  cur1Csv,
  dbrCsv,
  folderPerTest,
  type Line,
  writeCurParquet,
} from '../adapters/billing-files.js';
import { buildCli, whopays } from '../helpers/cli.js';

// Issue 11 items 1 and 2: the same data reached twice counts once; two copies of one payer's bill
// are refused; files behind symbolic links are read. Every figure is worked out by hand.

const { path, write } = folderPerTest();

beforeAll(buildCli, 60_000);

const PAYER = '111111111111';
const LINKED = '222222222222';

/** Two usage lines of one payer in 2025-10: 1.25 on the payer, 2.50 on the linked account. */
const OCTOBER: readonly Line[] = [
  {
    bill_payer_account_id: PAYER,
    bill_invoice_id: 'INV-1',
    bill_billing_period_start_date: '2025-10-01T00:00:00Z',
    line_item_usage_account_id: PAYER,
    line_item_line_item_type: 'Usage',
    line_item_currency_code: 'USD',
    line_item_unblended_cost: '1.25',
  },
  {
    bill_payer_account_id: PAYER,
    bill_invoice_id: 'INV-1',
    bill_billing_period_start_date: '2025-10-01T00:00:00Z',
    line_item_usage_account_id: LINKED,
    line_item_line_item_type: 'Usage',
    line_item_currency_code: 'USD',
    line_item_unblended_cost: '2.50',
  },
];

/** usageCost per account of a --json report, for comparing with the hand-worked figures. */
const usageByAccount = (stdout: string) =>
  Object.fromEntries(
    (JSON.parse(stdout) as Report).periods.flatMap((p) =>
      p.accounts.map((a) => [`${p.billingPeriod} ${a.accountId}`, a.usageCost]),
    ),
  );

/** A hand-worked amount as the report writes it (10 decimals). */
const money = (text: string) => formatMoney(parseMoney(text));

const ONCE = { [`2025-10 ${PAYER}`]: money('1.25'), [`2025-10 ${LINKED}`]: money('2.5') };

/** A refusal: exit 2, one stderr line, nothing on stdout, no --out folder. */
const expectRefused = (result: ReturnType<typeof whopays>, out: string) => {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  return result.stderr.trimEnd();
};

describe('whopays report reads each file once', () => {
  it('counts a file given twice once, and says a duplicate path was skipped', () => {
    const cur = write('cur.csv', cur1Csv(OCTOBER));
    const result = whopays('report', cur, cur, '--json');
    expect(result.code).toBe(0);
    expect(usageByAccount(result.stdout)).toEqual(ONCE);
    expect(result.stderr).toContain(`skipped ${cur}: every file in it was already read`);
  });

  it('counts a file and the folder holding it once', () => {
    const cur = write('export/cur.csv', cur1Csv(OCTOBER));
    const result = whopays('report', path('export'), cur, '--json');
    expect(result.code).toBe(0);
    expect(usageByAccount(result.stdout)).toEqual(ONCE);
    expect(result.stderr).toContain(`skipped ${cur}: every file in it was already read`);
  });

  it('counts two paths of one real file (a symbolic link in the folder) once', () => {
    write('export/cur.csv', cur1Csv(OCTOBER));
    symlinkSync(path('export', 'cur.csv'), path('export', 'again.csv'));
    const result = whopays('report', path('export'), '--json');
    expect(result.code).toBe(0);
    expect(usageByAccount(result.stdout)).toEqual(ONCE);
    expect(result.stderr).toMatch(/1 file, 2 lines, .* skipped 1 duplicate path \(same file/);
  });
});

describe('whopays report refuses two copies of one payer and period', () => {
  const refusal = (first: string, second: string) => {
    const out = path('out');
    const result = whopays('report', first, second, '--out', out);
    const line = expectRefused(result, out);
    expect(line).toContain(first);
    expect(line).toContain(second);
    expect(line).toContain(`payer ${PAYER}`);
    expect(line).toContain('period 2025-10');
    return line;
  };

  it('refuses CUR 1 and CUR 2.0 of the same payer and month', async () => {
    const cur1 = write('cur1/cur.csv', cur1Csv(OCTOBER));
    const cur2 = path('cur2.parquet');
    await writeCurParquet(cur2, OCTOBER, 'cur2');
    expect(refusal(cur1, cur2)).toContain('(cur and cur2)');
  });

  it('refuses two CUR exports of one payer (two different files)', () => {
    const a = write('a/cur.csv', cur1Csv(OCTOBER));
    const b = write('b/cur.csv', cur1Csv(OCTOBER.slice(0, 1)));
    refusal(a, b);
  });

  it('refuses a DBR and a CUR of the same payer and month', () => {
    const dbr = write(
      'dbr.csv',
      dbrCsv([
        {
          InvoiceID: 'INV-1',
          PayerAccountId: PAYER,
          LinkedAccountId: LINKED,
          RecordType: 'LineItem',
          ProductName: 'Amazon Elastic Compute Cloud',
          UsageStartDate: '2025-10-03 00:00:00',
          UnBlendedCost: '2.50',
        },
      ]),
    );
    const cur = write('cur.csv', cur1Csv(OCTOBER));
    expect(refusal(dbr, cur)).toContain('(dbr and cur)');
  });

  it('reads two sources of one payer in different months', () => {
    const october = write('oct.csv', cur1Csv(OCTOBER));
    const november = write(
      'nov.csv',
      cur1Csv(
        OCTOBER.map((line) => ({
          ...line,
          bill_billing_period_start_date: '2025-11-01T00:00:00Z',
        })),
      ),
    );
    const result = whopays('report', october, november, '--json');
    expect(result.code).toBe(0);
    expect(usageByAccount(result.stdout)).toEqual({
      ...ONCE,
      [`2025-11 ${PAYER}`]: money('1.25'),
      [`2025-11 ${LINKED}`]: money('2.5'),
    });
  });
});

describe('whopays report follows symbolic links in folders', () => {
  it('reads a folder of symbolic links to files elsewhere', () => {
    write('store/cur.csv', cur1Csv(OCTOBER));
    mkdirSync(path('links'));
    symlinkSync(path('store', 'cur.csv'), path('links', 'cur.csv'));
    const result = whopays('report', path('links'), '--json');
    expect(result.code).toBe(0);
    expect(usageByAccount(result.stdout)).toEqual(ONCE);
  });

  it('reads a linked folder once, even with a link back up the tree (a loop)', () => {
    write('store/2025-10/cur.csv', cur1Csv(OCTOBER));
    mkdirSync(path('links'));
    symlinkSync(path('store'), path('links', 'store'));
    symlinkSync(path('links'), path('store', '2025-10', 'up'));
    const result = whopays('report', path('links'), '--json');
    expect(result.code).toBe(0);
    expect(usageByAccount(result.stdout)).toEqual(ONCE);
  });

  it('refuses a symbolic link to a missing data file, naming the link', () => {
    write('export/cur.csv', cur1Csv(OCTOBER));
    symlinkSync(path('gone.csv'), path('export', 'lost.csv'));
    const out = path('out');
    const line = expectRefused(whopays('report', path('export'), '--out', out), out);
    expect(line).toBe(`whopays: ${path('export', 'lost.csv')}: symbolic link to a missing file`);
  });
});
