// The report's figures in the corpus's expected shape, compared by exact decimal value.
import type { Report } from '../../lambdas/core/report-model.js';
import type { ExpectedPeriod } from '../fixtures/bad/corpus.js';

/** The report's figures in the corpus's expected shape. */
export const periodsOf = (report: Report): ExpectedPeriod[] =>
  report.periods.map((p) => ({
    billingPeriod: p.billingPeriod,
    currency: p.currency,
    accounts: Object.fromEntries(
      p.accounts.map((a) => [a.accountId, [a.usageCost, a.ownerCost, a.invoiceCost] as const]),
    ),
    transfers: Object.fromEntries(
      p.transfers.map((t) => [
        `${t.ownerAccountId}|${t.consumerAccountId}|${t.commitment}`,
        t.cost,
      ]),
    ),
  }));

/** Exact decimals compared by value ('10.1' = '10.1000000000'), written as the expectation does. */
function normalise(p: ExpectedPeriod) {
  const value = (s: string) => {
    const [int, frac = ''] = s.split('.');
    const trimmed = frac.replace(/0+$/, '');
    return trimmed === '' ? String(BigInt(int!)) : `${int}.${trimmed}`;
  };
  return {
    ...p,
    accounts: Object.fromEntries(
      Object.entries(p.accounts).map(([id, figures]) => [id, figures.map(value)]),
    ),
    transfers: Object.fromEntries(Object.entries(p.transfers).map(([k, v]) => [k, value(v)])),
  };
}

/** Periods with every amount in one written form, for toEqual. */
export const comparable = (periods: readonly ExpectedPeriod[]) => periods.map(normalise);
