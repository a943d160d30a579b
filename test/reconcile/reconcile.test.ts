import { InputError } from '../../lambdas/core/errors.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import {
  type InvoiceCsvRow,
  parseTolerance,
  reconcileCur,
  reconcileDbr,
  summarizeInvoice,
} from '../../lambdas/core/reconcile.js';
import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';

const PAYER = '052601815908';
const LINKED = '687267341391';

const row = (fields: Partial<InvoiceCsvRow>): InvoiceCsvRow => ({
  PayerAccountId: PAYER,
  LinkedAccountId: null,
  RecordType: 'LinkedLineItem',
  RecordID: null,
  BillingPeriodStartDate: '2025/10/01 00:00:00',
  LinkedAccountName: null,
  CurrencyCode: 'CNY',
  TotalCost: null,
  ...fields,
});

// The invoice of the China sample (docs/CUR-REFERENCE.md §1.6), rounded to cents as the invoice is.
const invoiceRows: InvoiceCsvRow[] = [
  row({ RecordType: 'PayerLineItem', RecordID: '1', TotalCost: '170000.00' }),
  row({ RecordType: 'PayerLineItem', RecordID: '2', TotalCost: '13287.78' }),
  row({
    RecordType: 'LinkedLineItem',
    LinkedAccountId: LINKED,
    LinkedAccountName: '测试账户',
    RecordID: '3',
    TotalCost: '765.82',
  }),
  row({ RecordType: 'AccountTotal', RecordID: `AccountTotal:${PAYER}`, TotalCost: '183287.78' }),
  row({ RecordType: 'AccountTotal', LinkedAccountId: LINKED, TotalCost: '765.82' }),
  row({ RecordType: 'InvoiceTotal', RecordID: 'InvoiceTotal:1320575235', TotalCost: '184053.60' }),
  row({ RecordType: 'StatementTotal', RecordID: 'StatementTotal', TotalCost: '184053.60' }),
];

const period = (overrides: Partial<PeriodReport> = {}): PeriodReport => ({
  billingPeriod: '2025-10',
  currency: 'CNY',
  payerAccountIds: [PAYER],
  final: true,
  accounts: [
    {
      accountId: PAYER,
      payerAccountId: PAYER,
      usageCost: '183290.2815696986',
      ownerCost: '183290.2815696986',
      invoiceCost: '183290.2815696986',
    },
    {
      accountId: LINKED,
      payerAccountId: PAYER,
      usageCost: '765.8278993068',
      ownerCost: '765.8278993068',
      invoiceCost: '765.8278993068',
    },
  ],
  transfers: [],
  totals: {
    usageCost: '184056.1094690054',
    ownerCost: '184056.1094690054',
    invoiceCost: '184056.1094690054',
    rounding: '-2.5094690054',
  },
  warnings: [],
  ...overrides,
});

const report = (p: PeriodReport): Report => ({
  schemaVersion: 1,
  generatedAt: '2025-11-03T00:00:00Z',
  sources: [],
  periods: [p],
});

