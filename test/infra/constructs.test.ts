import { App, Duration, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { IngestTrigger, notificationFilters } from '../../lib/ingest-trigger.js';
import { PipelineFunction } from '../../lib/pipeline-function.js';
import { WorkBucket } from '../../lib/work-bucket.js';
import { PROJECT_ROOT } from './synth-helpers.js';

const stack = () =>
  new Stack(new App(), 'Test', { env: { account: '111122223333', region: 'us-east-1' } });

describe('construct validation', () => {
  it('fails when two sources would give S3 overlapping notification filters', () => {
    const scope = stack();
    const source = {
      id: 'a',
      format: 'cur2' as const,
      prefix: 'billing',
      reportName: 'x',
      payerAccountId: '111122223333',
    };
    expect(
      () =>
        new IngestTrigger(scope, 'Trigger', {
          bucket: new Bucket(scope, 'Bucket'),
          sources: [source, { ...source, id: 'b' }],
          encryptionKey: new Key(scope, 'Key'),
          consumerTimeout: Duration.minutes(1),
        }),
    ).toThrow(/sources overlap: notification filters billing\/x\/metadata\/\*x-Manifest\.json/);
  });

  it('fails when maxReceiveCount is below 1', () => {
    const scope = stack();
    expect(
      () =>
        new IngestTrigger(scope, 'Trigger', {
          bucket: new Bucket(scope, 'Bucket'),
          sources: [{ id: 'a', format: 'dbr', prefix: 'dbr', payerAccountId: '111122223333' }],
          encryptionKey: new Key(scope, 'Key'),
          consumerTimeout: Duration.minutes(1),
          maxReceiveCount: 0,
        }),
    ).toThrow(/maxReceiveCount must be at least 1, got 0/);
  });

  it('fails when a function runtime is not pinned to nodejs22.x or later', () => {
    expect(
      () =>
        new PipelineFunction(stack(), 'Fn', {
          functionName: 'start-run',
          projectRoot: PROJECT_ROOT,
          runtimeName: 'nodejs20.x',
          architectureName: 'x86_64',
          logRetention: RetentionDays.ONE_MONTH,
        }),
    ).toThrow(/runtime must be pinned to nodejs22.x or later, got "nodejs20.x"/);
  });

  it('fails when a retention is below one day', () => {
    const scope = stack();
    expect(
      () =>
        new WorkBucket(scope, 'Work', {
          encryptionKey: new Key(scope, 'Key'),
          athenaResultsDays: 0,
        }),
    ).toThrow(/retention days must be at least 1, got athenaResultsDays=0/);
  });

  it('derives the CUR 1 filter from the report name: the date-folder manifest', () => {
    expect(
      notificationFilters({
        id: 'c',
        format: 'cur',
        prefix: 'p',
        reportName: 'r',
        payerAccountId: '111122223333',
      }),
    ).toEqual([{ prefix: 'p/r/', suffix: 'r-Manifest.json' }]);
  });
});
