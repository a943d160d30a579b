import { existsSync, readdirSync } from 'node:fs';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import type { Report } from '../../lambdas/core/report-model.js';
import {
  CUR1_HEADERS,
  csvText,
  cur1Csv,
  folderPerTest,
  type Line,
  writeCurParquet,
} from '../adapters/billing-files.js';
import { buildCli, whopays } from '../helpers/cli.js';

// Issue 11 items 3 to 5: headers as AWS and other tools spell them, account ids that are not
// account ids, and saying what was understood. Every figure is worked out by hand.

const { path, write } = folderPerTest();

beforeAll(buildCli, 60_000);

const PAYER = '111111111111';
const USER = '222222222222';
const OWNER = '333333333333';
/** A Savings Plan of OWNER, in the partition-neutral form the tests build. */
const SP_ARN = ['arn', 'aws', 'savingsplans', '', OWNER, 'savingsplan/sp-1'].join(':');

const usage = (overrides: Line = {}): Line => ({
  bill_payer_account_id: PAYER,
  bill_invoice_id: 'INV-1',
  bill_billing_period_start_date: '2025-10-01T00:00:00Z',
  line_item_usage_account_id: USER,
  line_item_line_item_type: 'Usage',
  line_item_currency_code: 'USD',
  line_item_unblended_cost: '1.25',
  ...overrides,
});

/** USER ran 1.00 of usage under OWNER's Savings Plan, at an effective cost of 0.40. */
const covered = (arn: string | undefined): Line =>
  usage({
    line_item_line_item_type: 'SavingsPlanCoveredUsage',
    line_item_unblended_cost: '1.00',
    savings_plan_savings_plan_a_r_n: arn,
    savings_plan_savings_plan_effective_cost: '0.40',
  });

const money = (text: string) => formatMoney(parseMoney(text));

const accounts = (stdout: string) =>
  Object.fromEntries(
    (JSON.parse(stdout) as Report).periods.flatMap((p) =>
      p.accounts.map((a) => [
        `${p.billingPeriod} ${a.accountId}`,
        [a.usageCost, a.ownerCost, a.invoiceCost],
      ]),
    ),
  );
const transfers = (stdout: string) =>
  (JSON.parse(stdout) as Report).periods.flatMap((p) =>
    p.transfers.map((t) => [t.ownerAccountId, t.consumerAccountId, t.commitment, t.cost]),
  );
const warnings = (stdout: string) =>
  (JSON.parse(stdout) as Report).periods.flatMap((p) => p.warnings);

/** A refusal: exit 2, one stderr line, nothing on stdout, no --out files. */
const refused = (...args: string[]) => {
  const out = path('out');
  const result = whopays('report', ...args, '--out', out);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  return result.stderr.trimEnd();
};

describe('headers as AWS and other tools spell them', () => {
  it('reads savingsPlan/SavingsPlanArn (the casing of real files): the SP transfer is there', () => {
    // A CUR 1 CSV whose SP ARN header is spelt as in the koku sample, not as AWS's dictionary.
    const headers: Record<string, string> = {
      ...CUR1_HEADERS,
      savings_plan_savings_plan_a_r_n: 'savingsPlan/SavingsPlanArn',
    };
    const columns = Object.keys(CUR1_HEADERS);
    const file = write(
      'cur.csv',
      csvText(
        columns.map((c) => headers[c]!),
        [covered(SP_ARN)].map((line) => columns.map((c) => line[c])),
      ),
    );
    const result = whopays('report', file, '--json');
    expect(result.code).toBe(0);
    // By hand: usage 0.40 on USER, owned by OWNER; the invoice keeps the 1.00 on USER.
    expect(accounts(result.stdout)).toEqual({
      [`2025-10 ${OWNER}`]: [money('0'), money('0.40'), money('0')],
      [`2025-10 ${USER}`]: [money('0.40'), money('0'), money('1.00')],
    });
    expect(transfers(result.stdout)).toEqual([[OWNER, USER, 'sp', money('0.40')]]);
  });

  it('reads snake-case headers without the a_r_n split (savings_plan_savings_plan_arn)', () => {
    const columns = Object.keys(CUR1_HEADERS);
    const names = columns.map((c) => c.replace('_a_r_n', '_arn'));
    const file = write('cur.csv', csvText(names, [columns.map((c) => covered(SP_ARN)[c])]));
    const result = whopays('report', file, '--json');
    expect(result.code).toBe(0);
    expect(transfers(result.stdout)).toEqual([[OWNER, USER, 'sp', money('0.40')]]);
  });

  it('warns with the count and cost of covered lines that name no commitment ARN', () => {
    const noArn = covered(undefined);
    const ri = usage({
      line_item_line_item_type: 'DiscountedUsage',
      line_item_unblended_cost: '2.00',
      reservation_effective_cost: '0.75',
    });
    const file = write('cur.csv', cur1Csv([noArn, noArn, ri]));
    const result = whopays('report', file, '--json');
    expect(result.code).toBe(0);
    // By hand: 0.40 + 0.40 + 0.75 stays on USER; nothing moves.
    expect(accounts(result.stdout)).toEqual({
      [`2025-10 ${USER}`]: [money('1.55'), money('1.55'), money('4.00')],
    });
    expect(warnings(result.stdout)).toEqual([
      '1 line of type DiscountedUsage (cost 0.75) has no commitment ARN naming its owner: kept with the usage account, no transfer.',
      '2 lines of type SavingsPlanCoveredUsage (cost 0.8) have no commitment ARN naming its owner: kept with the usage account, no transfer.',
    ]);
  });
});

