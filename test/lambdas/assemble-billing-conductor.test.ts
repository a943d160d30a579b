import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import {
  BillingconductorClient,
  ListAccountAssociationsCommand,
  ListBillingGroupsCommand,
} from '@aws-sdk/client-billingconductor';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { makeHandler } from '../../lambdas/assemble-report/assemble-report.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { ConfigError, loadAssembleConfig } from '../../lambdas/shared/config.js';
import { ENV } from '../../lambdas/shared/env.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import {
  assembleConfig,
  assembleInput,
  BUCKET,
  CONSUMER,
  OWNER,
  oneLedgerPage,
  PAYER,
} from './helpers/pipeline-fixture.js';

const partition = 'aws';
const GROUP_ARN = (name: string) =>
  `arn:${partition}:billingconductor::${PAYER}:billinggroup/${name}`;
// @aws-sdk/client-billingconductor is locked at 3.523, whose smithy types predate
// aws-sdk-client-mock's: the stub and the commands are cast at the mock boundary only.
type Stub = AwsStub<object, Record<string, unknown> & { $metadata: object }, unknown>;
const listGroups = ListBillingGroupsCommand as never;
const listAssociations = ListAccountAssociationsCommand as never;

const AT = '2025-11-03T08:00:00.000Z';
const ID = 'c'.repeat(32);

/** The config groups: OWNER and CONSUMER together, so no transfer crosses a group. */
const CONFIG_GROUPS = [
  {
    Name: 'from-config',
    PrimaryAccountId: OWNER,
    AccountGrouping: { LinkedAccountIds: [OWNER, CONSUMER] },
  },
];

