import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  NotFoundException,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { budgetsAdapter } from '../../lambdas/adapters/budgets.js';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../lambdas/adapters/sns.js';
import { makeHandler as makeAssemble } from '../../lambdas/assemble-report/assemble-report.js';
import { BudgetsPolicySchema } from '../../lambdas/core/budget-plan.js';
import { LedgerRowSchema } from '../../lambdas/core/ledger.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { CUR_COLUMNS } from '../../lambdas/core/source-columns.js';
import { makeHandler as makePublish } from '../../lambdas/publish-report/publish-report.js';
import {
  AssembleOutputSchema,
  PublishOutputSchema,
  type RunInput,
  RunInputSchema,
} from '../../lambdas/shared/pipeline-contract.js';
import { makeHandler as makeStart } from '../../lambdas/start-run/start-run.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import { athenaPages } from './helpers/pipeline-fixture.js';

const partition = 'aws';
const PAYER = '012345678901';
const OWNER = '011111111111';
const CONSUMER = '022222222222';
const CUR_BUCKET = 'cur-bucket';
const REPORTS = 'report-bucket';
const EXPORT = 'whopays-cur2';
const MANIFEST = `exports/${EXPORT}/metadata/BILLING_PERIOD=2025-10/${EXPORT}-Manifest.json`;
const DATA = `exports/${EXPORT}/data/BILLING_PERIOD=2025-10/${EXPORT}-00001.csv`;
const RI = `arn:${partition}:ec2:us-east-1:${OWNER}:reserved-instances/ri-0001`;

/**
 * Three CUR 2.0 lines of October 2025, bill still open:
 * 1. CONSUMER's DiscountedUsage covered by OWNER's RI: amortized = effective cost 30, unblended 0;
 * 2. OWNER's own Usage: 10;
 * 3. OWNER's RIFee: unblended 35, amortized = unused upfront 2 + unused recurring 3 = 5.
 * usageCost: OWNER 10 + 5 = 15, CONSUMER 30. ownerCost: line 1 moves to OWNER: OWNER 45, CONSUMER 0.
 * invoiceCost (unblended): OWNER 10 + 35 = 45, CONSUMER 0. Transfer OWNER <- CONSUMER (ri) 30.
 */
const line = (values: Partial<Record<string, string>>): string => {
  const all: Partial<Record<string, string>> = {
    bill_payer_account_id: PAYER,
    bill_billing_period_start_date: '2025-10-01T00:00:00Z',
    line_item_currency_code: 'USD',
    ...values,
  };
  return CUR_COLUMNS.map((c) => all[c.name] ?? '').join(',');
};
const CSV = [
  CUR_COLUMNS.map((c) => c.name).join(','),
  line({
    line_item_usage_account_id: CONSUMER,
    line_item_line_item_type: 'DiscountedUsage',
    line_item_unblended_cost: '0',
    reservation_reservation_a_r_n: RI,
    reservation_effective_cost: '30',
  }),
  line({
    line_item_usage_account_id: OWNER,
    line_item_line_item_type: 'Usage',
    line_item_unblended_cost: '10',
  }),
  line({
    line_item_usage_account_id: OWNER,
    line_item_line_item_type: 'RIFee',
    line_item_unblended_cost: '35',
    reservation_reservation_a_r_n: RI,
    reservation_unused_amortized_upfront_fee_for_billing_period: '2',
    reservation_unused_recurring_fee: '3',
  }),
].join('\n');

/**
 * The Athena step, locally: the exact query text start-run rendered runs on DuckDB against a
 * `"whopays"."cur2_data"` table laid out like the Glue table (CUR columns + billing_period).
 */
