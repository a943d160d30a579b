import { parseAccountsFile, withAccountNames } from '../../lambdas/core/account-names.js';
import { InputError } from '../../lambdas/core/errors.js';
import { buildReport } from '../../lambdas/core/report.js';
import { accountsCsv } from '../../lambdas/core/report-csv.js';
import { formatReportTable } from '../../lambdas/core/report-table.js';
import { buildSnsSummary } from '../../lambdas/core/sns-summary.js';
import { A, B, row } from './ledger-rows.js';

describe('parseAccountsFile', () => {
  it('reads CSV: account_id, name, business unit and cost center, quoted fields, BOM', () => {
    const names = parseAccountsFile(
      `\uFEFFaccount_id,name,business_unit,cost_center\r\n${A},"Platform, core",Infra,CC-1\r\n${B},数据平台,,\r\n`,
      'accounts.csv',
    );

    expect(names.get(A)).toEqual({
      name: 'Platform, core',
      businessUnit: 'Infra',
      costCenter: 'CC-1',
    });
    expect(names.get(B)).toEqual({ name: '数据平台' });
  });

  it('reads JSON: an array of { accountId, name, businessUnit?, costCenter? }', () => {
    const names = parseAccountsFile(
      JSON.stringify([
        { accountId: A, name: 'Platform', costCenter: 'CC-1' },
        { accountId: B, name: 'Data' },
      ]),
      'accounts.json',
    );

    expect([...names]).toEqual([
      [A, { name: 'Platform', costCenter: 'CC-1' }],
      [B, { name: 'Data' }],
    ]);
  });

  it.each([
    [
      'a duplicate id (CSV)',
      `account_id,name\n${A},x\n${B},y\n${A},z\n`,
      'line 4: duplicate account id 003786579754',
    ],
    [
      'an id that lost its zeros (CSV)',
      'account_id,name\n3786579754,x\n',
      'line 2: account id "3786579754" is not 12 digits',
    ],
    [
      'a name missing (CSV)',
      `account_id,name\n${A},\n`,
      'line 2: account 003786579754 has no name',
    ],
    [
      'no id column (CSV)',
      'id_of_account,name\n',
      'line 1: the header needs account_id and name columns',
    ],
    [
      'a duplicate id (JSON)',
      `[\n  {"accountId": "${A}", "name": "x"},\n  {"accountId": "${A}", "name": "y"}\n]`,
      'line 3: duplicate account id 003786579754',
    ],
    [
      'a malformed id (JSON)',
      `[{"accountId": "12-34", "name": "x"}]`,
      'line 1: account id "12-34" is not 12 digits',
    ],
  ])('refuses %s, naming the line', (_what, text, message) => {
    expect(() => parseAccountsFile(text, 'accounts')).toThrow(InputError);
    expect(() => parseAccountsFile(text, 'accounts')).toThrow(message);
  });
});

describe('names next to ids', () => {
  const report = withAccountNames(
    buildReport({
      sources: [
        {
          path: 'cur.csv',
          format: 'cur',
          rows: [row({ usage_cost: '5' }), row({ usage_account_id: B, usage_cost: '1' })],
        },
      ],
      generatedAt: new Date('2026-01-01T00:00:00Z'),
    }),
    new Map([[A, { name: 'Platform', businessUnit: 'Infra' }]]),
  );

  it('in the report JSON, the text table, accounts.csv and the SNS summary', () => {
    expect(report.periods[0]?.accounts[0]).toMatchObject({
      accountId: A,
      accountName: 'Platform',
      businessUnit: 'Infra',
    });
    expect(formatReportTable(report)).toContain(`${A}  Platform`);
    const csv = accountsCsv(report).split('\r\n');
    expect(csv[0]).toMatch(/,invoice_cost,account_name,business_unit,cost_center$/);
    expect(csv[1]).toMatch(/,Platform,Infra,$/);
    expect(csv[2]).toMatch(/,,,$/);
    const { message } = buildSnsSummary({
      period: report.periods[0]!,
      payer: 'p',
      location: 's3://b/r',
      reportVersion: 'v',
    });
    expect(message).toContain(`  ${A} (Platform): `);
  });
});
