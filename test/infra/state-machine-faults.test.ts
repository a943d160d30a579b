import { localMachine, runLocally, TaskFailure } from '../lambdas/helpers/local-state-machine.js';
import { type AslState, type Retrier, synthesizedMachine } from './state-machine-definition.js';
import { EXAMPLES, exampleConfig, iamStatements } from './synth-helpers.js';

/**
 * Faults of a run, read from the synthesized definition (both example configs): the Athena step
 * retries only the API's transient errors (a FAILED or CANCELLED query is terminal in Athena, so
 * Step Functions reports it as a task failure that no retrier names), the Lambda steps retry only
 * Lambda service errors, throttling and timeouts, and every other failure of every step goes to
 * one alert path that publishes to the alert topic and then fails the execution.
 */

/** Athena API errors that say "try again later", nothing about the query itself. */
const ATHENA_TRANSIENT = ['Athena.TooManyRequestsException', 'Athena.InternalServerException'];
/** Errors of the Lambda service (not of the function's code), retried by every Lambda step. */
const LAMBDA_SERVICE = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
/** Catch-alls a retrier must never name: they would retry bad input and failed queries. */
const CATCH_ALLS = ['States.ALL', 'States.TaskFailed'];
const LAMBDA_STEPS = {
  NormalizeDbr: 'normalize-dbr',
  AssembleReport: 'assemble-report',
  PublishReport: 'publish-report',
} as const;

const retried = (state: AslState): string[] => (state.Retry ?? []).flatMap((r) => r.ErrorEquals);

/** Worst-case seconds a retrier waits in total: interval × (1 + rate + rate² …). */
const totalWait = (r: Retrier): number => {
  let sum = 0;
  for (let i = 0; i < (r.MaxAttempts ?? 3); i++)
    sum += (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** i;
  return sum;
};

describe.each(EXAMPLES)('state machine faults (%s)', (name) => {
  const config = exampleConfig(name);
  const { definition, alertTopicId, functionIds, template } = synthesizedMachine(config);
  const states = definition.States;
  const state = (id: string): AslState => {
    const s = states[id];
    if (s === undefined) throw new Error(`no state ${id}`);
    return s;
  };

  it('runs the ledger query with the .sync integration and retries only transient Athena API errors, with backoff', () => {
    const query = state('RunLedgerQuery');
    expect(query.Resource).toBe(`arn:${config.partition}:states:::athena:startQueryExecution.sync`);
    expect(retried(query).sort()).toEqual([...ATHENA_TRANSIENT].sort());
    for (const retrier of query.Retry ?? []) {
      expect(retrier.BackoffRate).toBeGreaterThanOrEqual(2);
      expect(retrier.IntervalSeconds).toBeGreaterThanOrEqual(1);
      expect(retrier.MaxAttempts).toBeGreaterThanOrEqual(1);
      expect(retrier.MaxAttempts).toBeLessThanOrEqual(5);
      // 30 s × (1 + 2 + 4 + 8) = 450 s: the retries fit in the run's 2 h with room for the query.
      expect(totalWait(retrier)).toBeLessThan(
        definition.TimeoutSeconds ?? Number.POSITIVE_INFINITY,
      );
    }
    expect(query.TimeoutSeconds).toBeLessThan(definition.TimeoutSeconds!);
  });

  it.each(Object.keys(LAMBDA_STEPS) as (keyof typeof LAMBDA_STEPS)[])(
    '%s invokes its function and retries Lambda service errors and timeouts only, with backoff',
    (step) => {
      const task = state(step);
      expect(task.Resource).toBe(`{{${functionIds[LAMBDA_STEPS[step]]}.Arn}}`);
      expect(retried(task)).toEqual(expect.arrayContaining(LAMBDA_SERVICE));
      expect(retried(task).filter((e) => !LAMBDA_SERVICE.includes(e))).toEqual(['States.Timeout']);
      for (const retrier of task.Retry ?? []) {
        expect(retrier.BackoffRate).toBeGreaterThanOrEqual(2);
        expect(retrier.MaxAttempts).toBeLessThanOrEqual(6);
      }
    },
  );

  it('sends every other failure of every working step to the alert path, with the error kept', () => {
    const tasks = Object.entries(states).filter(
      ([id, s]) => s.Type === 'Task' && id !== 'AlertFailure',
    );
    expect(tasks.map(([id]) => id).sort()).toEqual(
      ['AssembleReport', 'NormalizeDbr', 'PublishReport', 'RunLedgerQuery'].sort(),
    );
    for (const [, task] of tasks) {
      expect(retried(task).filter((e) => CATCH_ALLS.includes(e))).toEqual([]);
      // One catcher, for everything: no error can leave a step without an alert.
      expect(task.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'AlertFailure' },
      ]);
    }
  });

  it('alert path: publishes to the alert topic (retried), then fails the execution', () => {
    const alert = state('AlertFailure');
    expect(alert.Resource).toBe(`arn:${config.partition}:states:::sns:publish`);
    expect(alert.Parameters).toMatchObject({
      TopicArn: `{{Ref:${alertTopicId}}}`,
      Subject: 'whopays run failed',
      Message: {
        'execution.$': '$$.Execution.Name',
        'error.$': '$.error.Error',
        'cause.$': '$.error.Cause',
      },
    });
    expect(alert.ResultPath).toBeNull();
    expect(alert.Catch).toBeUndefined();
    expect(retried(alert)).toEqual(['States.TaskFailed']);
    expect(alert.Next).toBe('RunFailed');
    expect(state('RunFailed')).toEqual({ Type: 'Fail', Error: 'WhopaysRunFailed' });
    // The state machine's role may publish there (and use the topic's key).
    const publish = iamStatements(template).find(
      (s) =>
        JSON.stringify(s.Action) === '"sns:Publish"' &&
        JSON.stringify(s.Resource) === JSON.stringify({ Ref: alertTopicId }),
    );
    expect(publish).toBeDefined();
  });

  it('reaches the alert path only through a catch, and success only after publishing', () => {
    const nexts = Object.entries(states).flatMap(([id, s]) =>
      [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)]
        .filter((n): n is string => n !== undefined)
        .map((n) => [id, n] as const),
    );
    expect(nexts.filter(([, n]) => n === 'AlertFailure')).toEqual([]);
    expect(nexts.filter(([, n]) => n === 'RunFailed')).toEqual([['AlertFailure', 'RunFailed']]);
    expect(nexts.filter(([, n]) => state(n).Type === 'Succeed')).toEqual([
      ['PublishReport', 'Done'],
    ]);
    // Every state is reachable from the start, and every path ends in Done or RunFailed.
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const s = state(id);
      for (const next of [
        s.Next,
        s.Default,
        ...(s.Choices ?? []).map((c) => c.Next),
        ...(s.Catch ?? []).map((c) => c.Next),
      ]) {
        if (next !== undefined) visit(next);
      }
      if (s.Next === undefined && s.Default === undefined) {
        expect(['Succeed', 'Fail']).toContain(s.Type);
      }
    };
    visit(definition.StartAt);
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
  });
});

