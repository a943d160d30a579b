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
import { type LedgerRow, LedgerRowSchema } from '../../lambdas/core/ledger.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { CUR_COLUMNS } from '../../lambdas/core/source-columns.js';
import { makeHandler as makePublish } from '../../lambdas/publish-report/publish-report.js';
import { RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { makeHandler as makeStart } from '../../lambdas/start-run/start-run.js';
import { synthesizedMachine } from '../infra/state-machine-definition.js';
import { exampleConfig } from '../infra/synth-helpers.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { type LocalExecution, runLocally, TaskFailure } from './helpers/local-state-machine.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import { athenaPages } from './helpers/pipeline-fixture.js';

/**
 * The chain of chain.test.ts, driven by the synthesized state machine definition instead of by
 * hand: start-run -> the definition's states, each Task run locally (the ledger query on DuckDB,
 * the real assemble/publish handlers, the alert as an SNS publish). So a failure takes the path the
 * deployed machine would take, and what each path leaves behind is asserted.
 */

const partition = 'aws';
const ACCOUNT = '111122223333';
const PAYER = '012345678901';
const OWNER = '011111111111';
const CONSUMER = '022222222222';
const CUR_BUCKET = 'cur-bucket';
const REPORTS = 'report-bucket';
const EXPORT = 'whopays-cur2';
const MANIFEST = `exports/${EXPORT}/metadata/BILLING_PERIOD=2025-10/${EXPORT}-Manifest.json`;
const DATA = `exports/${EXPORT}/data/BILLING_PERIOD=2025-10/${EXPORT}-00001.csv`;
const RI = `arn:${partition}:ec2:us-east-1:${OWNER}:reserved-instances/ri-canary-0001`;
const SUMMARY_TOPIC = `arn:${partition}:sns:us-east-1:${ACCOUNT}:summary`;
const ALERT_TOPIC = `arn:${partition}:sns:us-east-1:${ACCOUNT}:alert`;
/** Line-item text that must never reach a log line. */
const CANARIES = ['i-0canary0resource', 'INV-CANARY-0001', RI];

const line = (values: Partial<Record<string, string>>): string => {
  const all: Partial<Record<string, string>> = {
    bill_payer_account_id: PAYER,
    bill_invoice_id: 'INV-CANARY-0001',
    bill_billing_period_start_date: '2025-10-01T00:00:00Z',
    line_item_currency_code: 'USD',
    line_item_resource_id: 'i-0canary0resource',
    ...values,
  };
  return CUR_COLUMNS.map((c) => all[c.name] ?? '').join(',');
};

/**
 * The three lines of chain.test.ts: usageCost OWNER 10 + 5 = 15, CONSUMER 30; ownerCost OWNER
 * 30 + 10 + 5 = 45, CONSUMER 0; invoiceCost OWNER 10 + 35 = 45. `ownCost` replaces OWNER's usage
 * cost, so a non-number there makes the query fail the way Athena FAILs a bad cast.
 */
const csv = (ownCost: string): string =>
  [
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
      line_item_unblended_cost: ownCost,
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

/** The query text of the execution input, on DuckDB over a table laid out like the Glue table. */
const runOnDuckDb = async (queryString: string, data: string): Promise<LedgerRow[]> => {
  const dir = await mkdtemp(join(tmpdir(), 'whopays-faults-'));
  try {
    const file = join(dir, 'data.csv');
    await writeFile(file, data);
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    try {
      const columns = CUR_COLUMNS.map((c) =>
        c.kind === 'money' ? `cast(${c.name} as decimal(18, 10)) as ${c.name}` : c.name,
      ).join(', ');
      await connection.run('create schema whopays');
      await connection.run(
        `create view whopays.cur2_data as select ${columns}, '2025-10' as billing_period from read_csv('${file}', header = true, all_varchar = true)`,
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

/** Every line the functions wrote to stdout/stderr while `act` ran (Powertools writes there). */
const captureLogs = async <T>(act: () => Promise<T>): Promise<{ result: T; lines: string[] }> => {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }),
  );
  try {
    return { result: await act(), lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
};

/**
 * What a log line may carry, key by key: ids (accounts, periods, report versions, S3 keys of
 * deliveries and report folders, executions, messages), counts (non-negative integers) and
 * booleans, next to Powertools' own context keys. Anything else (an amount, an ARN of a
 * commitment, line-item text) is not allowed, and a new log key fails this list until it is
 * classified here.
 */
const ID = /^[A-Za-z0-9_./:=#%-]+$/;
const ALLOWED: Record<string, RegExp | 'count' | 'boolean'> = {
  level: /^(DEBUG|INFO|WARN|ERROR)$/,
  // Constant texts: no digit, so no amount can hide in a message.
  message: /^[A-Za-z :,.'()/-]+$/,
  timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  service: /^whopays[a-z-]*$/,
  cold_start: 'boolean',
  function_arn: new RegExp(`^${lambdaContext.invokedFunctionArn}$`),
  function_memory_size: /^\d+$/,
  function_name: ID,
  function_request_id: ID,
  sampling_rate: 'count',
  xray_trace_id: ID,
  file: /^s3:\/\/[a-z0-9.-]+\/[A-Za-z0-9_./=%-]+$/,
  execution: ID,
  eventName: ID,
  reportVersion: ID,
  currentVersion: ID,
  folder: ID,
  billingPeriod: /^\d{4}-\d\d$/,
  basisPeriod: /^\d{4}-\d\d$/,
  period: /^\d{4}-\d\d$/,
  summaryMessageId: ID,
  messageId: ID,
  reason: /^[A-Za-z :,.'()-]+$/,
  final: 'boolean',
  ledgerRows: 'count',
  groups: 'count',
  attempt: 'count',
  created: 'count',
  updated: 'count',
  unchanged: 'count',
  skipped: 'count',
};

const disallowed = (lines: readonly string[]): string[] => {
  const problems: string[] = [];
  for (const text of lines) {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text) as Record<string, unknown>;
    } catch {
      problems.push(`not a structured log line: ${text}`);
      continue;
    }
    for (const [key, value] of Object.entries(entry)) {
      const rule = ALLOWED[key];
      const ok =
        rule === 'count'
          ? Number.isInteger(value) && (value as number) >= 0
          : rule === 'boolean'
            ? typeof value === 'boolean'
            : rule !== undefined && typeof value === 'string' && rule.test(value);
      if (!ok) problems.push(`${key}=${JSON.stringify(value)}`);
    }
  }
  return problems;
};

/** Every money figure of a report in the forms a log could print it (exact, trimmed). */
const figuresOf = (report: Report): string[] => {
  const figures = new Set<string>();
  const walk = (value: unknown, key = ''): void => {
    if (typeof value === 'string' && /Cost$|^cost$|^rounding$/.test(key)) {
      figures.add(value);
      figures.add(String(Number(value)));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? key : k);
    }
  };
  walk(report.periods);
  figures.delete('0');
  return [...figures];
};

describe('faults of a run, through the synthesized state machine', () => {
  const { definition } = synthesizedMachine(exampleConfig('aws'));
  const sfn = mockClient(SFNClient);
  const athena = mockClient(AthenaClient);
  const budgets = mockClient(BudgetsClient);
  const sns = mockClient(SNSClient);
  let s3: MemoryS3;

  beforeEach(() => {
    s3 = new MemoryS3();
    for (const mock of [sfn, athena, budgets, sns]) mock.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'e', startDate: new Date() });
    budgets
      .on(DescribeBudgetCommand)
      .rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    budgets.on(CreateBudgetCommand).resolves({});
    budgets.on(UpdateBudgetCommand).resolves({});
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [] });
    budgets.on(CreateNotificationCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  });
  afterEach(() => s3.restore());

  /**
   * One delivery from the S3 event to the end of its execution. `queryFault` decides, per attempt
   * of the Athena step, whether it fails and with which error name.
   */
  const deliver = async (
    data: string,
    queryFault: (attempt: number) => string | undefined = () => undefined,
  ): Promise<LocalExecution> => {
    s3.put(CUR_BUCKET, DATA, data);
    s3.put(
      CUR_BUCKET,
      MANIFEST,
      JSON.stringify({ executionId: 'exec-1', dataFiles: [`s3://${CUR_BUCKET}/${DATA}`] }),
    );
    const store = s3Store(newS3Client());
    const sources = [
      { format: 'cur2' as const, prefix: 'exports', reportName: EXPORT, payerAccountId: PAYER },
    ];
    const started = await makeStart({
      store,
      sfn: new SFNClient({}),
      config: {
        stateMachineArn: `arn:${partition}:states:us-east-1:${ACCOUNT}:stateMachine:whopays`,
        database: 'whopays',
        workGroup: 'whopays',
        tables: { cur: undefined, cur2: 'cur2_data', dbr: undefined },
        sources,
        stagingBucket: CUR_BUCKET,
        stagingPrefix: 'whopays-staging/',
      },
    })(
      {
        Records: [
          {
            messageId: 'm1',
            body: JSON.stringify({
              Records: [
                {
                  eventName: 'ObjectCreated:Put',
                  eventTime: '2025-11-03T08:15:00.000Z',
                  s3: { bucket: { name: CUR_BUCKET }, object: { key: MANIFEST, eTag: 'e1' } },
                },
              ],
            }),
          },
        ],
      },
      lambdaContext,
    );
    expect(started).toEqual({ batchItemFailures: [] });
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    const runInput = RunInputSchema.parse(JSON.parse(start.input!));

    let queryAttempt = 0;
    const assemble = makeAssemble({
      athena: new AthenaClient({}),
      store,
      config: {
        reportBucket: REPORTS,
        reportPrefix: 'reports/',
        sources,
        billingGroups: undefined,
      },
    });
    const publish = makePublish({
      store,
      budgets: {
        port: budgetsAdapter(new BudgetsClient({}), ACCOUNT, undefined),
        policy: BudgetsPolicySchema.parse({
          namePrefix: 'whopays-',
          limit: { mode: 'lastOwnerCost', headroom: 0.2 },
          dryRun: false,
        }),
      },
      notifier: snsNotifier(new SNSClient({}), SUMMARY_TOPIC),
      reportBucket: REPORTS,
      reportPrefix: 'reports/',
      dryRun: false,
    });
    return runLocally(
      definition,
      {
        NormalizeDbr: async () => {
          throw new Error('a CUR 2.0 delivery never reaches NormalizeDbr');
        },
        // Athena's .sync: a query that ends FAILED (here: DuckDB refusing the cast) is a task
        // failure, named by none of the Athena API errors the retrier lists.
        RunLedgerQuery: async (parameters) => {
          const fault = queryFault(++queryAttempt);
          if (fault !== undefined) throw new TaskFailure(fault, 'injected');
          const { QueryString } = parameters as { QueryString: string };
          let rows: LedgerRow[];
          try {
            rows = await runOnDuckDb(QueryString, data);
          } catch (error) {
            throw new TaskFailure(
              'States.TaskFailed',
              `query FAILED: ${(error as Error).message.split('\n')[0]}`,
            );
          }
          athenaPages(rows, 100).forEach((page) => {
            athena.on(GetQueryResultsCommand).resolves(page);
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
          expect(String(TopicArn)).toMatch(/^\{\{Ref:PublishingAlertTopic/);
          return new SNSClient({}).send(
            new PublishCommand({
              TopicArn: ALERT_TOPIC,
              Subject: String(Subject),
              Message: JSON.stringify(Message),
            }),
          );
        },
      },
      runInput,
      start.name!,
    );
  };

  const summaryPublishes = () =>
    sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.TopicArn === SUMMARY_TOPIC);
  const alertPublishes = () =>
    sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.TopicArn === ALERT_TOPIC);

  it('a query that FAILs writes no report, touches no budget, publishes no summary: it alerts and fails', async () => {
    const execution = await deliver(csv('not-a-number'));

    expect(execution).toMatchObject({ status: 'FAILED', error: 'WhopaysRunFailed' });
    // No retry of a failed query: one attempt, then straight to the alert.
    expect(execution.path).toEqual(['IsDbr', 'RunLedgerQuery', 'AlertFailure', 'RunFailed']);
    expect(s3.keys(REPORTS)).toEqual([]);
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 0);
    expect(budgets.calls()).toHaveLength(0);
    expect(summaryPublishes()).toHaveLength(0);
    expect(alertPublishes()).toHaveLength(1);
    const alert = JSON.parse(alertPublishes()[0]!.args[0].input.Message!) as Record<string, string>;
    expect(alert.error).toBe('States.TaskFailed');
    expect(alert.cause).toMatch(/^query FAILED: /);
    expect(alert.execution).toBe(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.name);
  });

  it('a CANCELLED or otherwise failed query after Athena throttling: retried while transient, then alerted', async () => {
    // Throttled twice (retried), then the query fails for good (alerted).
    const execution = await deliver(csv('10'), (attempt) =>
      attempt <= 2 ? 'Athena.TooManyRequestsException' : 'States.TaskFailed',
    );

    expect(execution.status).toBe('FAILED');
    expect(execution.path).toEqual([
      'IsDbr',
      'RunLedgerQuery',
      'RunLedgerQuery',
      'RunLedgerQuery',
      'AlertFailure',
      'RunFailed',
    ]);
    expect(s3.keys(REPORTS)).toEqual([]);
    expect(summaryPublishes()).toHaveLength(0);
    expect(alertPublishes()).toHaveLength(1);
  });

  it('a throttled query that then succeeds completes the run: one report, one summary, no alert', async () => {
    const execution = await deliver(csv('10'), (attempt) =>
      attempt === 1 ? 'Athena.InternalServerException' : undefined,
    );

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path).toEqual([
      'IsDbr',
      'RunLedgerQuery',
      'RunLedgerQuery',
      'AssembleReport',
      'PublishReport',
      'Done',
    ]);
    const report = JSON.parse(s3.text(REPORTS, `reports/2025-10/${PAYER}/report.json`)!) as Report;
    const owner = report.periods[0]!.accounts.find((a) => a.accountId === OWNER)!;
    expect(Number(owner.ownerCost)).toBe(45);
    expect(summaryPublishes()).toHaveLength(1);
    expect(alertPublishes()).toHaveLength(0);
  });

  it('logs of a full run and of a failed run carry ids and counts only: no amount, commitment ARN or line-item text', async () => {
    const { result: ok, lines: okLines } = await captureLogs(() => deliver(csv('10')));
    expect(ok.status).toBe('SUCCEEDED');
    const report = JSON.parse(s3.text(REPORTS, `reports/2025-10/${PAYER}/report.json`)!) as Report;
    s3.restore();
    s3 = new MemoryS3();
    for (const mock of [sfn, athena]) mock.resetHistory();
    const { result: failed, lines: failedLines } = await captureLogs(() =>
      deliver(csv('not-a-number')),
    );
    expect(failed.status).toBe('FAILED');

    const lines = [...okLines, ...failedLines];
    // start-run, assemble-report and publish-report each logged something.
    expect(lines.some((l) => l.includes('"run started"'))).toBe(true);
    expect(lines.some((l) => l.includes('"report written"'))).toBe(true);
    expect(lines.some((l) => l.includes('"report published"'))).toBe(true);
    expect(disallowed(lines)).toEqual([]);
    // The rule itself bites: an amount, an ARN and an unclassified key are each refused.
    expect(
      disallowed([
        '{"level":"INFO","message":"x","reportVersion":"45.0000000000 USD"}',
        `{"level":"INFO","message":"x","file":"${RI}"}`,
        '{"level":"INFO","message":"x","ownerCost":"45"}',
      ]),
    ).toHaveLength(3);
    // And as text, whatever the key: no commitment ARN, no line-item field, no figure of the
    // report (45 owner, 30 transfer, 15 usage … and the 54.00 budget limit).
    const text = lines.join('\n');
    const figures = [...figuresOf(report), '54.00'];
    expect(figures).toEqual(expect.arrayContaining(['45.0000000000', '30.0000000000', '45']));
    for (const canary of CANARIES) expect(text).not.toContain(canary);
    expect(text.match(/arn:[a-z-]+:/g) ?? []).toEqual([]);
    for (const figure of figures) {
      expect(
        lines.filter((l) => new RegExp(`[":]${figure.replace('.', '\\.')}[",}]`).test(l)),
      ).toEqual([]);
    }
  });
});