const runQueryOnDuckDb = async (input: RunInput, s3: MemoryS3): Promise<unknown[]> => {
  const dir = await mkdtemp(join(tmpdir(), 'whopays-chain-'));
  try {
    const file = join(dir, 'data.csv');
    await writeFile(file, s3.text(CUR_BUCKET, DATA)!);
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    const columns = CUR_COLUMNS.map((c) =>
      c.kind === 'money' ? `cast(${c.name} as decimal(18, 10)) as ${c.name}` : c.name,
    ).join(', ');
    await connection.run('create schema whopays');
    await connection.run(
      `create view whopays.cur2_data as select ${columns}, '2025-10' as billing_period from read_csv('${file}', header = true, all_varchar = true)`,
    );
    const reader = await connection.runAndReadAll(input.query.queryString);
    const rows = reader.getRowObjectsJson().map((r) => LedgerRowSchema.parse(r));
    connection.closeSync();
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

describe('the whole chain, locally: start -> query (DuckDB) -> assemble -> publish', () => {
  const sfn = mockClient(SFNClient);
  const athena = mockClient(AthenaClient);
  const budgets = mockClient(BudgetsClient);
  const sns = mockClient(SNSClient);
  let s3: MemoryS3;

  beforeEach(() => {
    s3 = new MemoryS3();
    for (const mock of [sfn, athena, budgets, sns]) mock.reset();
  });
  afterEach(() => s3.restore());

  it('turns one CUR 2.0 delivery into a report in S3, budgets and one SNS summary', async () => {
    // Prepare: the delivery as Data Exports writes it.
    s3.put(CUR_BUCKET, DATA, CSV);
    s3.put(
      CUR_BUCKET,
      MANIFEST,
      JSON.stringify({ executionId: 'exec-1', dataFiles: [`s3://${CUR_BUCKET}/${DATA}`] }),
    );
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'e', startDate: new Date() });
    budgets
      .on(DescribeBudgetCommand)
      .rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    budgets.on(CreateBudgetCommand).resolves({});
    budgets.on(UpdateBudgetCommand).resolves({});
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [] });
    budgets.on(CreateNotificationCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'summary-1' });
    const store = s3Store(newS3Client());
    const sources = [
      { format: 'cur2' as const, prefix: 'exports', reportName: EXPORT, payerAccountId: PAYER },
    ];

    // Act 1: the S3 notification reaches start-run through SQS.
    const s3Event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: '2025-11-03T08:15:00.000Z',
          s3: {
            bucket: { name: CUR_BUCKET },
            object: { key: MANIFEST.replace('=', '%3D'), eTag: 'e1' },
          },
        },
      ],
    };
    const start = makeStart({
      store,
      sfn: new SFNClient({}),
      config: {
        stateMachineArn: `arn:${partition}:states:us-east-1:111122223333:stateMachine:whopays`,
        database: 'whopays',
        workGroup: 'whopays',
        tables: { cur: undefined, cur2: 'cur2_data', dbr: undefined },
        sources,
        stagingBucket: CUR_BUCKET,
        stagingPrefix: 'whopays-staging/',
      },
    });
    const started = await start(
      { Records: [{ messageId: 'm1', body: JSON.stringify(s3Event) }] },
      lambdaContext,
    );
    expect(started).toEqual({ batchItemFailures: [] });
    const runInput = RunInputSchema.parse(
      JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!),
    );

    // Act 2: the Athena step runs the rendered SQL; its rows come back as Athena pages.
    const rows = await runQueryOnDuckDb(runInput, s3);
    const pages = athenaPages(rows as never[], 2);
    pages.forEach((page, i) => {
      athena
        .on(GetQueryResultsCommand, { NextToken: i === 0 ? undefined : `page-${i + 1}` })
        .resolves(page);
    });

    // Act 3: assemble, then publish, with the state as Step Functions passes it.
    const assembleState = { ...runInput, athena: { QueryExecution: { QueryExecutionId: 'q-1' } } };
    const assembled = AssembleOutputSchema.parse(
      await makeAssemble({
        athena: new AthenaClient({}),
        store,
        config: {
          reportBucket: REPORTS,
          reportPrefix: 'reports/',
          sources,
          billingGroups: undefined,
        },
      })(assembleState, lambdaContext),
    );
    const published = PublishOutputSchema.parse(
      await makePublish({
        store,
        budgets: {
          port: budgetsAdapter(new BudgetsClient({}), '111122223333', undefined),
          policy: BudgetsPolicySchema.parse({
            namePrefix: 'whopays-',
            limit: { mode: 'lastOwnerCost', headroom: 0.2 },
            dryRun: false,
          }),
        },
        notifier: snsNotifier(new SNSClient({}), `arn:${partition}:sns:us-east-1:111122223333:t`),
        reportBucket: REPORTS,
        reportPrefix: 'reports/',
        dryRun: false,
      })({ ...assembleState, assembled }, lambdaContext),
    );

    // Assess
    expect(assembled).toMatchObject({ status: 'written', final: false });
    const report = JSON.parse(s3.text(REPORTS, `reports/2025-10/${PAYER}/report.json`)!) as Report;
    const period = report.periods[0]!;
    const figures = (id: string) => {
      const a = period.accounts.find((x) => x.accountId === id)!;
      return [a.usageCost, a.ownerCost, a.invoiceCost].map(Number);
    };
    expect(figures(OWNER)).toEqual([15, 45, 45]);
    expect(figures(CONSUMER)).toEqual([30, 0, 0]);
    expect(
      period.transfers.map((t) => [
        t.ownerAccountId,
        t.consumerAccountId,
        t.commitment,
        Number(t.cost),
      ]),
    ).toEqual([[OWNER, CONSUMER, 'ri', 30]]);
    expect(s3.keys(REPORTS)).toEqual(
      expect.arrayContaining([
        `reports/2025-10/${PAYER}/accounts.csv`,
        `reports/2025-10/${PAYER}/transfers.csv`,
        'reports/2025-10/consolidated/report.json',
      ]),
    );
    // OWNER: 45 x 1.2 = 54 -> "54.00"; CONSUMER has no positive ownerCost, so no budget.
    expect(budgets).toHaveReceivedCommandTimes(CreateBudgetCommand, 1);
    expect(budgets).toHaveReceivedCommandWith(CreateBudgetCommand, {
      Budget: expect.objectContaining({
        BudgetName: `whopays-${OWNER}`,
        BudgetLimit: { Amount: '54.00', Unit: 'USD' },
      }),
    });
    expect(published).toMatchObject({ status: 'published', summaryMessageId: 'summary-1' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toBe(
      `whopays 2025-10 ${PAYER} provisional`,
    );
  });
});
