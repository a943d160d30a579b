import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/shared/env.js';
import {
  asArray,
  EXAMPLES,
  type ExampleName,
  exampleConfig,
  iamStatements,
  synthesize,
} from './synth-helpers.js';

const templates = new Map<ExampleName, Template>();
const templateOf = (name: ExampleName): Template => {
  let template = templates.get(name);
  if (template === undefined) {
    template = synthesize(exampleConfig(name)).template;
    templates.set(name, template);
  }
  return template;
};

const notificationRules = (template: Template) => {
  const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications'));
  const configs = notifications!.Properties.NotificationConfiguration.QueueConfigurations as Array<{
    Events: string[];
    Filter: { Key: { FilterRules: Array<{ Name: string; Value: string }> } };
  }>;
  return configs.map((c) => {
    const rule = (name: string) => c.Filter.Key.FilterRules.find((r) => r.Name === name)?.Value;
    return { events: c.Events, prefix: rule('prefix'), suffix: rule('suffix') };
  });
};

describe.each(EXAMPLES)('stack synthesized from examples/deploy/%s.json', (name) => {
  const config = exampleConfig(name);
  const template = () => templateOf(name);

  it('creates the CUR bucket encrypted, versioned, SSL-only, with public access blocked', () => {
    template().hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    // enforceSSL: every bucket policy denies non-TLS requests.
    const policies = template().findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  it('lets only the billing delivery principals of the configured payers write, anywhere in the bucket as AWS documents it', () => {
    const payers = [...new Set(config.sources.map((s) => s.payerAccountId))];
    template().hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'BillingDeliveryWrites',
            Effect: 'Allow',
            Action: 's3:PutObject',
            // AWS writes a test object at the bucket root when an export is created.
            Resource: {
              'Fn::Join': ['', [Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }), '/*']],
            },
            Principal: {
              Service: Match.arrayWith([
                'bcm-data-exports.amazonaws.com',
                'billingreports.amazonaws.com',
              ]),
            },
            Condition: {
              StringEquals: { 'aws:SourceAccount': payers },
              ArnLike: {
                'aws:SourceArn': Match.arrayWith([
                  `arn:${config.partition}:bcm-data-exports:${config.facts.billingRegion}:${payers[0]}:export/*`,
                ]),
              },
            },
          }),
        ]),
      },
    });
  });

  it('encrypts the work bucket with the stack key and expires staging and Athena results', () => {
    template().hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: Match.anyValue(),
            },
            BucketKeyEnabled: true,
          },
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 14, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'staging/', ExpirationInDays: 400, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('notifies the queue of manifests and DBR files only, never of whopays prefixes', () => {
    const expected = config.sources.flatMap((s) => {
      if (s.format === 'cur')
        return [
          { prefix: `${s.prefix}/${s.reportName}/`, suffix: `${s.reportName}-Manifest.json` },
        ];
      if (s.format === 'cur2') {
        return [
          {
            prefix: `${s.prefix}/${s.reportName}/metadata/`,
            suffix: `${s.reportName}-Manifest.json`,
          },
        ];
      }
      return [
        { prefix: `${s.prefix}/`, suffix: '.csv.zip' },
        { prefix: `${s.prefix}/`, suffix: '.csv' },
      ];
    });
    const rules = notificationRules(template());
    expect(rules.map(({ prefix, suffix }) => ({ prefix, suffix }))).toEqual(expected);
    for (const rule of rules) {
      expect(rule.events).toEqual(['s3:ObjectCreated:*']);
      for (const own of ['staging/', 'reports/', 'athena-results/']) {
        expect(rule.prefix!.startsWith(own)).toBe(false);
      }
    }
  });

  it('buffers deliveries in a KMS-encrypted queue with a dead-letter queue and a visibility timeout above the function timeout', () => {
    template().hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template().hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: Match.absent(),
    });
    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.STATE_MACHINE_ARN]: Match.anyValue() }) },
      Timeout: 60,
    });
    template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('declares a Glue table per source with partition projection', () => {
    for (const source of config.sources) {
      if (source.format === 'cur2') {
        template().hasResourceProperties('AWS::Glue::Table', {
          TableInput: Match.objectLike({
            Name: `cur2_${source.id}`,
            PartitionKeys: [{ Name: 'billing_period', Type: 'string' }],
            Parameters: Match.objectLike({
              'projection.enabled': 'true',
              'projection.billing_period.type': 'date',
              'projection.billing_period.format': 'yyyy-MM',
              'storage.location.template': Match.anyValue(),
            }),
            StorageDescriptor: Match.objectLike({
              SerdeInfo: {
                SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              },
              Columns: Match.arrayWith([
                { Name: 'bill_billing_period_start_date', Type: 'timestamp' },
                { Name: 'line_item_usage_account_id', Type: 'string' },
                { Name: 'line_item_unblended_cost', Type: 'double' },
              ]),
            }),
          }),
        });
      }
      if (source.format === 'cur') {
        template().hasResourceProperties('AWS::Glue::Table', {
          TableInput: Match.objectLike({
            Name: `cur_${source.id}`,
            PartitionKeys: [
              { Name: 'year', Type: 'string' },
              { Name: 'month', Type: 'string' },
            ],
            // month=7, not month=07: an integer projection without `digits`.
            Parameters: Match.objectLike({
              'projection.month.type': 'integer',
              'projection.month.range': '1,12',
              'projection.month.digits': Match.absent(),
            }),
          }),
        });
      }
      if (source.format === 'dbr') {
        template().hasResourceProperties('AWS::Glue::Table', {
          TableInput: Match.objectLike({
            Name: 'dbr',
            PartitionKeys: [
              { Name: 'payer', Type: 'string' },
              { Name: 'billing_period', Type: 'string' },
            ],
            Parameters: Match.objectLike({
              'skip.header.line.count': '1',
              'projection.payer.type': 'enum',
              'projection.payer.values': source.payerAccountId,
            }),
            StorageDescriptor: Match.objectLike({
              Compressed: true,
              SerdeInfo: Match.objectLike({
                SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
              }),
              Columns: Match.arrayWith([
                { Name: 'linkedaccountid', Type: 'string' },
                { Name: 'unblendedcost', Type: 'string' },
              ]),
            }),
          }),
        });
      }
    }
  });

  it('runs queries in an enforced engine-v3 workgroup with encrypted results and the configured cap', () => {
    template().hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery,
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
        },
      },
    });
  });

  it('installs the ledger as named queries and the views with a custom resource that waits for Athena', () => {
    const named = Object.values(template().findResources('AWS::Athena::NamedQuery'));
    const ledgerQueries = named.filter((q) =>
      String(q.Properties.Name).startsWith('whopays ledger'),
    );
    expect(ledgerQueries.length).toBe(
      new Set(config.sources.map((s) => (s.format === 'dbr' ? 'dbr' : s.id))).size,
    );
    for (const query of ledgerQueries)
      expect(query.Properties.QueryString).toMatch(/\bfrom "whopays_/);
    const views = Object.values(template().findResources('Custom::WhopaysView'));
    // One ledger view per format, the union, account totals, transfers and commitments.
    const formats = new Set(config.sources.map((s) => s.format));
    expect(views).toHaveLength(formats.size + 4);
    for (const view of views) {
      expect(view.Properties.QueryString).toMatch(/^create or replace view /);
    }
    // No AwsCustomResource: its StartQueryExecution call succeeded even when CREATE VIEW failed.
    expect(Object.keys(template().findResources('Custom::AWS'))).toEqual([]);
  });

  it('runs the ledger query through the native Athena .sync integration between the functions', () => {
    const [machine] = Object.values(template().findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine!.Properties.DefinitionString);
    expect(definition).toContain(':states:::athena:startQueryExecution.sync');
    expect(definition).toMatch(/"QueryString\.\$\\":\\"\$\.query\.queryString/);
    for (const state of [
      'IsDbr',
      'NormalizeDbr',
      'RunLedgerQuery',
      'AssembleReport',
      'PublishReport',
      'AlertFailure',
    ]) {
      expect(definition).toContain(`\\"${state}\\"`);
    }
    expect(definition).toContain('Athena.TooManyRequestsException');
    expect(definition).toContain('\\"BackoffRate\\":2');
    expect(definition).toContain('\\"TimeoutSeconds\\":1800');
    template().hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ IncludeExecutionData: false, Level: 'ALL' }),
      TracingConfiguration: { Enabled: config.facts.hasLambdaXRay },
    });
  });

  it('encrypts both topics with the stack key and lets Budgets publish to the summary topic', () => {
    const topics = Object.values(template().findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(2);
    for (const topic of topics) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template().hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'BudgetsPublishes',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
    template().resourceCountIs('AWS::SNS::Subscription', 2 * config.notifications.emails.length);
  });

  it('pins every pipeline function to the configured runtime and architecture', () => {
    const functions = Object.values(template().findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.[ENV.POWERTOOLS_SERVICE_NAME] !== undefined,
    );
    expect(functions).toHaveLength(5);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe(config.lambda.runtime);
      expect(fn.Properties.Architectures).toEqual([config.lambda.architecture]);
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.TracingConfig).toEqual(
        config.facts.hasLambdaXRay ? { Mode: 'Active' } : undefined,
      );
    }
  });

  it('passes the settings under the env var names of lambdas/shared/env.ts', () => {
    const env = (service: string) =>
      Object.values(template().findResources('AWS::Lambda::Function')).find(
        (f) => f.Properties.Environment?.Variables?.[ENV.POWERTOOLS_SERVICE_NAME] === service,
      )!.Properties.Environment.Variables as Record<string, unknown>;
    const start = env('whopays-start-run');
    expect(Object.keys(start)).toEqual(
      expect.arrayContaining([
        ENV.STATE_MACHINE_ARN,
        ENV.ATHENA_DATABASE,
        ENV.ATHENA_WORKGROUP,
        ENV.CONFIG_BUCKET,
        ENV.CONFIG_KEY,
        ENV.STAGING_BUCKET,
        ENV.STAGING_PREFIX,
      ]),
    );
    expect(start[ENV.STAGING_PREFIX]).toBe('staging/');
    expect(Object.keys(env('whopays-assemble-report'))).toEqual(
      expect.arrayContaining([
        ENV.REPORT_BUCKET,
        ENV.REPORT_PREFIX,
        ENV.CONFIG_BUCKET,
        ENV.CONFIG_KEY,
      ]),
    );
    const publish = env('whopays-publish-report');
    expect(publish[ENV.CONFIG_KEY]).toBe(start[ENV.CONFIG_KEY]);
    expect(publish[ENV.DRY_RUN]).toBe('true');
    expect(Object.keys(publish)).toEqual(
      expect.arrayContaining([ENV.SUMMARY_TOPIC_ARN, ENV.BUDGET_TOPIC_ARN, ENV.BUDGETS_ACCOUNT_ID]),
    );
    expect(env('whopays-normalize-dbr')[ENV.STAGING_BUCKET]).toBeDefined();
  });

  it('grants no wildcard action, and Resource "*" only where AWS accepts nothing else', () => {
    const statements = iamStatements(template());
    expect(statements.length).toBeGreaterThan(10);
    const starAllowed =
      /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:.*|s3:PutBucketNotification|lakeformation:GetDataAccess)$/;
    for (const statement of statements) {
      const actions = asArray(statement.Action as string | string[]);
      for (const action of actions) expect(action).not.toContain('*');
      if (asArray(statement.Resource as unknown).includes('*')) {
        for (const action of actions) expect(action).toMatch(starAllowed);
      }
    }
  });

  it('scopes Budgets to budget/<prefix>* with no region', () => {
    const budgets = iamStatements(template()).find((s) => s.Sid === 'BudgetsUnderPrefixOnly');
    expect(asArray(budgets?.Action as string[] | undefined).sort()).toEqual([
      'budgets:ModifyBudget',
      'budgets:ViewBudget',
    ]);
    expect(budgets?.Resource).toBe(
      `arn:${config.partition}:budgets::${config.account}:budget/whopays-*`,
    );
    // Listing (DescribeBudgets, one call for every account) reads every budget; it never writes.
    const listing = iamStatements(template()).find((s) => s.Sid === 'BudgetsListedReadOnly');
    expect(listing?.Action).toBe('budgets:ViewBudget');
    expect(listing?.Resource).toBe(`arn:${config.partition}:budgets::${config.account}:budget/*`);
  });

  it('scopes Athena permissions to the whopays workgroup and the default data catalog', () => {
    const athena = iamStatements(template()).filter((s) =>
      asArray(s.Action as string[]).some((a) => a.startsWith('athena:')),
    );
    expect(athena.length).toBeGreaterThan(0);
    for (const statement of athena) {
      for (const resource of asArray(statement.Resource as string[])) {
        expect(resource).toMatch(
          new RegExp(
            `^arn:${config.partition}:athena:${config.region}:${config.account}:(workgroup/|datacatalog/AwsDataCatalog$)`,
          ),
        );
      }
    }
  });

  it('alarms on dead letters, failed and timed-out runs and function errors into the alert topic', () => {
    const alarms = Object.values(template().findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(7);
    const metrics = alarms.map((a) => a.Properties.MetricName).sort();
    expect(metrics).toEqual(
      [
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Errors',
        'Errors',
        'Errors',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
      ].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('never grants Billing Conductor when it is off', () => {
    const actions = iamStatements(template()).flatMap((s) => asArray(s.Action as string[]));
    expect(actions.some((a) => a.startsWith('billingconductor:'))).toBe(false);
  });
});

/** The start of an ARN of `partition`: built, so the repository holds no aws-partition ARN literal. */
const arnOf = (partition: 'aws' | 'aws-cn') => `arn:${partition}:`;

describe('aws-cn template', () => {
  it('contains no aws-partition ARN and writes its own partition', () => {
    const text = JSON.stringify(templateOf('aws-cn').toJSON());
    expect(text).not.toContain(arnOf('aws'));
    expect(text).toContain(arnOf('aws-cn'));
  });

  it('has no X-Ray tracing on functions', () => {
    const functions = Object.values(templateOf('aws-cn').findResources('AWS::Lambda::Function'));
    for (const fn of functions) expect(fn.Properties.TracingConfig).toBeUndefined();
  });
});

describe('variants', () => {
  it('grants Billing Conductor reads scoped to billing groups when enabled in aws', () => {
    const config = { ...exampleConfig('aws'), readFromBillingConductor: true };
    const statements = iamStatements(synthesize(config).template);
    const read = statements.find((s) => s.Sid === 'ReadBillingGroups');
    expect(asArray(read?.Action as string[] | undefined).sort()).toEqual([
      'billingconductor:ListAccountAssociations',
      'billingconductor:ListBillingGroups',
    ]);
    expect(read?.Resource).toBe(`${arnOf('aws')}billingconductor::111122223333:billinggroup/*`);
  });

  it('imports an existing CUR bucket by name, leaving its policy alone but still notifying the queue', () => {
    const config = {
      ...exampleConfig('aws-cn'),
      curBucket: { mode: 'existing' as const, name: 'payer-cur-bucket' },
    };
    const { template } = synthesize(config);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'payer-cur-bucket',
    });
    const text = JSON.stringify(template.toJSON());
    expect(text).toContain(`${arnOf('aws-cn')}s3:::payer-cur-bucket/dbr/*`);
    expect(text).not.toContain(arnOf('aws'));
  });

  it('omits Budgets permissions when no budgets policy is configured', () => {
    const { budgets, ...config } = exampleConfig('aws');
    void budgets;
    const statements = iamStatements(synthesize(config).template);
    expect(statements.some((s) => s.Sid === 'BudgetsUnderPrefixOnly')).toBe(false);
  });
});
