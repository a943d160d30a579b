import {
  convertReport,
  multiplyMoney,
  parseRatesFile,
  withConvertedView,
} from '../../lambdas/core/currency-rates.js';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import type { AccountTotals, PeriodReport, Report } from '../../lambdas/core/report-model.js';

const account = (
  accountId: string,
  payer: string,
  usage: string,
  owner: string,
): AccountTotals => ({
  accountId,
  payerAccountId: payer,
  usageCost: usage,
  ownerCost: owner,
  invoiceCost: owner,
});

const CN_PAYER = '052601815908';
const US_PAYER = '111122223333';

const cny: PeriodReport = {
  billingPeriod: '2025-10',
  currency: 'CNY',
  payerAccountIds: [CN_PAYER],
  final: true,
  accounts: [
    account(CN_PAYER, CN_PAYER, '1000.0000000000', '900.0000000000'),
    account('003786579754', CN_PAYER, '100.0000000000', '200.0000000000'),
  ],
  transfers: [],
  groups: [
    {
      name: 'mixed',
      accountIds: [CN_PAYER, US_PAYER],
      usageCost: '1000.0000000000',
      ownerCost: '900.0000000000',
      invoiceCost: '900.0000000000',
    },
    {
      name: '(ungrouped)',
      accountIds: ['003786579754'],
      usageCost: '100.0000000000',
      ownerCost: '200.0000000000',
      invoiceCost: '200.0000000000',
    },
  ],
  totals: {
    usageCost: '1100.0000000000',
    ownerCost: '1100.0000000000',
    invoiceCost: '1100.0000000000',
    rounding: '-0.0200000000',
  },
  warnings: [],
};

const usd: PeriodReport = {
  ...cny,
  currency: 'USD',
  payerAccountIds: [US_PAYER],
  accounts: [account(US_PAYER, US_PAYER, '50.0000000000', '50.0000000000')],
  groups: [
    {
      name: 'mixed',
      accountIds: [CN_PAYER, US_PAYER],
      usageCost: '50.0000000000',
      ownerCost: '50.0000000000',
      invoiceCost: '50.0000000000',
    },
  ],
  totals: {
    usageCost: '50.0000000000',
    ownerCost: '50.0000000000',
    invoiceCost: '50.0000000000',
    rounding: '0',
  },
};

const report: Report = {
  schemaVersion: 1,
  generatedAt: '2025-11-03T00:00:00Z',
  sources: [],
  periods: [cny, usd],
};

const RATES = '{"base":"USD","rates":{"CNY":"0.1385","EUR":"1.08"},"asOf":"2025-10-31"}';

describe('multiplyMoney', () => {
  it.each([
    ['100', '0.1385', '13.8500000000'],
    // 1e-10 × 0.5 = 0.5e-10: half away from zero, both signs
    ['0.0000000001', '0.5', '0.0000000001'],
    ['-0.0000000001', '0.5', '-0.0000000001'],
    // 1e-10 × 0.4 = 0.4e-10 rounds to 0
    ['0.0000000001', '0.4', '0'],
    // 1183.1696462216 × 0.1385 = 163.86899600169160 → 163.8689960017
    ['1183.1696462216', '0.1385', '163.8689960017'],
  ])('%s × %s = %s', (amount, rate, product) => {
    expect(formatMoney(multiplyMoney(parseMoney(amount), parseMoney(rate)))).toBe(product);
  });
});

describe('parseRatesFile', () => {
  it('reads base, rates as decimal strings and asOf', () => {
    expect(parseRatesFile(RATES, 'rates.json')).toEqual({
      file: 'rates.json',
      base: 'USD',
      asOf: '2025-10-31',
      rates: { CNY: '0.1385', EUR: '1.08' },
    });
  });

  it.each([
    [
      '{"base":"USD","rates":{"CNY":0.1385}}',
      'rates.CNY: each rate must be a decimal string such as "0.1385" (not a JSON number)',
    ],
    ['{"base":"USD","rates":{"CNY":"0"}}', 'rates.CNY: a rate must be greater than 0'],
    ['{"base":"usd","rates":{}}', 'base: base must be a 3-letter currency code such as "USD"'],
    ['{"base":"USD","rates":{},"when":"now"}', 'unknown field when'],
    ['{"base":"USD",', 'not valid JSON'],
  ])('refuses %s', (text, problem) => {
    expect(() => parseRatesFile(text, 'rates.json')).toThrow(`rates.json: ${problem}`);
  });
});

describe('convertReport', () => {
  it('converts each account once and sums the converted figures per period and group', () => {
    const view = convertReport(report, parseRatesFile(RATES, 'rates.json'));
    expect(view.base).toBe('USD');
    expect(view.asOf).toBe('2025-10-31');
    expect(view.label).toMatch(/^Converted into USD .* not billed amounts/);
    // Only the rates used are shown; USD is the base (1).
    expect(view.rates).toEqual({ CNY: '0.1385', USD: '1' });
    const p = view.periods[0]!;
    expect(p.sourceCurrencies).toEqual(['CNY', 'USD']);
    expect(p.payerAccountIds).toEqual([CN_PAYER, US_PAYER]);
    // 1000 × 0.1385 = 138.5, 900 × 0.1385 = 124.65; 100 × 0.1385 = 13.85, 200 × 0.1385 = 27.7
    expect(p.accounts.map((a) => [a.accountId, a.currency, a.usageCost, a.ownerCost])).toEqual([
      ['003786579754', 'CNY', '13.8500000000', '27.7000000000'],
      [CN_PAYER, 'CNY', '138.5000000000', '124.6500000000'],
      [US_PAYER, 'USD', '50.0000000000', '50.0000000000'],
    ]);
    // usage 138.5 + 13.85 + 50 = 202.35; owner 124.65 + 27.7 + 50 = 202.35; rounding −0.02 × 0.1385
    expect(p.totals).toEqual({
      usageCost: '202.3500000000',
      ownerCost: '202.3500000000',
      invoiceCost: '202.3500000000',
      rounding: '-0.0027700000',
    });
    // mixed = CNY payer + USD payer: usage 138.5 + 50 = 188.5, owner 124.65 + 50 = 174.65
    expect(p.groups).toEqual([
      {
        name: 'mixed',
        accountIds: [CN_PAYER, US_PAYER],
        usageCost: '188.5000000000',
        ownerCost: '174.6500000000',
        invoiceCost: '174.6500000000',
      },
      {
        name: '(ungrouped)',
        accountIds: ['003786579754'],
        usageCost: '13.8500000000',
        ownerCost: '27.7000000000',
        invoiceCost: '27.7000000000',
      },
    ]);
  });

  it('leaves the billed periods as they are', () => {
    const withView = withConvertedView(report, parseRatesFile(RATES, 'rates.json'));
    expect(withView.periods).toEqual(report.periods);
    expect(withView.converted?.periods).toHaveLength(1);
  });

  it('refuses rates that miss a billed currency, naming the rates file', () => {
    const rates = parseRatesFile('{"base":"EUR","rates":{"CNY":"0.13"}}', 'rates.json');
    expect(() => convertReport(report, rates)).toThrow(
      'rates.json: no rate for USD (the report bills 2025-10 in USD); add "USD" to rates',
    );
  });
});
