import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  BCMDataExportsClient,
  type Export,
  GetExportCommand,
  ListExportsCommand,
} from '@aws-sdk/client-bcm-data-exports';
import {
  CostAndUsageReportServiceClient,
  DescribeReportDefinitionsCommand,
  type DescribeReportDefinitionsResponse,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { GetDataLakeSettingsCommand, LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  type FilterRuleName,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { DoctorCheckFailedError, InputError } from '../../lambdas/core/errors.js';
import { parseDeployConfig } from '../../lib/config.js';
import { runDoctor } from '../../lib/doctor/checks.js';
import { doctorClients } from '../../lib/doctor/clients.js';
import { formatResults, readStackOutputs, runDoctorCommand } from '../../lib/doctor/command.js';
import { exampleJson } from '../infra/synth-helpers.js';

const ROOT = resolve(__dirname, '../..');
const BUCKET = 'whopays-curbucket-1a2b3c';

/**
 * Shapes from the API references: Data Exports GetExport
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_bcm-data-exports_GetExport.html),
 * CUR DescribeReportDefinitions
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_cur_DescribeReportDefinitions.html).
 */
const goodExport = (name: string, prefix: string): Export => ({
  Name: name,
  DataQuery: {
    QueryStatement:
      'SELECT line_item_usage_account_id, line_item_unblended_cost FROM COST_AND_USAGE_REPORT',
    TableConfigurations: {
      COST_AND_USAGE_REPORT: { TIME_GRANULARITY: 'HOURLY', INCLUDE_RESOURCES: 'TRUE' },
    },
  },
  DestinationConfigurations: {
    S3Destination: {
      S3Bucket: BUCKET,
      S3Prefix: prefix,
      S3Region: 'us-east-1',
      S3OutputConfigurations: {
        OutputType: 'CUSTOM',
        Format: 'PARQUET',
        Compression: 'PARQUET',
        Overwrite: 'OVERWRITE_REPORT',
      },
    },
  },
  RefreshCadence: { Frequency: 'SYNCHRONOUS' },
});

const goodReport = (name: string, prefix: string): ReportDefinition => ({
  ReportName: name,
  TimeUnit: 'HOURLY',
  Format: 'Parquet',
  Compression: 'Parquet',
  AdditionalSchemaElements: ['RESOURCES'],
  S3Bucket: BUCKET,
  S3Prefix: prefix,
  S3Region: 'us-east-1',
  AdditionalArtifacts: ['ATHENA'],
  ReportVersioning: 'OVERWRITE_REPORT',
});

/** The delivery statements the stack writes (lib/cur-bucket.ts), for one partition. */
const bucketPolicy = (partition: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: ['billingreports.amazonaws.com', 'bcm-data-exports.amazonaws.com'] },
        Action: ['s3:GetBucketAcl', 's3:GetBucketPolicy'],
        Resource: `arn:${partition}:s3:::${BUCKET}`,
      },
      {
        Effect: 'Allow',
        Principal: { Service: ['billingreports.amazonaws.com', 'bcm-data-exports.amazonaws.com'] },
        Action: 's3:PutObject',
        Resource: `arn:${partition}:s3:::${BUCKET}/*`,
      },
    ],
  });

const queue = (prefix: string, suffix: string) => ({
  QueueArn: 'queue',
  Events: ['s3:ObjectCreated:*' as const],
  Filter: {
    Key: {
      FilterRules: [
        // S3 answers `Prefix` / `Suffix`; the SDK's type names them in lower case.
        { Name: 'Prefix' as FilterRuleName, Value: prefix },
        { Name: 'Suffix' as FilterRuleName, Value: suffix },
      ],
    },
  },
});

const OUTPUTS = {
  curBucketName: BUCKET,
  summaryTopicArn: 'summary-topic',
  alertTopicArn: 'alert-topic',
};

