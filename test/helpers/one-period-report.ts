import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';

/** A report of one period (2025-10 USD, final, zero totals) with the given parts filled in. */
export const onePeriodReport = (period: Partial<PeriodReport>): Report => ({
  schemaVersion: 1,
  generatedAt: '2025-11-05T00:00:00Z',
  sources: [],
  periods: [
    {
      billingPeriod: '2025-10',
      currency: 'USD',
      payerAccountIds: ['000000000100'],
      final: true,
      accounts: [],
      transfers: [],
      totals: { usageCost: '0', ownerCost: '0', invoiceCost: '0', rounding: '0' },
      warnings: [],
      ...period,
    },
  ],
});
