import {
  BillingconductorClient,
  ListAccountAssociationsCommand,
  ListBillingGroupsCommand,
} from '@aws-sdk/client-billingconductor';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readBillingGroups } from '../../lambdas/adapters/billing-conductor.js';

const partition = 'aws';
const groupArn = (id: string) =>
  `arn:${partition}:billingconductor::052601815908:billinggroup/${id}`;

// @aws-sdk/client-billingconductor is locked at 3.523, whose smithy types predate
// aws-sdk-client-mock's: the stub and the commands are cast here, at the mock boundary only.
type Stub = AwsStub<object, Record<string, unknown> & { $metadata: object }, unknown>;
const listGroups = ListBillingGroupsCommand as never;
const listAssociations = ListAccountAssociationsCommand as never;

describe('readBillingGroups', () => {
  const bc = mockClient(BillingconductorClient as never) as unknown as Stub;
  const client = new BillingconductorClient({ region: 'us-east-1' });

  beforeEach(() => bc.reset());

  it('turns groups and their associated accounts into billing groups, across pages', async () => {
    // Prepare
    bc.on(listGroups)
      .resolvesOnce({
        BillingGroups: [
          {
            Name: 'platform.core',
            Arn: groupArn('111111111111'),
            Description: '平台',
            PrimaryAccountId: '003786579754',
          },
        ],
        NextToken: 'page2',
      })
      .resolvesOnce({
        BillingGroups: [
          { Name: 'data', Arn: groupArn('222222222222'), PrimaryAccountId: '006671276842' },
          { Name: 'empty', Arn: groupArn('333333333333') },
        ],
      });
    bc.on(listAssociations).resolves({
      LinkedAccounts: [
        { AccountId: '006671276842', BillingGroupArn: groupArn('222222222222') },
        { AccountId: '003786579754', BillingGroupArn: groupArn('111111111111') },
        { AccountId: '000000000042', BillingGroupArn: groupArn('111111111111') },
      ],
    });

    // Act
    const groups = await readBillingGroups(client, 'us-east-1', { billingPeriod: '2025-10' });

    // Assess
    expect(groups).toEqual([
      {
        name: 'platform.core',
        description: '平台',
        primaryAccountId: '003786579754',
        accountIds: ['000000000042', '003786579754'],
      },
      { name: 'data', primaryAccountId: '006671276842', accountIds: ['006671276842'] },
    ]);
    expect(bc).toHaveReceivedCommandTimes(listGroups, 2);
    expect(bc).toHaveReceivedCommandWith(listGroups, {
      BillingPeriod: '2025-10',
      NextToken: 'page2',
    });
    expect(bc).toHaveReceivedCommandWith(listAssociations, {
      BillingPeriod: '2025-10',
      Filters: { Association: 'MONITORED' },
    });
  });

  it('refuses to run in aws-cn, before any call', async () => {
    await expect(readBillingGroups(client, 'cn-northwest-1')).rejects.toThrow(
      'billing-conductor: Billing Conductor is not available in aws-cn (region cn-northwest-1): give the billing groups in a groups file instead',
    );
    expect(bc.calls()).toHaveLength(0);
  });

  it('refuses a client configured for a China region', async () => {
    const cn = new BillingconductorClient({ region: 'cn-north-1' });
    await expect(readBillingGroups(cn, 'us-east-1')).rejects.toThrow(/not available in aws-cn/);
    expect(bc.calls()).toHaveLength(0);
  });

  it('applies the groups file rules to what the service returns', async () => {
    bc.on(listGroups).resolves({
      BillingGroups: [{ Name: 'x', Arn: groupArn('1'), PrimaryAccountId: '999999999999' }],
    });
    bc.on(listAssociations).resolves({
      LinkedAccounts: [{ AccountId: '003786579754', BillingGroupArn: groupArn('1') }],
    });
    await expect(readBillingGroups(client, 'us-east-1')).rejects.toThrow(
      'billing-conductor: group "x": PrimaryAccountId 999999999999 must be one of its LinkedAccountIds',
    );
  });
});
