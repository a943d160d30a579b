import { GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import type { Report } from '../../lambdas/core/report-model.js';
import { synthesizedMachine } from '../infra/state-machine-definition.js';
import { EXAMPLES, exampleConfig } from '../infra/synth-helpers.js';
import * as fixture from './helpers/chain-fixture.js';
import { lambdaContext } from './helpers/lambda-context.js';
import type { LocalExecution } from './helpers/local-state-machine.js';
import { MemoryS3 } from './helpers/memory-s3.js';

/**
 * The chain of chain.test.ts, driven by the synthesized state machine definition instead of by
 * hand: start-run -> the definition's states, each Task run locally (the ledger query on DuckDB,
 * the real assemble/publish handlers, the alert as an SNS publish). So a failure takes the path the
 * deployed machine would take, and what each path leaves behind is asserted.
 */

const ACCOUNT = '111122223333';
const RI = `arn:${fixture.partition}:ec2:us-east-1:${fixture.OWNER}:reserved-instances/ri-canary-0001`;
const SUMMARY_TOPIC = `arn:${fixture.partition}:sns:us-east-1:${ACCOUNT}:summary`;
const ALERT_TOPIC = `arn:${fixture.partition}:sns:us-east-1:${ACCOUNT}:alert`;
/** Line-item text that must never reach a log line. */
const CANARIES = ['i-0canary0resource', 'INV-CANARY-0001', RI];

/**
 * The three lines of chain.test.ts: usageCost OWNER 10 + 5 = 15, CONSUMER 30; ownerCost OWNER
 * 30 + 10 + 5 = 45, CONSUMER 0; invoiceCost OWNER 10 + 35 = 45. `ownCost` replaces OWNER's usage
 * cost, so a non-number there makes the query fail the way Athena FAILs a bad cast.
 */
const csv = (ownCost: string): string =>
  fixture.threeLineCsv(RI, ownCost, {
    bill_invoice_id: 'INV-CANARY-0001',
    line_item_resource_id: 'i-0canary0resource',
  });

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
  // Budgets: the report field a limit comes from, and the account ids of a skipped group.
  basis: /^(usage|owner|invoice)Cost$/,
  accounts: /^\d{12}(,\d{12})*$/,
  payer: /^\d{12}$/,
  stackPayer: /^\d{12}$/,
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

describe.each(EXAMPLES)('faults of a run, through the synthesized state machine (%s)', (name) => {
  const { definition } = synthesizedMachine(exampleConfig(name));
  const mocks = fixture.chainMocks();
  const { sfn, athena, budgets, sns } = mocks;
  let s3: MemoryS3;

  beforeEach(() => {
    s3 = new MemoryS3();
    for (const mock of [sfn, athena, budgets, sns]) mock.reset();
    fixture.stubFirstRun(mocks, 'message-1');
  });
  afterEach(() => s3.restore());

  /**
   * One delivery from the S3 event to the end of its execution. `queryFault` decides, per attempt
   * of the Athena step, whether it fails and with which error name.
   */
  const deliver = async (
    data: string,
    queryFault?: (attempt: number) => string | undefined,
  ): Promise<LocalExecution> =>
    (
      await fixture.deliverThroughMachine(
        {
          definition,
          s3,
          mocks,
          account: ACCOUNT,
          summaryTopic: SUMMARY_TOPIC,
          alertTopic: ALERT_TOPIC,
          ...(queryFault ? { queryFault } : {}),
        },
        data,
      )
    ).execution;

  const summaryPublishes = () =>
    sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.TopicArn === SUMMARY_TOPIC);
  const alertPublishes = () =>
    sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.TopicArn === ALERT_TOPIC);

  it('a query that FAILs writes no report, touches no budget, publishes no summary: it alerts and fails', async () => {
    const execution = await deliver(csv('not-a-number'));

    expect(execution).toMatchObject({ status: 'FAILED', error: 'WhopaysRunFailed' });
    // No retry of a failed query: one attempt, then straight to the alert.
    expect(execution.path).toEqual(['IsDbr', 'RunLedgerQuery', 'AlertFailure', 'RunFailed']);
    expect(s3.keys(fixture.REPORTS)).toEqual([]);
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
    expect(s3.keys(fixture.REPORTS)).toEqual([]);
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
    const report = JSON.parse(
      s3.text(fixture.REPORTS, `reports/2025-10/${fixture.PAYER}/report.json`)!,
    ) as Report;
    const owner = report.periods[0]!.accounts.find((a) => a.accountId === fixture.OWNER)!;
    expect(Number(owner.ownerCost)).toBe(45);
    expect(summaryPublishes()).toHaveLength(1);
    expect(alertPublishes()).toHaveLength(0);
  });

  it('logs of a full run and of a failed run carry ids and counts only: no amount, commitment ARN or line-item text', async () => {
    const { result: ok, lines: okLines } = await captureLogs(() => deliver(csv('10')));
    expect(ok.status).toBe('SUCCEEDED');
    const report = JSON.parse(
      s3.text(fixture.REPORTS, `reports/2025-10/${fixture.PAYER}/report.json`)!,
    ) as Report;
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
