import { IdentityViolationError } from '../../lambdas/core/errors.js';
import { checkIdentities } from '../../lambdas/core/identities.js';
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
