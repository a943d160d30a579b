import { parseDeployConfig } from '../../lib/config.js';
import {
  attributeOf,
  type Deployed,
  functionEnvironments,
  functionRoles,
  logicalIds,
  resolve,
} from './deployed.js';
import { type IamRequest, StackIam, type Verdict } from './iam-model.js';
import { type CallContext, requestsOf } from './iam-requests.js';
import { runDeployedFunctions } from './iam-scenario.js';
import { configDocumentOf, EXAMPLES, exampleJson, synthesize } from './synth-helpers.js';

/**
 * Issue 10, "IAM, evaluated": every AWS call the pipeline functions make (recorded from their
 * real handlers run with the deployed environment and config object) and every service-to-service
 * delivery AWS makes to the stack's resources are evaluated against the synthesized identity,
 * bucket, topic, queue and key policies by a real IAM policy evaluator, for both example configs.
 * A request that would be denied fails; so does an Allow statement that no request uses.
 */

const one = (ids: string[], what: string): string => {
  if (ids.length !== 1) throw new Error(`expected one ${what}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
};

/** Requests AWS services make on the stack's behalf, with their documented scoping context. */
function deliveries(d: Deployed, config: ReturnType<typeof parseDeployConfig>): IamRequest[] {
  const p = d.partition;
  const arn = (id: string) => attributeOf(d, id, 'Arn');
  const curBucket = resolve(d, {
    Ref: one(logicalIds(d, 'AWS::S3::Bucket', 'CurBucket'), 'CUR bucket'),
  });
  const workBucket = resolve(d, {
    Ref: one(logicalIds(d, 'AWS::S3::Bucket', 'WorkBucket'), 'work bucket'),
  });
  const key = arn(one(logicalIds(d, 'AWS::KMS::Key'), 'key'));
  const queueId = one(logicalIds(d, 'AWS::SQS::Queue', 'TriggerQueue'), 'delivery queue');
  const summaryTopic = resolve(d, {
    Ref: one(logicalIds(d, 'AWS::SNS::Topic', 'PublishingSummaryTopic'), 'summary topic'),
  });
  const alertTopic = resolve(d, {
    Ref: one(logicalIds(d, 'AWS::SNS::Topic', 'PublishingAlertTopic'), 'alert topic'),
  });
  const account = d.account;
  const billingRegion = config.facts.billingRegion;
  const out: IamRequest[] = [];
  const useKey = (principal: string, context: Record<string, string>, why: string) => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      out.push({ principal, action, resource: key, context, why });
    }
  };

  // Billing delivery (Data Exports user guide, "Setting up an Amazon S3 bucket for data exports";
  // CUR user guide, "Setting up an Amazon S3 bucket for Cost and Usage Reports").
  for (const source of config.sources.filter((s) => s.format !== 'dbr')) {
    const principal =
      source.format === 'cur'
        ? config.billingDeliveryPrincipals.cur
        : config.billingDeliveryPrincipals.dataExports;
    const sourceArn =
      source.format === 'cur'
        ? `arn:${p}:cur:${billingRegion}:${source.payerAccountId}:definition/7f1c2d3e-0000-4000-8000-000000000001`
        : `arn:${p}:bcm-data-exports:${billingRegion}:${source.payerAccountId}:export/${source.reportName}-0a1b2c3d`;
    const context = { 'aws:SourceAccount': source.payerAccountId, 'aws:SourceArn': sourceArn };
    const why = `${principal} delivers ${source.id}`;
    for (const action of ['s3:GetBucketPolicy', 's3:GetBucketAcl']) {
      out.push({ principal, action, resource: `arn:${p}:s3:::${curBucket}`, context, why });
    }
    out.push({
      principal,
      action: 's3:PutObject',
      resource: `arn:${p}:s3:::${curBucket}/${source.prefix}/${source.reportName}/data/part-00001.snappy.parquet`,
      context,
      why,
    });
    // At export creation the service writes a test object at the bucket root.
    out.push({
      principal,
      action: 's3:PutObject',
      resource: `arn:${p}:s3:::${curBucket}/aws-programmatic-access-test-object`,
      context,
      why: `${why} (test object at the root, at export creation)`,
    });
  }

  // S3 → SQS event notifications (S3 user guide, "Granting permissions to publish event
  // notification messages to a destination").
  const fromBucket = {
    'aws:SourceAccount': account,
    'aws:SourceArn': `arn:${p}:s3:::${curBucket}`,
  };
  out.push({
    principal: 's3.amazonaws.com',
    action: 'sqs:SendMessage',
    resource: arn(queueId),
    context: fromBucket,
    why: 'S3 notifies the delivery queue',
  });
  useKey('s3.amazonaws.com', fromBucket, 'S3 notifies the encrypted delivery queue');

  // CloudWatch alarm actions → alert topic, Budgets notifications → summary topic.
  for (const alarm of logicalIds(d, 'AWS::CloudWatch::Alarm')) {
    const context = {
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:${p}:cloudwatch:${d.region}:${account}:alarm:${alarm}`,
    };
    out.push({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: alertTopic,
      context,
      why: `alarm ${alarm} notifies`,
    });
    useKey(
      'cloudwatch.amazonaws.com',
      context,
      `alarm ${alarm} notifies the encrypted alert topic`,
    );
  }
  const budgetContext = {
    'aws:SourceAccount': account,
    'aws:SourceArn': `arn:${p}:budgets::${account}:budget/${config.budgets?.namePrefix ?? 'whopays-'}003786579754`,
  };
  out.push({
    principal: 'budgets.amazonaws.com',
    action: 'sns:Publish',
    resource: summaryTopic,
    context: budgetContext,
    why: 'a budget notifies',
  });
  useKey('budgets.amazonaws.com', budgetContext, 'a budget notifies the encrypted summary topic');

  // Lambda polls the delivery queue with start-run's role (event source mapping).
  const roles = functionRoles(d);
  const startRole = roles.get('start-run')!;
  for (const action of [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueAttributes',
  ]) {
    out.push({
      principal: startRole,
      action,
      resource: arn(queueId),
      why: 'Lambda polls the delivery queue for start-run',
    });
  }
  out.push({
    principal: startRole,
    action: 'kms:Decrypt',
    resource: key,
    why: 'Lambda reads encrypted queue messages for start-run',
  });

  // Step Functions runs the ledger query (.sync) and the task functions with the state machine
  // role ("IAM policies for Amazon Athena calls in Step Functions"), and logs (vended logs).
  const machine = one(logicalIds(d, 'AWS::StepFunctions::StateMachine'), 'state machine');
  const machineRole = resolve(d, d.resources[machine]!.Properties!.RoleArn);
  const workGroupName = d.resources[one(logicalIds(d, 'AWS::Athena::WorkGroup'), 'workgroup')]!
    .Properties!.Name as string;
  const database = (
    d.resources[one(logicalIds(d, 'AWS::Glue::Database'), 'database')]!.Properties!
      .DatabaseInput as { Name: string }
  ).Name;
  const workGroup = `arn:${p}:athena:${d.region}:${account}:workgroup/${workGroupName}`;
  const sm = (action: string, resource: string, why: string) =>
    out.push({ principal: machineRole, action, resource, why: `state machine: ${why}` });
  for (const action of [
    'athena:StartQueryExecution',
    'athena:GetQueryExecution',
    'athena:StopQueryExecution',
  ])
    sm(action, workGroup, 'ledger query');
  sm(
    'athena:GetDataCatalog',
    `arn:${p}:athena:${d.region}:${account}:datacatalog/AwsDataCatalog`,
    'ledger query',
  );
  sm('lakeformation:GetDataAccess', '*', 'ledger query under Lake Formation');
  const glue = (r: string) => `arn:${p}:glue:${d.region}:${account}:${r}`;
  for (const [action, resource] of [
    ['glue:GetDatabase', glue(`database/${database}`)],
    ['glue:GetTable', glue(`table/${database}/cur2_cur2`)],
    ['glue:GetPartitions', glue(`table/${database}/cur2_cur2`)],
    ['glue:GetTable', glue('catalog')],
  ] as const) {
    sm(action, resource, 'Athena reads the catalog');
  }
  for (const source of config.sources.filter((s) => s.format !== 'dbr')) {
    sm(
      's3:GetObject',
      `arn:${p}:s3:::${curBucket}/${source.prefix}/${source.reportName}/data/part.parquet`,
      `Athena reads ${source.id}`,
    );
  }
  sm('s3:ListBucket', `arn:${p}:s3:::${curBucket}`, 'Athena lists the source prefix');
  sm('s3:GetObject', `arn:${p}:s3:::${workBucket}/staging/dbr/part.gz`, 'Athena reads staged DBR');
  for (const action of ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload']) {
    sm(action, `arn:${p}:s3:::${workBucket}/athena-results/q.csv`, 'Athena writes results');
  }
  sm('s3:GetBucketLocation', `arn:${p}:s3:::${workBucket}`, 'Athena checks the results bucket');
  for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
    sm(action, key, 'Athena encrypts results');
  for (const fn of ['normalize-dbr', 'assemble-report', 'publish-report']) {
    const fnId = one(
      logicalIds(d, 'AWS::Lambda::Function').filter(
        (id) =>
          (d.resources[id]!.Properties!.Environment as { Variables: Record<string, unknown> })
            ?.Variables?.POWERTOOLS_SERVICE_NAME === `whopays-${fn}`,
      ),
      fn,
    );
    sm('lambda:InvokeFunction', arn(fnId), `invokes ${fn}`);
  }
  sm('sns:Publish', alertTopic, 'alerts a failed run');
  sm('logs:CreateLogDelivery', '*', 'vended execution logs');
  if (config.facts.hasLambdaXRay) {
    sm('xray:PutTraceSegments', '*', 'traces');
    for (const [fn, role] of roles) {
      out.push({
        principal: role,
        action: 'xray:PutTraceSegments',
        resource: '*',
        why: `${fn} traces`,
      });
    }
  }
  // Deploy time: CloudFormation's custom resources. The Provider framework invokes the view
  // installer (and reads its state while it is not yet active); CDK's notifications handler
  // writes the bucket's notification configuration.
  const installViews = one(
    logicalIds(d, 'AWS::Lambda::Function').filter(
      (id) =>
        (d.resources[id]!.Properties!.Environment as { Variables: Record<string, unknown> })
          ?.Variables?.POWERTOOLS_SERVICE_NAME === 'whopays-install-views',
    ),
    'install-views',
  );
  const frameworkRole = attributeOf(
    d,
    one(logicalIds(d, 'AWS::IAM::Role', 'CatalogViewProviderframeworkonEvent'), 'framework role'),
    'Arn',
  );
  for (const action of ['lambda:InvokeFunction', 'lambda:GetFunction']) {
    out.push({
      principal: frameworkRole,
      action,
      resource: arn(installViews),
      why: 'custom resource framework runs install-views',
    });
  }
  const notificationsRole = attributeOf(
    d,
    one(logicalIds(d, 'AWS::IAM::Role', 'BucketNotificationsHandler'), 'notifications role'),
    'Arn',
  );
  out.push({
    principal: notificationsRole,
    action: 's3:PutBucketNotification',
    resource: `arn:${p}:s3:::${curBucket}`,
    why: 'CDK notifications handler configures the delivery bucket',
  });
  return out;
}

