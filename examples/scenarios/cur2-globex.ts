import { arn, type CurScenario } from './scenario-types.js';

const partition = 'aws';
const region = 'us-west-2';

/** Payer; owns the Savings Plan. */
export const GLOBEX_PAYER = '444455556666';
/** Owns the EC2 RI; runs its instances inside the ML account's Capacity Reservation. */
export const GLOBEX_PLATFORM = '666677778888';
/** Uses the RI and the Savings Plan; unused CR capacity billing is assigned to it. */
export const GLOBEX_ANALYTICS = '077788899900';
/** Owns the shared Capacity Reservation. */
export const GLOBEX_ML = '888899990000';

export const GLOBEX_RI_ARN = arn(
  partition,
  'ec2',
  region,
  GLOBEX_PLATFORM,
  'reserved-instances/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
);
export const GLOBEX_SP_ARN = arn(
  partition,
  'savingsplans',
  '',
  GLOBEX_PAYER,
  'savingsplan/3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
);
export const GLOBEX_CR_ARN = arn(
  partition,
  'ec2',
  region,
  GLOBEX_ML,
  'capacity-reservation/cr-0f1e2d3c4b5a69788',
);

const EC2 = { productCode: 'AmazonEC2', productName: 'Amazon Elastic Compute Cloud' } as const;
const SP_PRODUCT = {
  productCode: 'ComputeSavingsPlans',
  productName: 'Savings Plans for AWS Compute usage',
} as const;

/**
 * Organization 2 (payer 444455556666), CUR 2.0 (Data Exports), October 2025, final.
 *
 * - EC2 RI r6i.large, partial upfront: USD 892.80 upfront (0.10/h amortized: 74.40 a month) +
 *   0.05/h recurring (37.20 a month); 700 h used by the analytics account (0.15/h effective =
 *   105.00), 44 h unused (4.40 + 2.20 on the RIFee).
 * - Compute Savings Plan bought by the payer, USD 2.00/h (1.00 upfront, 1.00 recurring): 1488.00
 *   committed, 1450.00 used (1200.00 analytics, 250.00 platform), 38.00 unused.
 * - Capacity Reservation for 1 × g5.2xlarge (USD 1.212/h) owned by the ML account, unused capacity
 *   billing assigned to analytics: 500 h run by the platform account's instance, 244 h unused.
 *   The capacity_reservation_* columns label all three kinds of line (AWS fills them from 2025-11;
 *   they are set here to show that a label never moves a cost).
 */
