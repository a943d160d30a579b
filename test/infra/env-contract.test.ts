import type { Template } from 'aws-cdk-lib/assertions';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { BudgetsPolicySchema } from '../../lambdas/core/budget-plan.js';
import { classifyKey, matchSource } from '../../lambdas/core/delivery.js';
import { parseBillingGroups } from '../../lambdas/core/groups.js';
import {
  loadAssembleConfig,
  loadNormalizeConfig,
  loadPublishConfig,
  loadStartConfig,
  type RuntimeDocument,
  readRuntimeDocument,
} from '../../lambdas/shared/config.js';
import { ENV } from '../../lambdas/shared/env.js';
import type { PipelineFunctionName } from '../../lib/pipeline-function.js';
import { lambdaContext } from '../lambdas/helpers/lambda-context.js';
import { MemoryS3, newS3Client } from '../lambdas/helpers/memory-s3.js';
import { type Deployed, refOf, resolve } from './deployed.js';
import {
  configDocumentOf,
  EXAMPLES,
  type ExampleName,
  exampleConfig,
  synthesize,
} from './synth-helpers.js';

/**
 * The contract between lib/ (which sets each function's environment) and lambdas/shared/config.ts
 * (which every handler runs at cold start): the synthesized variables, with CloudFormation tokens
 * replaced by the kind of value CloudFormation would put there, must load without error and mean
 * the same buckets, prefixes, tables and sources as the rest of the template.
 */

type Env = Record<string, string>;

/** Each pipeline function's environment as the deployed Lambda would see it. */
const deployedEnvironments = (
  name: ExampleName,
): {
  d: Deployed;
  template: Template;
  envs: Map<PipelineFunctionName, Env>;
  document: RuntimeDocument;
} => {
  const config = exampleConfig(name);
  const synthesized = synthesize(config);
  const { template } = synthesized;
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
  return { d, template, envs, document: configDocumentOf(synthesized) };
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
  const { d, template, envs, document } = deployedEnvironments(name);
  /** The bootstrap assets bucket as deployed: holds the config object under its hash key. */
  const start0 = envOf(envs, 'start-run');
  // One S3 mock per describe, made in beforeAll: mocks of S3Client replace each other.
  let s3: MemoryS3 | undefined;
  beforeAll(() => {
    s3 = new MemoryS3();
    s3.put(start0[ENV.CONFIG_BUCKET]!, start0[ENV.CONFIG_KEY]!, JSON.stringify(document));
  });
  afterAll(() => s3?.restore());
  const documentFor = (env: Env) => readRuntimeDocument(env, s3Store(newS3Client()));

  test('the config object is in the bootstrap assets bucket of the stack account and region', () => {
    for (const fn of ['start-run', 'assemble-report', 'publish-report'] as const) {
      const env = envOf(envs, fn);
      expect(env[ENV.CONFIG_BUCKET]).toBe(`cdk-hnb659fds-assets-${d.account}-${d.region}`);
      expect(env[ENV.CONFIG_KEY]).toBe(start0[ENV.CONFIG_KEY]);
    }
  });
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
      'install-views',
      'normalize-dbr',
      'publish-report',
      'start-run',
    ]);
  });

  test('start-run loads its config: every source matches its own delivery and names a real table', async () => {
    const env = envOf(envs, 'start-run');
    const start = loadStartConfig(env, await documentFor(env));
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

  test('start-run stages DBR where normalize-dbr writes and the DBR Glue table reads', async () => {
    const env = envOf(envs, 'start-run');
    const start = loadStartConfig(env, await documentFor(env));
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

  test('assemble-report loads its config and its billing groups are valid', async () => {
    const env = envOf(envs, 'assemble-report');
    const assemble = loadAssembleConfig(env, await documentFor(env));
    expect(assemble.reportBucket).toBe(workBucket);
    expect(assemble.reportPrefix).toBe('reports/');
    expect(assemble.sources.map((s) => [s.format, s.payerAccountId, s.currency])).toEqual(
      config.sources.map((s) => [s.format, s.payerAccountId, s.currency]),
    );
    const groups = parseBillingGroups(assemble.billingGroups, 'config object');
    expect(groups.map((g) => g.name)).toEqual(config.billingGroups.map((g) => g.Name));
  });

  test('publish-report loads its config: budgets policy, partition Budgets region, topics', async () => {
    const env = envOf(envs, 'publish-report');
    const publish = loadPublishConfig(env, await documentFor(env));
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

  test('normalize-dbr handler module initializes with the deployed environment', () => {
    const saved = process.env;
    process.env = { ...saved, ...envOf(envs, 'normalize-dbr') };
    try {
      jest.isolateModules(() => {
        const module = require('../../lambdas/normalize-dbr/handler') as { handler: unknown };
        expect(typeof module.handler).toBe('function');
      });
    } finally {
      process.env = saved;
    }
  });

  test.each(['start-run', 'assemble-report', 'publish-report'] as const)(
    '%s handler reads the config object once and builds from it on its first invocation',
    async (fn) => {
      const saved = process.env;
      const env = envOf(envs, fn);
      process.env = { ...saved, ...env };
      // The handler module gets its own module registry, so the S3 mock must be made inside it.
      let handler: (event: unknown, context: unknown) => Promise<unknown> = async () => undefined;
      let calls: () => Array<{ Bucket?: string; Key?: string }> = () => [];
      let restore = () => {};
      try {
        jest.isolateModules(() => {
          const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
          const { mockClient } = require('aws-sdk-client-mock');
          const { sdkStreamMixin } = require('@smithy/util-stream');
          const { Readable } = require('node:stream');
          const mock = mockClient(S3Client);
          mock
            .on(GetObjectCommand, { Bucket: env[ENV.CONFIG_BUCKET], Key: env[ENV.CONFIG_KEY] })
            .callsFake(() => ({
              Body: sdkStreamMixin(Readable.from([Buffer.from(JSON.stringify(document))])),
            }));
          calls = () =>
            mock
              .commandCalls(GetObjectCommand)
              .map((c: { args: [{ input: object }] }) => c.args[0].input);
          restore = () => mock.restore();
          handler = require(`../../lambdas/${fn}/handler`).handler;
        });
        // An empty event: the config loads, then the handler refuses the event (not the config).
        for (let i = 0; i < 2; i++) {
          const failure = await handler({}, lambdaContext).then(
            () => undefined,
            (error: Error) => error,
          );
          expect(failure?.name).not.toBe('ConfigError');
        }
        expect(calls()).toEqual([{ Bucket: env[ENV.CONFIG_BUCKET], Key: env[ENV.CONFIG_KEY] }]);
      } finally {
        restore();
        process.env = saved;
      }
    },
  );
});
