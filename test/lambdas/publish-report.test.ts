import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { budgetsAdapter } from '../../lambdas/adapters/budgets.js';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../lambdas/adapters/sns.js';
import { type BudgetsPolicy, BudgetsPolicySchema } from '../../lambdas/core/budget-plan.js';
import { buildReport } from '../../lambdas/core/report.js';
import { makeHandler } from '../../lambdas/publish-report/publish-report.js';
import { type PublishInput, PublishOutputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import {
  assembleInput,
  BUCKET,
  CONSUMER,
  LEDGER,
  OWNER,
  PAYER,
} from './helpers/pipeline-fixture.js';

const partition = 'aws';
const TOPIC = `arn:${partition}:sns:us-east-1:111122223333:whopays-summary`;
const BUDGET_TOPIC = `arn:${partition}:sns:us-east-1:111122223333:whopays-budgets`;
const FOLDER = `reports/2025-10/${PAYER}/`;
const VERSION = `2025-11-03T20:00:00.000Z#${'b'.repeat(32)}`;

const input = (status: 'written' | 'superseded' = 'written'): PublishInput => ({
  ...assembleInput('2025-11-03T20:00:00.000Z', 'b'.repeat(32)),
  assembled: {
    status,
    reportVersion: VERSION,
    bucket: BUCKET,
    reportKey: `${FOLDER}report.json`,
    accountsKey: `${FOLDER}accounts.csv`,
    transfersKey: `${FOLDER}transfers.csv`,
    final: false,
  },
});

// ownerCost OWNER = 45 (see LEDGER): 45 x 1.1 = 49.5 -> "49.50"; CONSUMER's 0 gets no budget.
const LAST_OWNER_COST: BudgetsPolicy = BudgetsPolicySchema.parse({
  namePrefix: 'whopays-',
  basis: 'owner',
  payerAccountId: PAYER,
  limit: { mode: 'lastCost', headroom: 0.1 },
  dryRun: false,
});

describe('publish-report', () => {
  const budgets = mockClient(BudgetsClient);
  const sns = mockClient(SNSClient);
  let s3: MemoryS3;

  const handler = (policy: BudgetsPolicy | undefined = LAST_OWNER_COST, dryRun = false) =>
    makeHandler({
      store: s3Store(newS3Client()),
      ...(policy
        ? {
            budgets: {
              port: budgetsAdapter(new BudgetsClient({}), '111122223333', BUDGET_TOPIC),
              policy,
            },
          }
        : {}),
      notifier: snsNotifier(new SNSClient({}), TOPIC),
      reportBucket: BUCKET,
      reportPrefix: 'reports/',
      dryRun,
    });

  beforeEach(() => {
    s3 = new MemoryS3();
    budgets.reset();
    sns.reset();
    const report = buildReport({
      sources: [{ path: 's3://cur-bucket/x', format: 'cur2', rows: LEDGER }],
      generatedAt: new Date('2025-11-04T00:00:00Z'),
    });
    s3.put(BUCKET, `${FOLDER}report.json`, JSON.stringify(report), { 'whopays-version': VERSION });
    // One listing: the managed owner's budget (an older one: default cost types) and a budget
    // that is not ours, which must never be changed.
    budgets.on(DescribeBudgetsCommand).resolves({
      Budgets: [
        {
          BudgetName: `whopays-${OWNER}`,
          BudgetLimit: { Amount: '40.0', Unit: 'USD' },
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          CostFilters: { LinkedAccount: [OWNER] },
        },
        {
          BudgetName: 'team-budget',
          BudgetLimit: { Amount: '1', Unit: 'USD' },
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
        },
      ],
    });
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [] });
    budgets.on(UpdateBudgetCommand).resolves({});
    budgets.on(CreateBudgetCommand).resolves({});
    budgets.on(CreateNotificationCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });
  afterEach(() => s3.restore());

  it('updates the managed budget to ownerCost x (1 + headroom), alerts to the topic, and sends one summary', async () => {
    // Act
    const out = PublishOutputSchema.parse(await handler()(input(), lambdaContext));
    // Assess
    expect(out).toEqual({
      status: 'published',
      dryRun: false,
      budgets: { created: 0, updated: 1, unchanged: 0, skipped: 1 },
      summaryMessageId: 'm-1',
    });
    expect(budgets).toHaveReceivedCommandWith(UpdateBudgetCommand, {
      AccountId: '111122223333',
      NewBudget: expect.objectContaining({
        BudgetName: `whopays-${OWNER}`,
        BudgetLimit: { Amount: '49.50', Unit: 'USD' },
        CostFilters: { LinkedAccount: [OWNER] },
        TimeUnit: 'MONTHLY',
        BudgetType: 'COST',
      }),
    });
    expect(budgets).toHaveReceivedCommandTimes(CreateNotificationCommand, 3);
    expect(budgets).toHaveReceivedCommandWith(CreateNotificationCommand, {
      Notification: {
        NotificationType: 'FORECASTED',
        ComparisonOperator: 'GREATER_THAN',
        Threshold: 100,
        ThresholdType: 'PERCENTAGE',
      },
      Subscribers: [{ SubscriptionType: 'SNS', Address: BUDGET_TOPIC }],
    });
    // One listing call, no per-name lookup.
    expect(budgets.commandCalls(DescribeBudgetsCommand).map((c) => c.args[0].input)).toEqual([
      { AccountId: '111122223333', MaxResults: 1000 },
    ]);
    expect(budgets).not.toHaveReceivedCommand(DescribeBudgetCommand);
    for (const call of [
      ...budgets.commandCalls(UpdateBudgetCommand),
      ...budgets.commandCalls(CreateBudgetCommand),
    ]) {
      expect(JSON.stringify(call.args[0].input)).not.toContain('team-budget');
    }
    expect(budgets).not.toHaveReceivedCommand(CreateBudgetCommand);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const published = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.TopicArn).toBe(TOPIC);
    expect(published.MessageAttributes).toEqual({
      payer: { DataType: 'String', StringValue: PAYER },
      period: { DataType: 'String', StringValue: '2025-10' },
      final: { DataType: 'String', StringValue: 'false' },
    });
    expect(published.Message).toContain(`s3://${BUCKET}/${FOLDER}report.json`);
    expect(published.Message).toContain('PROVISIONAL');
    expect(published.Message).toContain(`${OWNER} <- ${CONSUMER} (ri): 30.00 USD`);
  });

  it('creates budgets that do not exist yet with the three alerts (fixed policy)', async () => {
    budgets.on(DescribeBudgetsCommand).resolves({ Budgets: [] });
    const policy = BudgetsPolicySchema.parse({
      namePrefix: 'whopays-',
      basis: 'usage',
      payerAccountId: PAYER,
      limit: { mode: 'fixed', amounts: { [CONSUMER]: '100' } },
      dryRun: false,
    });
    const out = PublishOutputSchema.parse(await handler(policy)(input(), lambdaContext));
    expect(out.budgets).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 0 });
    const create = budgets.commandCalls(CreateBudgetCommand)[0]!.args[0].input;
    expect(create.Budget).toMatchObject({
      BudgetName: `whopays-${CONSUMER}`,
      BudgetLimit: { Amount: '100.00', Unit: 'USD' },
    });
    expect(
      create.NotificationsWithSubscribers?.map((n) => [
        n.Notification?.NotificationType,
        n.Notification?.Threshold,
      ]),
    ).toEqual([
      ['ACTUAL', 80],
      ['ACTUAL', 100],
      ['FORECASTED', 100],
    ]);
  });

  it('publishes once per report version: a second invocation changes nothing', async () => {
    await handler()(input(), lambdaContext);
    budgets.resetHistory();
    sns.resetHistory();
    const again = PublishOutputSchema.parse(await handler()(input(), lambdaContext));
    expect(again).toMatchObject({
      status: 'skipped',
      reason: 'this version was already published',
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(budgets).not.toHaveReceivedAnyCommand();
  });

  it('in dry run logs the plan and leaves Budgets untouched, but still sends the summary', async () => {
    const out = PublishOutputSchema.parse(
      await handler(LAST_OWNER_COST, true)(input(), lambdaContext),
    );
    expect(out).toMatchObject({ status: 'published', dryRun: true, budgets: { updated: 1 } });
    expect(budgets).not.toHaveReceivedCommand(UpdateBudgetCommand);
    expect(budgets).not.toHaveReceivedCommand(CreateBudgetCommand);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('fails on AccessDenied from Budgets before publishing anything, so a retry starts clean', async () => {
    budgets
      .on(UpdateBudgetCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(handler()(input(), lambdaContext)).rejects.toThrow(/not authorized/);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(s3.keys(BUCKET).filter((k) => k.includes('/published/'))).toEqual([]);
  });

  it('fails when SNS fails and publishes on the retry (budgets re-applied as absolute values)', async () => {
    sns.on(PublishCommand).rejectsOnce(new Error('SNS unavailable')).resolves({ MessageId: 'm-2' });
    await expect(handler()(input(), lambdaContext)).rejects.toThrow(/SNS unavailable/);
    expect(s3.keys(BUCKET).filter((k) => k.includes('/published/'))).toEqual([]);
    const retried = PublishOutputSchema.parse(await handler()(input(), lambdaContext));
    expect(retried).toMatchObject({ status: 'published', summaryMessageId: 'm-2' });
    expect(s3.keys(BUCKET).filter((k) => k.includes('/published/'))).toHaveLength(1);
    const limits = budgets
      .commandCalls(UpdateBudgetCommand)
      .map((c) => c.args[0].input.NewBudget?.BudgetLimit?.Amount);
    expect(limits).toEqual(['49.50', '49.50']);
  });

  it('does nothing for a superseded report or one replaced before publishing', async () => {
    const superseded = PublishOutputSchema.parse(
      await handler()(input('superseded'), lambdaContext),
    );
    expect(superseded.status).toBe('skipped');
    s3.put(BUCKET, `${FOLDER}report.json`, '{}', {
      'whopays-version': `2025-11-04T00:00:00.000Z#${'c'.repeat(32)}`,
    });
    const replaced = PublishOutputSchema.parse(await handler()(input(), lambdaContext));
    expect(replaced).toMatchObject({
      status: 'skipped',
      reason: 'a newer version replaced this report before it was published',
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(budgets).not.toHaveReceivedAnyCommand();
  });
});
