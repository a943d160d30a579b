import { GetExportCommand, ListExportsCommand } from '@aws-sdk/client-bcm-data-exports';
import {
  DescribeReportDefinitionsCommand,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { GetDataLakeSettingsCommand } from '@aws-sdk/client-lakeformation';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import {
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  type QueueConfiguration,
} from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, type Subscription } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { CurSourceConfig, DeployConfig } from '../config.js';
import { notificationFilters, sourceKeyPrefix } from '../notification-filters.js';
import type { DoctorClients } from './clients.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One check's outcome: what was found and, for a failure, how to fix it. */
export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

/** The stack outputs doctor needs (`cdk deploy --outputs-file`); each absent one skips its checks. */
export interface StackOutputs {
  readonly curBucketName?: string;
  readonly summaryTopicArn?: string;
  readonly alertTopicArn?: string;
}

/** Nothing can be checked: no credentials, or STS refuses them (CLI exit 2). */
export class CannotCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotCheckError';
  }
}

const pass = (check: string, detail: string): CheckResult => ({ check, status: 'pass', detail });
const skip = (check: string, detail: string): CheckResult => ({ check, status: 'skip', detail });
const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'fail',
  detail,
  fix,
});

const messageOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
const nameOf = (error: unknown): string => (error as { name?: string })?.name ?? '';
/** An answer from the service (it has an HTTP status), as opposed to no answer at all. */
const answered = (error: unknown): boolean =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode !== undefined;

/** A read call that failed: AccessDenied names the permission the role lacks. */
const callFailed = (check: string, action: string, error: unknown): CheckResult =>
  fail(
    check,
    `${action} failed (${messageOf(error)})`,
    /AccessDenied|NotAuthorized|Forbidden/i.test(nameOf(error))
      ? `give the role ${action} (read only; docs/deploying.md "whopays doctor" lists every permission)`
      : 'run doctor again; if it persists, the service or the network refused the call',
  );

const trimSlashes = (text: string | undefined): string => (text ?? '').replace(/^\/+|\/+$/g, '');
const asArray = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T];
/** IAM `*` / `?` wildcards, anchored. */
const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

interface PolicyStatement {
  readonly Effect?: string;
  readonly Principal?: { readonly Service?: string | readonly string[] } | string;
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
}

const allows = (
  statements: readonly PolicyStatement[],
  principal: string,
  action: string,
  resource: string,
): boolean =>
  statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      typeof s.Principal === 'object' &&
      asArray(s.Principal.Service).includes(principal) &&
      asArray(s.Action).some((a) => wildcard(a).test(action)) &&
      asArray(s.Resource).some((r) => wildcard(r).test(resource)),
  );

/** What the pipeline needs of a CUR 2.0 export, each as "found X, want Y". */
export const exportProblems = (
  found: Awaited<ReturnType<typeof getExport>>,
  source: CurSourceConfig,
  bucket: string | undefined,
): string[] => {
  const problems: string[] = [];
  const query = found?.DataQuery;
  const table = query?.TableConfigurations?.COST_AND_USAGE_REPORT;
  const s3 = found?.DestinationConfigurations?.S3Destination;
  const out = s3?.S3OutputConfigurations;
  if (!/\bFROM\s+COST_AND_USAGE_REPORT\b/i.test(query?.QueryStatement ?? '')) {
    problems.push('its query does not read the CUR 2.0 table COST_AND_USAGE_REPORT');
  }
  if (table?.INCLUDE_RESOURCES !== 'TRUE') {
    problems.push(
      `INCLUDE_RESOURCES is ${table?.INCLUDE_RESOURCES ?? 'unset'}, not TRUE (without resource ids Capacity Reservation transfers disappear)`,
    );
  }
  if (out?.Format !== 'PARQUET') problems.push(`format is ${out?.Format}, not PARQUET`);
  if (out?.Overwrite !== 'OVERWRITE_REPORT') {
    problems.push(
      `overwrite is ${out?.Overwrite}, not OVERWRITE_REPORT (each new version would be counted again)`,
    );
  }
  if (bucket !== undefined && s3?.S3Bucket !== bucket) {
    problems.push(`it writes to bucket ${s3?.S3Bucket}, the stack's bucket is ${bucket}`);
  }
  if (trimSlashes(s3?.S3Prefix) !== source.prefix) {
    problems.push(`its S3 prefix is "${s3?.S3Prefix}", the config says "${source.prefix}"`);
  }
  return problems;
};