export const CUR2_GLOBEX: CurScenario = {
  format: 'cur2',
  reportName: 'globex-cur2',
  payer: { id: GLOBEX_PAYER, name: 'Globex Inc' },
  linked: [
    { id: GLOBEX_PLATFORM, name: 'globex-platform' },
    { id: GLOBEX_ANALYTICS, name: 'globex-analytics' },
    { id: GLOBEX_ML, name: 'globex-ml' },
  ],
  billingPeriod: '2025-10',
  invoiceId: '2375218711',
  currency: 'USD',
  partition,
  region,
  lines: [
    {
      account: GLOBEX_PLATFORM,
      type: 'Fee',
      billType: 'Purchase',
      ...EC2,
      usageType: 'HeavyUsage:r6i.large',
      operation: 'RunInstances',
      description: 'Sign up charge for subscription: 733012845, planId: 2840211',
      usageAmount: '1',
      rate: '892.8000000000',
      unblendedCost: '892.8000000000',
      ri: { arn: GLOBEX_RI_ARN },
    },
    {
      account: GLOBEX_PLATFORM,
      type: 'RIFee',
      ...EC2,
      usageType: 'HeavyUsage:r6i.large',
      operation: 'RunInstances',
      description: 'USD 0.05 hourly fee per Linux/UNIX (Amazon VPC), r6i.large instance',
      usageAmount: '744',
      rate: '0.0500000000',
      unblendedCost: '37.2000000000',
      instanceType: 'r6i.large',
      ri: {
        arn: GLOBEX_RI_ARN,
        amortizedUpfrontFeeForBillingPeriod: '74.4000000000',
        unusedAmortizedUpfrontFeeForBillingPeriod: '4.4000000000',
        unusedRecurringFee: '2.2000000000',
        unusedQuantity: '44',
      },
    },
    {
      account: GLOBEX_ANALYTICS,
      type: 'DiscountedUsage',
      ...EC2,
      usageType: 'USW2-BoxUsage:r6i.large',
      operation: 'RunInstances',
      availabilityZone: `${region}a`,
      resourceId: 'i-0c0ffee0c0ffee001',
      description: 'Linux/UNIX (Amazon VPC), r6i.large reserved instance applied',
      usageAmount: '700',
      rate: '0.0000000000',
      unblendedCost: '0.0000000000',
      instanceType: 'r6i.large',
      ri: {
        arn: GLOBEX_RI_ARN,
        effectiveCost: '105.0000000000',
        amortizedUpfrontCostForUsage: '70.0000000000',
        recurringFeeForUsage: '35.0000000000',
      },
      tags: { Name: 'trino-coordinator', project: 'bi' },
    },
    {
      account: GLOBEX_PAYER,
      type: 'SavingsPlanUpfrontFee',
      billType: 'Purchase',
      ...SP_PRODUCT,
      usageType: 'ComputeSP:1yrPartialUpfront',
      description: '1 year Partial Upfront Compute Savings Plan, USD 2.00 hourly commitment',
      usageAmount: '1',
      unblendedCost: '8760.0000000000',
      sp: { arn: GLOBEX_SP_ARN },
    },
    {
      account: GLOBEX_PAYER,
      type: 'SavingsPlanRecurringFee',
      ...SP_PRODUCT,
      usageType: 'ComputeSP:1yrPartialUpfront',
      description: 'Savings Plan recurring fee, USD 1.00 per hour',
      usageAmount: '744',
      rate: '1.0000000000',
      unblendedCost: '744.0000000000',
      sp: {
        arn: GLOBEX_SP_ARN,
        totalCommitmentToDate: '1488.0000000000',
        usedCommitment: '1450.0000000000',
        amortizedUpfrontCommitmentForBillingPeriod: '744.0000000000',
        recurringCommitmentForBillingPeriod: '744.0000000000',
      },
    },
    {
      account: GLOBEX_ANALYTICS,
      type: 'SavingsPlanCoveredUsage',
      ...EC2,
      usageType: 'USW2-BoxUsage:m6i.8xlarge',
      operation: 'RunInstances',
      availabilityZone: `${region}b`,
      resourceId: 'i-0dada0dada0dada01',
      description: 'USD 1.536 per On Demand Linux m6i.8xlarge Instance Hour',
      usageAmount: '1302.0833333333',
      rate: '1.5360000000',
      unblendedCost: '2000.0000000000',
      instanceType: 'm6i.8xlarge',
      sp: { arn: GLOBEX_SP_ARN, effectiveCost: '1200.0000000000', rate: '0.9216000000' },
      tags: { Name: 'trino-workers', project: 'bi' },
    },
    {
      account: GLOBEX_ANALYTICS,
      type: 'SavingsPlanNegation',
      ...EC2,
      usageType: 'USW2-BoxUsage:m6i.8xlarge',
      operation: 'RunInstances',
      availabilityZone: `${region}b`,
      description: `SavingsPlanNegation used by AccountId : ${GLOBEX_ANALYTICS} and UsageSku : 7QW2KD9XG3M5Z8RA`,
      usageAmount: '0',
      unblendedCost: '-2000.0000000000',
      sp: { arn: GLOBEX_SP_ARN },
    },
    {
      account: GLOBEX_PLATFORM,
      type: 'SavingsPlanCoveredUsage',
      productCode: 'AmazonECS',
      productName: 'Amazon Elastic Container Service',
      usageType: 'USW2-Fargate-vCPU-Hours:perCPU',
      operation: 'FargateTask',
      resourceId: arn(partition, 'ecs', region, GLOBEX_PLATFORM, 'task/api/0a1b2c3d4e5f'),
      description: 'AWS Fargate - vCPU - US West (Oregon)',
      usageAmount: '9861.2177',
      rate: '0.0405632000',
      unblendedCost: '400.0000000000',
      sp: { arn: GLOBEX_SP_ARN, effectiveCost: '250.0000000000' },
    },
    {
      account: GLOBEX_PLATFORM,
      type: 'SavingsPlanNegation',
      productCode: 'AmazonECS',
      productName: 'Amazon Elastic Container Service',
      usageType: 'USW2-Fargate-vCPU-Hours:perCPU',
      operation: 'FargateTask',
      description: `SavingsPlanNegation used by AccountId : ${GLOBEX_PLATFORM} and UsageSku : 3HXJ8N2K5V7P9Q4W`,
      usageAmount: '0',
      unblendedCost: '-400.0000000000',
      sp: { arn: GLOBEX_SP_ARN },
    },
    {
      account: GLOBEX_ML,
      type: 'Usage',
      ...EC2,
      usageType: 'USW2-Reservation:g5.2xlarge',
      operation: 'RunInstances:0002',
      availabilityZone: `${region}a`,
      resourceId: GLOBEX_CR_ARN,
      description: 'USD 0.0 per Reservation Linux g5.2xlarge Instance Hour',
      usageAmount: '744',
      rate: '0.0000000000',
      unblendedCost: '0.0000000000',
      instanceType: 'g5.2xlarge',
      cr: { arn: GLOBEX_CR_ARN, status: 'Reserved', type: 'ODCR' },
    },
    {
      account: GLOBEX_ANALYTICS,
      type: 'Usage',
      ...EC2,
      usageType: 'USW2-UnusedBox:g5.2xlarge',
      operation: 'RunInstances:0002',
      availabilityZone: `${region}a`,
      resourceId: GLOBEX_CR_ARN,
      description: 'USD 1.212 per Unused Reservation Linux g5.2xlarge Instance Hour',
      usageAmount: '244',
      rate: '1.2120000000',
      unblendedCost: '295.7280000000',
      instanceType: 'g5.2xlarge',
      cr: { arn: GLOBEX_CR_ARN, status: 'Unused', type: 'ODCR' },
    },
    {
      account: GLOBEX_PLATFORM,
      type: 'Usage',
      ...EC2,
      usageType: 'USW2-BoxUsage:g5.2xlarge',
      operation: 'RunInstances',
      availabilityZone: `${region}a`,
      resourceId: 'i-0feed0feed0feed01',
      description: 'USD 1.212 per On Demand Linux g5.2xlarge Instance Hour',
      usageAmount: '500',
      rate: '1.2120000000',
      unblendedCost: '606.0000000000',
      instanceType: 'g5.2xlarge',
      cr: { arn: GLOBEX_CR_ARN, status: 'Used', type: 'ODCR' },
      tags: { Name: 'inference', project: 'recommendations' },
    },
    {
      account: GLOBEX_PAYER,
      type: 'Usage',
      ...EC2,
      usageType: 'USW2-BoxUsage:t3.small',
      operation: 'RunInstances',
      availabilityZone: `${region}c`,
      resourceId: 'i-0bastion00000002',
      description: 'USD 0.0208 per On Demand Linux t3.small Instance Hour',
      usageAmount: '744',
      rate: '0.0208000000',
      unblendedCost: '15.4752000000',
      instanceType: 't3.small',
      tags: { Name: 'bastion' },
    },
    {
      account: GLOBEX_ML,
      type: 'Usage',
      productCode: 'AmazonS3',
      productName: 'Amazon Simple Storage Service',
      usageType: 'USW2-TimedStorage-ByteHrs',
      operation: 'StandardStorage',
      resourceId: 'globex-training-data',
      description: 'USD 0.023 per GB - first 50 TB / month of storage used',
      usageAmount: '4294.1492221',
      rate: '0.0230000000',
      unblendedCost: '98.7654321098',
      tags: { project: 'recommendations' },
    },
    {
      account: GLOBEX_ANALYTICS,
      type: 'Usage',
      productCode: 'AWSDataTransfer',
      productName: 'AWS Data Transfer',
      usageType: 'USW2-DataTransfer-Out-Bytes',
      operation: 'GetObject',
      description:
        'USD 0.09 per GB - first 10 TB / month data transfer out beyond the global free tier',
      usageAmount: '1000',
      rate: '0.0900000000',
      unblendedCost: '90.0000000000',
    },
    {
      account: GLOBEX_ANALYTICS,
      type: 'Credit',
      ...EC2,
      usageType: '',
      description: 'AWS Migration Acceleration Program credit',
      unblendedCost: '-30.0000000000',
    },
    {
      account: GLOBEX_PLATFORM,
      type: 'Refund',
      billType: 'Refund',
      productCode: 'AmazonCloudWatch',
      productName: 'AmazonCloudWatch',
      usageType: 'USW2-CW:Requests',
      description: 'Refund for CloudWatch API requests billed twice on 2025-09-30',
      unblendedCost: '-5.5500000000',
    },
    ...(
      [
        [GLOBEX_PAYER, '2.0000000000'],
        [GLOBEX_PLATFORM, '40.0000000000'],
        [GLOBEX_ANALYTICS, '20.0000000000'],
        [GLOBEX_ML, '10.0000000000'],
      ] as const
    ).map(([account, unblendedCost]) => ({
      account,
      type: 'Tax' as const,
      ...EC2,
      usageType: '',
      description: 'Tax for product code AmazonEC2',
      unblendedCost,
    })),
  ],
};
