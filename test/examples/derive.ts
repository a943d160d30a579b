/**
 * A deliberately small, independent re-derivation of the examples' attribution from the scenario
 * lines (ATTRIBUTION.md in a few lines of BigInt code). It checks the hand arithmetic of
 * examples/expected.ts; it never looks at whopays' SQL or report code.
 */
import type { CurLine, CurScenario, DbrScenario } from '../../examples/scenarios/scenario-types.js';

const SCALE = 10;

/** Exact decimal → BigInt at scale 10 (plain decimals only, as the scenarios write them). */
export const units = (text: string): bigint => {
  const match = /^(-?)(\d+)(?:\.(\d{1,10}))?$/.exec(text);
  if (!match) throw new Error(`not a plain decimal: ${text}`);
  const [, sign, int, frac = ''] = match;
  const value = BigInt(int! + frac.padEnd(SCALE, '0'));
  return sign === '-' ? -value : value;
};

export interface Derived {
  readonly usage: Map<string, bigint>;
  readonly owner: Map<string, bigint>;
  readonly invoice: Map<string, bigint>;
  /** `owner|consumer|kind` → cost */
  readonly transfers: Map<string, bigint>;
  readonly rounding: bigint;
}

const add = (map: Map<string, bigint>, key: string, amount: bigint): void => {
  map.set(key, (map.get(key) ?? 0n) + amount);
};

const accountInArn = (arnText: string): string => arnText.split(':')[4]!;

const CR_ARN = /^arn:[^:]+:ec2:[^:]*:\d{12}:capacity-reservation\/cr-/;

const amortized = (line: CurLine): bigint => {
  const n = (v: string | undefined) => (v ? units(v) : 0n);
  switch (line.type) {
    case 'DiscountedUsage':
      return n(line.ri?.effectiveCost);
    case 'RIFee':
      return n(line.ri?.unusedAmortizedUpfrontFeeForBillingPeriod) + n(line.ri?.unusedRecurringFee);
    case 'Fee':
      return line.ri?.arn ? 0n : units(line.unblendedCost);
    case 'SavingsPlanCoveredUsage':
      return n(line.sp?.effectiveCost);
    case 'SavingsPlanNegation':
    case 'SavingsPlanUpfrontFee':
      return 0n;
    case 'SavingsPlanRecurringFee':
      return n(line.sp?.totalCommitmentToDate) - n(line.sp?.usedCommitment);
    default:
      return units(line.unblendedCost);
  }
};

const commitmentOf = (line: CurLine): { owner: string; kind: 'ri' | 'sp' | 'cr' } | undefined => {
  if (line.type === 'DiscountedUsage' && line.ri)
    return { owner: accountInArn(line.ri.arn), kind: 'ri' };
  if (line.type === 'SavingsPlanCoveredUsage' && line.sp) {
    return { owner: accountInArn(line.sp.arn), kind: 'sp' };
  }
  if (line.type === 'Usage' && line.resourceId && CR_ARN.test(line.resourceId)) {
    return { owner: accountInArn(line.resourceId), kind: 'cr' };
  }
  return undefined;
};

export function deriveCur(scenario: CurScenario): Derived {
  const d: Derived = {
    usage: new Map(),
    owner: new Map(),
    invoice: new Map(),
    transfers: new Map(),
    rounding: 0n,
  };
  for (const line of scenario.lines) {
    const cost = amortized(line);
    const moved = commitmentOf(line);
    const owner = moved?.owner ?? line.account;
    add(d.usage, line.account, cost);
    add(d.owner, owner, cost);
    add(d.invoice, line.account, units(line.unblendedCost));
    if (moved && owner !== line.account && cost !== 0n) {
      add(d.transfers, `${owner}|${line.account}|${moved.kind}`, cost);
    }
  }
  return d;
}

/** Uses the scenario's own record of who bought each subscription, not the '认购' detection. */
export function deriveDbr(scenario: DbrScenario): Derived {
  const d: Derived = {
    usage: new Map(),
    owner: new Map(),
    invoice: new Map(),
    transfers: new Map(),
    rounding: 0n,
  };
  for (const line of scenario.lines) {
    const cost = units(line.cost);
    const owner =
      (line.subscriptionId && scenario.subscriptionOwners[line.subscriptionId]) || line.account;
    add(d.usage, line.account, cost);
    add(d.owner, owner, cost);
    add(d.invoice, owner, cost);
    if (owner !== line.account) add(d.transfers, `${owner}|${line.account}|ri`, cost);
  }
  // The invoice rounds each account's charge to the fen; the DBR's Rounding row is the difference.
  const cent = 10n ** 8n;
  let rounding = 0n;
  for (const amount of d.owner.values()) {
    const half = amount < 0n ? -cent / 2n : cent / 2n;
    rounding += ((amount + half) / cent) * cent - amount;
  }
  return { ...d, rounding };
}

/** Merges organizations: accounts are unique across payers, so maps simply combine. */
export function mergeDerived(parts: readonly Derived[]): Derived {
  const merged: Derived = {
    usage: new Map(),
    owner: new Map(),
    invoice: new Map(),
    transfers: new Map(),
    rounding: parts.reduce((t, p) => t + p.rounding, 0n),
  };
  for (const part of parts) {
    for (const key of ['usage', 'owner', 'invoice', 'transfers'] as const) {
      for (const [k, v] of part[key]) add(merged[key], k, v);
    }
  }
  return merged;
}
