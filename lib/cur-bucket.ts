import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CurSourceConfig } from './config.js';

export interface CurBucketProps {
  /**
   * Name of an existing bucket that already receives the billing files.
   * @default - a new bucket is created
   */
  readonly existingBucketName?: string;
  /** The billing sources delivered to this bucket (prefix, format, payer). */
  readonly sources: readonly CurSourceConfig[];
  /** Service principal of legacy CUR delivery (`billingreports.amazonaws.com`). */
  readonly curDeliveryPrincipal: string;
  /** Service principal of Data Exports delivery (`bcm-data-exports.amazonaws.com`). */
  readonly dataExportsDeliveryPrincipal: string;
  /** Region the billing services run in: us-east-1 (aws) or cn-northwest-1 (aws-cn). */
  readonly billingRegion: string;
  /**
   * Days a replaced version of a billing file is kept. AWS rewrites the open month's files up to
   * three times a day, so 30 days kept about 90 copies of every month; 3 days keeps about 9,
   * enough to restore a bad delivery that an alarm reported over a weekend. Runs read the current
   * objects minutes after their manifest arrives and never need an old version.
   * @default 3
   */
  readonly noncurrentVersionDays?: number;
}

/**
 * The bucket that AWS billing delivers CUR 1, CUR 2.0 and DBR files to: created (SSE-S3, SSL only,
 * public access blocked, versioned, delivery policy scoped to the source prefixes and payer
 * accounts) or imported by name, in which case its policy is the owner's business.
 *
 * SSE-S3 rather than SSE-KMS: billing delivery services write with their own credentials and do not
 * document KMS key grants, so a KMS default key would make deliveries fail silently.
 */
export class CurBucket extends Construct {
  readonly bucket: IBucket;

  constructor(scope: Construct, id: string, props: CurBucketProps) {
    super(scope, id);
    const noncurrentVersionDays = props.noncurrentVersionDays ?? 3;
    if (props.sources.length === 0) {
      throw new Error('sources must list at least one billing source');
    }

    if (props.existingBucketName !== undefined) {
      this.bucket = Bucket.fromBucketName(this, 'Imported', props.existingBucketName);
      Annotations.of(this).addInfo(
        `bucket ${props.existingBucketName} is imported: its delivery policy and encryption are not managed here (docs/deploying.md)`,
      );
      return;
    }

    const bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'ExpireReplacedBillingFiles',
          noncurrentVersionExpiration: Duration.days(noncurrentVersionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // Billing history cannot be re-delivered for closed years: never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;

    const stack = Stack.of(this);
    const payers = [...new Set(props.sources.map((s) => s.payerAccountId))];
    const sourceArns = props.sources.flatMap((source) => {
      const arn = (service: string, resource: string) =>
        stack.formatArn({
          service,
          region: props.billingRegion,
          account: source.payerAccountId,
          resource,
          resourceName: '*',
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        });
      if (source.format === 'cur') return [arn('cur', 'definition')];
      if (source.format === 'cur2' || source.format === 'focus')
        return [arn('bcm-data-exports', 'export'), arn('cur', 'export')];
      return [];
    });
    const deliveryPrincipals = [
      new ServicePrincipal(props.curDeliveryPrincipal),
      new ServicePrincipal(props.dataExportsDeliveryPrincipal),
    ];
    const conditions = {
      StringEquals: { 'aws:SourceAccount': payers },
      ArnLike: { 'aws:SourceArn': [...new Set(sourceArns)] },
    };
    if (sourceArns.length > 0) {
      bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'BillingDeliveryReadsBucketPolicy',
          principals: deliveryPrincipals,
          actions: ['s3:GetBucketAcl', 's3:GetBucketPolicy'],
          resources: [bucket.bucketArn],
          conditions,
        }),
      );
      // Every object of the bucket, as AWS's documented policy grants it (`<bucket>/*`: Data
      // Exports user guide, "Setting up an Amazon S3 bucket for data exports"): at export creation
      // the service writes a test object at the bucket root, which a policy limited to the source
      // prefixes refuses. SourceAccount/SourceArn keep it to the configured payers' own reports and
      // exports.
      bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'BillingDeliveryWrites',
          principals: deliveryPrincipals,
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects('*')],
          conditions,
        }),
      );
    }
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Billing files are written only by AWS billing services and read by the pipeline roles; object-level auditing belongs in CloudTrail data events, not in a second log bucket per stack.',
    });
  }
}
