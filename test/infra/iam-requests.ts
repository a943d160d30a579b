import type { RecordedCall } from '../lambdas/helpers/aws-calls.js';
import type { IamRequest } from './iam-model.js';

/** What the mapping of a call needs to know about the deployment. */
export interface CallContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The role the calling function runs as. */
  readonly role: string;
  /** Bucket name → ARN of its default KMS key (SSE-KMS buckets only). */
  readonly bucketKeys: ReadonlyMap<string, string>;
  /** Topic ARN → ARN of its KMS key. */
  readonly topicKeys: ReadonlyMap<string, string>;
  /** ARN of the Athena workgroup the function's queries run in (Athena calls name only ids). */
  readonly workGroupArn: string;
  /** Where the workgroup writes results, `s3://bucket/prefix/` (GetQueryResults reads them). */
  readonly athenaResults: string;
}

type Mapper = (
  input: Record<string, unknown>,
  c: CallContext,
  outcome: string,
) => Omit<IamRequest, 'principal' | 'why'>[];

const s3Object = (c: CallContext, input: Record<string, unknown>) =>
  `arn:${c.partition}:s3:::${input.Bucket as string}/${input.Key as string}`;

/** S3 with SSE-KMS uses the bucket key on the caller's behalf (S3 user guide, "SSE-KMS permissions"). */
const kmsFor = (c: CallContext, bucket: unknown, actions: readonly string[]) => {
  const key = c.bucketKeys.get(bucket as string);
  return key === undefined ? [] : actions.map((action) => ({ action, resource: key }));
};

/**
 * Reading a missing object answers 404 only to a caller who may also list the bucket; to any
 * other it answers 403, which the handlers cannot tell from a real refusal (S3 API reference,
 * GetObject and HeadObject: "If the object you request doesn't exist, the error that Amazon S3
 * returns depends on whether you also have the s3:ListBucket permission").
 */
const s3Get: Mapper = (input, c, outcome) => [
  { action: 's3:GetObject', resource: s3Object(c, input) },
  ...(outcome === 'NoSuchKey' || outcome === 'NotFound'
    ? [
        {
          action: 's3:ListBucket',
          resource: `arn:${c.partition}:s3:::${input.Bucket as string}`,
          context: { 's3:prefix': input.Key as string },
        },
      ]
    : kmsFor(c, input.Bucket, ['kms:Decrypt'])),
];
const s3Put: Mapper = (input, c) => [
  { action: 's3:PutObject', resource: s3Object(c, input) },
  ...kmsFor(c, input.Bucket, ['kms:GenerateDataKey']),
];
const budget = (input: Record<string, unknown>, c: CallContext) =>
  `arn:${c.partition}:budgets::${input.AccountId as string}:budget/${input.BudgetName as string}`;
const athena =
  (action: string): Mapper =>
  (_, c) => [{ action, resource: c.workGroupArn }];

/**
 * Each SDK command the handlers send → the IAM requests AWS authorizes for it (Service
 * Authorization Reference: "Actions, resources, and condition keys" of each service). A command
 * missing here fails the evaluation by name, so a new handler call cannot go unchecked.
 */
