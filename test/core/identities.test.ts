import fc from 'fast-check';
import { IdentityViolationError } from '../../lambdas/core/errors.js';
import {
  checkAccountBalances,
  checkIdentities,
  formatChecked,
} from '../../lambdas/core/identities.js';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import type { AccountTotals, PeriodReport, Transfer } from '../../lambdas/core/report-model.js';
import { A, B, C, PAYER } from './ledger-rows.js';

const acct = (
  accountId: string,
  usageCost: string,
  ownerCost: string,
  invoiceCost = usageCost,
): AccountTotals => ({
  accountId,
  payerAccountId: PAYER,
  usageCost,
  ownerCost,
  invoiceCost,
});
const move = (owner: string, consumer: string, cost: string): Transfer => ({
  ownerAccountId: owner,
  consumerAccountId: consumer,
  commitment: 'ri',
  cost,
});
const period = (
  accounts: AccountTotals[],
  transfers: Transfer[],
  totals: Partial<PeriodReport['totals']> = {},
): PeriodReport => ({
  billingPeriod: '2025-10',
  currency: 'CNY',
  payerAccountIds: [PAYER],
  final: true,
  accounts,
  transfers,
  totals: { usageCost: '30', ownerCost: '30', invoiceCost: '30', rounding: '0', ...totals },
  warnings: [],
});

describe('checkIdentities', () => {
  it('accepts a balanced period', () => {
    // A owns what B used: owner(A) = 10 + 15 = 25, owner(B) = 20 - 15 = 5; Σ owner = 30 = Σ usage
    const p = period([acct(A, '10', '25', '25'), acct(B, '20', '5', '5')], [move(A, B, '15')]);
    expect(() => checkIdentities(p)).not.toThrow();
  });

  it.each<[string, PeriodReport, string]>([
    [
      'an owner cost that the transfers do not explain',
      // owner(A) should be 10 + 15 - 0 = 25
      period([acct(A, '10', '24', '24'), acct(B, '20', '6', '6')], [move(A, B, '15')]),
      `period 2025-10 CNY: account ${A}: ownerCost 24.0000000000 ≠ usageCost 10.0000000000 + transfers as owner 15.0000000000 − transfers as consumer 0 = 25.0000000000`,
    ],
    [
      'a consumer that keeps the cost it handed over',
      // A: 11 = 10 + 1 balances; B should be 20 - 1 = 19
      period([acct(A, '10', '11'), acct(B, '20', '20')], [move(A, B, '1')], {
        ownerCost: '31',
        usageCost: '31',
      }),
      `account ${B}: ownerCost 20.0000000000 ≠ usageCost 20.0000000000 + transfers as owner 0 − transfers as consumer 1.0000000000 = 19.0000000000`,
    ],
    [
      'a transfer naming an account that is not in the period',
      // A's owner cost 11 = 10 + 1 balances; C, absent, would have to give 1 from nothing
      period([acct(A, '10', '11'), acct(B, '20', '20')], [move(A, C, '1')], {
        ownerCost: '31',
        usageCost: '31',
      }),
      `account ${C}: ownerCost 0 ≠ usageCost 0 + transfers as owner 0 − transfers as consumer 1.0000000000 = -1.0000000000`,
    ],
    [
      'totals whose owner and usage sums differ',
      period([acct(A, '10', '10')], [], { ownerCost: '10.01', usageCost: '10' }),
      'period 2025-10 CNY: Σ ownerCost 10.01 ≠ Σ usageCost 10',
    ],
    [
      'a usage total that is not the sum of the accounts',
      // 10 + 20 = 30, the totals say 31
      period([acct(A, '10', '10'), acct(B, '20', '20')], [], {
        ownerCost: '31',
        usageCost: '31',
        invoiceCost: '30',
      }),
      'totals.usageCost 31 ≠ Σ accounts 30.0000000000',
    ],
    [
      'an invoice total that is not the sum of the accounts',
      period([acct(A, '10', '10'), acct(B, '20', '20', '19.99')], []),
      'totals.invoiceCost 30 ≠ Σ accounts 29.9900000000',
    ],
  ])('detects %s, naming the account and the numbers', (_case, p, message) => {
    expect(() => checkIdentities(p)).toThrow(IdentityViolationError);
    expect(() => checkIdentities(p)).toThrow(message);
  });
});

describe('checkAccountBalances (the exact sums buildReport checks before writing)', () => {
  it('accepts balanced sums and an account that only passes cost through', () => {
    // A owns 15 of B's usage and 3 of C's; C, in no account row, owns 3 of B's usage, so its net is
    // 3 - 3 = 0. owner(A) = 10 + 15 + 3 = 28, owner(B) = 20 - 15 - 3 = 2.
    const accounts = [
      { accountId: A, usage: 100000000000n, owner: 280000000000n },
      { accountId: B, usage: 200000000000n, owner: 20000000000n },
    ];
    const transfers = [
      { owner: A, consumer: B, cost: 150000000000n },
      { owner: C, consumer: B, cost: 30000000000n },
      { owner: A, consumer: C, cost: 30000000000n },
    ];
    expect(() => checkAccountBalances('p', accounts, transfers)).not.toThrow();
  });

  it('names an account known only from transfers whose transfers do not cancel out', () => {
    const accounts = [{ accountId: A, usage: 100000000000n, owner: 110000000000n }];
    const transfers = [{ owner: A, consumer: C, cost: 10000000000n }];
    // C: 0 = 0 + 0 - 1 fails
    expect(() => checkAccountBalances('p', accounts, transfers)).toThrow(
      `p: account ${C}: ownerCost 0 ≠ usageCost 0 + transfers as owner 0 − transfers as consumer 1.0000000000 = -1.0000000000`,
    );
  });
});

describe('formatChecked', () => {
  it.each([
    [0n, '0'],
    [1n, '0.0000000001'],
    [-1n, '-0.0000000001'],
    [12345600000000n, '1234.5600000000'],
    [-(10n ** 30n), '-100000000000000000000.0000000000'],
  ])('writes %s as %s', (amount, text) => {
    expect(formatChecked(amount)).toBe(text);
  });

  it('writes what formatMoney writes and reads back as the amount, for any amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 37n), max: 10n ** 37n }), (amount) => {
        const text = formatChecked(amount);
        expect(text).toBe(formatMoney(amount));
        expect(parseMoney(text)).toBe(amount);
      }),
    );
  });
});
