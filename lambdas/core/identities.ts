import { IdentityViolationError } from './errors.js';
import { type Amount, formatMoney, parseMoney } from './money.js';
import type { Commitment, PeriodReport } from './report-model.js';

/** One account's exact figures in a period. */
export interface AccountAmounts {
  readonly accountId: string;
  readonly usage: Amount;
  readonly owner: Amount;
}

/** One transfer's exact cost, from owner to consumer. */
export interface TransferAmount {
  readonly owner: string;
  readonly consumer: string;
  readonly cost: Amount;
}

/**
 * Checks, exactly, for every account of a period (those named only by a transfer included):
 *
 *     ownerCost(a) = usageCost(a) + Σ transfers with owner a − Σ transfers with consumer a
 *
 * One net amount per account keeps this to a map update per transfer; the inbound and outbound
 * sums are only worked out for the error message.
 *
 * @param where - the period, for the message.
 * @throws IdentityViolationError naming the account and the numbers.
 */
export function checkAccountBalances(
  where: string,
  accounts: Iterable<AccountAmounts>,
  transfers: readonly TransferAmount[],
): void {
  // Σ as owner − Σ as consumer, in a box per account: one map lookup per transfer side.
  const net = new Map<string, { moved: Amount }>();
  const netOf = (accountId: string): { moved: Amount } => {
    let box = net.get(accountId);
    if (box === undefined) {
      box = { moved: 0n };
      net.set(accountId, box);
    }
    return box;
  };
  // Transfers often come grouped by owner: keep the owner's box while the owner stays the same.
  let owner: string | undefined;
  let ownerNet = { moved: 0n };
  for (const t of transfers) {
    if (t.owner !== owner) {
      owner = t.owner;
      ownerNet = netOf(owner);
    }
    ownerNet.moved += t.cost;
    netOf(t.consumer).moved -= t.cost;
  }
  for (const a of accounts) {
    const moved = net.get(a.accountId)?.moved ?? 0n;
    net.delete(a.accountId);
    if (a.owner !== a.usage + moved) {
      throw imbalance(where, a.accountId, a.usage, a.owner, transfers);
    }
  }
  // An account named only by a transfer has no cost of its own: its transfers must cancel out.
  for (const [accountId, { moved }] of net) {
    if (moved !== 0n) throw imbalance(where, accountId, 0n, 0n, transfers);
  }
}

function imbalance(
  where: string,
  accountId: string,
  usage: Amount,
  owner: Amount,
  transfers: readonly TransferAmount[],
): IdentityViolationError {
  let inbound = 0n;
  let outbound = 0n;
  for (const t of transfers) {
    if (t.owner === accountId) inbound += t.cost;
    if (t.consumer === accountId) outbound += t.cost;
  }
  const expected = usage + inbound - outbound;
  return new IdentityViolationError(
    `${where}: account ${accountId}: ownerCost ${formatMoney(owner)} ≠ usageCost ${formatMoney(usage)} + transfers as owner ${formatMoney(inbound)} − transfers as consumer ${formatMoney(outbound)} = ${formatMoney(expected)}`,
  );
}

/**
 * {@link formatMoney}, checked to read back as the same amount, so that a written figure is the
 * one the identities were checked on. formatMoney always writes 10 fraction digits (zero as "0"),
 * so the digits without the point are the amount: cheaper than {@link parseMoney}.
 *
 * @throws IdentityViolationError when the text does not stand for the amount.
 */
export function formatChecked(amount: Amount): string {
  const text = formatMoney(amount);
  const read = text === '0' ? 0n : BigInt(text.replace('.', ''));
  if (read !== amount || (text !== '0' && text.length - text.indexOf('.') !== 11)) {
    throw new IdentityViolationError(`amount ${amount} is written as ${text}`);
  }
  return text;
}

/**
 * Checks the identities of ATTRIBUTION.md on one period as written, exactly:
 *
 *     ownerCost(a) = usageCost(a) + Σ transfers with owner a − Σ transfers with consumer a
 *     Σ ownerCost = Σ usageCost
 *
 * the commitment detail's (when the period has one), and that `totals` are the sums of the accounts. The figures are read from their decimal strings,
 * so the check covers a report from anywhere (a file, a merge); buildReport checks its own sums
 * with {@link checkAccountBalances} before it writes them.
 *
 * @throws IdentityViolationError naming the period, the account and the numbers.
 */
