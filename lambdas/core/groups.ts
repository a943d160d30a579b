import { z } from 'zod';
import { InputError } from './errors.js';
import { formatMoney, parseMoney } from './money.js';
import type {
  AccountTotals,
  Commitment,
  GroupTotals,
  GroupTransfer,
  Transfer,
} from './report-model.js';

/** One billing group, validated from the `--groups` file (Billing Conductor `CreateBillingGroup` shape). */
export interface BillingGroup {
  readonly name: string;
  readonly description?: string;
  readonly primaryAccountId?: string;
  readonly accountIds: readonly string[];
}

/** The group of every account that no configured group lists. */
export const UNGROUPED = '(ungrouped)';

const ACCOUNT_ID = /^\d{12}$/;

// The limits of CreateBillingGroup (Billing Conductor API reference). LinkedAccountIds allows 30 per
// request only because AssociateAccounts adds more later, so the offline file has no upper bound.
const GroupSchema = z
  .object({
    Name: z
      .string({ error: 'Name is required and must be a string' })
      .regex(/^[a-zA-Z0-9_+=.\-@]{1,128}$/, {
        error: 'Name must be 1-128 characters of a-z A-Z 0-9 _ + = . - @',
      }),
    Description: z
      .string({ error: 'Description must be a string' })
      .max(1024, { error: 'Description must be at most 1024 characters' })
      .optional(),
    PrimaryAccountId: z
      .string({ error: 'PrimaryAccountId must be a string' })
      .regex(ACCOUNT_ID, { error: 'PrimaryAccountId must be a 12-digit account id' })
      .optional(),
    AccountGrouping: z
      .object(
        {
          LinkedAccountIds: z
            .array(
              z
                .string({ error: 'LinkedAccountIds must hold strings' })
                .regex(ACCOUNT_ID, { error: 'LinkedAccountIds must hold 12-digit account ids' }),
              { error: 'AccountGrouping.LinkedAccountIds is required and must be an array' },
            )
            .min(1, { error: 'AccountGrouping.LinkedAccountIds must list at least one account' }),
          AutoAssociate: z.boolean({ error: 'AutoAssociate must be true or false' }).optional(),
        },
        { error: 'AccountGrouping is required and must be an object' },
      )
      .strict(),
    // Accepted so that the same file can be sent to Billing Conductor; pricing plans and tags do
    // not change who pays.
    ComputationPreference: z.unknown().optional(),
    Tags: z.unknown().optional(),
  })
  .strict();

const describe = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  }
  return issue.message;
};

const groupLabel = (raw: unknown, index: number): string => {
  const name = (raw as { Name?: unknown } | null)?.Name;
  return typeof name === 'string' && name !== '' ? name : `#${index + 1}`;
};

/**
 * Validates a parsed `--groups` JSON document against the limits of Billing Conductor's
 * `CreateBillingGroup` and returns the groups in file order: `Name` 1-128 characters of
 * `[a-zA-Z0-9_+=.\-@]` and unique, 12-digit `LinkedAccountIds` (at least one), an optional
 * `PrimaryAccountId` that is one of them, `Description` at most 1024 characters, and every account in
 * at most one group. `ComputationPreference` and `Tags` are accepted and ignored; any other field is
 * refused (a misspelt `LinkedAccountIds` would otherwise silently empty a group).
 *
 * @example parseBillingGroups(JSON.parse(text), 'groups.json')
 * @throws InputError naming `file`, the group (its Name, or `#<position>`) and the rule it breaks.
 */
export function parseBillingGroups(json: unknown, file: string): BillingGroup[] {
  if (!Array.isArray(json)) {
    throw new InputError(
      file,
      'billing groups must be a JSON array of CreateBillingGroup requests',
    );
  }
  const groups: BillingGroup[] = [];
  const names = new Set<string>();
  const accountGroup = new Map<string, string>();
  for (const [index, raw] of json.entries()) {
    const label = groupLabel(raw, index);
    const fail = (rule: string) => new InputError(file, `group "${label}": ${rule}`);
    const parsed = GroupSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw fail(raw === null || typeof raw !== 'object' ? 'must be an object' : describe(issue));
    }
    const g = parsed.data;
    if (names.has(g.Name)) throw fail('Name must be unique (used by an earlier group)');
    names.add(g.Name);
    const members = g.AccountGrouping.LinkedAccountIds;
    const seen = new Set<string>();
    for (const id of members) {
      if (seen.has(id)) throw fail(`account ${id} is listed twice`);
      seen.add(id);
      const other = accountGroup.get(id);
      if (other !== undefined) {
        throw fail(
          `account ${id} is already in group "${other}" (an account may be in one group only)`,
        );
      }
      accountGroup.set(id, g.Name);
    }
    if (g.PrimaryAccountId !== undefined && !seen.has(g.PrimaryAccountId)) {
      throw fail(`PrimaryAccountId ${g.PrimaryAccountId} must be one of its LinkedAccountIds`);
    }
    groups.push({
      name: g.Name,
      ...(g.Description !== undefined && { description: g.Description }),
      ...(g.PrimaryAccountId !== undefined && { primaryAccountId: g.PrimaryAccountId }),
      accountIds: [...members],
    });
  }
  return groups;
}

