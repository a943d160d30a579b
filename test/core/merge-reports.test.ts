import { IdentityViolationError } from '../../lambdas/core/errors.js';
import { UNGROUPED } from '../../lambdas/core/groups.js';
import { mergeReports } from '../../lambdas/core/merge-reports.js';
import { buildReport } from '../../lambdas/core/report.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { A, B, C, PAYER, PAYER2, row } from './ledger-rows.js';

const AT = new Date('2026-11-24T10:00:00Z');

// Payer 1: A owns an RI that B uses (12.5). Payer 2: C pays 40, not final yet.
const payer1 = buildReport({
  sources: [
    {
      path: 's3://bucket/p1/2025-10',
      format: 'cur2',
      rows: [
        row({ usage_account_id: A, usage_cost: '100' }),
        row({
          usage_account_id: B,
          owner_account_id: A,
          commitment: 'ri',
          line_item_type: 'DiscountedUsage',
          usage_cost: '12.5',
          invoice_cost: '0',
        }),
        row({ billing_period: '2025-09', usage_account_id: A, usage_cost: '1' }),
      ],
    },
  ],
  groups: [{ name: 'stale', accountIds: [A] }],
  generatedAt: AT,
});
const payer2 = buildReport({
  sources: [
    {
      path: 's3://bucket/p2/2025-10',
      format: 'dbr',
      currency: 'USD',
      rows: [
        row({
          payer_account_id: PAYER2,
          currency_code: null,
          line_item_type: 'LineItem',
          usage_account_id: C,
          usage_cost: '40',
          final_line_count: 0,
        }),
        row({
          payer_account_id: PAYER2,
          currency_code: null,
          line_item_type: 'Rounding',
          usage_account_id: null,
          owner_account_id: null,
          invoice_account_id: null,
          invoice_cost: '0.02',
        }),
        row({
          payer_account_id: PAYER2,
          currency_code: 'CNY',
          usage_account_id: C,
          usage_cost: '9',
        }),
      ],
    },
  ],
  generatedAt: AT,
});

describe('mergeReports', () => {
  it('adds the payers per (period, currency), keeps currencies apart and re-derives final', () => {
    // Act
    const merged = mergeReports([payer1, payer2], undefined, new Date('2026-11-25T00:00:00Z'));
    // Assess
    expect(merged.generatedAt).toBe('2026-11-25T00:00:00Z');
    expect(merged.sources.map((s) => s.path)).toEqual([
      's3://bucket/p1/2025-10',
      's3://bucket/p2/2025-10',
    ]);
    expect(
      merged.periods.map((p) => [p.billingPeriod, p.currency, p.final, p.payerAccountIds]),
    ).toEqual([
      ['2025-09', 'USD', true, [PAYER]],
      ['2025-10', 'CNY', true, [PAYER2]],
      // payer 2's USD lines are not final, so the merged USD month is provisional
      ['2025-10', 'USD', false, [PAYER, PAYER2]],
    ]);
    const oct = merged.periods[2]!;
    expect(
      oct.accounts.map((a) => [a.accountId, a.payerAccountId, a.usageCost, a.ownerCost]),
    ).toEqual([
      [A, PAYER, '100.0000000000', '112.5000000000'],
      [B, PAYER, '12.5000000000', '0'],
      [C, PAYER2, '40.0000000000', '40.0000000000'],
    ]);
    expect(oct.transfers).toEqual([
      { ownerAccountId: A, consumerAccountId: B, commitment: 'ri', cost: '12.5000000000' },
    ]);
    // usage 100 + 12.5 + 40 = 152.5; invoice 100 + 0 + 40 = 140; rounding from payer 2 only
    expect(oct.totals).toEqual({
      usageCost: '152.5000000000',
      ownerCost: '152.5000000000',
      invoiceCost: '140.0000000000',
      rounding: '0.0200000000',
    });
    expect(oct).not.toHaveProperty('groups');
  });

  it('recomputes groups from the given configuration', () => {
    // Act
    const merged = mergeReports([payer1, payer2], [{ name: 'ab', accountIds: [A, B] }], AT);
    // Assess
    const oct = merged.periods[2]!;
    expect(oct.groups?.map((g) => [g.name, g.usageCost, g.ownerCost])).toEqual([
      // 100 + 12.5 in both bases: the RI stays inside the group
      ['ab', '112.5000000000', '112.5000000000'],
      [UNGROUPED, '40.0000000000', '40.0000000000'],
    ]);
    expect(oct.groupTransfers).toEqual([]);
  });

  it('carries warnings over once and warns of an account under two payers', () => {
    // Prepare
    const other = buildReport({
      sources: [
        {
          path: 'x',
          format: 'cur',
          rows: [
            row({ payer_account_id: PAYER2, usage_account_id: A, usage_cost: '1', note: 'odd' }),
          ],
        },
      ],
      generatedAt: AT,
    });
    // Act
    const oct = mergeReports([payer1, other, other], undefined, AT).periods[1]!;
    // Assess
    expect(oct.warnings).toEqual([
      `Account ${A} appears under several payers (${PAYER}, ${PAYER2}); accounts should be unique across payers.`,
      '1 line flagged "odd".',
    ]);
  });

  it('re-checks the identities of the merged periods', () => {
    // Prepare: a tampered report whose consumer kept the cost it handed over
    const [sep, oct] = payer1.periods;
    const broken: Report = {
      ...payer1,
      periods: [
        sep!,
        {
          ...oct!,
          accounts: oct!.accounts.map((a) => (a.accountId === B ? { ...a, ownerCost: '12.5' } : a)),
        },
      ],
    };
    // Act + Assess
    expect(() => mergeReports([broken], undefined, AT)).toThrow(IdentityViolationError);
  });

  it('merges nothing into an empty report', () => {
    expect(mergeReports([], undefined, AT)).toEqual({
      schemaVersion: 1,
      generatedAt: '2026-11-24T10:00:00Z',
      sources: [],
      periods: [],
    });
  });
});
