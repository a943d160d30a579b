import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefixes of whopays' own writes (with trailing slash, as the Lambdas join them). */
export const WORK_PREFIXES = {
  /** Normalized DBR files: `staging/dbr/payer=<id>/billing_period=YYYY-MM/`. */
  staging: 'staging/',
  reports: 'reports/',
  athenaResults: 'athena-results/',
} as const;

export interface WorkBucketProps {
  /** Key that encrypts everything whopays writes. */
  readonly encryptionKey: IKey;
  /**
   * Days Athena query results are kept (assemble-report reads them minutes after the query).
   * @default 14
   */
  readonly athenaResultsDays?: number;
  /**
   * Days normalized DBR files are kept (they are re-derived from the original on each delivery).
   * @default 400
   */
  readonly stagingDays?: number;
}

/**
 * The bucket that holds whopays' own writes: normalized DBR staging, reports and Athena results.
 * It is a different bucket from the billing bucket and carries no event notifications, so nothing
 * whopays writes can start the pipeline again.
 */
export class WorkBucket extends Construct {
  readonly bucket: IBucket;

  constructor(scope: Construct, id: string, props: WorkBucketProps) {
    super(scope, id);
    const athenaResultsDays = props.athenaResultsDays ?? 14;
    const stagingDays = props.stagingDays ?? 400;
    if (athenaResultsDays < 1 || stagingDays < 1) {
      throw new Error(
        `retention days must be at least 1, got athenaResultsDays=${athenaResultsDays} stagingDays=${stagingDays}`,
      );
    }
    const bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpireAthenaResults',
          prefix: WORK_PREFIXES.athenaResults,
          expiration: Duration.days(athenaResultsDays),
        },
        {
          id: 'ExpireStagedDbr',
          prefix: WORK_PREFIXES.staging,
          expiration: Duration.days(stagingDays),
        },
        { id: 'AbortUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the pipeline roles write here (staging, reports, Athena results); object-level auditing belongs in CloudTrail data events rather than a server access log bucket.',
    });
  }
}
