import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { s3Store } from '../../../lambdas/adapters/s3-store.js';
import type { StartConfig } from '../../../lambdas/shared/config.js';
import { makeHandler } from '../../../lambdas/start-run/start-run.js';
import { MemoryS3, newS3Client } from './memory-s3.js';

/** start-run wired to the in-memory S3 and the mocked Step Functions client. */
export const startRunHandler = (config: StartConfig) =>
  makeHandler({ store: s3Store(newS3Client()), sfn: new SFNClient({}), config });

/**
 * The setup of a start-run describe block: a fresh in-memory S3 per test (`s3()`) and a mocked
 * Step Functions client whose every StartExecution succeeds, with no call left from an earlier test.
 */
export const startRunHarness = (config: StartConfig) => {
  const sfn = mockClient(SFNClient);
  let s3: MemoryS3 | undefined;
  beforeEach(() => {
    s3 = new MemoryS3();
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
  });
  afterEach(() => s3?.restore());
  return { sfn, s3: (): MemoryS3 => s3!, handler: () => startRunHandler(config) };
};
