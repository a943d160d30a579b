import { z } from 'zod';
import { compareMoney, formatMoney, parseMoney, SCALE } from './money.js';
import type { AccountTotals } from './report-model.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');

/** The report basis a budget measures: who used it, who owns it, what the bill says. */
export const BUDGET_BASES = ['usage', 'owner', 'invoice'] as const;
export type BudgetBasis = (typeof BUDGET_BASES)[number];

/** The report field a `lastCost` limit is derived from, per basis. */
export const BASIS_FIELD = {
  usage: 'usageCost',
  owner: 'ownerCost',
  invoice: 'invoiceCost',
} as const satisfies Record<BudgetBasis, string>;

/**
 * A COST budget's CostTypes (Budgets API reference, CostTypes:
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CostTypes.html).
 * Every field is set, so a budget never falls back to AWS's defaults (unblended, upfront included)
 * and a listed budget compares field by field.
 */
export interface BudgetCostTypes {
  readonly IncludeTax: boolean;
  readonly IncludeSubscription: boolean;
  readonly UseBlended: boolean;
  readonly IncludeRefund: boolean;
  readonly IncludeCredit: boolean;
  readonly IncludeUpfront: boolean;
  readonly IncludeRecurring: boolean;
  readonly IncludeOtherSubscription: boolean;
  readonly IncludeSupport: boolean;
  readonly IncludeDiscount: boolean;
  readonly UseAmortized: boolean;
}

const EVERY_CHARGE = {
  IncludeTax: true,
  IncludeSubscription: true,
  IncludeRefund: true,
  IncludeCredit: true,
  IncludeRecurring: true,
  IncludeOtherSubscription: true,
  IncludeSupport: true,
  IncludeDiscount: true,
  UseBlended: false,
} as const;

/**
 * What AWS measures for a budget of each basis, so its actual spend is the figure its limit came
 * from (docs/ATTRIBUTION.md):
 * - `usage`: amortized cost by usage account, every charge type: `usageCost` (CUR);
 * - `invoice`: unblended cost with upfront fees in the month charged: `invoiceCost` (CUR);
 * - `owner`: no AWS measure moves covered usage to the commitment's owner. Unblended cost without
 *   upfront fees is the closest: covered usage costs the consumer nothing and the owner carries the
 *   recurring commitment fee. The residual (README, "Budgets"): the owner's amortized upfront share,
 *   unused Capacity Reservation time billed to an assigned account, and for DBR the `ri` transfers.
 */
export const COST_TYPES: Readonly<Record<BudgetBasis, BudgetCostTypes>> = {
  usage: { ...EVERY_CHARGE, IncludeUpfront: true, UseAmortized: true },
  invoice: { ...EVERY_CHARGE, IncludeUpfront: true, UseAmortized: false },
  owner: { ...EVERY_CHARGE, IncludeUpfront: false, UseAmortized: false },
};

/**
 * The budgets policy: the deploy config's `budgets` block. Every budget whopays manages is named
 * `<namePrefix><accountId>`; budgets without the prefix are never changed.
 */
export const BudgetsPolicySchema = z
  .object({
    namePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 of [A-Za-z0-9_-]'),
    /** Which report figure the limits are and which AWS measure the budgets track. */
    basis: z.enum(BUDGET_BASES, { error: 'must be "usage", "owner" or "invoice"' }),
    /**
     * The management (payer) account the stack runs in. A LinkedAccount budget only filters from
     * the payer's own account: accounts of other payers are skipped, by name, in the plan.
     */
    payerAccountId: accountId,
    limit: z.discriminatedUnion(
      'mode',
      [
        z
          .object({
            mode: z.literal('fixed'),
            amounts: z.record(
              accountId,
              z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string like "100.00"'),
            ),
          })
          .strict(),
        z
          .object({
            mode: z.literal('lastCost'),
            /** 0.1 = a limit 10 % above the last month's cost on the policy's basis. */
            headroom: z.number().min(0).max(10),
          })
          .strict(),
      ],
      {
        error: 'mode must be "fixed" or "lastCost" (lastOwnerCost is now lastCost, basis "owner")',
      },
    ),
    dryRun: z.boolean().default(true),
  })
  .strict();
export type BudgetsPolicy = z.infer<typeof BudgetsPolicySchema>;

/** The budget whopays wants for one account. `amount` has two decimals (cents, rounded up). */
export interface BudgetTarget {
  readonly name: string;
  readonly accountId: string;
  readonly amount: string;
  readonly unit: string;
  readonly costTypes: BudgetCostTypes;
}

