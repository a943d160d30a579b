import { IdentityViolationError, InputError } from '../../lambdas/core/errors.js';
import { UNGROUPED } from '../../lambdas/core/groups.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { buildReport, type LedgerSource } from '../../lambdas/core/report.js';
import { A, B, C, PAYER, PAYER2, row } from './ledger-rows.js';

const AT = new Date('2026-11-24T10:00:00Z');
const cur = (rows: LedgerRow[], path = 'cur/2025-10.parquet'): LedgerSource => ({
  path,
  format: 'cur2',
  rows,
});
const build = (...sources: LedgerSource[]) => buildReport({ sources, generatedAt: AT });

// One organization: A owns an RI, a Savings Plan and a capacity reservation; B consumes the RI and
// the SP; the CR's unused capacity is assigned to C.
const orgRows: LedgerRow[] = [
  row({ usage_account_id: A, usage_cost: '100.10' }),
  row({ usage_account_id: A, line_item_type: 'RIFee', usage_cost: '5.00', invoice_cost: '30.00' }),
  row({
    usage_account_id: B,
    owner_account_id: A,
    commitment: 'ri',
    line_item_type: 'DiscountedUsage',
    usage_cost: '20.25',
    invoice_cost: '0',
    line_count: 3,
    final_line_count: 3,
  }),
  row({
    usage_account_id: B,
    owner_account_id: A,
    commitment: 'sp',
    line_item_type: 'SavingsPlanCoveredUsage',
    usage_cost: '7.5',
    invoice_cost: '12.0',
  }),
  row({
    usage_account_id: B,
    line_item_type: 'SavingsPlanNegation',
    usage_cost: '0',
    invoice_cost: '-12.0',
  }),
  row({
    usage_account_id: A,
    line_item_type: 'SavingsPlanRecurringFee',
    usage_cost: '1.25',
    invoice_cost: '8.75',
  }),
  row({ usage_account_id: C, owner_account_id: A, commitment: 'cr', usage_cost: '3.3333333333' }),
  row({ usage_account_id: C, line_item_type: 'Tax', usage_cost: '0.5' }),
];

