import type { Template } from 'aws-cdk-lib/assertions';
import { BudgetsPolicySchema } from '../../lambdas/core/budget-plan.js';
import { classifyKey, matchSource } from '../../lambdas/core/delivery.js';
import { parseBillingGroups } from '../../lambdas/core/groups.js';
import {
  loadAssembleConfig,
  loadNormalizeConfig,
  loadPublishConfig,
  loadStartConfig,
} from '../../lambdas/shared/config.js';
import { ENV } from '../../lambdas/shared/env.js';
import type { PipelineFunctionName } from '../../lib/pipeline-function.js';
import { EXAMPLES, type ExampleName, exampleConfig, synthesize } from './synth-helpers.js';

/**
 * The contract between lib/ (which sets each function's environment) and lambdas/shared/config.ts
 * (which every handler runs at cold start): the synthesized variables, with CloudFormation tokens
 * replaced by the kind of value CloudFormation would put there, must load without error and mean
 * the same buckets, prefixes, tables and sources as the rest of the template.
 */

type Env = Record<string, string>;

interface Deployed {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** A plausible physical value for `Ref` on a resource, by type (what CloudFormation returns). */
const refOf = (d: Deployed, logicalId: string): string => {
  switch (logicalId) {
    case 'AWS::AccountId':
      return d.account;
    case 'AWS::Region':
      return d.region;
    case 'AWS::Partition':
      return d.partition;
    case 'AWS::URLSuffix':
      return d.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  }
  const resource = d.resources[logicalId];
  if (resource === undefined) throw new Error(`Ref to unknown resource ${logicalId}`);
  const name = logicalId.toLowerCase();
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return `whopays-${name}`.slice(0, 63);
    case 'AWS::SNS::Topic':
      return `arn:${d.partition}:sns:${d.region}:${d.account}:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${d.partition}:states:${d.region}:${d.account}:stateMachine:${logicalId}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${d.region}.${refOf(d, 'AWS::URLSuffix')}/${d.account}/${logicalId}`;
    case 'AWS::KMS::Key':
      return '1234abcd-12ab-34cd-56ef-1234567890ab';
    default:
      throw new Error(`no plausible Ref value for ${resource.Type} (${logicalId})`);
  }
};

const arnOf = (d: Deployed, logicalId: string): string => {
  const resource = d.resources[logicalId];
  if (resource === undefined) throw new Error(`GetAtt on unknown resource ${logicalId}`);
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return `arn:${d.partition}:s3:::${refOf(d, logicalId)}`;
    case 'AWS::SNS::Topic':
    case 'AWS::StepFunctions::StateMachine':
      return refOf(d, logicalId);
    case 'AWS::SQS::Queue':
      return `arn:${d.partition}:sqs:${d.region}:${d.account}:${logicalId}`;
    case 'AWS::KMS::Key':
      return `arn:${d.partition}:kms:${d.region}:${d.account}:key/${refOf(d, logicalId)}`;
    default:
      throw new Error(`no plausible Arn for ${resource.Type} (${logicalId})`);
  }
};

/** Replaces Ref / Fn::GetAtt / Fn::Join by strings; any other intrinsic fails the test loudly. */
const resolve = (d: Deployed, value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) {
    throw new Error(`environment value is not a string: ${JSON.stringify(value)}`);
  }
  const [[fn, arg]] = Object.entries(value) as [[string, unknown]];
  switch (fn) {
    case 'Ref':
      return refOf(d, arg as string);
    case 'Fn::GetAtt': {
      const [id, attribute] = arg as [string, string];
      if (attribute !== 'Arn') throw new Error(`unexpected Fn::GetAtt ${id}.${attribute}`);
      return arnOf(d, id);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => resolve(d, part)).join(separator);
    }
    default:
      throw new Error(`unexpected intrinsic ${fn} in a function environment`);
  }
};

/** Each pipeline function's environment as the deployed Lambda would see it. */
const deployedEnvironments = (
  name: ExampleName,
): { d: Deployed; template: Template; envs: Map<PipelineFunctionName, Env> } => {
  const config = exampleConfig(name);
  const { template } = synthesize(config);
  const d: Deployed = {
    partition: config.partition,
    region: config.region,
    account: config.account,
    resources: template.toJSON().Resources,
  };
  const envs = new Map<PipelineFunctionName, Env>();
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    const service = variables[ENV.POWERTOOLS_SERVICE_NAME];
    if (typeof service !== 'string' || !service.startsWith('whopays-')) continue;
    // The Lambda runtime adds AWS_REGION; the Budgets region fallback reads it.
    const env: Env = { AWS_REGION: config.region };
    for (const [key, value] of Object.entries(variables)) env[key] = resolve(d, value);
    envs.set(service.slice('whopays-'.length) as PipelineFunctionName, env);
  }
  return { d, template, envs };
};

const envOf = (envs: Map<PipelineFunctionName, Env>, name: PipelineFunctionName): Env => {
  const env = envs.get(name);
  if (env === undefined) throw new Error(`function ${name} is not in the template`);
  return env;
};

/** A trigger key each source's delivery really produces (docs/CUR-REFERENCE.md layouts). */
const deliveryKey = (source: {
  format: string;
  prefix: string;
  reportName?: string;
  payerAccountId: string;
}): string => {
  switch (source.format) {
    case 'cur':
      return `${source.prefix}/${source.reportName}/20251001-20251101/${source.reportName}-Manifest.json`;
    case 'cur2':
      return `${source.prefix}/${source.reportName}/metadata/BILLING_PERIOD=2025-10/${source.reportName}-Manifest.json`;
    default:
      return `${source.prefix}/${source.payerAccountId}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip`;
  }
};

