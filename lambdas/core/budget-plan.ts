import { z } from 'zod';
import { compareMoney, formatMoney, parseMoney, SCALE } from './money.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');

/**
 * The budgets policy: the deploy config's `budgets` block. Every budget whopays manages is named
 * `<namePrefix><accountId>`; budgets without the prefix are never read or changed.
 */
export const BudgetsPolicySchema = z.object({
  namePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 of [A-Za-z0-9_-]'),
  limit: z.discriminatedUnion('mode', [
    z.object({
      mode: z.literal('fixed'),
      amounts: z.record(accountId, z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string')),
    }),
    z.object({
      mode: z.literal('lastOwnerCost'),
      /** 0.1 = a limit 10 % above the last ownerCost. */
      headroom: z.number().min(0).max(10),
    }),
  ]),
  dryRun: z.boolean().default(true),
});
export type BudgetsPolicy = z.infer<typeof BudgetsPolicySchema>;

/** The budget whopays wants for one account. `amount` has two decimals (cents, rounded up). */
export interface BudgetTarget {
  readonly name: string;
  readonly accountId: string;
  readonly amount: string;
  readonly unit: string;
}

export interface SkippedAccount {
  readonly accountId: string;
  readonly reason: string;
}

/** A budget as DescribeBudget returns it, reduced to what the plan compares. */
export interface ExistingBudget {
  readonly name: string;
  readonly amount: string;
  readonly unit: string;
}

export type BudgetAction =
  | { readonly kind: 'create'; readonly target: BudgetTarget }
  | { readonly kind: 'update'; readonly target: BudgetTarget; readonly previous: ExistingBudget }
  | { readonly kind: 'unchanged'; readonly target: BudgetTarget };

/** The three alerts every managed budget carries (percent of the limit). */
export const BUDGET_ALERTS = [
  { notificationType: 'ACTUAL', threshold: 80 },
  { notificationType: 'ACTUAL', threshold: 100 },
  { notificationType: 'FORECASTED', threshold: 100 },
] as const;

const CENT = 10n ** BigInt(SCALE - 2);

/** Rounds up to whole cents: a limit is never below the cost it was derived from. */
const ceilToCents = (units: bigint): string => {
  const cents = units >= 0n ? (units + CENT - 1n) / CENT : units / CENT;
  const text = formatMoney(cents * CENT);
  return text === '0' ? '0.00' : text.slice(0, text.length - (SCALE - 2));
};

/** `headroom` as exact units: a JS number like 0.15 prints as the decimal a user typed. */
const headroomUnits = (headroom: number): bigint => parseMoney(headroom.toFixed(SCALE));

/**
 * The budget each account should have under the policy.
 *
 * - `fixed`: exactly the accounts listed in `amounts`, each with its amount;
 * - `lastOwnerCost`: every account of `accounts` with a positive ownerCost, limit
 *   ownerCost × (1 + headroom) rounded up to cents. An account whose ownerCost is zero or negative
 *   (credits) gets no budget: a zero limit would alert on the first cent.
 */
export const budgetTargets = (
  policy: BudgetsPolicy,
  accounts: readonly { readonly accountId: string; readonly ownerCost: string }[],
  unit: string,
): { targets: BudgetTarget[]; skipped: SkippedAccount[] } => {
  const targets: BudgetTarget[] = [];
  const skipped: SkippedAccount[] = [];
  const target = (id: string, amount: string): BudgetTarget => ({
    name: `${policy.namePrefix}${id}`,
    accountId: id,
    amount,
    unit,
  });
  if (policy.limit.mode === 'fixed') {
    for (const [id, amount] of Object.entries(policy.limit.amounts).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      targets.push(target(id, ceilToCents(parseMoney(amount))));
    }
    return { targets, skipped };
  }
  const factor = 10n ** BigInt(SCALE) + headroomUnits(policy.limit.headroom);
  for (const account of [...accounts].sort((a, b) => a.accountId.localeCompare(b.accountId))) {
    const owner = parseMoney(account.ownerCost);
    if (owner <= 0n) {
      skipped.push({ accountId: account.accountId, reason: 'ownerCost is not positive' });
      continue;
    }
    // Exact product at scale 20, then back to scale 10 rounding up so no cent is lost.
    const product = owner * factor;
    const scale = 10n ** BigInt(SCALE);
    const units = (product + scale - 1n) / scale;
    targets.push(target(account.accountId, ceilToCents(units)));
  }
  return { targets, skipped };
};

/**
 * Compares targets with the existing managed budgets: create the missing ones, update those whose
 * limit or unit differs, leave the rest alone. Budgets outside the prefix are ignored even when
 * passed in, so a caller mistake cannot touch them.
 */
export const planBudgets = (
  namePrefix: string,
  targets: readonly BudgetTarget[],
  existing: readonly ExistingBudget[],
): BudgetAction[] => {
  const managed = new Map(
    existing.filter((budget) => budget.name.startsWith(namePrefix)).map((b) => [b.name, b]),
  );
  return targets.map((target): BudgetAction => {
    const previous = managed.get(target.name);
    if (previous === undefined) return { kind: 'create', target };
    const same =
      previous.unit === target.unit && compareMoney(previous.amount, target.amount) === 0;
    return same ? { kind: 'unchanged', target } : { kind: 'update', target, previous };
  });
};