describe.each(EXAMPLES)('IAM of the %s example, evaluated', (name) => {
  const config = parseDeployConfig(exampleJson(name), `examples/deploy/${name}.json`);
  const synthesized = synthesize(config);
  const d: Deployed = {
    partition: config.partition,
    region: config.region,
    account: config.account,
    resources: synthesized.template.toJSON().Resources,
  };
  const iam = new StackIam(d, synthesized.template);
  const verdicts: Verdict[] = [];

  beforeAll(async () => {
    const envs = functionEnvironments(d);
    const roles = functionRoles(d);
    const document = configDocumentOf(synthesized);
    const curBucket = resolve(d, {
      Ref: one(logicalIds(d, 'AWS::S3::Bucket', 'CurBucket'), 'CUR bucket'),
    });
    const workBucketId = one(logicalIds(d, 'AWS::S3::Bucket', 'WorkBucket'), 'work bucket');
    const key = attributeOf(d, one(logicalIds(d, 'AWS::KMS::Key'), 'key'), 'Arn');
    const workGroup =
      d.resources[one(logicalIds(d, 'AWS::Athena::WorkGroup'), 'workgroup')]!.Properties!;
    const context = (fn: string): CallContext => ({
      partition: d.partition,
      region: d.region,
      account: d.account,
      role: roles.get(fn)!,
      bucketKeys: new Map([[resolve(d, { Ref: workBucketId }), key]]),
      topicKeys: new Map(
        logicalIds(d, 'AWS::SNS::Topic').map((id) => [resolve(d, { Ref: id }), key] as const),
      ),
      workGroupArn: `arn:${d.partition}:athena:${d.region}:${d.account}:workgroup/${workGroup.Name as string}`,
      athenaResults: resolve(
        d,
        (workGroup.WorkGroupConfiguration as { ResultConfiguration: { OutputLocation: unknown } })
          .ResultConfiguration.OutputLocation,
      ),
    });
    const requests: IamRequest[] = [];
    const database = (
      d.resources[one(logicalIds(d, 'AWS::Glue::Database'), 'database')]!.Properties!
        .DatabaseInput as { Name: string }
    ).Name;
    const deployment = { curBucket, database, workGroup: workGroup.Name as string };
    for (const { fn, calls } of await runDeployedFunctions(envs, document, deployment)) {
      requests.push(...requestsOf(calls, context(fn), fn));
    }
    requests.push(...deliveries(d, config));
    for (const request of requests) verdicts.push(await iam.evaluate(request));
  });

  it('records calls of every pipeline function and every delivery', () => {
    const who = new Set(verdicts.map((v) => v.request.why.split(':')[0]));
    for (const fn of ['start-run', 'assemble-report', 'publish-report', 'install-views']) {
      expect(who).toContain(fn);
    }
    expect(verdicts.length).toBeGreaterThan(50);
  });

  it('allows every call and every delivery', () => {
    const denied = verdicts
      .filter((v) => !v.allowed)
      .map(
        (v) =>
          `${v.request.why}: ${v.request.principal} ${v.request.action} ${v.request.resource} → ${v.detail}`,
      );
    expect(denied).toEqual([]);
  });

  it('scopes every grant to a service principal to this account or resource (no confused deputy)', () => {
    // CDK's S3 → SQS destination adds an unconditioned s3.amazonaws.com key grant; the topics
    // once let services publish on any account's behalf.
    expect(iam.unscopedServiceGrants()).toEqual([]);
  });

  it('grants nothing that no call or delivery uses', () => {
    expect(iam.unused()).toEqual([]);
  });
});
