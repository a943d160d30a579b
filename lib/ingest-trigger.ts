import { Aws, Duration } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BucketNotificationDestinationType,
  EventType,
  type IBucket,
  type IBucketNotificationDestination,
} from 'aws-cdk-lib/aws-s3';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CurSourceConfig } from './config.js';
import { notificationFilters, sourceKeyPrefix } from './notification-filters.js';

export { notificationFilters, sourceKeyPrefix };

export interface IngestTriggerProps {
  /** The bucket billing files are delivered to. */
  readonly bucket: IBucket;
  /** The configured sources: each adds the notification filters of its format. */
  readonly sources: readonly CurSourceConfig[];
  /** Key that encrypts the queues (S3 is allowed to use it to send). */
  readonly encryptionKey: IKey;
  /** Timeout of the function that consumes the queue; the visibility timeout is 6 times it. */
  readonly consumerTimeout: Duration;
  /**
   * Deliveries received this many times without success go to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * Delivery trigger: S3 notifications for manifests and DBR files → an encrypted SQS queue with a
 * dead-letter queue → the start function (batch item failures reported, so one bad delivery does
 * not retry the whole batch).
 */
export class IngestTrigger extends Construct {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: IngestTriggerProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (maxReceiveCount < 1) {
      throw new Error(`maxReceiveCount must be at least 1, got ${maxReceiveCount}`);
    }
    const filters = props.sources.flatMap(notificationFilters);
    // S3 rejects overlapping filters at deploy time; fail at synth with the culprits instead.
    for (const a of filters) {
      for (const b of filters) {
        if (a === b || a.prefix === undefined || b.prefix === undefined) continue;
        const prefixesOverlap = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
        const suffixesOverlap =
          (a.suffix ?? '').endsWith(b.suffix ?? '') || (b.suffix ?? '').endsWith(a.suffix ?? '');
        if (prefixesOverlap && suffixesOverlap) {
          throw new Error(
            `sources overlap: notification filters ${a.prefix}*${a.suffix} and ${b.prefix}*${b.suffix} match the same keys; give each source its own prefix`,
          );
        }
      }
    }

    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
    });
    // S3 sends notifications with its own identity, for this bucket only: it may send to the
    // queue and use the queue's key (S3 user guide, "Granting permissions to publish event
    // notification messages to a destination"). CDK's SqsDestination would also add an
    // unconditioned s3.amazonaws.com grant on the key, usable from any bucket of any account,
    // so the destination below is bound by hand.
    const s3 = new ServicePrincipal('s3.amazonaws.com');
    const fromThisBucket = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': props.bucket.bucketArn },
    };
    queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'S3SendsNotifications',
        principals: [s3],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: fromThisBucket,
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'S3SendsEncryptedNotifications',
        principals: [s3],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromThisBucket,
      }),
    );
    const destination: IBucketNotificationDestination = {
      // The queue policy is part of the queue construct, so the notification waits for it.
      bind: () => ({
        arn: queue.queueArn,
        type: BucketNotificationDestinationType.QUEUE,
        dependencies: [queue],
      }),
    };
    for (const filter of filters) {
      props.bucket.addEventNotification(EventType.OBJECT_CREATED, destination, filter);
    }
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
  }

  /** Makes `fn` the consumer of the delivery queue. */
  bindConsumer(fn: IFunction): void {
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
      }),
    );
  }
}
