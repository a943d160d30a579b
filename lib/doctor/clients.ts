import { BCMDataExportsClient } from '@aws-sdk/client-bcm-data-exports';
import { CostAndUsageReportServiceClient } from '@aws-sdk/client-cost-and-usage-report-service';
import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { DeployConfig } from '../config.js';

/** The read-only clients `whopays doctor` calls, each in the region its API answers in. */
export interface DoctorClients {
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  readonly dataExports: BCMDataExportsClient;
  readonly cur: CostAndUsageReportServiceClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly lakeFormation: LakeFormationClient;
}

/**
 * Organizations, Data Exports and the legacy CUR API are global services answered in the
 * partition's billing region (us-east-1 / cn-northwest-1, docs/PARTITIONS.md; the SDK's
 * endpoint rules send Data Exports in `aws` to bcm-data-exports.us-east-1.api.aws whatever the
 * region). The stack's own resources (bucket, topics, catalog) are in the config's region.
 */
export const doctorClients = (config: DeployConfig): DoctorClients => {
  const billing = { region: config.facts.billingRegion, maxAttempts: 3 };
  const stack = { region: config.region, maxAttempts: 3 };
  return {
    sts: new STSClient(stack),
    organizations: new OrganizationsClient(billing),
    dataExports: new BCMDataExportsClient(billing),
    cur: new CostAndUsageReportServiceClient(billing),
    s3: new S3Client(stack),
    sns: new SNSClient(stack),
    lakeFormation: new LakeFormationClient(stack),
  };
};