describe.each(EXAMPLES)('environment contract (%s)', (name) => {
  const config = exampleConfig(name);
  const { d, template, envs } = deployedEnvironments(name);
  const glueTables = Object.values(template.findResources('AWS::Glue::Table')).map(
    (t) => t.Properties.TableInput as { Name: string; StorageDescriptor: { Location: unknown } },
  );
  const workBucket = refOf(
    d,
    Object.keys(template.findResources('AWS::S3::Bucket')).find((id) =>
      id.startsWith('WorkBucket'),
    ) ?? 'WorkBucket',
  );

  test('every pipeline function is in the template', () => {
    expect([...envs.keys()].sort()).toEqual([
      'assemble-report',
      'normalize-dbr',
      'publish-report',
      'start-run',
    ]);
  });

  test('start-run loads its config: every source matches its own delivery and names a real table', () => {
    const start = loadStartConfig(envOf(envs, 'start-run'));
    expect(start.stateMachineArn).toMatch(new RegExp(`^arn:${d.partition}:states:`));
    expect(start.sources.map((s) => s.id)).toEqual(config.sources.map((s) => s.id));
    for (const source of config.sources) {
      const delivery = classifyKey(deliveryKey(source));
      expect(delivery?.format).toBe(source.format);
      const matched = matchSource(delivery!, start.sources);
      expect(matched?.id).toBe(source.id);
      const table = matched?.table ?? start.tables[source.format];
      expect(glueTables.map((t) => t.Name)).toContain(table);
    }
    for (const table of Object.values(start.tables)) {
      if (table !== undefined) expect(glueTables.map((t) => t.Name)).toContain(table);
    }
  });

  test('start-run stages DBR where normalize-dbr writes and the DBR Glue table reads', () => {
    const start = loadStartConfig(envOf(envs, 'start-run'));
    const normalize = loadNormalizeConfig(envOf(envs, 'normalize-dbr'));
    expect(normalize).toEqual({
      stagingBucket: start.stagingBucket,
      stagingPrefix: start.stagingPrefix,
    });
    expect(start.stagingBucket).toBe(workBucket);
    expect(start.stagingPrefix).toMatch(/^[^/].*\/$/);
    const dbr = glueTables.find((t) => t.Name === start.tables.dbr);
    if (config.sources.some((s) => s.format === 'dbr')) {
      // start-run's staging keys are `<prefix>dbr/payer=<id>/billing_period=<YYYY-MM>/<file>.gz`.
      expect(resolve(d, dbr?.StorageDescriptor.Location)).toBe(
        `s3://${start.stagingBucket}/${start.stagingPrefix}dbr/`,
      );
    } else {
      expect(dbr).toBeUndefined();
    }
  });

  test('assemble-report loads its config and its billing groups are valid', () => {
    const assemble = loadAssembleConfig(envOf(envs, 'assemble-report'));
    expect(assemble.reportBucket).toBe(workBucket);
    expect(assemble.reportPrefix).toBe('reports/');
    expect(assemble.sources.map((s) => [s.format, s.payerAccountId, s.currency])).toEqual(
      config.sources.map((s) => [s.format, s.payerAccountId, s.currency]),
    );
    const groups = parseBillingGroups(assemble.billingGroups, ENV.BILLING_GROUPS_JSON);
    expect(groups.map((g) => g.name)).toEqual(config.billingGroups.map((g) => g.Name));
  });

  test('publish-report loads its config: budgets policy, partition Budgets region, topics', () => {
    const publish = loadPublishConfig(envOf(envs, 'publish-report'));
    expect(publish.reportBucket).toBe(workBucket);
    expect(publish.reportPrefix).toBe('reports/');
    expect(BudgetsPolicySchema.parse(publish.budgetsPolicyJson)).toEqual(config.budgets);
    expect(publish.budgetsAccountId).toBe(config.account);
    // Budgets signs in one region per partition (docs/PARTITIONS.md), wherever the stack runs.
    expect(publish.budgetsRegion).toBe(
      config.partition === 'aws-cn' ? 'cn-northwest-1' : 'us-east-1',
    );
    expect(envOf(envs, 'publish-report')[ENV.BUDGETS_REGION]).toBe(publish.budgetsRegion);
    expect(publish.dryRunOverride).toBe(config.budgets?.dryRun);
    expect(publish.summaryTopicArn).toMatch(new RegExp(`^arn:${d.partition}:sns:${d.region}:`));
    expect(publish.budgetTopicArn).toMatch(new RegExp(`^arn:${d.partition}:sns:${d.region}:`));
  });

  test.each(['start-run', 'normalize-dbr', 'assemble-report', 'publish-report'] as const)(
    '%s handler module initializes with the deployed environment',
    (fn) => {
      const saved = process.env;
      process.env = { ...saved, ...envOf(envs, fn) };
      try {
        jest.isolateModules(() => {
          const module = require(`../../lambdas/${fn}/handler`) as { handler: unknown };
          expect(typeof module.handler).toBe('function');
        });
      } finally {
        process.env = saved;
      }
    },
  );
});