describe('account ids that are not account ids', () => {
  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['a spreadsheet formula', '=HYPERLINK("https://example.com","222222222222")'],
    ['letters', 'acct-222222222222'],
  ])('refuses an id with %s, naming the file and the line', (_what, id) => {
    const file = write('cur.csv', cur1Csv([usage(), usage({ line_item_usage_account_id: id })]));
    const line = refused(file);
    expect(line).toMatch(
      new RegExp(
        `^whopays: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3: account id ".+" is not an AWS account id \\(letters or markup, not digits\\)$`,
      ),
    );
  });

  it('refuses an id in scientific notation with its own reason', () => {
    const file = write('cur.csv', cur1Csv([usage({ bill_payer_account_id: '1.11111E+11' })]));
    expect(refused(file)).toBe(
      `whopays: ${file}: line 2: account id "1.11111E+11" is in scientific notation (a spreadsheet saved this file and lost the id's digits): use the file as AWS delivered it`,
    );
  });

  it('names the row of a Parquet file', async () => {
    const file = path('cur.parquet');
    await writeCurParquet(
      file,
      [usage(), usage(), usage({ line_item_usage_account_id: 'x<y>' })],
      'cur2',
    );
    expect(refused(file)).toMatch(/: row 3: account id "x<y>" is not an AWS account id/);
  });

  it('reads an id of digits that is not 12 long, in the lines and in a manifest, with a warning', () => {
    const short = '22222222222';
    const date = 'cur/my-report/20251001-20251101';
    write(`${date}/asm-1/my-report-1.csv`, cur1Csv([usage({ line_item_usage_account_id: short })]));
    write(
      `${date}/my-report-Manifest.json`,
      JSON.stringify({
        assemblyId: 'asm-1',
        account: '1111111111',
        reportKeys: [`cur/my-report/20251001-20251101/asm-1/my-report-1.csv`],
      }),
    );
    const result = whopays('report', path('cur'), '--json');
    expect(result.code).toBe(0);
    expect(accounts(result.stdout)).toEqual({
      [`2025-10 ${short}`]: [money('1.25'), money('1.25'), money('1.25')],
    });
    expect(warnings(result.stdout)).toEqual([
      `Account id "${short}" is not 12 digits (leading zeros lost, or a malformed ARN account field?).`,
    ]);
  });
});

describe('saying what was understood', () => {
  it('warns when one file holds lines of several billing periods', () => {
    const november = usage({ bill_billing_period_start_date: '2025-11-01T00:00:00Z' });
    const file = write('cur.csv', cur1Csv([usage(), november]));
    const result = whopays('report', file, '--json');
    expect(result.code).toBe(0);
    const expected = `${file} holds lines of several billing periods (2025-10, 2025-11); an AWS billing file holds one: check it is not several files joined.`;
    expect(warnings(result.stdout)).toEqual([expected, expected]);
  });

  it('warns on each file of a folder that holds several periods, not on the folder', () => {
    write('cur/a.csv', cur1Csv([usage()]));
    const joined = write(
      'cur/b.csv',
      cur1Csv([
        usage({ bill_billing_period_start_date: '2025-11-01T00:00:00Z' }),
        usage({ bill_billing_period_start_date: '2025-12-01T00:00:00Z' }),
      ]),
    );
    const result = whopays('report', path('cur'), '--json');
    expect(result.code).toBe(0);
    const periods = (JSON.parse(result.stdout) as Report).periods;
    expect(periods.map((p) => [p.billingPeriod, p.warnings.length])).toEqual([
      ['2025-10', 1],
      ['2025-11', 1],
      ['2025-12', 1],
    ]);
    expect(periods[1]!.warnings[0]).toContain(
      `${joined} holds lines of several billing periods (2025-11, 2025-12)`,
    );
  });

  it('says which format a file really is when --format names another', () => {
    const file = write('cur.csv', cur1Csv([usage()]));
    const result = whopays('report', file, '--format', 'cur2', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^read .*cur\.csv: cur2 as --format says, though the columns are CUR 1, 1 file/,
    );
  });

  it('shows ids longer than 12 characters whole in the text table', () => {
    const long = '0099999999999';
    const file = write(
      'cur.csv',
      cur1Csv([usage({ bill_payer_account_id: long, line_item_usage_account_id: long })]),
    );
    const result = whopays('report', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${long}  ${long}  +1\\.25 +1\\.25 +1\\.25$`, 'm'));
    expect(result.stdout).not.toContain('…');
  });
});