export function checkIdentities(period: PeriodReport): void {
  const where = `period ${period.billingPeriod} ${period.currency}`;
  const { totals } = period;
  if (parseMoney(totals.ownerCost) !== parseMoney(totals.usageCost)) {
    throw new IdentityViolationError(
      `${where}: Σ ownerCost ${totals.ownerCost} ≠ Σ usageCost ${totals.usageCost}`,
    );
  }
  const sums: Record<'usageCost' | 'ownerCost' | 'invoiceCost', bigint> = {
    usageCost: 0n,
    ownerCost: 0n,
    invoiceCost: 0n,
  };
  const accounts: AccountAmounts[] = period.accounts.map((a) => {
    const usage = parseMoney(a.usageCost);
    const owner = parseMoney(a.ownerCost);
    sums.usageCost += usage;
    sums.ownerCost += owner;
    sums.invoiceCost += parseMoney(a.invoiceCost);
    return { accountId: a.accountId, usage, owner };
  });
  const transfers: TransferAmount[] = period.transfers.map((t) => ({
    owner: t.ownerAccountId,
    consumer: t.consumerAccountId,
    cost: parseMoney(t.cost),
  }));
  checkAccountBalances(where, accounts, transfers);
  checkCommitmentIdentity(period);
  // With every account balanced, Σ owner = Σ usage holds for the accounts; the totals must be theirs.
  for (const basis of ['usageCost', 'ownerCost', 'invoiceCost'] as const) {
    if (parseMoney(totals[basis]) !== sums[basis]) {
      throw new IdentityViolationError(
        `${where}: totals.${basis} ${totals[basis]} ≠ Σ accounts ${formatMoney(sums[basis])}`,
      );
    }
  }
}

/** A commitment's owner, kind and consumers' exact cost, for {@link checkCommitmentTransfers}. */
export interface CommitmentAmounts {
  readonly commitmentId: string;
  readonly commitment: Commitment;
  readonly owner: string;
  readonly consumers: Iterable<{ readonly accountId: string; readonly cost: Amount }>;
}

/** One transfer with its kind, for {@link checkCommitmentTransfers}. */
export interface KindTransferAmount extends TransferAmount {
  readonly commitment: Commitment;
}

/**
 * Checks the identity of the commitment detail (ATTRIBUTION.md), exactly: the consumers' cost with
 * consumer ≠ owner, summed per (owner, consumer, kind), equals the transfers.
 *
 * @throws IdentityViolationError naming the (owner, consumer, kind) and both figures.
 */
export function checkCommitmentTransfers(
  where: string,
  commitments: Iterable<CommitmentAmounts>,
  transfers: Iterable<KindTransferAmount>,
): void {
  // kind -> owner -> consumer -> detail − transfer: nested maps, no composite key per consumer
  // (a month can have hundreds of thousands of commitment consumers).
  const left: Record<Commitment, Map<string, Map<string, { amount: Amount }>>> = {
    ri: new Map(),
    sp: new Map(),
    cr: new Map(),
  };
  const boxOf = (kind: Commitment, owner: string, consumer: string): { amount: Amount } => {
    let byConsumer = left[kind].get(owner);
    if (byConsumer === undefined) {
      byConsumer = new Map();
      left[kind].set(owner, byConsumer);
    }
    let box = byConsumer.get(consumer);
    if (box === undefined) {
      box = { amount: 0n };
      byConsumer.set(consumer, box);
    }
    return box;
  };
  for (const c of commitments) {
    for (const consumer of c.consumers) {
      if (consumer.accountId !== c.owner) {
        boxOf(c.commitment, c.owner, consumer.accountId).amount += consumer.cost;
      }
    }
  }
  for (const t of transfers) boxOf(t.commitment, t.owner, t.consumer).amount -= t.cost;
  for (const kind of ['ri', 'sp', 'cr'] as const) {
    for (const [owner, byConsumer] of left[kind]) {
      for (const [consumer, { amount }] of byConsumer) {
        if (amount === 0n) continue;
        let transfer = 0n;
        for (const t of transfers) {
          if (t.owner === owner && t.consumer === consumer && t.commitment === kind) {
            transfer += t.cost;
          }
        }
        throw new IdentityViolationError(
          `${where}: ${kind} from owner ${owner} to consumer ${consumer}: Σ commitment consumers ${formatMoney(amount + transfer)} ≠ transfer ${formatMoney(transfer)}`,
        );
      }
    }
  }
}

/**
 * {@link checkCommitmentTransfers} on one period as written (a report from a file, a merge). A
 * period without `commitments` (a report from before the detail) has nothing to check.
 *
 * @throws IdentityViolationError naming the period, the accounts and both figures.
 */
export function checkCommitmentIdentity(period: PeriodReport): void {
  if (period.commitments === undefined) return;
  checkCommitmentTransfers(
    `period ${period.billingPeriod} ${period.currency}`,
    period.commitments.map((c) => ({
      commitmentId: c.commitmentId,
      commitment: c.commitment,
      owner: c.ownerAccountId,
      consumers: c.consumers.map((x) => ({ accountId: x.accountId, cost: parseMoney(x.cost) })),
    })),
    period.transfers.map((t) => ({
      owner: t.ownerAccountId,
      consumer: t.consumerAccountId,
      commitment: t.commitment,
      cost: parseMoney(t.cost),
    })),
  );
}
