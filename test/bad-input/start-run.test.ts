import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import 'aws-sdk-client-mock-jest';
import type { StartConfig } from '../../lambdas/shared/config.js';
import { logger } from '../../lambdas/shared/logger.js';
import { RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import {
  BUCKET,
  DATA_KEYS,
  EVENT_CASES,
  EXPORT,
  encodeS3Key,
  MANIFEST_KEY,
  manifest,
  PREFIX,
  s3Event,
} from '../fixtures/bad/events.js';
import { lambdaContext } from '../lambdas/helpers/lambda-context.js';
import { startRunHarness } from '../lambdas/helpers/start-run-fixture.js';

// The delivery cases of the corpus through the start-run handler, on an in-memory S3.
const partition = 'aws-cn';
const PAYER = '012345678901';
const config: StartConfig = {
  stateMachineArn: `arn:${partition}:states:cn-northwest-1:111122223333:stateMachine:whopays`,
  database: 'whopays',
  workGroup: 'whopays',
  tables: { cur: 'cur1_data', cur2: 'cur2_data', dbr: 'dbr_data' },
  sources: [{ format: 'cur2', prefix: PREFIX, reportName: EXPORT, payerAccountId: PAYER }],
  stagingBucket: 'work-bucket',
  stagingPrefix: 'whopays-staging/',
};

const sqs = (...bodies: string[]) => ({
  Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })),
});

describe('start-run on the bad-input corpus', () => {
  const { sfn, s3, handler } = startRunHarness(config);

  afterEach(() => jest.restoreAllMocks());

  it.each(EVENT_CASES.map((c) => [c.name, c] as const))('handles %s', async (_name, c) => {
    // Prepare
    for (const [key, body] of Object.entries(c.objects)) s3().put(BUCKET, key, body);
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    // Act
    const result = await handler()(sqs(c.body), lambdaContext);
    // Assess
    if ('started' in c.expect) {
      expect(result).toEqual({ batchItemFailures: [] });
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
      const run = RunInputSchema.parse(JSON.parse(input.input!));
      expect(run.source.key).toBe(c.expect.started);
      expect(errors).not.toHaveBeenCalled();
    } else {
      // The message goes back to SQS (then the DLQ) with one error log naming file and problem.
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
      expect(errors).toHaveBeenCalledTimes(1);
      const [message, detail] = errors.mock.calls[0]! as unknown as [string, { problem: string }];
      expect(message).toMatch(/bad event/);
      expect(detail.problem).toMatch(c.expect.refused);
    }
  });

  it('keeps going after a bad message: the good ones of the batch still start', async () => {
    // Prepare
    s3().put(BUCKET, MANIFEST_KEY, manifest());
    for (const key of DATA_KEYS) s3().put(BUCKET, key, 'PAR1');
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const good = s3Event(encodeS3Key(MANIFEST_KEY));
    // Act
    const result = await handler()(sqs('not json', good, '{}'), lambdaContext);
    // Assess
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm2' }],
    });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('never logs the manifest body or the billing data, only the file and the problem', async () => {
    // Prepare
    s3().put(BUCKET, MANIFEST_KEY, `${manifest()} trailing-secret-line-item`);
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    // Act
    await handler()(sqs(s3Event(encodeS3Key(MANIFEST_KEY))), lambdaContext);
    // Assess
    expect(JSON.stringify(errors.mock.calls)).not.toContain('trailing-secret-line-item');
  });
});
