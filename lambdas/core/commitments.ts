import { formatChecked } from './identities.js';
import type { LedgerRow } from './ledger.js';
import { type Amount, formatMoney, parseMoney } from './money.js';
import type { Commitment, CommitmentConsumer, CommitmentDetail } from './report-model.js';

/** One consumer's exact figures under one commitment. */
export interface ConsumerSums {
  readonly accountId: string;
  cost: Amount;
  /** null until a line with an on-demand price is added. */
  onDemand: Amount | null;
}

/** One commitment's exact figures in a period. */
export interface CommitmentSums {
  readonly commitmentId: string;
  readonly commitment: Commitment;
  readonly owner: string;
  readonly consumers: Map<string, ConsumerSums>;
  /** null until an unused-fee line of the commitment is added. */
  unused: Amount | null;
}

/** The line item types whose amortized cost is a commitment's unused part (ATTRIBUTION.md). */
const UNUSED_FEE_KIND: Readonly<Record<string, Commitment>> = {
  RIFee: 'ri',
  SavingsPlanRecurringFee: 'sp',
};

/** The account field of an ARN (its fifth `:`-separated field), as the ledger SQL reads it. */
const arnAccount = (arn: string): string => arn.split(':')[4] ?? '';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const addOrNull = (sum: Amount | null, value: Amount | null): Amount | null =>
  value === null ? sum : (sum ?? 0n) + value;

/**
 * `used / (used + unused)` to 4 places, rounded half away from zero; null when unknown.
 *
 * @example utilization(3n, 1n) === '0.7500'
 */
