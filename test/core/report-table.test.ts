import type { PeriodReport, Report, Transfer } from '../../lambdas/core/report-model.js';
import { formatReportTable, TOP_TRANSFERS } from '../../lambdas/core/report-table.js';
import { A, B, C, PAYER, PAYER2 } from './ledger-rows.js';

const base: PeriodReport = {
  billingPeriod: '2025-10',
  currency: 'CNY',
  payerAccountIds: [PAYER],
  final: true,
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
      usageCost: '-0.005',
      ownerCost: '68.7041012029',
      invoiceCost: '68.7041012029',
    },
  ],
  transfers: [{ ownerAccountId: B, consumerAccountId: A, commitment: 'ri', cost: '68.7091012029' }],
  totals: {
    usageCost: '1183.1646462216',
    ownerCost: '1183.1646462216',
    invoiceCost: '1183.1646462216',
    rounding: '0',
  },
  warnings: [],
};
const report = (...periods: PeriodReport[]): Report => ({
  schemaVersion: 1,
  generatedAt: '2026-11-24T10:00:00Z',
  sources: [],
  periods,
});

describe('formatReportTable', () => {
  it('shows accounts, totals and transfers with amounts right-aligned and rounded to cents', () => {
    const text = formatReportTable(report(base));
    expect(text).toBe(
      [
        `2025-10 CNY · payer ${PAYER} · final`,
        '',
        'account       payer               usage cost        owner cost      invoice cost',
        // 1183.1696462216 -> 1,183.17; -0.005 rounds half away from zero to -0.01
        `${A}  ${PAYER}          1,183.17          1,114.46          1,114.46`,
        `${B}  ${PAYER}             -0.01             68.70             68.70`,
        'total                               1,183.16          1,183.16          1,183.16',
        '',
        'Top transfers (owner pays for what the consumer used), 1 in all',
        'owner         consumer      kind              cost',
        `${B}  ${A}  ri               68.71`,
        '',
      ].join('\n'),
    );
  });

  it('marks provisional periods, lists payers, rounding, groups and wrapped warnings within 100 columns', () => {
    // Prepare
    const p: PeriodReport = {
      ...base,
      payerAccountIds: [PAYER, PAYER2],
      final: false,
      totals: { ...base.totals, rounding: '-0.013' },
      groups: [
        { name: 'g'.repeat(40), accountIds: [A], usageCost: '1', ownerCost: '2', invoiceCost: '3' },
        { name: '(ungrouped)', accountIds: [B], usageCost: '4', ownerCost: '5', invoiceCost: '6' },
      ],
      groupTransfers: [
        { ownerGroup: 'g'.repeat(40), consumerGroup: '(ungrouped)', commitment: 'sp', cost: '7' },
      ],
      warnings: [
        `DBR subscription 42 is claimed by more than one account: ${'word '.repeat(30)}end.`,
      ],
    };
    // Act
    const lines = formatReportTable(report(p)).split('\n');
    // Assess
    expect(lines[0]).toBe(
      `2025-10 CNY · payers ${PAYER}, ${PAYER2} · provisional (the bill is not closed yet)`,
    );
    // the invoice rounding sits under invoice cost: same right edge as the totals line
    const rounding = lines.find((l) => l.startsWith('rounding'))!;
    expect(rounding).toMatch(/^rounding {2,}-0\.01$/);
    expect(rounding).toHaveLength(lines.find((l) => l.startsWith('total'))!.length);
    expect(lines).toContain(
      `${'g'.repeat(29)}…              1.00              2.00              3.00`,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^g{29}… → \(ungrouped\) sp {2,}7\.00$/));
    const warnings = lines.slice(lines.indexOf('Warnings') + 1).filter((l) => l !== '');
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings[0]).toMatch(/^ {2}- DBR subscription 42/);
    expect(warnings.slice(1).every((l) => l.startsWith('    '))).toBe(true);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
  });

  it(`shows the top ${TOP_TRANSFERS} transfers and how many there are`, () => {
    // Prepare
    const transfers: Transfer[] = Array.from({ length: 12 }, (_, i) => ({
      ownerAccountId: A,
      consumerAccountId: C,
      commitment: 'cr',
      cost: String(12 - i),
    }));
    // Act
    const text = formatReportTable(
      report({
        ...base,
        transfers,
        accounts: [],
        totals: { ...base.totals, usageCost: '0', ownerCost: '0', invoiceCost: '0' },
      }),
    );
    // Assess
    expect(text).toContain('Top transfers (owner pays for what the consumer used), 12 in all');
    expect(text.split('\n').filter((l) => l.startsWith(`${A}  ${C}  cr`))).toHaveLength(
      TOP_TRANSFERS,
    );
    expect(text).toContain(`${A}  ${C}  cr                3.00`);
    expect(text).not.toContain(`${A}  ${C}  cr                2.00`);
  });

  it('separates periods and says when there is nothing', () => {
    const two = formatReportTable(report(base, { ...base, currency: 'USD', transfers: [] }));
    expect(two).toContain('\n\n2025-10 USD · payer');
    expect(formatReportTable(report())).toBe('No billing lines found.\n');
  });
});
