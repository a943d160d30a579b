import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { makeHandler as makeAssemble } from '../../lambdas/assemble-report/assemble-report.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import type { Report } from '../../lambdas/core/report-model.js';
import type { StartConfig } from '../../lambdas/shared/config.js';
import { logger } from '../../lambdas/shared/logger.js';
import { type RunInput, RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import {
  cur1Keys,
  cur1Manifest,
  cur2Columns,
  cur2DataKey,
  cur2Manifest,
  cur2ManifestKey,
  dbrRootKey,
  type ExportLocation,
  s3ObjectCreated,
  s3TestEvent,
  sqsEvent,
} from '../fixtures/aws/deliveries.js';
import { CONSUMER, OWNER, runLedgerOnDuckDb, threeLineCsv } from './helpers/chain-fixture.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { newS3Client } from './helpers/memory-s3.js';
import { assembleConfig, athenaPages, LEDGER } from './helpers/pipeline-fixture.js';
import { startRunHarness } from './helpers/start-run-fixture.js';

/**
 * Deliveries in AWS's own shapes (test/fixtures/aws/deliveries.ts) through start-run, and for the
 * "create new version" layout through the ledger query on a DuckDB copy of the Glue table: what
 * a real organization's first month sends, not what our own mocks assumed.
 */

const partition = 'aws';
const CENTRAL = 'cur-bucket';
const PAYER = '012345678901';
/** Payer of another organization whose exports are replicated into CENTRAL. */
const ORG_B = '098765432109';
const EVENT_TIME = '2025-11-03T08:15:00.000Z';

const config: StartConfig = {
  stateMachineArn: `arn:${partition}:states:us-east-1:111122223333:stateMachine:whopays`,
  database: 'whopays',
  workGroup: 'whopays',
  tables: { cur: 'cur1_data', cur2: 'cur2_data', dbr: 'dbr_data' },
  sources: [
    { format: 'cur2', prefix: 'exports', reportName: 'whopays-cur2', payerAccountId: PAYER },
    { format: 'cur2', prefix: 'orgb/exports', reportName: 'orgb-cur2', payerAccountId: ORG_B },
    { format: 'cur', prefix: 'orgb/cur', reportName: 'orgb-daily', payerAccountId: ORG_B },
    { format: 'dbr', prefix: '', payerAccountId: PAYER, currency: 'CNY' },
  ],
  stagingBucket: 'work-bucket',
  stagingPrefix: 'whopays-staging/',
};

/** The S3 notification of `key` in `bucket`, inside one SQS message. */
const notification = (bucket: string, key: string, eTag = 'etag-1') =>
  sqsEvent(partition, {
    messageId: 'm1',
    body: s3ObjectCreated(bucket, key, { eventTime: EVENT_TIME, eTag, partition }),
  });

/** Sum of a ledger's usage_cost per usage account, as numbers (the figures are small and exact). */
const usageByAccount = (rows: readonly LedgerRow[]): Record<string, number> => {
  const sums: Record<string, number> = {};
  for (const row of rows) {
    const id = row.usage_account_id ?? '';
    sums[id] = (sums[id] ?? 0) + Number(row.usage_cost);
  }
  return sums;
};

describe('deliveries in AWS shapes, through start-run', () => {
  const { sfn, s3, handler } = startRunHarness(config);

  const started = () =>
    RunInputSchema.parse(
      JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!),
    );

  describe('replicated from another organization (defect 1)', () => {
    // Organization B's export writes to its own bucket; S3 replication copies every object, same
    // keys, into CENTRAL. The manifest still names B's bucket in each dataFiles URI.
    const source: ExportLocation = {
      bucket: 'orgb-billing',
      prefix: 'orgb/exports',
      exportName: 'orgb-cur2',
      period: '2025-10',
    };
    const received: ExportLocation = { ...source, bucket: CENTRAL };

    it('CUR 2.0: resolves the dataFiles in the bucket the event came from, whatever bucket they name', async () => {
      const data = [1, 2].map((n) => cur2DataKey(source, n, 'snappy.parquet'));
      const manifest = cur2Manifest(source, data, {
        executionId: '3695a728-1111-4c3b-9a70-0d6f1b2c3d4e',
        payer: ORG_B,
        partition,
        columns: cur2Columns(true),
      });
      // Only the replicated copies exist here: the source bucket is not readable.
      for (const key of data) s3().put(CENTRAL, key, 'parquet');
      s3().put(CENTRAL, cur2ManifestKey(received), JSON.stringify(manifest));

      const result = await handler()(
        notification(CENTRAL, cur2ManifestKey(received)),
        lambdaContext,
      );

      expect(result).toEqual({ batchItemFailures: [] });
      const input = started();
      expect(input).toMatchObject({
        format: 'cur2',
        payerAccountId: ORG_B,
        billingPeriod: '2025-10',
      });
      expect(input.query.queryString).toContain(
        `"$path" in ('s3://${CENTRAL}/${data[0]}', 's3://${CENTRAL}/${data[1]}')`,
      );
      expect(input.query.queryString).not.toContain('orgb-billing');
    });

    it('CUR 2.0: rebases keys written under another prefix onto the prefix the manifest was received under', async () => {
      const written: ExportLocation = { ...source, prefix: 'billing/v2' };
      const data = [cur2DataKey(written, 1, 'snappy.parquet')];
      const manifest = cur2Manifest(written, data, {
        executionId: 'e-2',
        payer: ORG_B,
        partition,
        columns: cur2Columns(true),
      });
      const copy = cur2DataKey(received, 1, 'snappy.parquet');
      s3().put(CENTRAL, copy, 'parquet');
      s3().put(CENTRAL, cur2ManifestKey(received), JSON.stringify(manifest));

      const result = await handler()(
        notification(CENTRAL, cur2ManifestKey(received)),
        lambdaContext,
      );

      expect(result).toEqual({ batchItemFailures: [] });
      expect(started().query.queryString).toContain(`"$path" in ('s3://${CENTRAL}/${copy}')`);
    });

    it('CUR 1: resolves reportKeys in the received bucket, whatever the manifest `bucket` says', async () => {
      const at = {
        bucket: 'orgb-billing',
        prefix: 'orgb/cur',
        reportName: 'orgb-daily',
        period: '2025-10',
      };
      const keys = cur1Keys(at);
      const manifest = cur1Manifest(at, [keys.data(1)], {
        assemblyId: '6a8d7c0e-5f44-4c3b-9a70-0d6f1b2c3d4e',
        payer: ORG_B,
        includeResources: true,
      });
      s3().put(CENTRAL, keys.data(1), 'parquet');
      s3().put(CENTRAL, keys.manifest, JSON.stringify(manifest));

      const result = await handler()(notification(CENTRAL, keys.manifest), lambdaContext);

      expect(result).toEqual({ batchItemFailures: [] });
      const input = started();
      expect(input).toMatchObject({ format: 'cur', payerAccountId: ORG_B });
      expect(input.query.queryString).toContain(`"$path" in ('s3://${CENTRAL}/${keys.data(1)}')`);
    });

    it('still refuses a manifest whose files are not in the received bucket (replication not finished)', async () => {
      const data = [cur2DataKey(source, 1, 'snappy.parquet')];
      const manifest = cur2Manifest(source, data, {
        executionId: 'e-3',
        payer: ORG_B,
        partition,
        columns: cur2Columns(true),
      });
      s3().put('orgb-billing', data[0]!, 'parquet');
      s3().put(CENTRAL, cur2ManifestKey(received), JSON.stringify(manifest));

      const result = await handler()(
        notification(CENTRAL, cur2ManifestKey(received)),
        lambdaContext,
      );

      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    });
  });

  describe('"create new version" exports (defect 5)', () => {
    const at: ExportLocation = {
      bucket: CENTRAL,
      prefix: 'exports',
      exportName: 'whopays-cur2',
      period: '2025-10',
    };
    const first = { executedAt: '2025-11-02T20:16:37.306Z', executionId: 'exec-1' };
    const second = { executedAt: '2025-11-03T08:10:02.114Z', executionId: 'exec-2' };
    const RI = `arn:${partition}:ec2:us-east-1:${OWNER}:reserved-instances/ri-0001`;

    it('reads exactly the files the manifest lists: a month refreshed twice is counted once', async () => {
      // Two refreshes of October below the same partition: the first with OWNER's usage at 7,
      // the second (the manifest's) at 10. Expected from the second alone (chain.test.ts):
      // usage basis OWNER 10 + RI fee 5 = 15, CONSUMER 30. Both versions summed would give
      // OWNER 7 + 5 + 10 + 5 = 27, CONSUMER 60.
      const oldKey = cur2DataKey(at, 1, 'csv', first);
      const newKey = cur2DataKey(at, 1, 'csv', second);
      s3().put(CENTRAL, oldKey, threeLineCsv(RI, '7'));
      s3().put(CENTRAL, newKey, threeLineCsv(RI, '10'));
      const manifest = cur2Manifest(at, [newKey], {
        executionId: second.executionId,
        payer: PAYER,
        partition,
        columns: cur2Columns(true),
      });
      s3().put(CENTRAL, cur2ManifestKey(at), JSON.stringify(manifest));

      const result = await handler()(notification(CENTRAL, cur2ManifestKey(at)), lambdaContext);
      expect(result).toEqual({ batchItemFailures: [] });
      const rows = await runLedgerOnDuckDb(started().query.queryString, s3());

      expect(usageByAccount(rows)).toEqual({ [OWNER]: 15, [CONSUMER]: 30 });
    });

    it('refuses, with one clear problem, a manifest listing more files than a run input can name', async () => {
      const keys = Array.from({ length: 2500 }, (_, i) =>
        cur2DataKey(at, i + 1, 'snappy.parquet', second),
      );
      for (const key of keys) s3().put(CENTRAL, key, 'p');
      const manifest = cur2Manifest(at, keys, {
        executionId: second.executionId,
        payer: PAYER,
        partition,
        columns: cur2Columns(true),
      });
      s3().put(CENTRAL, cur2ManifestKey(at), JSON.stringify(manifest));
      const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      const result = await handler()(notification(CENTRAL, cur2ManifestKey(at)), lambdaContext);
      const problems = errors.mock.calls.map(
        (call) => (call as unknown as [string, { problem: string }])[1],
      );
      errors.mockRestore();

      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.problem).toMatch(
        /^manifest lists 2500 files: the query naming them would be \d+ bytes, over the 200000/,
      );
    });
  });

  it('DBR at the bucket root (defect 4): starts a run and stages the gzip copy', async () => {
    const key = dbrRootKey(PAYER, '2025-10', 'ACTS');

    const result = await handler()(notification(CENTRAL, key), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    const input = started();
    expect(input).toMatchObject({ format: 'dbr', payerAccountId: PAYER, source: { key } });
    expect(input.normalize).toEqual({
      targetBucket: 'work-bucket',
      targetKey: `whopays-staging/dbr/payer=${PAYER}/billing_period=2025-10/${key.replace(/\.zip$/, '.gz')}`,
    });
  });

  it("acks S3's s3:TestEvent (sent when the notification is configured): no run, no retry", async () => {
    const result = await handler()(
      sqsEvent(partition, { messageId: 't1', body: s3TestEvent(CENTRAL) }),
      lambdaContext,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('resource ids (defect 10): a delivery without them warns that Capacity Reservation attribution is off', () => {
  const { sfn, s3, handler } = startRunHarness(config);
  const athena = mockClient(AthenaClient);
  const at: ExportLocation = {
    bucket: CENTRAL,
    prefix: 'exports',
    exportName: 'whopays-cur2',
    period: '2025-10',
  };

  beforeEach(() => {
    athena.reset();
    athena.on(GetQueryResultsCommand).resolves(athenaPages(LEDGER, 10)[0]!);
  });

  const startWith = async (includeResources: boolean) => {
    const data = [cur2DataKey(at, 1, 'snappy.parquet')];
    s3().put(CENTRAL, data[0]!, 'parquet');
    const manifest = cur2Manifest(at, data, {
      executionId: 'e-1',
      payer: PAYER,
      partition,
      columns: cur2Columns(includeResources),
    });
    s3().put(CENTRAL, cur2ManifestKey(at), JSON.stringify(manifest));
    await handler()(notification(CENTRAL, cur2ManifestKey(at)), lambdaContext);
    return RunInputSchema.parse(
      JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!),
    );
  };

  /** The warnings of the report assemble-report writes for `input`. */
  const reportWarnings = async (input: RunInput): Promise<readonly string[]> => {
    const assemble = makeAssemble({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: assembleConfig,
    });
    await assemble(
      { ...input, athena: { QueryExecution: { QueryExecutionId: 'q-1' } } },
      lambdaContext,
    );
    const report = JSON.parse(
      s3().text(assembleConfig.reportBucket, `reports/2025-10/${PAYER}/report.json`)!,
    ) as Report;
    return report.periods.flatMap((p) => p.warnings);
  };

  it('CUR 2.0 without INCLUDE_RESOURCES: the run carries it and the report warns, naming the manifest', async () => {
    const input = await startWith(false);
    expect(input.withoutResourceIds).toBe(true);
    const warnings = await reportWarnings(input);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^s3://${CENTRAL}/${cur2ManifestKey(at)}: .*Capacity Reservation attribution is off`,
        ),
      ),
    ]);
  });

  it('CUR 2.0 with INCLUDE_RESOURCES: no warning', async () => {
    const input = await startWith(true);
    expect(input.withoutResourceIds).toBeUndefined();
    expect(await reportWarnings(input)).toEqual([]);
  });

  it('CUR 1 without the RESOURCES schema element: the run carries it', async () => {
    const cur1 = {
      bucket: CENTRAL,
      prefix: 'orgb/cur',
      reportName: 'orgb-daily',
      period: '2025-10',
    };
    const keys = cur1Keys(cur1);
    s3().put(CENTRAL, keys.data(1), 'parquet');
    s3().put(
      CENTRAL,
      keys.manifest,
      JSON.stringify(
        cur1Manifest(cur1, [keys.data(1)], {
          assemblyId: 'a-1',
          payer: ORG_B,
          includeResources: false,
        }),
      ),
    );
    await handler()(notification(CENTRAL, keys.manifest), lambdaContext);
    const input = RunInputSchema.parse(
      JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!),
    );
    expect(input.withoutResourceIds).toBe(true);
  });
});
