/**
 * Every fact that differs between the `aws` and `aws-cn` partitions for this pipeline, in one place
 * (docs/PARTITIONS.md). Constructs read these facts from the validated config; nothing else
 * in lib/ branches on a partition name.
 */
export type PartitionName = 'aws' | 'aws-cn';

export interface PartitionFacts {
  readonly partition: PartitionName;
  /** Where Budgets, Cost Explorer and the legacy CUR API sign requests. */
  readonly billingRegion: string;
  /** Billing Conductor exists only in `aws`; in China billing groups come from the config. */
  readonly hasBillingConductor: boolean;
  /** X-Ray active tracing is missing for Lambda in China. */
  readonly hasLambdaXRay: boolean;
  /** Lambda arm64 is unconfirmed in China, so it is refused there. */
  readonly hasLambdaArm64: boolean;
  /** Default bill currency (DBR files carry none). */
  readonly defaultCurrency: string;
  /** Service principals that deliver billing files to a bucket (configurable: unverified in China). */
  readonly curDeliveryPrincipal: string;
  readonly dataExportsDeliveryPrincipal: string;
  /** The Data Exports API endpoint is confirmed (China: documented, endpoint unverified). */
  readonly dataExportsApiVerified: boolean;
}

const FACTS: Record<PartitionName, PartitionFacts> = {
  aws: {
    partition: 'aws',
    billingRegion: 'us-east-1',
    hasBillingConductor: true,
    hasLambdaXRay: true,
    hasLambdaArm64: true,
    defaultCurrency: 'USD',
    curDeliveryPrincipal: 'billingreports.amazonaws.com',
    dataExportsDeliveryPrincipal: 'bcm-data-exports.amazonaws.com',
    dataExportsApiVerified: true,
  },
  'aws-cn': {
    partition: 'aws-cn',
    billingRegion: 'cn-northwest-1',
    hasBillingConductor: false,
    hasLambdaXRay: false,
    hasLambdaArm64: false,
    defaultCurrency: 'CNY',
    curDeliveryPrincipal: 'billingreports.amazonaws.com',
    dataExportsDeliveryPrincipal: 'bcm-data-exports.amazonaws.com',
    dataExportsApiVerified: false,
  },
};

/** The partition a region belongs to (only the two partitions whopays deploys to). */
export const partitionOfRegion = (region: string): PartitionName =>
  region.startsWith('cn-') ? 'aws-cn' : 'aws';

export const partitionFacts = (partition: PartitionName): PartitionFacts => FACTS[partition];
