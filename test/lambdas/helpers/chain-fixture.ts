import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { budgetsAdapter } from '../../../lambdas/adapters/budgets.js';
import { type ObjectStore, s3Store } from '../../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../../lambdas/adapters/sns.js';
import { makeHandler as makeAssemble } from '../../../lambdas/assemble-report/assemble-report.js';
import { BudgetsPolicySchema } from '../../../lambdas/core/budget-plan.js';
import { type LedgerRow, LedgerRowSchema } from '../../../lambdas/core/ledger.js';
import { CUR_COLUMNS } from '../../../lambdas/core/source-columns.js';
import { makeHandler as makePublish } from '../../../lambdas/publish-report/publish-report.js';
import { RunInputSchema } from '../../../lambdas/shared/pipeline-contract.js';
import { makeHandler as makeStart } from '../../../lambdas/start-run/start-run.js';
import type { AslDefinition } from '../../infra/state-machine-definition.js';
import { lambdaContext } from './lambda-context.js';
import { type LocalExecution, runLocally, TaskFailure } from './local-state-machine.js';
import { type MemoryS3, newS3Client } from './memory-s3.js';
import { athenaPages } from './pipeline-fixture.js';

/** One CUR 2.0 export of October 2025 in a CUR bucket, as the chain tests deliver it. */
export const partition = 'aws';
export const PAYER = '012345678901';
export const OWNER = '011111111111';
export const CONSUMER = '022222222222';
export const CUR_BUCKET = 'cur-bucket';
export const REPORTS = 'report-bucket';
export const EXPORT = 'whopays-cur2';
export const MANIFEST = `exports/${EXPORT}/metadata/BILLING_PERIOD=2025-10/${EXPORT}-Manifest.json`;
export const DATA = `exports/${EXPORT}/data/BILLING_PERIOD=2025-10/${EXPORT}-00001.csv`;
export const SOURCES = [
  { format: 'cur2' as const, prefix: 'exports', reportName: EXPORT, payerAccountId: PAYER },
];

/** One CUR line: every column of CUR_COLUMNS, the payer/period/currency ones filled in. */
const line = (values: Partial<Record<string, string>>): string => {
  const all: Partial<Record<string, string>> = {
    bill_payer_account_id: PAYER,
    bill_billing_period_start_date: '2025-10-01T00:00:00Z',
    line_item_currency_code: 'USD',
    ...values,
  };
  return CUR_COLUMNS.map((c) => all[c.name] ?? '').join(',');
};

/**
 * Three CUR 2.0 lines of October 2025 (the arithmetic is in each test), with a header:
 * 1. CONSUMER's DiscountedUsage covered by OWNER's RI `ri`: effective cost 30, unblended 0;
 * 2. OWNER's own Usage, unblended `ownCost`;
 * 3. OWNER's RIFee: unblended 35, unused upfront 2 + unused recurring 3.
 * `common` is added to every line (e.g. text that must never reach a log).
 */
export const threeLineCsv = (
  ri: string,
  ownCost: string,
  common: Partial<Record<string, string>> = {},
): string =>
  [
    CUR_COLUMNS.map((c) => c.name).join(','),
    line({
      ...common,
      line_item_usage_account_id: CONSUMER,
      line_item_line_item_type: 'DiscountedUsage',
      line_item_unblended_cost: '0',
      reservation_reservation_a_r_n: ri,
      reservation_effective_cost: '30',
    }),
    line({
      ...common,
      line_item_usage_account_id: OWNER,
      line_item_line_item_type: 'Usage',
      line_item_unblended_cost: ownCost,
    }),
    line({
      ...common,
      line_item_usage_account_id: OWNER,
      line_item_line_item_type: 'RIFee',
      line_item_unblended_cost: '35',
      reservation_reservation_a_r_n: ri,
      reservation_unused_amortized_upfront_fee_for_billing_period: '2',
      reservation_unused_recurring_fee: '3',
    }),
  ].join('\n');

/** Where the Glue table of the export reads (the catalog's `<prefix>/<export>/data/`). */
export const TABLE_LOCATION = `exports/${EXPORT}/data/`;

/**
 * The Athena step, locally: the query text start-run rendered runs on DuckDB against a
 * `"whopays"."cur2_data"` table laid out like the Glue table: every CSV object below the table's
 * S3 location (subfolders included, as Athena reads them), its CUR columns, the `billing_period`
 * partition from the `BILLING_PERIOD=` folder and Athena's `"$path"` pseudo-column
 * (`s3://bucket/key`), built from DuckDB's `filename`.
 */