export function utilization(used: Amount, unused: Amount | null): string | null {
  if (unused === null) return null;
  const total = used + unused;
  if (total === 0n) return null;
  const n = (used < 0n ? -used : used) * 10_000n;
  const d = total < 0n ? -total : total;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  const negative = q !== 0n && used < 0n !== total < 0n;
  const digits = q.toString().padStart(5, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/**
 * Sums the commitment detail of ATTRIBUTION.md for one period: per commitment (id, kind, owner),
 * the consumers' cost and on-demand cost and the unused fees. Fed ledger rows (or the
 * commitments of reports being merged); shared by buildReport and mergeReports.
 */
export class CommitmentTable {
  // id -> its commitment; the rare id seen with a second kind or owner (malformed data) has the
  // others in a list. One lookup per row, no composite key.
  private readonly byId = new Map<string, CommitmentSums | CommitmentSums[]>();

  /**
   * Books a ledger row of a commitment: a covered row (it has a `commitment`) on its usage account
   * as consumer, an unused-fee row on the commitment's unused part. Rows of no commitment are
   * ignored.
   *
   * @param usage - the row's usage_cost, parsed.
   * @param usageAccount, ownerAccount - the accounts the row was booked on.
   */
  addRow(row: LedgerRow, usage: Amount, usageAccount: string, ownerAccount: string): void {
    const id = row.commitment_id;
    if (id === null || id === undefined) return;
    if (row.commitment !== null) {
      const onDemand = row.on_demand_cost ? parseMoney(row.on_demand_cost) : null;
      this.addConsumer(id, row.commitment, ownerAccount, usageAccount, usage, onDemand);
      // A CR's own lines are its unused capacity.
      if (row.commitment === 'cr') this.addUnused(id, 'cr', ownerAccount, usage);
      return;
    }
    const kind = UNUSED_FEE_KIND[row.line_item_type ?? ''];
    if (kind !== undefined) this.addUnused(id, kind, arnAccount(id), usage);
  }

  addConsumer(
    id: string,
    kind: Commitment,
    owner: string,
    accountId: string,
    cost: Amount,
    onDemand: Amount | null,
  ): void {
    const c = this.commitment(id, kind, owner);
    const sums = c.consumers.get(accountId);
    if (sums === undefined) c.consumers.set(accountId, { accountId, cost, onDemand });
    else {
      sums.cost += cost;
      sums.onDemand = addOrNull(sums.onDemand, onDemand);
    }
  }

  addUnused(id: string, kind: Commitment, owner: string, amount: Amount): void {
    const c = this.commitment(id, kind, owner);
    c.unused = (c.unused ?? 0n) + amount;
  }

  /** Adds the commitments of a period already written (a report being merged). */
  addDetail(detail: CommitmentDetail): void {
    const { commitmentId: id, commitment: kind, ownerAccountId: owner } = detail;
    const c = this.commitment(id, kind, owner);
    for (const consumer of detail.consumers) {
      const onDemand = consumer.onDemandCost === null ? null : parseMoney(consumer.onDemandCost);
      this.addConsumer(id, kind, owner, consumer.accountId, parseMoney(consumer.cost), onDemand);
    }
    if (detail.unusedCost !== null) c.unused = (c.unused ?? 0n) + parseMoney(detail.unusedCost);
  }

  /** Every commitment's exact sums (for the identity check). */
  *sums(): Iterable<CommitmentSums> {
    for (const found of this.byId.values()) {
      if (Array.isArray(found)) yield* found;
      else yield found;
    }
  }

  /**
   * The commitments as the report writes them: by id, owner and kind; consumers by cost, largest
   * first, then account id.
   */
  toDetails(): CommitmentDetail[] {
    const all = [...this.sums()].sort(
      (a, b) =>
        cmp(a.commitmentId, b.commitmentId) ||
        cmp(a.owner, b.owner) ||
        cmp(a.commitment, b.commitment),
    );
    return all.map(toDetail);
  }

  private commitment(id: string, kind: Commitment, owner: string): CommitmentSums {
    const found = this.byId.get(id);
    if (found !== undefined && !Array.isArray(found)) {
      if (found.commitment === kind && found.owner === owner) return found;
    }
    const list = found === undefined ? [] : Array.isArray(found) ? found : [found];
    const same = list.find((c) => c.commitment === kind && c.owner === owner);
    if (same !== undefined) return same;
    const c: CommitmentSums = {
      commitmentId: id,
      commitment: kind,
      owner,
      consumers: new Map(),
      unused: null,
    };
    this.byId.set(id, list.length === 0 ? c : [...list, c]);
    return c;
  }
}

const byCostThenAccount = (a: ConsumerSums, b: ConsumerSums): number =>
  (a.cost < b.cost ? 1 : a.cost > b.cost ? -1 : 0) || cmp(a.accountId, b.accountId);

/**
 * Consumers by cost, largest first, then account id. Sorted on doubles first (a native compare,
 * far faster than BigInt over hundreds of thousands of consumers): Number() never reverses the
 * order of two amounts, so only consumers whose doubles are equal need the exact comparison.
 */
function largestFirst(consumers: Iterable<ConsumerSums>): ConsumerSums[] {
  const keyed = [...consumers].map((c) => ({ c, key: Number(c.cost) }));
  keyed.sort((a, b) => b.key - a.key || byCostThenAccount(a.c, b.c));
  return keyed.map((k) => k.c);
}

// Only usedCost and the consumers' cost enter the identity: those are written checked.
const moneyOrNull = (amount: Amount | null): string | null =>
  amount === null ? null : formatMoney(amount);

function toDetail(c: CommitmentSums): CommitmentDetail {
  let used = 0n;
  let onDemand: Amount | null = null;
  const consumers: CommitmentConsumer[] = largestFirst(c.consumers.values()).map((s) => {
    used += s.cost;
    onDemand = addOrNull(onDemand, s.onDemand);
    return {
      accountId: s.accountId,
      cost: formatChecked(s.cost),
      onDemandCost: moneyOrNull(s.onDemand),
      savings: s.onDemand === null ? null : formatMoney(s.onDemand - s.cost),
    };
  });
  const total = onDemand as Amount | null;
  return {
    commitmentId: c.commitmentId,
    commitment: c.commitment,
    ownerAccountId: c.owner,
    usedCost: formatChecked(used),
    unusedCost: moneyOrNull(c.unused),
    // A CR's used capacity is billed on the instances' own lines: whopays cannot measure it.
    utilization: c.commitment === 'cr' ? null : utilization(used, c.unused),
    onDemandCost: moneyOrNull(total),
    savings: total === null ? null : formatMoney(total - used),
    consumers,
  };
}

/** The commitments with the largest `figure`, largest first; those without one left out. */
export function topCommitments(
  commitments: readonly CommitmentDetail[],
  figure: (c: CommitmentDetail) => string | null,
  count: number,
): CommitmentDetail[] {
  return commitments
    .map((c) => ({ c, amount: figure(c) }))
    .filter((x): x is { c: CommitmentDetail; amount: string } => x.amount !== null)
    .map((x) => ({ c: x.c, amount: parseMoney(x.amount) }))
    .filter((x) => x.amount > 0n)
    .sort((a, b) => (a.amount < b.amount ? 1 : a.amount > b.amount ? -1 : 0))
    .slice(0, count)
    .map((x) => x.c);
}
