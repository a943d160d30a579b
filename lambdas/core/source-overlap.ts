import type { LedgerRow } from './ledger.js';
import type { SourceFormat } from './source-columns.js';

/** A source's ledger as the overlap check needs it: where it came from and its rows. */
export interface OverlapSource {
  readonly path: string;
  readonly format: SourceFormat;
  readonly rows: readonly Pick<LedgerRow, 'payer_account_id' | 'billing_period'>[];
}

/** Two sources that both hold the bill of one payer for one period. */
export interface SourceOverlap {
  readonly first: OverlapSource;
  readonly second: OverlapSource;
  readonly payerAccountId: string;
  readonly billingPeriod: string;
}

/**
 * The first (payer, billing period) that two different sources both hold, if any. One payer's
 * month is one bill: two sources holding it are two copies of it (CUR 1 and CUR 2.0 during AWS's
 * migration, a DBR and a CUR, two exports of one payer), and summing both would count every line
 * twice. Files reached twice are left out before this (discoverSource): what is left here are
 * different files, so which one is right is the user's choice, never a guess.
 */
export function firstOverlap(sources: readonly OverlapSource[]): SourceOverlap | undefined {
  const holder = new Map<string, OverlapSource>();
  for (const source of sources) {
    const own = new Set<string>();
    for (const row of source.rows) {
      const key = `${row.payer_account_id}\u0000${row.billing_period}`;
      if (own.has(key)) continue;
      own.add(key);
      const first = holder.get(key);
      if (first !== undefined) {
        const [payerAccountId, billingPeriod] = key.split('\u0000') as [string, string];
        return { first, second: source, payerAccountId, billingPeriod };
      }
    }
    for (const key of own) holder.set(key, source);
  }
  return undefined;
}

/** The one-line reason a run with overlapping sources is refused. */
export const overlapProblem = (overlap: SourceOverlap): string =>
  `payer ${overlap.payerAccountId}, period ${overlap.billingPeriod} is also in ${overlap.second.path} (${overlap.first.format} and ${overlap.second.format}): both would be counted; give only one of them`;
