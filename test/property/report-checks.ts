// Checks shared by the property tests: the report's figures as BigInt, the identities of
// ATTRIBUTION.md recomputed from the report JSON, and the comparison with the reference.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';
import { createLines, runLedger } from '../helpers/duckdb.js';
import {
  nonZero,
  type RefLine,
  type RefPeriod,
  refMoney,
  refUtilization,
} from '../reference/attribution.js';

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
  // The commitment detail's identity: consumers other than the owner, per (owner, consumer, kind),
  // are the transfers.
  const moved = new Map<string, bigint>();
  for (const c of period.commitments ?? []) {
    for (const x of c.consumers) {
      if (x.accountId === c.ownerAccountId) continue;
      const key = `${c.ownerAccountId}|${x.accountId}|${c.commitment}`;
      moved.set(key, (moved.get(key) ?? 0n) + refMoney(x.cost));
    }
  }
  for (const t of period.transfers) {
    const key = `${t.ownerAccountId}|${t.consumerAccountId}|${t.commitment}`;
    moved.set(key, (moved.get(key) ?? 0n) - refMoney(t.cost));
  }
  for (const [key, left] of moved) {
    if (left !== 0n)
      failures.push(`commitment consumers ${key} differ from the transfer by ${left}`);
  }
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
  readonly commitments: Record<string, ComparableCommitment>;
}

/** A commitment's figures; money as BigInt units, null where the report writes null. */
export interface ComparableCommitment {
  readonly used: bigint;
  readonly unused: bigint | null;
  readonly utilization: string | null;
  readonly onDemand: bigint | null;
  readonly savings: bigint | null;
  /** account -> [cost, onDemandCost, savings] */
  readonly consumers: Record<string, [bigint, bigint | null, bigint | null]>;
}

const moneyOrNull = (text: string | null): bigint | null => (text === null ? null : refMoney(text));

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
    commitments: Object.fromEntries(
      (p.commitments ?? []).map((c) => [
        `${c.commitment}|${c.commitmentId}|${c.ownerAccountId}`,
        {
          used: refMoney(c.usedCost),
          unused: moneyOrNull(c.unusedCost),
          utilization: c.utilization,
          onDemand: moneyOrNull(c.onDemandCost),
          savings: moneyOrNull(c.savings),
          consumers: Object.fromEntries(
            c.consumers.map((x) => [
              x.accountId,
              [refMoney(x.cost), moneyOrNull(x.onDemandCost), moneyOrNull(x.savings)],
            ]),
          ),
        },
      ]),
    ),
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
      commitments: Object.fromEntries(
        [...p.commitments].map(([key, c]) => {
          let used = 0n;
          let onDemand: bigint | null = null;
          const consumers: Record<string, [bigint, bigint | null, bigint | null]> = {};
          for (const [account, x] of c.consumers) {
            used += x.cost;
            if (x.onDemand !== null) onDemand = (onDemand ?? 0n) + x.onDemand;
            consumers[account] = [
              x.cost,
              x.onDemand,
              x.onDemand === null ? null : x.onDemand - x.cost,
            ];
          }
          return [
            key,
            {
              used,
              unused: c.unused,
              utilization: refUtilization(c.kind, used, c.unused),
              onDemand,
              savings: onDemand === null ? null : onDemand - used,
              consumers,
            },
          ];
        }),
      ),
    }));
}