describe('assemble-report billing groups', () => {
  const athena = mockClient(AthenaClient);
  const conductor = mockClient(BillingconductorClient as never) as unknown as Stub;
  let s3: MemoryS3;

  beforeEach(() => {
    s3 = new MemoryS3();
    athena.reset();
    conductor.reset();
    athena.on(GetQueryResultsCommand).resolves(oneLedgerPage());
  });
  afterEach(() => s3.restore());

  const storedReport = (): Report =>
    JSON.parse(s3.text(BUCKET, `reports/2025-10/${PAYER}/report.json`)!) as Report;

  it('reads the groups of the report billing period from Billing Conductor when enabled', async () => {
    // Prepare: two groups, OWNER in "owners" and CONSUMER in "consumers"; a third group has no
    // account and holds no cost. The config groups are there too and must be ignored.
    conductor.on(listGroups).resolves({
      BillingGroups: [
        { Arn: GROUP_ARN('owners'), Name: 'owners', PrimaryAccountId: OWNER },
        { Arn: GROUP_ARN('consumers'), Name: 'consumers', PrimaryAccountId: CONSUMER },
        { Arn: GROUP_ARN('empty'), Name: 'empty', PrimaryAccountId: '033333333333' },
      ],
    });
    conductor.on(listAssociations).resolves({
      LinkedAccounts: [
        { AccountId: OWNER, BillingGroupArn: GROUP_ARN('owners') },
        { AccountId: CONSUMER, BillingGroupArn: GROUP_ARN('consumers') },
      ],
    });
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: {
        ...assembleConfig,
        billingGroups: CONFIG_GROUPS,
        readFromBillingConductor: true,
        region: 'us-east-1',
      },
      billingConductor: new BillingconductorClient({ region: 'us-east-1' }),
      now: () => new Date('2025-11-04T00:00:00Z'),
    });

    // Act
    await handler(assembleInput(AT, ID), lambdaContext);

    // Assess: both calls ask for October 2025, the report's period.
    expect(conductor).toHaveReceivedCommandWith(listGroups, {
      BillingPeriod: '2025-10',
    });
    expect(conductor).toHaveReceivedCommandWith(listAssociations, {
      BillingPeriod: '2025-10',
      Filters: { Association: 'MONITORED' },
    });
    const period = storedReport().periods[0]!;
    // LEDGER: usageCost OWNER 15, CONSUMER 30; ownerCost OWNER 45, CONSUMER 0, so the groups
    // (one account each) carry their member's figures and the RI transfer of 30 crosses groups.
    expect(
      period.groups?.map((g) => [
        g.name,
        [...g.accountIds],
        Number(g.usageCost),
        Number(g.ownerCost),
      ]),
    ).toEqual([
      ['owners', [OWNER], 15, 45],
      ['consumers', [CONSUMER], 30, 0],
    ]);
    expect(
      period.groupTransfers?.map((t) => [t.ownerGroup, t.consumerGroup, Number(t.cost)]),
    ).toEqual([['owners', 'consumers', 30]]);
    // The consolidated report uses the same groups.
    const consolidated = JSON.parse(
      s3.text(BUCKET, 'reports/2025-10/consolidated/report.json')!,
    ) as Report;
    expect(consolidated.periods[0]!.groups?.map((g) => g.name)).toEqual(['owners', 'consumers']);
  });

  it('uses the configured groups and never calls Billing Conductor when disabled', async () => {
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: { ...assembleConfig, billingGroups: CONFIG_GROUPS, readFromBillingConductor: false },
      billingConductor: new BillingconductorClient({ region: 'us-east-1' }),
    });

    await handler(assembleInput(AT, ID), lambdaContext);

    expect(conductor.calls()).toHaveLength(0);
    const period = storedReport().periods[0]!;
    // One group with both accounts: 15 + 30 = 45 in usage and 45 + 0 in owner basis.
    expect(period.groups?.map((g) => [g.name, Number(g.usageCost), Number(g.ownerCost)])).toEqual([
      ['from-config', 45, 45],
    ]);
    expect(period.groupTransfers ?? []).toEqual([]);
  });

  it('writes nothing when Billing Conductor fails: the error goes to the state machine', async () => {
    conductor.on(listGroups).rejects(new Error('AccessDeniedException'));
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: { ...assembleConfig, readFromBillingConductor: true, region: 'us-east-1' },
      billingConductor: new BillingconductorClient({ region: 'us-east-1' }),
    });

    await expect(handler(assembleInput(AT, ID), lambdaContext)).rejects.toThrow(
      'AccessDeniedException',
    );
    expect(s3.keys(BUCKET)).toEqual([]);
  });

  it('refuses Billing Conductor in aws-cn at run time, before any call or write', async () => {
    // A cn- region given to the handler directly (bypassing the config loader).
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: { ...assembleConfig, readFromBillingConductor: true, region: 'cn-northwest-1' },
      billingConductor: new BillingconductorClient({ region: 'us-east-1' }),
    });

    await expect(handler(assembleInput(AT, ID), lambdaContext)).rejects.toThrow(
      /not available in aws-cn/,
    );
    expect(conductor.calls()).toHaveLength(0);
    expect(s3.keys(BUCKET)).toEqual([]);
  });

  it('refuses the flag at cold start in a cn- region and reads it as false by default', () => {
    const env = {
      [ENV.REPORT_BUCKET]: BUCKET,
      [ENV.CONFIG_BUCKET]: 'config-bucket',
      [ENV.CONFIG_KEY]: 'config.json',
    };
    const document = { sources: [...assembleConfig.sources] };
    expect(() =>
      loadAssembleConfig(
        { ...env, [ENV.READ_BILLING_CONDUCTOR]: 'true', AWS_REGION: 'cn-northwest-1' },
        document,
      ),
    ).toThrow(ConfigError);
    expect(
      loadAssembleConfig({ ...env, AWS_REGION: 'cn-north-1' }, document).readFromBillingConductor,
    ).toBe(false);
    expect(
      loadAssembleConfig(
        { ...env, [ENV.READ_BILLING_CONDUCTOR]: 'true', AWS_REGION: 'us-east-1' },
        document,
      ),
    ).toMatchObject({ readFromBillingConductor: true, region: 'us-east-1' });
  });
});
