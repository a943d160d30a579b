import { utilization } from '../../lambdas/core/commitments.js';
import { IdentityViolationError } from '../../lambdas/core/errors.js';
import { checkIdentities } from '../../lambdas/core/identities.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { mergeReports } from '../../lambdas/core/merge-reports.js';
import { buildReport } from '../../lambdas/core/report.js';
import { commitmentsCsv } from '../../lambdas/core/report-csv.js';
import type { PeriodReport } from '../../lambdas/core/report-model.js';
import { formatReportTable } from '../../lambdas/core/report-table.js';
import { buildSnsSummary } from '../../lambdas/core/sns-summary.js';
import { A, B, C, row } from './ledger-rows.js';

// ARNs built from a partition variable: no literal partition ARN in the repository.
const P = 'aws-cn';
const RI = `arn:${P}:ec2:cn-north-1:${A}:reserved-instances/r-1`;
const SP = `arn:${P}:savingsplans::${B}:savingsplan/s-1`;
const CR = `arn:${P}:ec2:cn-north-1:${A}:capacity-reservation/cr-1`;

/** The ledger rows of one month, as sql/ledger/cur_ledger.sql writes them (worked by hand below). */
const detailRows: LedgerRow[] = [
  // A's RI covers B (60, on demand 100) and A (25, on demand 40); its RIFee leaves 15 unused.
  row({
    usage_account_id: B,
    owner_account_id: A,
    commitment: 'ri',
    line_item_type: 'DiscountedUsage',
    usage_cost: '60',
    commitment_id: RI,
    on_demand_cost: '100',
  }),
  row({
    usage_account_id: A,
    commitment: 'ri',
    line_item_type: 'DiscountedUsage',
    usage_cost: '25',
    commitment_id: RI,
    on_demand_cost: '40',
  }),
  row({ line_item_type: 'RIFee', usage_cost: '15', commitment_id: RI, on_demand_cost: null }),
  // B's SP covers C (7, on demand 10); its recurring fee leaves 2 unused.
  row({
    usage_account_id: C,
    owner_account_id: B,
    commitment: 'sp',
    line_item_type: 'SavingsPlanCoveredUsage',
    usage_cost: '7',
    commitment_id: SP,
    on_demand_cost: '10',
  }),
  row({
    usage_account_id: B,
    line_item_type: 'SavingsPlanRecurringFee',
    usage_cost: '2',
    commitment_id: SP,
    on_demand_cost: null,
  }),
  // A's CR: unused capacity billed to C, 30.
  row({
    usage_account_id: C,
    owner_account_id: A,
    commitment: 'cr',
    line_item_type: 'Usage',
    usage_cost: '30',
    commitment_id: CR,
    on_demand_cost: null,
  }),
  row({ usage_account_id: C, usage_cost: '5', commitment_id: null, on_demand_cost: null }),
];

const reportOf = (rows: readonly LedgerRow[]) =>
  buildReport({
    sources: [{ path: 'cur.parquet', format: 'cur2', rows }],
    generatedAt: new Date('2026-01-01T00:00:00Z'),
  });

describe('utilization', () => {
  it.each([
    // used, unused, expected: worked by hand
    [85n, 15n, '0.8500'],
    [2n, 1n, '0.6667'], // 2/3 = 0.66666…
    [1n, 2n, '0.3333'],
    [1n, 19_999n, '0.0001'], // 1/20000 = 0.00005: half rounds away from zero
    [1n, 20_001n, '0.0000'], // 0.0000499…
    [5n, 0n, '1.0000'],
    [0n, 7n, '0.0000'],
    [-1n, 3n, '-0.5000'], // a credit larger than the use: -1 / 2
  ])('%s used, %s unused -> %s', (used, unused, expected) => {
    expect(utilization(used, unused)).toBe(expected);
  });

  it('is null when the unused part is unknown or the total is zero', () => {
    expect(utilization(10n, null)).toBeNull();
    expect(utilization(5n, -5n)).toBeNull();
  });
});