describe('summarizeInvoice', () => {
  it("takes each account's AccountTotal row, named from its line items", () => {
    const summary = summarizeInvoice(invoiceRows, 'inv.csv');
    expect(summary.accounts).toEqual([
      { accountId: PAYER, totalCost: '183287.7800000000' },
      { accountId: LINKED, name: '测试账户', totalCost: '765.8200000000' },
    ]);
    expect(summary).toMatchObject({
      payerAccountId: PAYER,
      billingPeriod: '2025-10',
      currency: 'CNY',
      final: true,
      basis: 'account-totals',
      invoiceTotal: '184053.6000000000',
      warnings: [],
    });
  });

  it('falls back to Σ TotalCost of the charge rows, the payer rows under the payer', () => {
    const linesOnly = invoiceRows.filter((r) => r.RecordType !== 'AccountTotal');
    const summary = summarizeInvoice(linesOnly, 'inv.csv');
    expect(summary.basis).toBe('line-items');
    // payer: 170000.00 + 13287.78 = 183287.78; linked: 765.82
    expect(summary.accounts.map((a) => [a.accountId, a.totalCost])).toEqual([
      [PAYER, '183287.7800000000'],
      [LINKED, '765.8200000000'],
    ]);
  });

  it('warns when an AccountTotal and its line items differ by more than rounding to the cent', () => {
    const withTotal = (total: string) =>
      invoiceRows.map((r) =>
        r.RecordType === 'AccountTotal' && r.LinkedAccountId === LINKED
          ? { ...r, TotalCost: total }
          : r,
      );
    // 765.83 − 765.82 = 0.01 > 0.005
    expect(summarizeInvoice(withTotal('765.83'), 'inv.csv').warnings).toEqual([
      `invoice AccountTotal of ${LINKED} is 765.8300000000 but its line items sum to 765.8200000000`,
    ]);
    // 765.824 − 765.82 = 0.004: rounding to the cent
    expect(summarizeInvoice(withTotal('765.824'), 'inv.csv').warnings).toEqual([]);
  });

  it('marks an estimated invoice as not final', () => {
    const rows = [
      ...invoiceRows.filter((r) => r.RecordType !== 'InvoiceTotal'),
      row({ RecordType: 'InvoiceTotal', RecordID: 'InvoiceTotal:Estimated', TotalCost: '1' }),
    ];
    expect(summarizeInvoice(rows, 'inv.csv').final).toBe(false);
    const disclaimer = [...invoiceRows, row({ RecordType: 'EstimatedDisclaimer' })];
    expect(summarizeInvoice(disclaimer, 'inv.csv').final).toBe(false);
  });

  it.each([
    [
      'a bad amount',
      [row({ RecordID: '9', LinkedAccountId: LINKED, TotalCost: '1,234.00' })],
      'record 9: TotalCost is not a decimal amount: "1,234.00"',
    ],
    [
      'two payers',
      [row({ TotalCost: '1' }), row({ PayerAccountId: '111122223333', TotalCost: '1' })],
      `several payers (${PAYER}, 111122223333): reconcile one payer's invoice at a time`,
    ],
    [
      'two currencies',
      [row({ TotalCost: '1' }), row({ CurrencyCode: 'USD', TotalCost: '1' })],
      'several currencies (CNY, USD) in one invoice',
    ],
    [
      'no charge or total rows',
      [row({ RecordType: 'StatementTotal', TotalCost: '1' })],
      'no PayerLineItem, LinkedLineItem or AccountTotal rows: not an AWS invoice summary (aws-billing-csv)',
    ],
  ])('refuses %s with one line naming the file', (_what, rows, message) => {
    expect(() => summarizeInvoice(rows, 'inv.csv')).toThrow(new InputError('inv.csv', message));
  });
});

describe('reconcileDbr', () => {
  const invoice = summarizeInvoice(invoiceRows, 'inv.csv');

  it('explains the Rounding row: the per-account differences add up to it exactly', () => {
    const result = reconcileDbr({
      detailFile: 'dbr.csv',
      report: report(period()),
      invoice,
      tolerance: '0.01',
    });
    // payer:  183287.78 − 183290.2815696986 = −2.5015696986 (beyond 0.01, same sign as rounding)
    // linked:    765.82 −    765.8278993068 = −0.0078993068 (within 0.01)
    // Σ = −2.5094690054 = the DBR Rounding row, so nothing is unexplained.
    expect(result.accounts).toEqual([
      {
        accountId: PAYER,
        ownerCost: '183290.2815696986',
        invoiced: '183287.7800000000',
        difference: '-2.5015696986',
        status: 'rounding',
      },
      {
        accountId: LINKED,
        name: '测试账户',
        ownerCost: '765.8278993068',
        invoiced: '765.8200000000',
        difference: '-0.0078993068',
        status: 'match',
      },
    ]);
    expect(result.rounding).toEqual({
      dbrRounding: '-2.5094690054',
      sumOfDifferences: '-2.5094690054',
      unexplained: '0',
    });
    // 183290.2815696986 + 765.8278993068 = 184056.1094690054; 183287.78 + 765.82 = 184053.60
    expect(result.totals).toEqual({
      ownerCost: '184056.1094690054',
      invoiced: '184053.6000000000',
      difference: '-2.5094690054',
    });
    expect(result.invoiceTotal).toEqual({
      stated: '184053.6000000000',
      sumOfAccounts: '184053.6000000000',
      difference: '0',
    });
    expect(result.ok).toBe(true);
  });

  it('fails when a difference is not covered by the rounding', () => {
    const rows = invoiceRows.map((r) =>
      r.RecordType === 'AccountTotal' && r.LinkedAccountId === LINKED
        ? { ...r, TotalCost: '775.82' }
        : r,
    );
    const result = reconcileDbr({
      detailFile: 'dbr.csv',
      report: report(period()),
      invoice: summarizeInvoice(rows, 'inv.csv'),
      tolerance: '0.01',
    });
    // linked: 775.82 − 765.8278993068 = 9.9921006932; Σ = −2.5015696986 + 9.9921006932 = 7.4905309946
    // unexplained = 7.4905309946 − (−2.5094690054) = 10
    expect(result.rounding.unexplained).toBe('10.0000000000');
    expect(result.accounts.map((a) => a.status)).toEqual(['mismatch', 'mismatch']);
    expect(result.ok).toBe(false);
  });

  it('counts an account missing on one side as 0 there and says so', () => {
    const result = reconcileDbr({
      detailFile: 'dbr.csv',
      report: report(period({ totals: { ...period().totals, rounding: '0' } })),
      invoice: summarizeInvoice(
        [row({ RecordType: 'PayerLineItem', TotalCost: '183290.28' })],
        'inv.csv',
      ),
      tolerance: '0.01',
    });
    // linked: 0 − 765.8278993068 = −765.8278993068
    expect(result.accounts[1]).toMatchObject({ invoiced: '0', difference: '-765.8278993068' });
    expect(result.accounts[1]!.status).toBe('mismatch');
    expect(result.warnings).toContain(
      `account ${LINKED} is in the detail file but not on the invoice`,
    );
    expect(result.ok).toBe(false);
  });

  it('refuses an invoice of another payer or month', () => {
    const other = summarizeInvoice(
      invoiceRows.map((r) => ({ ...r, BillingPeriodStartDate: '2025/09/01 00:00:00' })),
      'inv.csv',
    );
    expect(() =>
      reconcileDbr({
        detailFile: 'dbr.csv',
        report: report(period()),
        invoice: other,
        tolerance: '0',
      }),
    ).toThrow('inv.csv: the invoice is for 2025-09 CNY, the detail file dbr.csv has 2025-10 CNY');
    const payer = summarizeInvoice(
      invoiceRows.map((r) => ({ ...r, PayerAccountId: '111122223333' })),
      'inv.csv',
    );
    expect(() =>
      reconcileDbr({
        detailFile: 'dbr.csv',
        report: report(period()),
        invoice: payer,
        tolerance: '0',
      }),
    ).toThrow(`inv.csv: payer 111122223333 is not the detail file's payer (${PAYER})`);
  });
});