/** What the pipeline needs of a CUR 1 report definition. */
export const reportProblems = (
  found: ReportDefinition,
  source: CurSourceConfig,
  bucket: string | undefined,
): string[] => {
  const problems: string[] = [];
  if (found.Format !== 'Parquet') problems.push(`format is ${found.Format}, not Parquet`);
  if (!found.AdditionalSchemaElements?.includes('RESOURCES')) {
    problems.push(
      'resource ids are not included (RESOURCES): Capacity Reservation transfers disappear',
    );
  }
  if (found.ReportVersioning !== 'OVERWRITE_REPORT') {
    problems.push(
      `versioning is ${found.ReportVersioning}, not OVERWRITE_REPORT (each new version would be counted again)`,
    );
  }
  if (!found.AdditionalArtifacts?.includes('ATHENA')) {
    problems.push(
      'the Athena integration (ATHENA artifact) is off: the Glue table reads its layout',
    );
  }
  if (bucket !== undefined && found.S3Bucket !== bucket) {
    problems.push(`it writes to bucket ${found.S3Bucket}, the stack's bucket is ${bucket}`);
  }
  if (trimSlashes(found.S3Prefix) !== source.prefix) {
    problems.push(`its S3 prefix is "${found.S3Prefix}", the config says "${source.prefix}"`);
  }
  return problems;
};

const getExport = async (clients: DoctorClients, name: string) => {
  let token: string | undefined;
  do {
    const page = await clients.dataExports.send(
      new ListExportsCommand(token ? { NextToken: token } : {}),
    );
    const ref = page.Exports?.find((e) => e.ExportName === name);
    if (ref?.ExportArn) {
      return (await clients.dataExports.send(new GetExportCommand({ ExportArn: ref.ExportArn })))
        .Export;
    }
    token = page.NextToken;
  } while (token);
  return undefined;
};

const findReport = async (clients: DoctorClients, name: string) => {
  let token: string | undefined;
  do {
    const page = await clients.cur.send(
      new DescribeReportDefinitionsCommand(token ? { NextToken: token } : {}),
    );
    const found = page.ReportDefinitions?.find((r) => r.ReportName === name);
    if (found) return found;
    token = page.NextToken;
  } while (token);
  return undefined;
};

const checkSource = async (
  config: DeployConfig,
  source: CurSourceConfig,
  caller: string,
  bucket: string | undefined,
  clients: DoctorClients,
): Promise<CheckResult> => {
  const check = `source ${source.id} (${source.format})`;
  const where = `s3://${bucket ?? '<bucket>'}/${sourceKeyPrefix(source)}`;
  if (source.format === 'dbr') {
    return skip(
      check,
      `the detailed billing report has no API to read its settings: in payer ${source.payerAccountId}'s Billing console, check that it writes with resources and tags to ${where}`,
    );
  }
  if (source.payerAccountId !== caller) {
    return skip(
      check,
      `its ${source.format === 'cur' ? 'report' : 'export'} is defined in payer ${source.payerAccountId}'s account, not in ${caller}: run whopays doctor there with that account's credentials`,
    );
  }
  const name = source.reportName ?? '';
  if (source.format === 'focus') {
    return skip(
      check,
      `doctor does not read FOCUS export settings yet: in Data Exports, check that export ${name} is "FOCUS 1.2 with AWS columns" (or 1.0), Parquet, "Overwrite existing data export file", S3 ${where}`,
    );
  }
  if (source.format === 'cur2') {
    const fix = `in Data Exports (UpdateExport or the console), export ${name}: CUR 2.0 with "Include resource IDs", Parquet, "Overwrite existing data export file", S3 ${where}`;
    let found: Awaited<ReturnType<typeof getExport>>;
    try {
      found = await getExport(clients, name);
    } catch (error) {
      if (!config.facts.dataExportsApiVerified && !answered(error)) {
        return skip(
          check,
          `the Data Exports API did not answer in ${config.partition} (${messageOf(error)}; its endpoint there is unverified, docs/PARTITIONS.md): check the export in the console instead: ${fix}`,
        );
      }
      return callFailed(
        check,
        'bcm-data-exports:ListExports and bcm-data-exports:GetExport',
        error,
      );
    }
    if (found === undefined) {
      return fail(check, `no Data Export named ${name} in account ${caller}`, `create it: ${fix}`);
    }
    const problems = exportProblems(found, source, bucket);
    return problems.length === 0
      ? pass(check, `export ${name}: CUR 2.0 Parquet, overwrite, resource ids, ${where}`)
      : fail(check, `export ${name}: ${problems.join('; ')}`, fix);
  }
  const fix = `in the legacy CUR console (report ${name}): "Include resource IDs", versioning "Overwrite existing report", Athena integration (Parquet), S3 ${where}`;
  let found: ReportDefinition | undefined;
  try {
    found = await findReport(clients, name);
  } catch (error) {
    return callFailed(check, 'cur:DescribeReportDefinitions', error);
  }
  if (found === undefined) {
    return fail(check, `no CUR report named ${name} in account ${caller}`, `create it: ${fix}`);
  }
  const problems = reportProblems(found, source, bucket);
  return problems.length === 0
    ? pass(
        check,
        `report ${name}: Parquet with Athena integration, overwrite, resource ids, ${where}`,
      )
    : fail(check, `report ${name}: ${problems.join('; ')}`, fix);
};