/**
 * The same definitions run in aws-local-stepfunctions, a maintained ASL interpreter: its own
 * Choice, Retry and Catch rules decide the path, with every Task stubbed to succeed or to fail
 * with one error name. What the service integrations do is not modelled here (chain tests).
 */
describe.each(EXAMPLES)('state machine paths in a real ASL interpreter (%s)', (name) => {
  const { definition } = synthesizedMachine(exampleConfig(name));
  const input = (format: 'dbr' | 'cur2') => ({
    deliveryId: 'a'.repeat(32),
    format,
    query: { queryString: 'select 1', database: 'whopays', workGroup: 'whopays' },
  });
  /** Every task succeeds, except `failing`, which throws `error` on its first `times` attempts. */
  const tasks = (failing?: string, error = 'Error', times = Number.POSITIVE_INFINITY) => {
    let attempts = 0;
    const step = (state: string, result: unknown) => async () => {
      if (state === failing && attempts++ < times) throw new TaskFailure(error, 'injected');
      return result;
    };
    return {
      NormalizeDbr: step('NormalizeDbr', { status: 'written' }),
      // The .sync result's fields the ResultSelector reads (a missing one fails the state).
      RunLedgerQuery: step('RunLedgerQuery', {
        QueryExecution: {
          QueryExecutionId: 'q-1',
          Status: { State: 'SUCCEEDED' },
          Statistics: { DataScannedInBytes: 1 },
        },
      }),
      AssembleReport: step('AssembleReport', { status: 'written' }),
      PublishReport: step('PublishReport', { status: 'published' }),
      AlertFailure: step('AlertFailure', { MessageId: 'm-1' }),
    };
  };

  it('the interpreter accepts the definition (ASL structure and JSONPaths validated)', () => {
    expect(() => localMachine(definition)).not.toThrow();
  });

  it.each([
    ['dbr', ['IsDbr', 'NormalizeDbr', 'RunLedgerQuery', 'AssembleReport', 'PublishReport', 'Done']],
    ['cur2', ['IsDbr', 'RunLedgerQuery', 'AssembleReport', 'PublishReport', 'Done']],
  ] as const)('a %s delivery takes its path to Done', async (format, path) => {
    const execution = await runLocally(definition, tasks(), input(format), 'e');
    expect(execution).toMatchObject({ status: 'SUCCEEDED', path });
  });

  it.each(Object.keys(LAMBDA_STEPS) as (keyof typeof LAMBDA_STEPS)[])(
    '%s: a Lambda service error is retried and the run completes; a function error alerts at once',
    async (step) => {
      const retriedRun = await runLocally(
        definition,
        tasks(step, 'Lambda.TooManyRequestsException', 2),
        input('dbr'),
        'e',
      );
      expect(retriedRun.status).toBe('SUCCEEDED');
      expect(retriedRun.path.filter((s) => s === step)).toHaveLength(3);

      const failed = await runLocally(definition, tasks(step, 'InputError'), input('dbr'), 'e');
      expect(failed).toMatchObject({ status: 'FAILED', error: 'WhopaysRunFailed' });
      expect(failed.path.filter((s) => s === step)).toHaveLength(1);
      expect(failed.path.slice(-2)).toEqual(['AlertFailure', 'RunFailed']);
    },
  );

  it('a query that FAILED is not retried; the alert is retried until SNS takes it', async () => {
    let alerts = 0;
    const execution = await runLocally(
      definition,
      {
        ...tasks('RunLedgerQuery', 'States.TaskFailed'),
        AlertFailure: async () => {
          if (++alerts < 2) throw new TaskFailure('SNS.InternalErrorException', 'injected');
          return { MessageId: 'm-1' };
        },
      },
      input('cur2'),
      'e',
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: 'WhopaysRunFailed' });
    expect(execution.path).toEqual([
      'IsDbr',
      'RunLedgerQuery',
      'AlertFailure',
      'AlertFailure',
      'RunFailed',
    ]);
  });
});
