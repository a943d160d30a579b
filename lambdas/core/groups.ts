import type { AccountTotals, GroupTotals, GroupTransfer, Transfer } from './report-model.js';

/** One billing group, validated from the `--groups` file (Billing Conductor `CreateBillingGroup` shape). */
export interface BillingGroup {
  readonly name: string;
  readonly description?: string;
  readonly primaryAccountId?: string;
  readonly accountIds: readonly string[];
}

/** The group of every account that no configured group lists. */
export const UNGROUPED = '(ungrouped)';

/**
 * Validates a parsed `--groups` JSON document against the limits of Billing Conductor's
 * `CreateBillingGroup` and returns the groups in file order.
 *
 * @throws InputError naming `file`, the group and the rule it breaks.
 */
export function parseBillingGroups(json: unknown, file: string): BillingGroup[] {
  void json;
  void file;
  throw new Error('not implemented');
}

/** Per-group totals of one period: each basis is the sum of the group's members. */
export function groupTotals(
  accounts: readonly AccountTotals[],
  groups: readonly BillingGroup[],
): GroupTotals[] {
  void accounts;
  void groups;
  throw new Error('not implemented');
}

/** The transfer ledger rolled up between groups (transfers inside one group cancel out). */
export function groupTransfers(
  transfers: readonly Transfer[],
  groups: readonly BillingGroup[],
): GroupTransfer[] {
  void transfers;
  void groups;
  throw new Error('not implemented');
}
