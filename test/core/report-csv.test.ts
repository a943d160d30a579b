import {
  accountsCsv,
  groupsCsv,
  groupTransfersCsv,
  transfersCsv,
} from '../../lambdas/core/report-csv.js';
import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';
import { A, B, PAYER } from './ledger-rows.js';

const period: PeriodReport = {
  billingPeriod: '2025-10',
  currency: 'CNY',
  payerAccountIds: [PAYER],
  final: false,
  accounts: [
    {
      accountId: A,
      payerAccountId: PAYER,
      usageCost: '1183.1696462216',
      ownerCost: '1114.4605450187',
      invoiceCost: '1114.4605450187',
    },
    {
      accountId: B,
      payerAccountId: PAYER,
      usageCost: '0',
      ownerCost: '68.7091012029',
      invoiceCost: '68.7091012029',
    },
  ],
  transfers: [{ ownerAccountId: B, consumerAccountId: A, commitment: 'ri', cost: '68.7091012029' }],
  groups: [
    {
      name: '平台,"核心"',
      primaryAccountId: A,
      accountIds: [A, B],
      usageCost: '1183.1696462216',
      ownerCost: '1183.1696462216',
      invoiceCost: '1183.1696462216',
    },
    { name: '(ungrouped)', accountIds: [], usageCost: '0', ownerCost: '0', invoiceCost: '0' },
  ],
  groupTransfers: [
    { ownerGroup: 'a', consumerGroup: 'b\nc', commitment: 'sp', cost: '1.5000000000' },
  ],
  totals: {
    usageCost: '1183.1696462216',
    ownerCost: '1183.1696462216',
    invoiceCost: '1183.1696462216',
    rounding: '0',
  },
  warnings: [],
};
const report: Report = {
  schemaVersion: 1,
  generatedAt: '2026-11-24T10:00:00Z',
  sources: [],
  periods: [period],
};
const empty: Report = {
  ...report,
  periods: [{ ...period, groups: undefined, groupTransfers: undefined }],
};

const BOM = '\uFEFF';

describe('report CSVs', () => {
  it.each<[string, string, string[]]>([
    [
      'accounts',
      accountsCsv(report),
      [
        'billing_period,currency,final,account_id,payer_account_id,usage_cost,owner_cost,invoice_cost',
        `2025-10,CNY,false,${A},${PAYER},1183.1696462216,1114.4605450187,1114.4605450187`,
        `2025-10,CNY,false,${B},${PAYER},0,68.7091012029,68.7091012029`,
      ],
    ],
    [
      'transfers',
      transfersCsv(report),
      [
        'billing_period,currency,final,owner_account_id,consumer_account_id,commitment,cost',
        `2025-10,CNY,false,${B},${A},ri,68.7091012029`,
      ],
    ],
    [
      'groups, quoting a name with a comma and quotes (RFC 4180)',
      groupsCsv(report),
      [
        'billing_period,currency,final,group,primary_account_id,account_ids,usage_cost,owner_cost,invoice_cost',
        `2025-10,CNY,false,"平台,""核心""",${A},${A} ${B},1183.1696462216,1183.1696462216,1183.1696462216`,
        '2025-10,CNY,false,(ungrouped),,,0,0,0',
      ],
    ],
    [
      'group transfers, quoting a line break',
      groupTransfersCsv(report),
      [
        'billing_period,currency,final,owner_group,consumer_group,commitment,cost',
        '2025-10,CNY,false,a,"b\nc",sp,1.5000000000',
      ],
    ],
    [
      'groups when none are configured',
      groupsCsv(empty),
      [
        'billing_period,currency,final,group,primary_account_id,account_ids,usage_cost,owner_cost,invoice_cost',
      ],
    ],
    [
      'group transfers when none are configured',
      groupTransfersCsv(empty),
      ['billing_period,currency,final,owner_group,consumer_group,commitment,cost'],
    ],
  ])(
    'writes %s: BOM first, CRLF records, exact amounts, ids with leading zeros',
    (_case, text, records) => {
      expect(text).toBe(BOM + records.map((r) => `${r}\r\n`).join(''));
    },
  );

  it.each([
    [
      accountsCsv(report, { accountIds: 'excel' }).split('\r\n')[1],
      `2025-10,CNY,false,"=""${A}""","=""${PAYER}""",1183.1696462216,1114.4605450187,1114.4605450187`,
    ],
    [
      transfersCsv(report, { accountIds: 'excel' }).split('\r\n')[1],
      `2025-10,CNY,false,"=""${B}""","=""${A}""",ri,68.7091012029`,
    ],
    [
      groupsCsv(report, { accountIds: 'excel' }).split('\r\n')[1],
      `2025-10,CNY,false,"平台,""核心""","=""${A}""",${A} ${B},1183.1696462216,1183.1696462216,1183.1696462216`,
    ],
  ])('can write ids as Excel text formulas, quoted per RFC 4180', (record, expected) => {
    expect(record).toBe(expected);
  });
});
