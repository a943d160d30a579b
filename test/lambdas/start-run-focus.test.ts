import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import 'aws-sdk-client-mock-jest';
import type { StartConfig } from '../../lambdas/shared/config.js';
import { RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { fixtureText, lambdaContext, loadEvent } from './helpers/lambda-context.js';
import { startRunHarness } from './helpers/start-run-fixture.js';

// A FOCUS export is delivered like CUR 2.0 (Data Exports: the same manifest layout); the configured
// source tells which it is, and the run queries the FOCUS table with the FOCUS ledger.
const PAYER = '012345678901';
const config: StartConfig = {
  stateMachineArn: 'arn:aws-cn:states:cn-northwest-1:111122223333:stateMachine:whopays',
  database: 'whopays',
  workGroup: 'whopays',
  tables: { cur2: 'cur2_data', focus: 'focus_data' },
  sources: [
    { format: 'cur2', prefix: 'exports', reportName: 'whopays-cur2', payerAccountId: PAYER },
    { format: 'focus', prefix: 'exports', reportName: 'whopays-focus', payerAccountId: PAYER },
  ],
  stagingBucket: 'cur-bucket',
  stagingPrefix: 'whopays-staging/',
};

/** The CUR 2.0 fixtures with the export renamed: a FOCUS export's event and manifest. */
const asFocus = (text: string): string => text.replaceAll('whopays-cur2', 'whopays-focus');

describe('start-run on a FOCUS export', () => {
  const { sfn, s3, handler } = startRunHarness(config);

  it('starts a focus run over the FOCUS table after checking the manifest files', async () => {
    // Prepare
    const manifestKey =
      'exports/whopays-focus/metadata/BILLING_PERIOD=2025-10/whopays-focus-Manifest.json';
    s3().put('cur-bucket', manifestKey, asFocus(await fixtureText('cur2-manifest.json')));
    for (const n of [1, 2]) {
      const key = `exports/whopays-focus/data/BILLING_PERIOD=2025-10/whopays-focus-0000${n}.snappy.parquet`;
      s3().put('cur-bucket', key, 'parquet');
    }
    const event = JSON.parse(asFocus(JSON.stringify(await loadEvent('sqs-cur2-manifest.json'))));
    // Act
    const result = await handler()(event, lambdaContext);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    const input = RunInputSchema.parse(JSON.parse(sent.input!));
    expect(input).toMatchObject({
      format: 'focus',
      payerAccountId: PAYER,
      billingPeriod: '2025-10',
    });
    expect(sent.name).toBe(`focus-${PAYER}-2025-10-${input.deliveryId}`);
    expect(input.query.queryString).toContain(
      `from (select * from "whopays"."focus_data" where "billing_period" = '2025-10'`,
    );
    expect(input.query.queryString).toContain('whopays-focus-00002.snappy.parquet');
    expect(input.query.queryString).toContain(') as focus_lines');
    // A FOCUS manifest has no CUR resource id column; FOCUS names a CR in its own columns.
    expect(input.withoutResourceIds).toBeUndefined();
  });
});