describe('whopays doctor', () => {
  const sts = mockClient(STSClient);
  const organizations = mockClient(OrganizationsClient);
  const exports = mockClient(BCMDataExportsClient);
  // The legacy CUR client stopped at 3.332.0 (no newer release): its older smithy types do not fit
  // aws-sdk-client-mock's, the stubbing itself does.
  const cur = mockClient(CostAndUsageReportServiceClient as never) as unknown as {
    reset(): void;
    on(command: typeof DescribeReportDefinitionsCommand): {
      resolves(output: DescribeReportDefinitionsResponse): void;
    };
  };
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  const lakeFormation = mockClient(LakeFormationClient);

  /** A healthy deployment of the example config of `partition`. */
  const healthy = (name: 'aws' | 'aws-cn') => {
    const config = parseDeployConfig(exampleJson(name), `examples/deploy/${name}.json`);
    for (const mock of [sts, organizations, exports, cur, s3, sns, lakeFormation]) mock.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: config.account });
    organizations
      .on(DescribeOrganizationCommand)
      .resolves({ Organization: { Id: 'o-example', MasterAccountId: config.account } });
    const cur2 = config.sources.find((s) => s.format === 'cur2')!;
    exports.on(ListExportsCommand).resolves({
      Exports: [
        { ExportName: 'someone-else', ExportArn: 'x', ExportStatus: undefined },
        { ExportName: cur2.reportName, ExportArn: 'export-arn', ExportStatus: undefined },
      ],
    });
    exports
      .on(GetExportCommand, { ExportArn: 'export-arn' })
      .resolves({ Export: goodExport(cur2.reportName!, cur2.prefix) });
    const cur1 = config.sources.find((s) => s.format === 'cur');
    cur.on(DescribeReportDefinitionsCommand).resolves({
      ReportDefinitions: cur1 ? [goodReport(cur1.reportName!, cur1.prefix)] : [],
    });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: bucketPolicy(config.partition) });
    s3.on(GetBucketNotificationConfigurationCommand).resolves({
      QueueConfigurations: config.sources.flatMap((source) =>
        source.format === 'dbr'
          ? [queue(`${source.prefix}/`, '.csv.zip'), queue(`${source.prefix}/`, '.csv')]
          : source.format === 'cur2'
            ? [
                queue(
                  `${source.prefix}/${source.reportName}/metadata/`,
                  `${source.reportName}-Manifest.json`,
                ),
              ]
            : [
                queue(
                  `${source.prefix}/${source.reportName}/`,
                  `${source.reportName}-Manifest.json`,
                ),
              ],
      ),
    });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: config.notifications.emails.map((email) => ({
        Endpoint: email,
        Protocol: 'email',
        SubscriptionArn: 'subscription-arn',
      })),
    });
    lakeFormation.on(GetDataLakeSettingsCommand).resolves({
      DataLakeSettings: {
        CreateDatabaseDefaultPermissions: [
          {
            Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' },
            Permissions: ['ALL'],
          },
        ],
        CreateTableDefaultPermissions: [
          {
            Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' },
            Permissions: ['ALL'],
          },
        ],
      },
    });
    return config;
  };

  const statusOf = (results: { check: string; status: string }[]) =>
    Object.fromEntries(results.map((r) => [r.check, r.status]));

  it('aws: every check passes on a healthy deployment', async () => {
    const config = healthy('aws');
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    expect(statusOf(results)).toEqual({
      account: 'pass',
      'budgets payer': 'pass',
      'source cur2 (cur2)': 'pass',
      'source cur1 (cur)': 'pass',
      'bucket policy': 'pass',
      'bucket notifications': 'pass',
      'summary topic subscriptions': 'pass',
      'alert topic subscriptions': 'pass',
      'Lake Formation': 'pass',
    });
  });

  it('aws-cn: the DBR source is skipped with the reason, the rest passes', async () => {
    const config = healthy('aws-cn');
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    const dbr = results.find((r) => r.check === 'source dbr (dbr)')!;
    expect(dbr).toMatchObject({ status: 'skip' });
    expect(dbr.detail).toMatch(/no API to read its settings/);
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('aws-cn: a Data Exports endpoint that does not answer is skipped with the reason, not failed', async () => {
    const config = healthy('aws-cn');
    exports
      .on(ListExportsCommand)
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    expect(results.find((r) => r.check === 'source cur2 (cur2)')).toMatchObject({
      status: 'skip',
      detail: expect.stringMatching(/did not answer in aws-cn/),
    });
    // In aws the endpoint is known: no answer is a failure there.
    const aws = healthy('aws');
    exports
      .on(ListExportsCommand)
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const inAws = await runDoctor(aws, OUTPUTS, doctorClients(aws));
    expect(inAws.find((r) => r.check === 'source cur2 (cur2)')?.status).toBe('fail');
  });

  it('asks the global billing APIs in the partition billing region (us-east-1 / cn-northwest-1)', async () => {
    for (const [name, region] of [
      ['aws', 'us-east-1'],
      ['aws-cn', 'cn-northwest-1'],
    ] as const) {
      const config = parseDeployConfig(exampleJson(name), name);
      const clients = doctorClients(config);
      for (const client of [clients.dataExports, clients.cur, clients.organizations]) {
        expect(await client.config.region()).toBe(region);
      }
      expect(await clients.s3.config.region()).toBe(config.region);
    }
  });

  it('fails a create-new-version export without resource ids under another prefix, with the fix', async () => {
    const config = healthy('aws');
    const bad = goodExport('whopays-cur2', 'elsewhere');
    exports.on(GetExportCommand).resolves({
      Export: {
        ...bad,
        DataQuery: {
          ...bad.DataQuery!,
          TableConfigurations: { COST_AND_USAGE_REPORT: { INCLUDE_RESOURCES: 'FALSE' } },
        },
        DestinationConfigurations: {
          S3Destination: {
            ...bad.DestinationConfigurations!.S3Destination!,
            S3OutputConfigurations: {
              ...bad.DestinationConfigurations!.S3Destination!.S3OutputConfigurations!,
              Overwrite: 'CREATE_NEW_REPORT',
            },
          },
        },
      },
    });
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    const result = results.find((r) => r.check === 'source cur2 (cur2)')!;
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/INCLUDE_RESOURCES is FALSE/);
    expect(result.detail).toMatch(/overwrite is CREATE_NEW_REPORT/);
    expect(result.detail).toMatch(/S3 prefix is "elsewhere", the config says "billing"/);
    expect(result.fix).toMatch(/Include resource IDs.*Parquet.*Overwrite/);
  });

  it('fails a CUR 1 report in CSV without resource ids', async () => {
    const config = healthy('aws');
    cur.on(DescribeReportDefinitionsCommand).resolves({
      ReportDefinitions: [
        {
          ...goodReport('whopays-cur1', 'legacy'),
          Format: 'textORcsv',
          AdditionalSchemaElements: [],
          ReportVersioning: 'CREATE_NEW_REPORT',
        },
      ],
    });
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    const result = results.find((r) => r.check === 'source cur1 (cur)')!;
    expect(result).toMatchObject({ status: 'fail' });
    expect(result.detail).toMatch(/format is textORcsv.*RESOURCES.*CREATE_NEW_REPORT/);
  });

  it('fails when another tool replaced the notifications, or the bucket policy lost a principal', async () => {
    const config = healthy('aws');
    s3.on(GetBucketNotificationConfigurationCommand).resolves({
      LambdaFunctionConfigurations: [
        { LambdaFunctionArn: 'other-tool', Events: ['s3:ObjectCreated:*'] },
      ],
    });
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'billingreports.amazonaws.com' },
            Action: ['s3:PutObject', 's3:GetBucketPolicy'],
            Resource: [
              `arn:${config.partition}:s3:::${BUCKET}`,
              `arn:${config.partition}:s3:::${BUCKET}/*`,
            ],
          },
        ],
      }),
    });
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    const notifications = results.find((r) => r.check === 'bucket notifications')!;
    expect(notifications.status).toBe('fail');
    expect(notifications.detail).toContain(
      'billing/whopays-cur2/metadata/*whopays-cur2-Manifest.json',
    );
    expect(notifications.fix).toMatch(/replaces the whole set/);
    const policy = results.find((r) => r.check === 'bucket policy')!;
    expect(policy.status).toBe('fail');
    expect(policy.detail).toMatch(
      /bcm-data-exports\.amazonaws\.com may not s3:PutObject under billing\//,
    );
  });

  it('fails when the stack is not in the management account, an e-mail is unconfirmed, or Lake Formation governs the catalog', async () => {
    const config = healthy('aws');
    organizations
      .on(DescribeOrganizationCommand)
      .resolves({ Organization: { Id: 'o-example', MasterAccountId: '999999999999' } });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ Endpoint: 'finops@example.com', SubscriptionArn: 'PendingConfirmation' }],
    });
    lakeFormation.on(GetDataLakeSettingsCommand).resolves({ DataLakeSettings: {} });
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    expect(statusOf(results)).toMatchObject({
      'budgets payer': 'fail',
      'summary topic subscriptions': 'fail',
      'Lake Formation': 'fail',
    });
    expect(results.find((r) => r.check === 'budgets payer')!.detail).toBe(
      'the management account is 999999999999, budgets.payerAccountId is 111122223333, the stack runs in 111122223333',
    );
  });

  it('names the permission an AccessDenied lacks', async () => {
    const config = healthy('aws');
    lakeFormation
      .on(GetDataLakeSettingsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const results = await runDoctor(config, OUTPUTS, doctorClients(config));
    expect(results.find((r) => r.check === 'Lake Formation')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/lakeformation:GetDataLakeSettings/),
    });
  });

  it('skips the bucket and topic checks, with the reason, without the stack outputs', async () => {
    const config = healthy('aws');
    const results = await runDoctor(config, {}, doctorClients(config));
    expect(statusOf(results)).toMatchObject({
      'bucket policy': 'skip',
      'bucket notifications': 'skip',
      'summary topic subscriptions': 'skip',
    });
    expect(results.find((r) => r.check === 'bucket policy')!.detail).toMatch(/--outputs/);
  });

  describe('the command', () => {
    let folder: string;
    let stdout: string[];
    let spy: jest.SpyInstance;
    beforeEach(() => {
      folder = mkdtempSync(join(tmpdir(), 'doctor-'));
      stdout = [];
      spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        stdout.push(String(chunk));
        return true;
      });
    });
    afterEach(() => {
      spy.mockRestore();
      rmSync(folder, { recursive: true, force: true });
    });
    const outputsFile = () => {
      const file = join(folder, 'outputs.json');
      writeFileSync(
        file,
        JSON.stringify({
          Whopays: {
            CurBucketName: BUCKET,
            SummaryTopicArn: 'summary-topic',
            AlertTopicArn: 'alert-topic',
            AthenaDatabase: 'whopays',
          },
        }),
      );
      return file;
    };

    it('prints PASS lines and resolves (exit 0) when every check passes', async () => {
      healthy('aws');
      await runDoctorCommand({
        config: join(ROOT, 'examples/deploy/aws.json'),
        outputs: outputsFile(),
      });
      const text = stdout.join('');
      expect(text).toMatch(/^PASS {2}account/m);
      expect(text).toContain('9 passed, 0 failed, 0 skipped');
    });

    it('throws the exit-1 error naming the failed checks, with the fixes on stdout', async () => {
      healthy('aws');
      s3.on(GetBucketNotificationConfigurationCommand).resolves({});
      await expect(
        runDoctorCommand({
          config: join(ROOT, 'examples/deploy/aws.json'),
          outputs: outputsFile(),
        }),
      ).rejects.toThrow(DoctorCheckFailedError);
      expect(stdout.join('')).toMatch(/^FAIL {2}bucket notifications .*\n +fix: another tool/m);
    });

    it('turns refused credentials into one exit-2 line', async () => {
      healthy('aws');
      sts.on(GetCallerIdentityCommand).rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      );
      const error = await runDoctorCommand({
        config: join(ROOT, 'examples/deploy/aws.json'),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(
        /^doctor: no usable AWS credentials \(CredentialsProviderError: Could not load credentials from any providers\): .*nothing was checked$/,
      );
      expect(stdout).toEqual([]);
    });

    it('reads cdk outputs and refuses a file without whopays outputs', () => {
      expect(readStackOutputs(outputsFile())).toEqual(OUTPUTS);
      const other = join(folder, 'other.json');
      writeFileSync(other, JSON.stringify({ SomethingElse: { Url: 'x' } }));
      expect(() => readStackOutputs(other)).toThrow(/has no whopays stack outputs/);
    });

    it('formats a failure with its fix under it', () => {
      expect(
        formatResults([
          { check: 'a', status: 'pass', detail: 'fine' },
          { check: 'bbb', status: 'fail', detail: 'broken', fix: 'mend it' },
        ]),
      ).toBe(
        'PASS  a    fine\nFAIL  bbb  broken\n           fix: mend it\n\n1 passed, 1 failed, 0 skipped\n',
      );
    });
  });
});

describe('whopays doctor, the built command without credentials', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
  }, 120_000);

  it('exits 2 with one stderr line and checks nothing', () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')),
    );
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/whopays.mjs'), 'doctor', '--config', 'examples/deploy/aws.json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...env,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONFIG_FILE: join(ROOT, 'no-such-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'no-such-aws-credentials'),
        },
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^whopays: doctor: no usable AWS credentials/);
  });
});
