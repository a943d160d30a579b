import {
  BillingconductorClient,
  paginateListAccountAssociations,
  paginateListBillingGroups,
} from '@aws-sdk/client-billingconductor';
import { InputError } from '../core/errors.js';
import { type BillingGroup, parseBillingGroups } from '../core/groups.js';

/** What messages name as the "file" the groups came from. */
export const BILLING_CONDUCTOR_SOURCE = 'billing-conductor';

/** Billing Conductor's API lives in us-east-1 (aws partition only). */
export const BILLING_CONDUCTOR_REGION = 'us-east-1';

export interface ReadBillingGroupsOptions {
  /** `YYYY-MM`: the groups and associations as they were in that month. @default - the current month */
  readonly billingPeriod?: string;
}

/**
 * Refuses the China partition before any call: Billing Conductor does not exist in aws-cn
 * (docs/PARTITIONS.md), and an SDK call there would fail with an opaque endpoint error.
 *
 * @throws InputError for a `cn-` region.
 */
export function assertBillingConductorAvailable(region: string): void {
  if (region.startsWith('cn-')) {
    throw new InputError(
      BILLING_CONDUCTOR_SOURCE,
      `Billing Conductor is not available in aws-cn (region ${region}): give the billing groups in a groups file instead`,
    );
  }
}

/** A client for the aws partition's Billing Conductor endpoint. */
export const createBillingConductorClient = (): BillingconductorClient =>
  new BillingconductorClient({ region: BILLING_CONDUCTOR_REGION });

/**
 * Reads the billing groups of the calling payer from Billing Conductor (ListBillingGroups, then
 * ListAccountAssociations for the accounts associated with any group) into the same `BillingGroup`
 * type as a `--groups` file. The result goes through `parseBillingGroups`, so both sources obey the
 * same rules. Groups without an associated account are left out: they cannot hold any cost.
 *
 * @param region - where the caller runs (e.g. the Lambda's AWS_REGION); a `cn-` region is refused
 *   before any call.
 * @throws InputError in aws-cn, or when the service returns groups that break the file's rules.
 */
export async function readBillingGroups(
  client: BillingconductorClient,
  region: string,
  options: ReadBillingGroupsOptions = {},
): Promise<BillingGroup[]> {
  assertBillingConductorAvailable(region);
  assertBillingConductorAvailable(await client.config.region());
  const period =
    options.billingPeriod === undefined ? {} : { BillingPeriod: options.billingPeriod };
  const groups: { arn: string; name: string; description?: string; primary?: string }[] = [];
  for await (const page of paginateListBillingGroups({ client }, period)) {
    for (const g of page.BillingGroups ?? []) {
      if (g.Arn === undefined || g.Name === undefined) continue;
      groups.push({
        arn: g.Arn,
        name: g.Name,
        ...(g.Description ? { description: g.Description } : {}),
        ...(g.PrimaryAccountId ? { primary: g.PrimaryAccountId } : {}),
      });
    }
  }
  const members = new Map<string, string[]>();
  const associations = paginateListAccountAssociations(
    { client },
    { ...period, Filters: { Association: 'MONITORED' } },
  );
  for await (const page of associations) {
    for (const account of page.LinkedAccounts ?? []) {
      if (account.AccountId === undefined || account.BillingGroupArn === undefined) continue;
      members.set(account.BillingGroupArn, [
        ...(members.get(account.BillingGroupArn) ?? []),
        account.AccountId,
      ]);
    }
  }
  // The CreateBillingGroup shape, so the service's answer is validated exactly like a groups file.
  const requests = groups
    .filter((g) => (members.get(g.arn) ?? []).length > 0)
    .map((g) => ({
      Name: g.name,
      ...(g.description !== undefined && { Description: g.description }),
      ...(g.primary !== undefined && { PrimaryAccountId: g.primary }),
      AccountGrouping: { LinkedAccountIds: [...new Set(members.get(g.arn))].sort() },
    }));
  return parseBillingGroups(requests, BILLING_CONDUCTOR_SOURCE);
}