export const runLedgerOnDuckDb = async (
  queryString: string,
  s3: MemoryS3,
  bucket = CUR_BUCKET,
  location = TABLE_LOCATION,
): Promise<LedgerRow[]> => {
  const dir = await mkdtemp(join(tmpdir(), 'whopays-chain-'));
  try {
    const keys = s3.keys(bucket).filter((k) => k.startsWith(location) && k.endsWith('.csv'));
    if (keys.length === 0) throw new Error(`no data below s3://${bucket}/${location}`);
    for (const key of keys) {
      await mkdir(join(dir, dirname(key)), { recursive: true });
      await writeFile(join(dir, key), s3.buffer(bucket, key)!);
    }
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    try {
      const columns = CUR_COLUMNS.map((c) =>
        c.kind === 'money' ? `cast(${c.name} as decimal(18, 10)) as ${c.name}` : c.name,
      ).join(', ');
      const root = `${dir}/`;
      await connection.run('create schema whopays');
      await connection.run(
        `create view whopays.cur2_data as select ${columns},
           regexp_extract(filename, 'BILLING_PERIOD=([0-9]{4}-[0-9]{2})', 1) as billing_period,
           's3://${bucket}/' || substr(filename, ${root.length + 1}) as "$path"
         from read_csv('${root}${location}**/*.csv', header = true, all_varchar = true, filename = true)`,
      );
      const reader = await connection.runAndReadAll(queryString);
      return reader.getRowObjectsJson().map((r) => LedgerRowSchema.parse(r));
    } finally {
      connection.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** The SDK clients of the chain, mocked; call inside a describe. */
export const chainMocks = () => ({
  sfn: mockClient(SFNClient),
  athena: mockClient(AthenaClient),
  budgets: mockClient(BudgetsClient),
  sns: mockClient(SNSClient),
});

/**
 * A first run: execution starts, no budget exists yet (so it is created with one notification)
 * and every SNS publish succeeds with `messageId`.
 */
export const stubFirstRun = (
  { sfn, budgets, sns }: ReturnType<typeof chainMocks>,
  messageId: string,
): void => {
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'e', startDate: new Date() });
  budgets.on(DescribeBudgetsCommand).resolves({ Budgets: [] });
  budgets.on(CreateBudgetCommand).resolves({});
  budgets.on(UpdateBudgetCommand).resolves({});
  budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [] });
  budgets.on(CreateNotificationCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: messageId });
};

/** The delivery as Data Exports writes it: the data file, then the manifest listing it. */
export const putDelivery = (s3: MemoryS3, data: string): void => {
  s3.put(CUR_BUCKET, DATA, data);
  s3.put(
    CUR_BUCKET,
    MANIFEST,
    JSON.stringify({ executionId: 'exec-1', dataFiles: [`s3://${CUR_BUCKET}/${DATA}`] }),
  );
};

/** The S3 notification of the manifest (object key as S3 writes it), inside one SQS message. */
export const manifestMessage = (objectKey: string) => ({
  Records: [
    {
      messageId: 'm1',
      body: JSON.stringify({
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            eventTime: '2025-11-03T08:15:00.000Z',
            s3: { bucket: { name: CUR_BUCKET }, object: { key: objectKey, eTag: 'e1' } },
          },
        ],
      }),
    },
  ],
});

/** The three handlers of the chain, wired to one store and the mocked clients. */
export const chainHandlers = (store: ObjectStore, account: string, summaryTopic: string) => ({
  start: makeStart({
    store,
    sfn: new SFNClient({}),
    config: {
      stateMachineArn: `arn:${partition}:states:us-east-1:${account}:stateMachine:whopays`,
      database: 'whopays',
      workGroup: 'whopays',
      tables: { cur: undefined, cur2: 'cur2_data', dbr: undefined },
      sources: SOURCES,
      stagingBucket: CUR_BUCKET,
      stagingPrefix: 'whopays-staging/',
    },
  }),
  assemble: makeAssemble({
    athena: new AthenaClient({}),
    store,
    config: {
      reportBucket: REPORTS,
      reportPrefix: 'reports/',
      sources: SOURCES,
      billingGroups: undefined,
    },
  }),
  publish: makePublish({
    store,
    budgets: {
      port: budgetsAdapter(new BudgetsClient({}), account, undefined),
      policy: BudgetsPolicySchema.parse({
        namePrefix: 'whopays-',
        basis: 'owner',
        payerAccountId: PAYER,
        limit: { mode: 'lastCost', headroom: 0.2 },
        dryRun: false,
      }),
    },
    notifier: snsNotifier(new SNSClient({}), summaryTopic),
    reportBucket: REPORTS,
    reportPrefix: 'reports/',
    dryRun: false,
  }),
});

