// Checks shared by the property tests: the report's figures as BigInt, the identities of
// ATTRIBUTION.md recomputed from the report JSON, and the comparison with the reference.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';
import { createLines, runLedger } from '../helpers/duckdb.js';
import { nonZero, type RefLine, type RefPeriod, refMoney } from '../reference/attribution.js';

/** The ledger of `lines` on DuckDB: a fresh `cur_lines`/`dbr_lines` table on a reused connection. */
export async function duckDbLedger(
  connection: DuckDBConnection,
  format: SourceFormat,
  lines: readonly RefLine[],
): Promise<LedgerRow[]> {
  await connection.run(
    'drop table if exists cur_lines; drop table if exists dbr_lines; drop table if exists focus_lines',
  );
  await createLines(connection, format, lines);
  return runLedger(connection, format);
}

/**
 * Both identities of ATTRIBUTION.md, recomputed from the report JSON alone (not by the core's own
 * checker): ownerCost(a) = usageCost(a) + Σ transfers out − Σ transfers in, Σ owner = Σ usage.
 * Returns the failures as sentences (empty when both hold exactly).
 */
export function identityFailures(period: PeriodReport): string[] {
  const failures: string[] = [];
  let usageSum = 0n;
  let ownerSum = 0n;
  for (const a of period.accounts) {
    const usage = refMoney(a.usageCost);
    const owner = refMoney(a.ownerCost);
    usageSum += usage;
    ownerSum += owner;
    let expected = usage;
    for (const t of period.transfers) {
      if (t.ownerAccountId === a.accountId) expected += refMoney(t.cost);
      if (t.consumerAccountId === a.accountId) expected -= refMoney(t.cost);
    }
    if (expected !== owner) failures.push(`${a.accountId}: owner ${owner} != ${expected}`);
  }
  if (usageSum !== ownerSum) failures.push(`Σ owner ${ownerSum} != Σ usage ${usageSum}`);
  if (refMoney(period.totals.usageCost) !== usageSum) failures.push('totals.usageCost');
  if (refMoney(period.totals.ownerCost) !== ownerSum) failures.push('totals.ownerCost');
  return failures;
}

/** A period in the reference's shape, for a deep comparison with it. */
export interface ComparablePeriod {
  readonly key: string;
  readonly accounts: Record<string, [bigint, bigint, bigint]>;
  readonly transfers: Record<string, bigint>;
  readonly rounding: bigint;
  readonly final: boolean;
}

export function fromReport(report: Report): ComparablePeriod[] {
  return report.periods.map((p) => ({
    key: `${p.billingPeriod}|${p.currency}`,
    accounts: Object.fromEntries(
      p.accounts.map((a) => [
        a.accountId,
        [refMoney(a.usageCost), refMoney(a.ownerCost), refMoney(a.invoiceCost)],
      ]),
    ),
    transfers: Object.fromEntries(
      p.transfers.map((t) => [
        `${t.ownerAccountId}|${t.consumerAccountId}|${t.commitment}`,
        refMoney(t.cost),
      ]),
    ),
    rounding: refMoney(p.totals.rounding),
    final: p.final,
  }));
}

export function fromReference(periods: Map<string, RefPeriod>): ComparablePeriod[] {
  return [...periods.values()]
    .sort((a, b) =>
      `${a.billingPeriod}|${a.currency}` < `${b.billingPeriod}|${b.currency}` ? -1 : 1,
    )
    .map((p) => ({
      key: `${p.billingPeriod}|${p.currency}`,
      accounts: Object.fromEntries(
        [...p.accounts].map(([id, a]) => [id, [a.usage, a.owner, a.invoice]]),
      ),
      transfers: Object.fromEntries(nonZero(p.transfers)),
      rounding: p.rounding,
      final: p.lines > 0 && p.finalLines === p.lines,
    }));
}
