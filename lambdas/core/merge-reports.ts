import type { BillingGroup } from './groups.js';
import { parseMoney } from './money.js';
import { isoSeconds, PeriodTable } from './report.js';
import type { Report } from './report-model.js';

/**
 * Merges reports into one consolidated report (the deployed pipeline's: the latest report of each
 * payer). Periods with the same (billing period, currency) are added account by account and transfer
 * by transfer; currencies are never added together. A period is final when every merged part is.
 * Commitments are added commitment by commitment (a period one of whose parts has none is written
 * without them). Warnings are carried over, groups are recomputed from `groups` (the reports' own groups are
 * dropped), and the identities are checked again on the result.
 *
 * The caller picks which reports to merge: two reports of the same payer and period are added, not
 * deduplicated.
 *
 * @throws IdentityViolationError when a merged period breaks an identity.
 */
export function mergeReports(
  reports: readonly Report[],
  groups?: readonly BillingGroup[],
  generatedAt: Date = new Date(),
): Report {
  const table = new PeriodTable();
  for (const report of reports) {
    for (const period of report.periods) {
      const acc = table.get(period.billingPeriod, period.currency);
      acc.addPayers(period.payerAccountIds);
      acc.addLines(1, period.final ? 1 : 0);
      acc.addRounding(parseMoney(period.totals.rounding));
      for (const a of period.accounts) acc.addAccount(a);
      for (const t of period.transfers) {
        acc.addTransfer(t.ownerAccountId, t.consumerAccountId, t.commitment, parseMoney(t.cost));
      }
      for (const w of period.warnings) acc.warnings.add(w);
      if (period.commitments === undefined) acc.commitmentDetailMissing();
      for (const c of period.commitments ?? []) acc.commitments.addDetail(c);
    }
  }
  return {
    schemaVersion: 1,
    generatedAt: isoSeconds(generatedAt),
    sources: reports.flatMap((r) => r.sources),
    periods: table.toPeriods(groups),
  };
}