export const COMMAND_REQUESTS: Readonly<Record<string, Mapper>> = {
  GetObjectCommand: s3Get,
  // HeadObject is authorized as s3:GetObject.
  HeadObjectCommand: s3Get,
  PutObjectCommand: s3Put,
  CreateMultipartUploadCommand: s3Put,
  UploadPartCommand: (input, c) => [{ action: 's3:PutObject', resource: s3Object(c, input) }],
  // Completing an SSE-KMS multipart upload decrypts the parts' data keys.
  CompleteMultipartUploadCommand: (input, c) => [
    { action: 's3:PutObject', resource: s3Object(c, input) },
    ...kmsFor(c, input.Bucket, ['kms:Decrypt']),
  ],
  AbortMultipartUploadCommand: (input, c) => [
    { action: 's3:AbortMultipartUpload', resource: s3Object(c, input) },
  ],
  ListObjectsV2Command: (input, c) => [
    {
      action: 's3:ListBucket',
      resource: `arn:${c.partition}:s3:::${input.Bucket as string}`,
      context: { 's3:prefix': (input.Prefix as string | undefined) ?? '' },
    },
  ],
  StartExecutionCommand: (input) => [
    { action: 'states:StartExecution', resource: input.stateMachineArn as string },
  ],
  // Athena runs the query with the caller's credentials: it reads the database and writes the
  // result under the workgroup's output location; CREATE VIEW writes the view into Glue.
  StartQueryExecutionCommand: (input, c) => {
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(c.athenaResults)!;
    const database = (input.QueryExecutionContext as { Database: string }).Database;
    const glue = (r: string) => `arn:${c.partition}:glue:${c.region}:${c.account}:${r}`;
    const view = /^\s*create\s+or\s+replace\s+view\s+"?[^".]+"?\."?([^"\s]+)"?/i.exec(
      input.QueryString as string,
    );
    return [
      { action: 'athena:StartQueryExecution', resource: c.workGroupArn },
      { action: 'glue:GetDatabase', resource: glue(`database/${database}`) },
      { action: 's3:GetBucketLocation', resource: `arn:${c.partition}:s3:::${bucket}` },
      { action: 's3:PutObject', resource: `arn:${c.partition}:s3:::${bucket}/${prefix}q.csv` },
      ...kmsFor(c, bucket, ['kms:GenerateDataKey']),
      ...(view === null
        ? []
        : ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'].map((action) => ({
            action,
            resource: glue(`table/${database}/${view[1]}`),
          }))),
    ];
  },
  GetQueryExecutionCommand: athena('athena:GetQueryExecution'),
  // Athena reads the result object with the caller's credentials.
  GetQueryResultsCommand: (_, c) => {
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(c.athenaResults)!;
    return [
      { action: 'athena:GetQueryResults', resource: c.workGroupArn },
      { action: 's3:GetObject', resource: `arn:${c.partition}:s3:::${bucket}/${prefix}query.csv` },
      ...kmsFor(c, bucket, ['kms:Decrypt']),
    ];
  },
  // An encrypted topic: the publisher needs the topic key (SNS developer guide, "Encryption at rest").
  PublishCommand: (input, c) => {
    const topic = input.TopicArn as string;
    const key = c.topicKeys.get(topic);
    return [
      { action: 'sns:Publish', resource: topic },
      ...(key === undefined
        ? []
        : [
            { action: 'kms:GenerateDataKey', resource: key },
            { action: 'kms:Decrypt', resource: key },
          ]),
    ];
  },
  // One listing of the account's budgets: AWS names no budget in the request, so the evaluation
  // asks for every budget of the account (`budget/*`); only a grant on all budgets allows it.
  DescribeBudgetsCommand: (input, c) => [
    {
      action: 'budgets:ViewBudget',
      resource: `arn:${c.partition}:budgets::${input.AccountId as string}:budget/*`,
    },
  ],
  DescribeBudgetCommand: (input, c) => [
    { action: 'budgets:ViewBudget', resource: budget(input, c) },
  ],
  DescribeNotificationsForBudgetCommand: (input, c) => [
    { action: 'budgets:ViewBudget', resource: budget(input, c) },
  ],
  CreateBudgetCommand: (input, c) => [
    {
      action: 'budgets:ModifyBudget',
      resource: `arn:${c.partition}:budgets::${input.AccountId as string}:budget/${(input.Budget as { BudgetName: string }).BudgetName}`,
    },
  ],
  UpdateBudgetCommand: (input, c) => [
    {
      action: 'budgets:ModifyBudget',
      resource: `arn:${c.partition}:budgets::${input.AccountId as string}:budget/${(input.NewBudget as { BudgetName: string }).BudgetName}`,
    },
  ],
  CreateNotificationCommand: (input, c) => [
    { action: 'budgets:ModifyBudget', resource: budget(input, c) },
  ],
  DeleteNotificationCommand: (input, c) => [
    { action: 'budgets:ModifyBudget', resource: budget(input, c) },
  ],
  CreateSubscriberCommand: (input, c) => [
    { action: 'budgets:ModifyBudget', resource: budget(input, c) },
  ],
  ListBillingGroupsCommand: (_, c) => [
    {
      action: 'billingconductor:ListBillingGroups',
      resource: `arn:${c.partition}:billingconductor::${c.account}:billinggroup/*`,
    },
  ],
  ListAccountAssociationsCommand: (_, c) => [
    {
      action: 'billingconductor:ListAccountAssociations',
      resource: `arn:${c.partition}:billingconductor::${c.account}:billinggroup/*`,
    },
  ],
};

/** The IAM requests of recorded calls; an unmapped command throws, naming it. */
export const requestsOf = (
  calls: readonly RecordedCall[],
  c: CallContext,
  who: string,
): IamRequest[] =>
  calls.flatMap((call) => {
    const map = COMMAND_REQUESTS[call.command];
    if (map === undefined) {
      throw new Error(
        `${who} sent ${call.command}, which test/infra/iam-requests.ts does not map to IAM: add its action and resource (Service Authorization Reference)`,
      );
    }
    return map(call.input, c, call.outcome).map((r) => ({
      ...r,
      principal: c.role,
      why: `${who}: ${call.command}${call.outcome === 'ok' ? '' : ` (${call.outcome})`}`,
    }));
  });