const checkBucketPolicy = async (
  config: DeployConfig,
  caller: string,
  bucket: string,
  clients: DoctorClients,
): Promise<CheckResult> => {
  const check = 'bucket policy';
  let statements: readonly PolicyStatement[];
  try {
    const { Policy } = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    statements = asArray(
      (JSON.parse(Policy ?? '{}') as { Statement?: unknown }).Statement,
    ) as readonly PolicyStatement[];
  } catch (error) {
    if (nameOf(error) === 'NoSuchBucketPolicy') statements = [];
    else return callFailed(check, 's3:GetBucketPolicy', error);
  }
  const bucketArn = `arn:${config.partition}:s3:::${bucket}`;
  const missing: string[] = [];
  // Only sources delivered by the billing services to this bucket; replicated ones arrive by
  // S3 replication, which the policy does not govern here.
  for (const source of config.sources.filter((s) => s.payerAccountId === caller)) {
    const principal =
      source.format === 'cur2' || source.format === 'focus'
        ? config.billingDeliveryPrincipals.dataExports
        : config.billingDeliveryPrincipals.cur;
    const under = sourceKeyPrefix(source);
    if (!allows(statements, principal, 's3:PutObject', `${bucketArn}/${under}probe`)) {
      missing.push(`${principal} may not s3:PutObject under ${under}`);
    }
    if (!allows(statements, principal, 's3:GetBucketPolicy', bucketArn)) {
      missing.push(`${principal} may not s3:GetBucketPolicy on the bucket`);
    }
  }
  return missing.length === 0
    ? pass(check, `the billing services may deliver to ${bucket}`)
    : fail(
        check,
        `${bucket}: ${[...new Set(missing)].join('; ')}`,
        config.curBucket.mode === 'create'
          ? 'something replaced the stack’s bucket policy: redeploy the stack (cdk deploy), and add other statements through the stack'
          : 'add the delivery statements of docs/deploying.md ("existing bucket") to the bucket policy',
      );
};

const ruleOf = (queue: QueueConfiguration, name: 'prefix' | 'suffix'): string =>
  queue.Filter?.Key?.FilterRules?.find((r) => r.Name?.toLowerCase() === name)?.Value ?? '';

const checkNotifications = async (
  config: DeployConfig,
  bucket: string,
  clients: DoctorClients,
): Promise<CheckResult> => {
  const check = 'bucket notifications';
  let queues: readonly QueueConfiguration[];
  try {
    const out = await clients.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    queues = out.QueueConfigurations ?? [];
  } catch (error) {
    return callFailed(check, 's3:GetBucketNotification', error);
  }
  const missing = config.sources
    .flatMap(notificationFilters)
    .filter(
      (filter) =>
        !queues.some(
          (q) =>
            (q.Events ?? []).some((e) => e === 's3:ObjectCreated:*') &&
            ruleOf(q, 'prefix') === (filter.prefix ?? '') &&
            ruleOf(q, 'suffix') === (filter.suffix ?? ''),
        ),
    );
  return missing.length === 0
    ? pass(check, `every delivery of ${bucket} notifies the queue`)
    : fail(
        check,
        `no ObjectCreated notification to a queue for ${missing.map((f) => `${f.prefix ?? ''}*${f.suffix ?? ''}`).join(', ')}`,
        'another tool replaced the notifications (PutBucketNotificationConfiguration replaces the whole set): redeploy the stack, and have that tool add its notifications next to these',
      );
};

const confirmed = (s: Subscription): boolean =>
  s.SubscriptionArn !== undefined && s.SubscriptionArn !== 'PendingConfirmation';

const checkTopic = async (
  config: DeployConfig,
  label: string,
  topicArn: string | undefined,
  clients: DoctorClients,
): Promise<CheckResult> => {
  const check = `${label} topic subscriptions`;
  if (topicArn === undefined) {
    return skip(check, 'no topic ARN: give --outputs (the file of cdk deploy --outputs-file)');
  }
  const subscriptions: Subscription[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await clients.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }),
      );
      subscriptions.push(...(page.Subscriptions ?? []));
      token = page.NextToken;
    } while (token);
  } catch (error) {
    return callFailed(check, 'sns:ListSubscriptionsByTopic', error);
  }
  const pending = config.notifications.emails.filter(
    (email) => !subscriptions.some((s) => s.Endpoint === email && confirmed(s)),
  );
  const live = subscriptions.filter(confirmed).length;
  if (pending.length > 0) {
    return fail(
      check,
      `not confirmed: ${pending.join(', ')}`,
      'each address must click the link of the "AWS Notification - Subscription Confirmation" e-mail (resend: aws sns subscribe --protocol email)',
    );
  }
  return live > 0
    ? pass(check, `${live} confirmed subscription${live === 1 ? '' : 's'}`)
    : fail(
        check,
        'no confirmed subscription: nobody receives these messages',
        'add notifications.emails to the config and redeploy, or subscribe a queue or chat hook',
      );
};