describe('buildReport commitments', () => {
  it('lists each commitment with its consumers, unused cost, utilization and savings', () => {
    const [period] = reportOf(detailRows).periods;

    expect(period?.commitments).toEqual([
      {
        commitmentId: CR,
        commitment: 'cr',
        ownerAccountId: A,
        usedCost: '30.0000000000',
        unusedCost: '30.0000000000',
        utilization: null,
        onDemandCost: null,
        savings: null,
        consumers: [{ accountId: C, cost: '30.0000000000', onDemandCost: null, savings: null }],
      },
      {
        commitmentId: RI,
        commitment: 'ri',
        ownerAccountId: A,
        // 60 + 25 = 85; 85 / (85 + 15) = 0.85; (100 + 40) - 85 = 55
        usedCost: '85.0000000000',
        unusedCost: '15.0000000000',
        utilization: '0.8500',
        onDemandCost: '140.0000000000',
        savings: '55.0000000000',
        consumers: [
          {
            accountId: B,
            cost: '60.0000000000',
            onDemandCost: '100.0000000000',
            savings: '40.0000000000',
          },
          {
            accountId: A,
            cost: '25.0000000000',
            onDemandCost: '40.0000000000',
            savings: '15.0000000000',
          },
        ],
      },
      {
        commitmentId: SP,
        commitment: 'sp',
        ownerAccountId: B,
        // 7 / (7 + 2) = 0.7777… -> 0.7778; 10 - 7 = 3
        usedCost: '7.0000000000',
        unusedCost: '2.0000000000',
        utilization: '0.7778',
        onDemandCost: '10.0000000000',
        savings: '3.0000000000',
        consumers: [
          {
            accountId: C,
            cost: '7.0000000000',
            onDemandCost: '10.0000000000',
            savings: '3.0000000000',
          },
        ],
      },
    ]);
  });

  it('refuses a ledger whose moved cost no commitment accounts for', () => {
    const moved = row({
      usage_account_id: B,
      owner_account_id: A,
      commitment: 'ri',
      line_item_type: 'DiscountedUsage',
      usage_cost: '60',
      commitment_id: null,
      on_demand_cost: null,
    });

    expect(() => reportOf([moved])).toThrow(IdentityViolationError);
    expect(() => reportOf([moved])).toThrow(
      'ri from owner 003786579754 to consumer 006671276842: Σ commitment consumers 0 ≠ transfer 60.0000000000',
    );
  });

  it('writes no commitments for a ledger without the detail columns', () => {
    const [period] = reportOf([row({ usage_cost: '1' })]).periods;

    expect(period?.commitments).toBeUndefined();
  });

  it('checks the commitment identity on a period as written', () => {
    const [period] = reportOf(detailRows).periods;
    const edited: PeriodReport = {
      ...period!,
      commitments: period!.commitments!.map((c) =>
        c.commitment === 'sp'
          ? { ...c, consumers: [{ ...c.consumers[0]!, cost: '6.0000000000' }] }
          : c,
      ),
    };

    expect(() => checkIdentities(period!)).not.toThrow();
    expect(() => checkIdentities(edited)).toThrow(IdentityViolationError);
  });

  it('adds commitments commitment by commitment when reports are merged', () => {
    const half = reportOf(detailRows);
    const merged = mergeReports([half, half], undefined, new Date('2026-01-01T00:00:00Z'));
    const ri = merged.periods[0]?.commitments?.find((c) => c.commitment === 'ri');

    expect(ri?.usedCost).toBe('170.0000000000');
    expect(ri?.unusedCost).toBe('30.0000000000');
    expect(ri?.utilization).toBe('0.8500');
    expect(ri?.consumers.map((c) => [c.accountId, c.cost])).toEqual([
      [B, '120.0000000000'],
      [A, '50.0000000000'],
    ]);
  });
});

describe('commitment outputs', () => {
  const report = reportOf(detailRows);

  it('commitments.csv: one row per commitment and consumer, ids written as the other CSVs', () => {
    const lines = commitmentsCsv(report, { accountIds: 'excel' })
      .replace('\uFEFF', '')
      .split('\r\n');

    expect(lines[0]).toBe(
      'billing_period,currency,final,commitment_id,commitment,owner_account_id,used_cost,unused_cost,utilization,commitment_on_demand_cost,commitment_savings,consumer_account_id,cost,on_demand_cost,savings',
    );
    expect(lines.slice(1, -1)).toEqual([
      `2025-10,USD,true,${CR},cr,"=""${A}""",30.0000000000,30.0000000000,,,,"=""${C}""",30.0000000000,,`,
      `2025-10,USD,true,${RI},ri,"=""${A}""",85.0000000000,15.0000000000,0.8500,140.0000000000,55.0000000000,"=""${B}""",60.0000000000,100.0000000000,40.0000000000`,
      `2025-10,USD,true,${RI},ri,"=""${A}""",85.0000000000,15.0000000000,0.8500,140.0000000000,55.0000000000,"=""${A}""",25.0000000000,40.0000000000,15.0000000000`,
      `2025-10,USD,true,${SP},sp,"=""${B}""",7.0000000000,2.0000000000,0.7778,10.0000000000,3.0000000000,"=""${C}""",7.0000000000,10.0000000000,3.0000000000`,
    ]);
  });

  it('the text table lists the top commitments by unused cost and by savings', () => {
    const text = formatReportTable(report);

    expect(text).toContain('Commitments: 3 (1 ri, 1 sp, 1 cr)');
    const unused = text.split('Top unused')[1]!.split('Top savings')[0]!;
    const savings = text.split('Top savings')[1]!;
    // Unused: CR 30, RI 15, SP 2, largest first.
    expect(unused.indexOf('capacity-reservation/cr-1')).toBeLessThan(unused.indexOf('r-1'));
    expect(unused.indexOf('reserved-instances/r-1')).toBeLessThan(unused.indexOf('savingsplan'));
    expect(unused).toContain('85.0%');
    // Savings: RI 55, SP 3; a CR has none.
    expect(savings.indexOf('reserved-instances/r-1')).toBeLessThan(savings.indexOf('savingsplan'));
    expect(savings).not.toContain('capacity-reservation');
  });

  it('the SNS summary names the top unused commitments', () => {
    const { message } = buildSnsSummary({
      period: report.periods[0]!,
      payer: 'consolidated',
      location: 's3://bucket/report.json',
      reportVersion: 'v1',
      top: 2,
    });

    expect(message).toContain('Top 2 of 3 commitments by unused cost');
    expect(message).toContain(`  cr ${CR} (owner ${A}, n/a): 30.00 USD unused`);
    expect(message).toContain(`  ri ${RI} (owner ${A}, 0.8500): 15.00 USD unused`);
    expect(message).not.toContain(`sp ${SP}`);
  });
});