describe('reconcileCur', () => {
  const ledgerRow = (fields: Partial<LedgerRow>): LedgerRow => ({
    billing_period: '2025-10',
    currency_code: 'USD',
    payer_account_id: '111122223333',
    usage_account_id: '111122223333',
    owner_account_id: '111122223333',
    invoice_account_id: '111122223333',
    commitment: null,
    line_item_type: 'Usage',
    note: null,
    usage_cost: '0',
    invoice_cost: '0',
    line_count: 1,
    final_line_count: 0,
    ...fields,
  });

  it('finds invoiceCost equal to the unblended sum and no rounding', () => {
    const rows = [
      ledgerRow({ usage_cost: '10.25', invoice_cost: '10.25' }),
      // An RI upfront fee: cash 120 in the month, amortized 0.
      ledgerRow({ line_item_type: 'Fee', usage_cost: '0', invoice_cost: '120' }),
    ];
    const rep = report({
      ...period(),
      currency: 'USD',
      payerAccountIds: ['111122223333'],
      final: false,
      accounts: [
        {
          accountId: '111122223333',
          payerAccountId: '111122223333',
          usageCost: '10.2500000000',
          ownerCost: '10.2500000000',
          invoiceCost: '130.2500000000',
        },
      ],
    });
    const result = reconcileCur({ detailFile: 'cur/', report: rep, rows, tolerance: '0' });
    // unblended 10.25 + 120 = 130.25 = invoiceCost; amortized − cash = 10.25 − 130.25 = −120
    expect(result.payers).toEqual([
      {
        billingPeriod: '2025-10',
        currency: 'USD',
        payerAccountId: '111122223333',
        final: false,
        invoiceCost: '130.2500000000',
        unblendedCost: '130.2500000000',
        difference: '0',
        rounding: '0',
        amortizationGap: '-120.0000000000',
      },
    ]);
    expect(result.ok).toBe(true);
  });
});

describe('parseTolerance', () => {
  it('accepts a decimal and refuses a negative or non-number', () => {
    expect(parseTolerance('0.01')).toBe('0.0100000000');
    expect(() => parseTolerance('-1')).toThrow(
      '--tolerance: not a non-negative decimal amount: "-1"',
    );
    expect(() => parseTolerance('abc')).toThrow(InputError);
  });
});