export interface SkippedAccount {
  readonly accountId: string;
  readonly reason: string;
  /** Set when the account belongs to another payer than the one the stack runs in. */
  readonly payerAccountId?: string;
}

/**
 * A managed budget as DescribeBudgets lists it, reduced to what the plan compares. `costTypes` and
 * `linkedAccounts` are absent when AWS did not return them: the budget is then rewritten.
 */
export interface ExistingBudget {
  readonly name: string;
  readonly amount: string;
  readonly unit: string;
  readonly costTypes?: Partial<BudgetCostTypes>;
  readonly linkedAccounts?: readonly string[];
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

/** An account of the report: its payer and its three totals. */
export type BudgetAccount = Pick<
  AccountTotals,
  'accountId' | 'payerAccountId' | 'usageCost' | 'ownerCost' | 'invoiceCost'
>;

/** Why an account of another payer gets no budget (the plan, the log and the summary say it). */
export const otherPayerReason = (payer: string, stackPayer: string): string =>
  `account of payer ${payer}: a LinkedAccount budget only works from that payer's management account, and this stack runs in payer ${stackPayer}`;

/**
 * The budget each account should have under the policy. Only accounts of the policy's payer get
 * one; the accounts of any other payer in `accounts` are skipped with the reason.
 *
 * - `fixed`: exactly the accounts listed in `amounts` (unless the report shows one under another
 *   payer), each with its amount;
 * - `lastCost`: every account of the payer whose cost on the policy's basis is positive, limit
 *   cost × (1 + headroom) rounded up to cents. An account whose cost is zero or negative (credits)
 *   gets no budget: a zero limit would alert on the first cent.
 */
export const budgetTargets = (
  policy: BudgetsPolicy,
  accounts: readonly BudgetAccount[],
  unit: string,
): { targets: BudgetTarget[]; skipped: SkippedAccount[] } => {
  const targets: BudgetTarget[] = [];
  const skipped: SkippedAccount[] = [];
  const stackPayer = policy.payerAccountId;
  const target = (id: string, amount: string): BudgetTarget => ({
    name: `${policy.namePrefix}${id}`,
    accountId: id,
    amount,
    unit,
    costTypes: COST_TYPES[policy.basis],
  });
  const sorted = [...accounts].sort((a, b) => a.accountId.localeCompare(b.accountId));
  const payerOf = new Map(sorted.map((a) => [a.accountId, a.payerAccountId]));
  for (const account of sorted) {
    if (account.payerAccountId !== stackPayer) {
      skipped.push({
        accountId: account.accountId,
        payerAccountId: account.payerAccountId,
        reason: otherPayerReason(account.payerAccountId, stackPayer),
      });
    }
  }
  if (policy.limit.mode === 'fixed') {
    for (const [id, amount] of Object.entries(policy.limit.amounts).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const payer = payerOf.get(id);
      // Already listed as skipped above; an account absent from the report is still budgeted.
      if (payer !== undefined && payer !== stackPayer) continue;
      targets.push(target(id, ceilToCents(parseMoney(amount))));
    }
    return { targets, skipped };
  }
  const field = BASIS_FIELD[policy.basis];
  const factor = 10n ** BigInt(SCALE) + headroomUnits(policy.limit.headroom);
  const scale = 10n ** BigInt(SCALE);
  for (const account of sorted) {
    if (account.payerAccountId !== stackPayer) continue;
    const cost = parseMoney(account[field]);
    if (cost <= 0n) {
      skipped.push({ accountId: account.accountId, reason: `${field} is not positive` });
      continue;
    }
    // Exact product at scale 20, then back to scale 10 rounding up so no cent is lost.
    const units = (cost * factor + scale - 1n) / scale;
    targets.push(target(account.accountId, ceilToCents(units)));
  }
  return { targets, skipped };
};

const sameCostTypes = (wanted: BudgetCostTypes, found: Partial<BudgetCostTypes> | undefined) =>
  found !== undefined &&
  (Object.keys(wanted) as (keyof BudgetCostTypes)[]).every((key) => found[key] === wanted[key]);

/**
 * Compares targets with the existing managed budgets: create the missing ones, update those whose
 * limit, unit, cost types or account filter differs, leave the rest alone. Budgets outside the
 * prefix are ignored even when passed in, so a caller mistake cannot touch them.
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
      previous.unit === target.unit &&
      compareMoney(previous.amount, target.amount) === 0 &&
      sameCostTypes(target.costTypes, previous.costTypes) &&
      previous.linkedAccounts?.length === 1 &&
      previous.linkedAccounts[0] === target.accountId;
    return same ? { kind: 'unchanged', target } : { kind: 'update', target, previous };
  });
};