/** What {@link deliverThroughMachine} needs besides the delivery's data. */
export interface MachineRun {
  /** The synthesized definition (state-machine-definition.ts). */
  readonly definition: AslDefinition;
  readonly s3: MemoryS3;
  readonly mocks: ReturnType<typeof chainMocks>;
  readonly account: string;
  readonly summaryTopic: string;
  /** Where the AlertFailure task publishes (the definition names the topic by a placeholder). */
  readonly alertTopic: string;
  /** Per attempt of the Athena step: the error name it fails with, or undefined to run it. */
  readonly queryFault?: (attempt: number) => string | undefined;
  /** Rows per GetQueryResults page (Athena pages at most 1,000). @default 100 */
  readonly pageSize?: number;
}

/**
 * One CUR 2.0 delivery from its S3 event to the end of its execution, through the synthesized
 * state machine in aws-local-stepfunctions: start-run (real handler) starts it, then each Task is
 * run locally: the ledger query on the DuckDB copy of the Glue table, AssembleReport and
 * PublishReport by their real handlers, AlertFailure as an SNS publish on the mocked client.
 */
export const deliverThroughMachine = async (
  run: MachineRun,
  data: string,
): Promise<{ execution: LocalExecution; executionName: string }> => {
  const { definition, s3, mocks } = run;
  putDelivery(s3, data);
  const { start, assemble, publish } = chainHandlers(
    s3Store(newS3Client()),
    run.account,
    run.summaryTopic,
  );
  // The key as S3 writes it in the event: form-encoded ('=' as %3D).
  const started = await start(manifestMessage(MANIFEST.replace('=', '%3D')), lambdaContext);
  if (started.batchItemFailures.length > 0) throw new Error('start-run refused the delivery');
  const startInput = mocks.sfn.commandCalls(StartExecutionCommand).at(-1)!.args[0].input;
  const runInput = RunInputSchema.parse(JSON.parse(startInput.input!));

  let queryAttempt = 0;
  const execution = await runLocally(
    definition,
    {
      NormalizeDbr: async () => {
        throw new Error('a CUR 2.0 delivery never reaches NormalizeDbr');
      },
      // Athena's .sync: a query that ends FAILED (here: DuckDB refusing the cast) is a task
      // failure, named by none of the Athena API errors the retrier lists.
      RunLedgerQuery: async (parameters) => {
        const fault = run.queryFault?.(++queryAttempt);
        if (fault !== undefined) throw new TaskFailure(fault, 'injected');
        const { QueryString } = parameters as { QueryString: string };
        let rows: LedgerRow[];
        try {
          rows = await runLedgerOnDuckDb(QueryString, s3);
        } catch (error) {
          throw new TaskFailure(
            'States.TaskFailed',
            `query FAILED: ${(error as Error).message.split('\n')[0]}`,
          );
        }
        athenaPages(rows, run.pageSize ?? 100).forEach((page, i) => {
          mocks.athena
            .on(GetQueryResultsCommand, { NextToken: i === 0 ? undefined : `page-${i + 1}` })
            .resolves(page);
        });
        return {
          QueryExecution: {
            QueryExecutionId: `q-${queryAttempt}`,
            Status: { State: 'SUCCEEDED' },
            Statistics: { DataScannedInBytes: 1 },
          },
        };
      },
      AssembleReport: async (state) => assemble(state, lambdaContext),
      PublishReport: async (state) => publish(state, lambdaContext),
      AlertFailure: async (parameters) => {
        const { TopicArn, Subject, Message } = parameters as Record<string, unknown>;
        if (!/^\{\{Ref:PublishingAlertTopic/.test(String(TopicArn))) {
          throw new Error(`the alert goes to ${String(TopicArn)}, not the alert topic`);
        }
        return new SNSClient({}).send(
          new PublishCommand({
            TopicArn: run.alertTopic,
            Subject: String(Subject),
            Message: JSON.stringify(Message),
          }),
        );
      },
    },
    runInput,
    startInput.name!,
  );
  return { execution, executionName: startInput.name! };
};