describe('buildReport', () => {
  it('computes the three bases, the transfers and the totals of one organization', () => {
    // Act
    const report = build(cur(orgRows));
    // Assess
    expect(report.schemaVersion).toBe(1);
    expect(report.generatedAt).toBe('2026-11-24T10:00:00Z');
    expect(report.sources).toEqual([
      // rows: 1 + 1 + 3 + 1 + 1 + 1 + 1 + 1 = 10 billing lines
      {
        path: 'cur/2025-10.parquet',
        format: 'cur2',
        payerAccountIds: [PAYER],
        billingPeriods: ['2025-10'],
        rows: 10,
      },
    ]);
    expect(report.periods).toHaveLength(1);
    const [p] = report.periods;
    expect(p).toEqual({
      billingPeriod: '2025-10',
      currency: 'USD',
      payerAccountIds: [PAYER],
      final: true,
      accounts: [
        {
          accountId: A,
          payerAccountId: PAYER,
          // usage: 100.10 + 5.00 (RIFee) + 1.25 (SP fee) = 106.35
          usageCost: '106.3500000000',
          // owner: 106.35 + 20.25 (RI used by B) + 7.5 (SP used by B) + 3.3333333333 (CR of C)
          ownerCost: '137.4333333333',
          // invoice: 100.10 + 30.00 + 8.75 = 138.85
          invoiceCost: '138.8500000000',
        },
        {
          accountId: B,
          payerAccountId: PAYER,
          // usage: 20.25 + 7.5 + 0 = 27.75; owner: only the negation row, 0
          usageCost: '27.7500000000',
          ownerCost: '0',
          // invoice: 0 + 12.0 - 12.0 = 0
          invoiceCost: '0',
        },
        {
          accountId: C,
          payerAccountId: PAYER,
          // usage: 3.3333333333 + 0.5; owner: the tax only; invoice as usage
          usageCost: '3.8333333333',
          ownerCost: '0.5000000000',
          invoiceCost: '3.8333333333',
        },
      ],
      transfers: [
        { ownerAccountId: A, consumerAccountId: B, commitment: 'ri', cost: '20.2500000000' },
        { ownerAccountId: A, consumerAccountId: B, commitment: 'sp', cost: '7.5000000000' },
        { ownerAccountId: A, consumerAccountId: C, commitment: 'cr', cost: '3.3333333333' },
      ],
      totals: {
        // 106.35 + 27.75 + 3.8333333333 = 137.9333333333 = 137.4333333333 + 0 + 0.5
        usageCost: '137.9333333333',
        ownerCost: '137.9333333333',
        // 138.85 + 0 + 3.8333333333
        invoiceCost: '142.6833333333',
        rounding: '0',
      },
      warnings: [],
    });
  });

  it('never adds currencies: one period per (billing period, currency), in order', () => {
    // Prepare
    const dbr: LedgerSource = {
      path: 'dbr/ACTS-2025-10.csv',
      format: 'dbr',
      currency: 'CNY',
      rows: [row({ currency_code: null, line_item_type: 'LineItem', usage_cost: '7' })],
    };
    const usd = cur([
      row({ usage_cost: '1' }),
      row({ billing_period: '2025-09', usage_cost: '2' }),
    ]);
    // Act
    const report = build(usd, dbr);
    // Assess
    expect(report.periods.map((p) => [p.billingPeriod, p.currency, p.totals.usageCost])).toEqual([
      ['2025-09', 'USD', '2.0000000000'],
      ['2025-10', 'CNY', '7.0000000000'],
      ['2025-10', 'USD', '1.0000000000'],
    ]);
    expect(report.sources[0]!.billingPeriods).toEqual(['2025-09', '2025-10']);
    expect(report.periods.flatMap((p) => p.warnings)).toEqual([]);
  });

  it('refuses rows with no currency from a source that declares none, naming the source', () => {
    const dbr: LedgerSource = {
      path: 'dbr/x.csv',
      format: 'dbr',
      rows: [row({ currency_code: null })],
    };
    expect(() => build(dbr)).toThrow(InputError);
    expect(() => build(dbr)).toThrow(/^dbr\/x\.csv: no currency/);
  });

  it('counts CUR lines without a currency code in the declared currency, with a warning', () => {
    // Prepare
    const source: LedgerSource = {
      path: 'cur/odd.csv',
      format: 'cur',
      currency: 'USD',
      rows: [row({ currency_code: '', usage_cost: '1', line_count: 2, final_line_count: 2 })],
    };
    // Act
    const [p] = build(source).periods;
    // Assess
    expect(p!.currency).toBe('USD');
    expect(p!.warnings).toEqual(['2 lines of cur/odd.csv have no currency code: counted as USD.']);
  });

  it('reports DBR rounding apart from the accounts', () => {
    // Prepare
    const rows = [
      row({ currency_code: null, line_item_type: 'LineItem', usage_cost: '10.004' }),
      row({
        currency_code: null,
        line_item_type: 'Rounding',
        usage_account_id: null,
        owner_account_id: null,
        invoice_account_id: null,
        usage_cost: '0',
        invoice_cost: '-0.004',
      }),
    ];
    // Act
    const [p] = build({ path: 'dbr.csv', format: 'dbr', currency: 'CNY', rows }).periods;
    // Assess
    expect(p!.accounts.map((a) => a.accountId)).toEqual([A]);
    expect(p!.totals).toEqual({
      usageCost: '10.0040000000',
      ownerCost: '10.0040000000',
      invoiceCost: '10.0040000000',
      rounding: '-0.0040000000',
    });
    expect(p!.warnings).toEqual([]);
  });

  it.each<[string, Partial<LedgerRow>[], boolean]>([
    ['every line final', [{}, { usage_account_id: B }], true],
    ['one line not final', [{}, { line_count: 4, final_line_count: 3 }], false],
    ['no final line', [{ final_line_count: 0 }], false],
    ['no lines at all', [{ line_count: 0, final_line_count: 0 }], false],
  ])('final is %p -> %p', (_case, overs, final) => {
    expect(build(cur(overs.map(row))).periods[0]!.final).toBe(final);
  });

  it('covers several payers, each account under its own payer', () => {
    // Prepare
    const first = cur(
      [row({ payer_account_id: PAYER2, usage_account_id: C, usage_cost: '1' })],
      'p2',
    );
    const second = cur([row({ usage_account_id: A, usage_cost: '2' })], 'p1');
    // Act
    const report = build(first, second);
    // Assess
    const [p] = report.periods;
    expect(p!.payerAccountIds).toEqual([PAYER, PAYER2]);
    expect(p!.accounts.map((a) => [a.accountId, a.payerAccountId])).toEqual([
      [A, PAYER],
      [C, PAYER2],
    ]);
    expect(report.sources.map((s) => [s.path, s.payerAccountIds])).toEqual([
      ['p2', [PAYER2]],
      ['p1', [PAYER]],
    ]);
    expect(p!.warnings).toEqual([]);
  });

  it('adds sources of the same payer and period, and warns of an account under two payers', () => {
    // Prepare
    const one = cur([row({ usage_cost: '1.5' })], 'one');
    const two = cur(
      [row({ usage_cost: '2.5' }), row({ payer_account_id: PAYER2, usage_cost: '1' })],
      'two',
    );
    // Act
    const [p] = build(one, two).periods;
    // Assess
    // 1.5 + 2.5 + 1 = 5, all on A, listed under the lower payer id
    expect(p!.accounts).toEqual([
      {
        accountId: A,
        payerAccountId: PAYER,
        usageCost: '5.0000000000',
        ownerCost: '5.0000000000',
        invoiceCost: '5.0000000000',
      },
    ]);
    expect(p!.warnings).toEqual([
      `Account ${A} appears under several payers (${PAYER}, ${PAYER2}); accounts should be unique across payers.`,
    ]);
  });

  it('orders transfers by cost descending, then owner, consumer and commitment; omits zero ones', () => {
    // Prepare
    const moved = (usage: string, owner: string, commitment: 'ri' | 'sp' | 'cr', cost: string) =>
      row({ usage_account_id: usage, owner_account_id: owner, commitment, usage_cost: cost });
    const rows = [
      moved(C, B, 'ri', '5'),
      moved(C, A, 'sp', '5'),
      moved(B, A, 'sp', '5'),
      moved(B, A, 'ri', '5'),
      moved(A, C, 'ri', '9'),
      moved(A, B, 'cr', '1'),
      moved(A, B, 'cr', '-1'), // nets to zero: omitted
    ];
    // Act
    const [p] = build(cur(rows)).periods;
    // Assess
    expect(
      p!.transfers.map(
        (t) => `${t.ownerAccountId}>${t.consumerAccountId}:${t.commitment}:${t.cost}`,
      ),
    ).toEqual([
      `${C}>${A}:ri:9.0000000000`,
      `${A}>${B}:ri:5.0000000000`,
      `${A}>${B}:sp:5.0000000000`,
      `${A}>${C}:sp:5.0000000000`,
      `${B}>${C}:ri:5.0000000000`,
    ]);
  });

  it('orders transfers by their exact cost where the costs are equal as doubles', () => {
    const moved = (usage: string, owner: string, commitment: 'ri' | 'sp' | 'cr', cost: string) =>
      row({ usage_account_id: usage, owner_account_id: owner, commitment, usage_cost: cost });
    // 9007199254.7409930000 and ...0001 are 90071992547409930000 and ...0001 units of 10^-10: far
    // above 2^53, both the same double.
    const rows = [
      moved(B, A, 'ri', '9007199254.7409930000'),
      moved(A, C, 'ri', '9007199254.7409930001'),
      moved(C, B, 'cr', '-2'),
      moved(C, A, 'sp', '9007199254.7409930001'),
    ];
    const [p] = build(cur(rows)).periods;
    expect(
      p!.transfers.map(
        (t) => `${t.ownerAccountId}>${t.consumerAccountId}:${t.commitment}:${t.cost}`,
      ),
    ).toEqual([
      `${A}>${C}:sp:9007199254.7409930001`,
      `${C}>${A}:ri:9007199254.7409930001`,
      `${A}>${B}:ri:9007199254.7409930000`,
      `${B}>${C}:cr:-2.0000000000`,
    ]);
  });

  it('books lines without an account on the payer, with a warning', () => {
    // Prepare
    const rows = [
      row({
        usage_account_id: null,
        owner_account_id: null,
        invoice_account_id: null,
        usage_cost: '4',
      }),
      // a Rounding row that carries usage too: the usage is the payer's, the invoice part is rounding
      row({
        line_item_type: 'Rounding',
        usage_account_id: null,
        owner_account_id: null,
        invoice_account_id: null,
        usage_cost: '1',
        invoice_cost: '0.01',
      }),
    ];
    // Act
    const [p] = build(cur(rows)).periods;
    // Assess
    // usage 4 + 1 = 5 on the payer; invoice 4 (the Rounding row's 0.01 is rounding)
    expect(p!.accounts).toEqual([
      {
        accountId: PAYER,
        payerAccountId: PAYER,
        usageCost: '5.0000000000',
        ownerCost: '5.0000000000',
        invoiceCost: '4.0000000000',
      },
    ]);
    expect(p!.totals.rounding).toBe('0.0100000000');
    expect(p!.warnings).toEqual([
      `2 lines of payer ${PAYER} have no account id: counted under the payer.`,
    ]);
  });

  it('refuses a malformed amount, naming the source', () => {
    expect(() => build(cur([row({ usage_cost: '1e3' })], 'bad.parquet'))).toThrow(
      'bad.parquet: ledger amount not a decimal amount: "1e3"',
    );
  });

  it('detects a ledger that moves cost without a commitment (identity violation)', () => {
    // B's 8 sits with A in the owner basis but no transfer explains it: owner(A) = 8 ≠ 0 + 0 - 0.
    const rows = [row({ usage_account_id: B, owner_account_id: A, usage_cost: '8' })];
    expect(() => build(cur(rows))).toThrow(IdentityViolationError);
    expect(() => build(cur(rows))).toThrow(
      `account ${A}: ownerCost 8.0000000000 ≠ usageCost 0 + transfers as owner 0 − transfers as consumer 0 = 0`,
    );
  });

  it.each<[string, LedgerRow[], string[]]>([
    [
      'an ambiguous DBR subscription',
      [
        row({ usage_account_id: B, note: 'ambiguous-subscription:363836886' }),
        row({ usage_account_id: A, note: 'ambiguous-subscription:363836886' }),
        row({ usage_account_id: null, note: 'ambiguous-subscription:1' }),
      ],
      [
        'DBR subscription 1 is claimed by more than one account: its cost stays with the accounts that used it ().',
        `DBR subscription 363836886 is claimed by more than one account: its cost stays with the accounts that used it (${A}, ${B}).`,
        `1 line of payer ${PAYER} has no account id: counted under the payer.`,
      ],
    ],
    [
      'unknown line item types',
      [
        row({ line_item_type: 'FancyNewType', line_count: 3, final_line_count: 3 }),
        row({ line_item_type: 'FancyNewType' }),
        row({ line_item_type: null }),
        row({ line_item_type: 'EdpDiscount' }),
      ],
      [
        '1 line with no line item type: kept with the usage account at unblended cost.',
        '4 lines with unknown line item type "FancyNewType": kept with the usage account at unblended cost.',
      ],
    ],
    ['an unknown note', [row({ note: 'odd' })], ['1 line flagged "odd".']],
    [
      'account ids that are not 12 digits',
      [
        row({ usage_account_id: '3786579754' }),
        row({ payer_account_id: '52601815908', usage_account_id: B }),
      ],
      [
        'Account id "3786579754" is not 12 digits (leading zeros lost, or a malformed ARN account field?).',
        'Account id "52601815908" is not 12 digits (leading zeros lost, or a malformed ARN account field?).',
      ],
    ],
  ])('warns of %s', (_case, rows, warnings) => {
    expect(build(cur(rows)).periods[0]!.warnings).toEqual(warnings);
  });

  it('rolls accounts and transfers up into groups when groups are configured', () => {
    // Prepare
    const groups = [{ name: 'core', accountIds: [A, B] }];
    // Act
    const [p] = buildReport({ sources: [cur(orgRows)], groups, generatedAt: AT }).periods;
    // Assess
    expect(p!.groups).toEqual([
      // usage 106.35 + 27.75 = 134.1; owner 137.4333333333 + 0; invoice 138.85 + 0
      {
        name: 'core',
        accountIds: [A, B],
        usageCost: '134.1000000000',
        ownerCost: '137.4333333333',
        invoiceCost: '138.8500000000',
      },
      {
        name: UNGROUPED,
        accountIds: [C],
        usageCost: '3.8333333333',
        ownerCost: '0.5000000000',
        invoiceCost: '3.8333333333',
      },
    ]);
    // A -> B stays inside core; only A's CR used by C crosses groups
    expect(p!.groupTransfers).toEqual([
      { ownerGroup: 'core', consumerGroup: UNGROUPED, commitment: 'cr', cost: '3.3333333333' },
    ]);
  });

  it('leaves groups out when none are configured', () => {
    const [p] = build(cur(orgRows)).periods;
    expect(p).not.toHaveProperty('groups');
    expect(p).not.toHaveProperty('groupTransfers');
  });
});
