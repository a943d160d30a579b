import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import 'aws-sdk-client-mock-jest';
import type { StartConfig } from '../../lambdas/shared/config.js';
import { RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { fixtureText, lambdaContext, loadEvent } from './helpers/lambda-context.js';
import { startRunHandler, startRunHarness } from './helpers/start-run-fixture.js';

const partition = 'aws-cn';
const stateMachineArn = `arn:${partition}:states:cn-northwest-1:111122223333:stateMachine:whopays`;
const PAYER = '012345678901';

const config: StartConfig = {
  stateMachineArn,
  database: 'whopays',
  workGroup: 'whopays',
  tables: { cur: 'cur1_data', cur2: 'cur2_data', dbr: 'dbr_data' },
  sources: [
    { format: 'cur2', prefix: 'exports', reportName: 'whopays-cur2', payerAccountId: PAYER },
    { format: 'cur', prefix: 'cur', reportName: 'daily-cur', payerAccountId: PAYER },
    { format: 'dbr', prefix: 'dbr files+cn', payerAccountId: PAYER, currency: 'CNY' },
  ],
  stagingBucket: 'cur-bucket',
  stagingPrefix: 'whopays-staging/',
};

const CUR2_MANIFEST_KEY =
  'exports/whopays-cur2/metadata/BILLING_PERIOD=2025-10/whopays-cur2-Manifest.json';
const CUR2_DATA = [1, 2].map(
  (n) => `exports/whopays-cur2/data/BILLING_PERIOD=2025-10/whopays-cur2-0000${n}.snappy.parquet`,
);

describe('start-run', () => {
  const { sfn, s3, handler } = startRunHarness(config);

  const startedInput = (call = 0) => {
    const input = sfn.commandCalls(StartExecutionCommand)[call]!.args[0].input;
    return { name: input.name!, input: RunInputSchema.parse(JSON.parse(input.input!)) };
  };

  it('starts one run for a CUR 2.0 manifest with a URL-encoded key, after checking every listed file', async () => {
    // Prepare
    s3().put('cur-bucket', CUR2_MANIFEST_KEY, await fixtureText('cur2-manifest.json'));
    for (const key of CUR2_DATA) s3().put('cur-bucket', key, 'parquet');
    // Act
    const result = await handler()(await loadEvent('sqs-cur2-manifest.json'), lambdaContext);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const { name, input } = startedInput();
    expect(input).toMatchObject({
      format: 'cur2',
      payerAccountId: PAYER,
      billingPeriod: '2025-10',
      deliveredAt: '2025-11-03T08:15:00.000Z',
      source: { bucket: 'cur-bucket', key: CUR2_MANIFEST_KEY, etag: '0a1b2c3d4e5f' },
      query: { database: 'whopays', workGroup: 'whopays' },
    });
    expect(name).toBe(`cur2-${PAYER}-2025-10-${input.deliveryId}`);
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(input.query.queryString).toContain(
      `from (select * from "whopays"."cur2_data" where "billing_period" = '2025-10' and "$path" in (${CUR2_DATA.map((k) => `'s3://cur-bucket/${k}'`).join(', ')})) as cur_lines`,
    );
    expect(input.normalize).toBeUndefined();
  });

  it('treats a re-sent event as the same delivery: same execution name, duplicate is success', async () => {
    // Prepare
    s3().put('cur-bucket', CUR2_MANIFEST_KEY, await fixtureText('cur2-manifest.json'));
    for (const key of CUR2_DATA) s3().put('cur-bucket', key, 'parquet');
    const event = await loadEvent('sqs-cur2-manifest.json');
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'x', startDate: new Date() })
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    // Act
    const first = await handler()(event, lambdaContext);
    const second = await handler()(event, lambdaContext);
    // Assess
    expect(first).toEqual({ batchItemFailures: [] });
    expect(second).toEqual({ batchItemFailures: [] });
    expect(startedInput(0).name).toBe(startedInput(1).name);
  });

  it('reads the CUR 1 date-folder manifest and queries the year/month partition', async () => {
    s3().put(
      'cur-bucket',
      'cur/daily-cur/20251001-20251101/daily-cur-Manifest.json',
      await fixtureText('cur1-manifest.json'),
    );
    s3().put(
      'cur-bucket',
      'cur/daily-cur/daily-cur/year=2025/month=10/daily-cur-00001.snappy.parquet',
      'p',
    );

    const result = await handler()(await loadEvent('sqs-cur1-manifest.json'), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    const { input } = startedInput();
    expect(input).toMatchObject({
      format: 'cur',
      billingPeriod: '2025-10',
      source: { versionId: 'v1' },
    });
    expect(input.query.queryString).toContain(`"year" = '2025' and "month" in ('10')`);
  });

  it('decodes + and %XX in a DBR key and plans the gzip copy under the staging prefix', async () => {
    const result = await handler()(await loadEvent('sqs-dbr-url-encoded.json'), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    const { input } = startedInput();
    expect(input.source.key).toBe(
      `dbr files+cn/${PAYER}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip`,
    );
    expect(input).toMatchObject({ format: 'dbr', payerAccountId: PAYER, currency: 'CNY' });
    expect(input.normalize).toEqual({
      targetBucket: 'cur-bucket',
      targetKey: `whopays-staging/dbr/payer=${PAYER}/billing_period=2025-10/${PAYER}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.gz`,
    });
    expect(input.query.queryString).toContain(
      `"payer" = '${PAYER}' and "billing_period" = '2025-10'`,
    );
  });

  it('ignores the s3:TestEvent that S3 sends when notifications are set up', async () => {
    const result = await handler()(await loadEvent('sqs-s3-test-event.json'), lambdaContext);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('ignores objects that are not trigger objects (data files)', async () => {
    const result = await handler()(await loadEvent('sqs-other-object.json'), lambdaContext);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it.each([
    ['malformed manifest JSON', 'cur2-manifest-truncated.json'],
    ['a manifest without a dataFiles list', 'cur2-manifest-wrong-shape.json'],
  ])('sends %s to the DLQ path (batch item failure) without starting a run', async (_, file) => {
    s3().put('cur-bucket', CUR2_MANIFEST_KEY, await fixtureText(file));
    const result = await handler()(await loadEvent('sqs-cur2-manifest.json'), lambdaContext);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-cur2-1' }] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('refuses a manifest whose listed objects are missing', async () => {
    s3().put('cur-bucket', CUR2_MANIFEST_KEY, await fixtureText('cur2-manifest.json'));
    s3().put('cur-bucket', CUR2_DATA[0]!, 'parquet');
    const result = await handler()(await loadEvent('sqs-cur2-manifest.json'), lambdaContext);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-cur2-1' }] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('fails only the message whose run could not start (throttled StartExecution)', async () => {
    s3().put('cur-bucket', CUR2_MANIFEST_KEY, await fixtureText('cur2-manifest.json'));
    for (const key of CUR2_DATA) s3().put('cur-bucket', key, 'parquet');
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const cur2 = (await loadEvent('sqs-cur2-manifest.json')) as { Records: unknown[] };
    const test = (await loadEvent('sqs-s3-test-event.json')) as { Records: unknown[] };
    const result = await handler()({ Records: [...cur2.Records, ...test.Records] }, lambdaContext);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-cur2-1' }] });
  });

  it('refuses a delivery that matches no configured source', async () => {
    const handlerWithout = startRunHandler({
      ...config,
      sources: config.sources.filter((s) => s.format !== 'dbr'),
    });
    const result = await handlerWithout(await loadEvent('sqs-dbr-url-encoded.json'), lambdaContext);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-dbr-1' }] });
  });
});
