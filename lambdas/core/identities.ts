import { IdentityViolationError } from './errors.js';
import { formatMoney, parseMoney } from './money.js';
import type { PeriodReport } from './report-model.js';

/**
 * Checks the identities of ATTRIBUTION.md on one period, exactly:
 *
 *     ownerCost(a) = usageCost(a) + Σ transfers with owner a − Σ transfers with consumer a
 *     Σ ownerCost = Σ usageCost
 *
 * and that `totals` are the sums of the accounts. The period's figures are re-read from their decimal
 * strings, so the check covers the report exactly as it is written.
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
  const received = new Map<string, bigint>();
  const given = new Map<string, bigint>();
  for (const t of period.transfers) {
    const cost = parseMoney(t.cost);
    received.set(t.ownerAccountId, (received.get(t.ownerAccountId) ?? 0n) + cost);
    given.set(t.consumerAccountId, (given.get(t.consumerAccountId) ?? 0n) + cost);
  }
  const sums: Record<'usageCost' | 'ownerCost' | 'invoiceCost', bigint> = {
    usageCost: 0n,
    ownerCost: 0n,
    invoiceCost: 0n,
  };
  const seen = new Set<string>();
  for (const a of period.accounts) {
    const usage = parseMoney(a.usageCost);
    const owner = parseMoney(a.ownerCost);
    sums.usageCost += usage;
    sums.ownerCost += owner;
    sums.invoiceCost += parseMoney(a.invoiceCost);
    seen.add(a.accountId);
    checkAccount(where, a.accountId, usage, owner, received, given);
  }
  // An account named only by a transfer has no cost of its own: its transfers must cancel out.
  for (const id of new Set([...received.keys(), ...given.keys()])) {
    if (!seen.has(id)) checkAccount(where, id, 0n, 0n, received, given);
  }
  // With every account balanced, Σ owner = Σ usage holds for the accounts; the totals must be theirs.
  for (const basis of ['usageCost', 'ownerCost', 'invoiceCost'] as const) {
    if (parseMoney(totals[basis]) !== sums[basis]) {
      throw new IdentityViolationError(
        `${where}: totals.${basis} ${totals[basis]} ≠ Σ accounts ${formatMoney(sums[basis])}`,
      );
    }
  }
}

function checkAccount(
  where: string,
  accountId: string,
  usage: bigint,
  owner: bigint,
  received: ReadonlyMap<string, bigint>,
  given: ReadonlyMap<string, bigint>,
): void {
  const inbound = received.get(accountId) ?? 0n;
  const outbound = given.get(accountId) ?? 0n;
  const expected = usage + inbound - outbound;
  if (owner !== expected) {
    throw new IdentityViolationError(
      `${where}: account ${accountId}: ownerCost ${formatMoney(owner)} ≠ usageCost ${formatMoney(usage)} + transfers as owner ${formatMoney(inbound)} − transfers as consumer ${formatMoney(outbound)} = ${formatMoney(expected)}`,
    );
  }
}