const checkLakeFormation = async (clients: DoctorClients): Promise<CheckResult> => {
  const check = 'Lake Formation';
  try {
    const { DataLakeSettings: settings } = await clients.lakeFormation.send(
      new GetDataLakeSettingsCommand({}),
    );
    const iamAllowed = (
      list: readonly { Principal?: { DataLakePrincipalIdentifier?: string } }[] | undefined,
    ) =>
      (list ?? []).some(
        (p) => p.Principal?.DataLakePrincipalIdentifier === 'IAM_ALLOWED_PRINCIPALS',
      );
    if (
      iamAllowed(settings?.CreateDatabaseDefaultPermissions) &&
      iamAllowed(settings?.CreateTableDefaultPermissions)
    ) {
      return pass(check, 'new databases and tables use IAM permissions (IAM_ALLOWED_PRINCIPALS)');
    }
    return fail(
      check,
      'Lake Formation governs new databases and tables here: the IAM grants of the stack are not enough to read the Glue tables',
      'grant the state machine role and the analysts DESCRIBE and SELECT on the whopays database and its tables in Lake Formation (and DATA_LOCATION_ACCESS on the CUR bucket), or add IAM_ALLOWED_PRINCIPALS to the default permissions',
    );
  } catch (error) {
    return callFailed(check, 'lakeformation:GetDataLakeSettings', error);
  }
};

const checkPayer = async (
  config: DeployConfig,
  caller: string,
  clients: DoctorClients,
): Promise<CheckResult> => {
  const check = 'budgets payer';
  const budgets = config.budgets;
  if (budgets === undefined) return skip(check, 'no budgets policy in the config');
  const fix = `deploy the stack in the management account and set budgets.payerAccountId to it, or remove budgets: LinkedAccount budgets only work from the payer (management) account`;
  try {
    const { Organization: org } = await clients.organizations.send(
      new DescribeOrganizationCommand({}),
    );
    const master = org?.MasterAccountId;
    if (master === budgets.payerAccountId && master === caller) {
      return pass(check, `the stack account ${caller} is the management account of ${org?.Id}`);
    }
    return fail(
      check,
      `the management account is ${master}, budgets.payerAccountId is ${budgets.payerAccountId}, the stack runs in ${caller}`,
      fix,
    );
  } catch (error) {
    if (nameOf(error) === 'AWSOrganizationsNotInUseException') {
      return fail(check, `account ${caller} is in no organization`, fix);
    }
    return callFailed(check, 'organizations:DescribeOrganization', error);
  }
};

/**
 * Every check of `whopays doctor`, read-only, in a fixed order. Throws CannotCheckError when STS
 * does not accept the credentials: then nothing else could be checked either.
 */
export async function runDoctor(
  config: DeployConfig,
  outputs: StackOutputs,
  clients: DoctorClients,
): Promise<CheckResult[]> {
  let caller: string;
  try {
    caller = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } catch (error) {
    throw new CannotCheckError(
      `no usable AWS credentials (${messageOf(error)}): run with the deploy role, e.g. AWS_PROFILE=<profile>; nothing was checked`,
    );
  }
  const results: CheckResult[] = [
    caller === config.account
      ? pass('account', `credentials are for ${caller}, the config's account`)
      : fail(
          'account',
          `credentials are for ${caller}, the config deploys to ${config.account}`,
          `run with credentials of account ${config.account} (the deploy role)`,
        ),
    await checkPayer(config, caller, clients),
  ];
  const bucket =
    config.curBucket.mode === 'existing' ? config.curBucket.name : outputs.curBucketName;
  for (const source of config.sources) {
    results.push(await checkSource(config, source, caller, bucket, clients));
  }
  if (bucket === undefined) {
    const why =
      'the created bucket’s name is a stack output: give --outputs (the file of cdk deploy --outputs-file)';
    results.push(skip('bucket policy', why), skip('bucket notifications', why));
  } else {
    results.push(await checkBucketPolicy(config, caller, bucket, clients));
    results.push(await checkNotifications(config, bucket, clients));
  }
  results.push(await checkTopic(config, 'summary', outputs.summaryTopicArn, clients));
  results.push(await checkTopic(config, 'alert', outputs.alertTopicArn, clients));
  results.push(await checkLakeFormation(clients));
  return results;
}
