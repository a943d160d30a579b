import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { EXPECTED_SETS } from '../../examples/expected.js';
import { DBR_CHINA } from '../../examples/scenarios/dbr-china.js';
import { writeDbrFiles } from '../../examples/writers/dbr-files.js';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../lambdas/adapters/sns.js';
import { makeHandler as makeAssemble } from '../../lambdas/assemble-report/assemble-report.js';
import { LedgerRowSchema } from '../../lambdas/core/ledger.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { makeHandler as makeNormalize } from '../../lambdas/normalize-dbr/normalize-dbr.js';
import { makeHandler as makePublish } from '../../lambdas/publish-report/publish-report.js';
import type { SourceConfig, StartConfig } from '../../lambdas/shared/config.js';
import { RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { makeHandler as makeStart } from '../../lambdas/start-run/start-run.js';
import { s3ObjectCreated, sqsEvent } from '../fixtures/aws/deliveries.js';
import { synthesizedMachine } from '../infra/state-machine-definition.js';
import { exampleConfig } from '../infra/synth-helpers.js';
import { dbrGlueTable, glueRelation } from './helpers/glue-dbr-table.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { runLocally } from './helpers/local-state-machine.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import { athenaPages } from './helpers/pipeline-fixture.js';

/**
 * A China DBR delivered at the bucket root, through the synthesized aws-cn state machine in
 * aws-local-stepfunctions: start-run, NormalizeDbr, AssembleReport and PublishReport are the real
 * handlers; the Athena step reads the staged file as the DBR Glue table does (columns by position,
 * partitions from the staging key) on DuckDB. The report must carry the figures worked out by hand
 * for the example (examples/expected.ts).
 */

const partition = 'aws-cn';
const PAYER = DBR_CHINA.payer.id;
const CUR_BUCKET = 'cur-bucket';
const WORK = 'work-bucket';
const REPORTS = 'report-bucket';
const SOURCES: SourceConfig[] = [
  { format: 'dbr', prefix: '', payerAccountId: PAYER, currency: 'CNY', table: 'dbr' },
];
const startConfig: StartConfig = {
  stateMachineArn: `arn:${partition}:states:cn-northwest-1:111122223333:stateMachine:whopays`,
  database: 'whopays',
  workGroup: 'whopays',
  tables: { cur: undefined, cur2: undefined, dbr: 'dbr' },
  sources: SOURCES,
  stagingBucket: WORK,
  stagingPrefix: 'staging/',
};

describe('a root DBR delivery through the synthesized aws-cn state machine', () => {
  const { definition } = synthesizedMachine(exampleConfig('aws-cn'));
  const sfn = mockClient(SFNClient);
  const athena = mockClient(AthenaClient);
  const sns = mockClient(SNSClient);
  let s3: MemoryS3;
  let dir: string;

  beforeEach(async () => {
    s3 = new MemoryS3();
    dir = await mkdtemp(join(tmpdir(), 'whopays-chain-dbr-'));
    for (const mock of [sfn, athena, sns]) mock.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'e', startDate: new Date() });
    sns.on(PublishCommand).resolves({ MessageId: 'summary-1' });
  });
  afterEach(async () => {
    s3.restore();
    await rm(dir, { recursive: true, force: true });
  });

  /** The Athena step: the query over the staged file, read as the Glue table reads it. */
  const queryOnDuckDb = async (queryString: string, stagedKey: string): Promise<unknown> => {
    const [, payer, period] = /payer=(\d{12})\/billing_period=(\d{4}-\d{2})\//.exec(stagedKey)!;
    const file = join(dir, basename(stagedKey));
    await writeFile(file, s3.buffer(WORK, stagedKey)!);
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    try {
      await connection.run('create schema whopays');
      await connection.run(
        `create view whopays.dbr as select *, '${payer}' as payer, '${period}' as billing_period from ${glueRelation(dbrGlueTable(), file)}`,
      );
      const reader = await connection.runAndReadAll(queryString);
      const rows = reader.getRowObjectsJson().map((r) => LedgerRowSchema.parse(r));
      athenaPages(rows, 100).forEach((page) => {
        athena.on(GetQueryResultsCommand).resolves(page);
      });
    } finally {
      connection.closeSync();
    }
    return {
      QueryExecution: {
        QueryExecutionId: 'q-1',
        Status: { State: 'SUCCEEDED' },
        Statistics: { DataScannedInBytes: 1 },
      },
    };
  };

  it('normalizes, queries, assembles and publishes: the hand-worked China figures', async () => {
    // Prepare: the example China DBR, at the bucket root where AWS writes it.
    const zip = (await writeDbrFiles(DBR_CHINA, dir)).dbr;
    const key = basename(zip);
    const eTag = s3.put(CUR_BUCKET, key, await readFile(zip));
    const store = s3Store(newS3Client());
    const start = makeStart({ store, sfn: new SFNClient({}), config: startConfig });

    // Act: the S3 notification, then the execution start-run asked for.
    const started = await start(
      sqsEvent(partition, {
        messageId: 'm1',
        body: s3ObjectCreated(CUR_BUCKET, key, {
          eventTime: '2025-11-04T01:00:00.000Z',
          eTag,
          partition,
        }),
      }),
      lambdaContext,
    );
    expect(started).toEqual({ batchItemFailures: [] });
    const request = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    const runInput = RunInputSchema.parse(JSON.parse(request.input!));
    const normalize = makeNormalize({ s3: newS3Client() });
    const assemble = makeAssemble({
      athena: new AthenaClient({}),
      store,
      config: {
        reportBucket: REPORTS,
        reportPrefix: 'reports/',
        sources: SOURCES,
        billingGroups: undefined,
      },
    });
    const publish = makePublish({
      store,
      notifier: snsNotifier(
        new SNSClient({}),
        `arn:${partition}:sns:cn-northwest-1:111122223333:t`,
      ),
      reportBucket: REPORTS,
      reportPrefix: 'reports/',
      dryRun: true,
    });
    const execution = await runLocally(
      definition,
      {
        NormalizeDbr: async (state) => normalize(state, lambdaContext),
        RunLedgerQuery: async (parameters) =>
          queryOnDuckDb(
            (parameters as { QueryString: string }).QueryString,
            runInput.normalize!.targetKey,
          ),
        AssembleReport: async (state) => assemble(state, lambdaContext),
        PublishReport: async (state) => publish(state, lambdaContext),
        AlertFailure: async (parameters) => {
          throw new Error(`unexpected alert: ${JSON.stringify(parameters)}`);
        },
      },
      runInput,
      request.name!,
    );

    // Assess
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      path: ['IsDbr', 'NormalizeDbr', 'RunLedgerQuery', 'AssembleReport', 'PublishReport', 'Done'],
    });
    const report = JSON.parse(s3.text(REPORTS, `reports/2025-10/${PAYER}/report.json`)!) as Report;
    const expected = EXPECTED_SETS[0]!.period;
    const period = report.periods[0]!;
    const numbers = (
      accounts: readonly {
        accountId: string;
        usageCost: string;
        ownerCost: string;
        invoiceCost: string;
      }[],
    ) =>
      accounts
        .map((a) => [a.accountId, ...[a.usageCost, a.ownerCost, a.invoiceCost].map(Number)])
        .sort();
    expect(period.currency).toBe('CNY');
    expect(numbers(period.accounts)).toEqual(numbers(expected.accounts));
    expect(
      period.transfers.map((t) => [t.ownerAccountId, t.consumerAccountId, Number(t.cost)]).sort(),
    ).toEqual(
      expected.transfers.map((t) => [t.ownerAccountId, t.consumerAccountId, Number(t.cost)]).sort(),
    );
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