/** One group as written in a groups file or deploy config: Billing Conductor's CreateBillingGroup request. */
export type BillingGroupRequest = z.input<typeof GroupSchema>;

/**
 * The groups of a config that embeds them (lib/config.ts's `billingGroups`), validated by
 * parseBillingGroups itself, so a deploy config is refused at synth for exactly what would crash
 * assemble-report at cold start. The output stays the raw requests: the runtime parses them again.
 */
export const BillingGroupRequestsSchema = z
  .custom<BillingGroupRequest[]>()
  .superRefine((json, ctx) => {
    try {
      parseBillingGroups(json, 'billingGroups');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.problem });
    }
  });

/** Maps every configured account to its group's name. */
export function groupIndex(groups: readonly BillingGroup[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const g of groups) for (const id of g.accountIds) index.set(id, g.name);
  return index;
}

/**
 * Per-group totals of one period: each basis is the sum of the group's members that appear in the
 * period. Groups come in configuration order with their configured members; `(ungrouped)` comes last
 * with the period's accounts that no group lists, and only when there are some.
 */
export function groupTotals(
  accounts: readonly AccountTotals[],
  groups: readonly BillingGroup[],
): GroupTotals[] {
  const index = groupIndex(groups);
  const sums = new Map<string, { usage: bigint; owner: bigint; invoice: bigint }>();
  for (const g of groups) sums.set(g.name, { usage: 0n, owner: 0n, invoice: 0n });
  const ungroupedIds: string[] = [];
  const ungrouped = { usage: 0n, owner: 0n, invoice: 0n };
  for (const a of accounts) {
    const name = index.get(a.accountId);
    const sum = name === undefined ? ungrouped : sums.get(name)!;
    if (name === undefined) ungroupedIds.push(a.accountId);
    sum.usage += parseMoney(a.usageCost);
    sum.owner += parseMoney(a.ownerCost);
    sum.invoice += parseMoney(a.invoiceCost);
  }
  const result: GroupTotals[] = groups.map((g) => {
    const sum = sums.get(g.name)!;
    return {
      name: g.name,
      ...(g.primaryAccountId !== undefined && { primaryAccountId: g.primaryAccountId }),
      accountIds: g.accountIds,
      usageCost: formatMoney(sum.usage),
      ownerCost: formatMoney(sum.owner),
      invoiceCost: formatMoney(sum.invoice),
    };
  });
  if (ungroupedIds.length > 0) {
    result.push({
      name: UNGROUPED,
      accountIds: ungroupedIds.sort(),
      usageCost: formatMoney(ungrouped.usage),
      ownerCost: formatMoney(ungrouped.owner),
      invoiceCost: formatMoney(ungrouped.invoice),
    });
  }
  return result;
}

/**
 * The transfer ledger rolled up between groups: per (owner group, consumer group, commitment) the
 * sum of the transfers between their members. Transfers inside one group stay inside it and are left
 * out, as are zero sums. Ordered by cost descending, then group names and commitment.
 */
export function groupTransfers(
  transfers: readonly Transfer[],
  groups: readonly BillingGroup[],
): GroupTransfer[] {
  const index = groupIndex(groups);
  const sums = new Map<string, { owner: string; consumer: string; k: Commitment; cost: bigint }>();
  for (const t of transfers) {
    const owner = index.get(t.ownerAccountId) ?? UNGROUPED;
    const consumer = index.get(t.consumerAccountId) ?? UNGROUPED;
    if (owner === consumer) continue;
    const key = `${owner}\u0000${consumer}\u0000${t.commitment}`;
    const sum = sums.get(key) ?? { owner, consumer, k: t.commitment, cost: 0n };
    sum.cost += parseMoney(t.cost);
    sums.set(key, sum);
  }
  return [...sums.values()]
    .filter((s) => s.cost !== 0n)
    .sort(
      (a, b) =>
        (a.cost < b.cost ? 1 : a.cost > b.cost ? -1 : 0) ||
        cmp(a.owner, b.owner) ||
        cmp(a.consumer, b.consumer) ||
        cmp(a.k, b.k),
    )
    .map((s) => ({
      ownerGroup: s.owner,
      consumerGroup: s.consumer,
      commitment: s.k,
      cost: formatMoney(s.cost),
    }));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
