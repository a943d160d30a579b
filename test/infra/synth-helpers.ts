import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type RuntimeDocument, RuntimeDocumentSchema } from '../../lambdas/shared/config.js';
import { ENV } from '../../lambdas/shared/env.js';
import { type DeployConfig, parseDeployConfig } from '../../lib/config.js';
import { WhopaysStack } from '../../lib/whopays-stack.js';

export const PROJECT_ROOT = join(__dirname, '..', '..');
const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export const EXAMPLES = ['aws', 'aws-cn'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

/** The raw JSON of examples/deploy/<name>.json, to derive variants from. */
export const exampleJson = (name: ExampleName): Record<string, unknown> =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'deploy', `${name}.json`), 'utf8'));

export const exampleConfig = (name: ExampleName): DeployConfig =>
  parseDeployConfig(exampleJson(name), `examples/deploy/${name}.json`);

export interface Synthesized {
  readonly app: App;
  readonly stack: WhopaysStack;
  readonly template: Template;
}

/**
 * Builds the stack the way bin/app.ts does, with cdk.json's feature flags (without them `new App()`
 * silently falls back to old defaults). Bundling is skipped unless `bundle` is set.
 */
/** An App with cdk.json's feature flags; bundling is skipped unless `bundle` is set. */
export const newApp = (options: { bundle?: boolean; outdir?: string } = {}): App =>
  new App({
    outdir: options.outdir,
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': (options.bundle ?? false) ? ['**'] : [],
    },
  });

export function synthesize(
  config: DeployConfig,
  options: { bundle?: boolean; outdir?: string } = {},
): Synthesized {
  const app = newApp(options);
  const stack = new WhopaysStack(app, config.stackName, { config, projectRoot: PROJECT_ROOT });
  return { app, stack, template: Template.fromStack(stack) };
}

/**
 * The config object a synthesized stack publishes (lib/runtime-config.ts), read from the asset file
 * of the cloud assembly: what the functions would read from S3, not what the construct was given.
 */
export function configDocumentOf({ app, template }: Synthesized): RuntimeDocument {
  const keys = new Set<string>();
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const key = fn.Properties.Environment?.Variables?.[ENV.CONFIG_KEY];
    if (key !== undefined) keys.add(key as string);
  }
  if (keys.size !== 1) throw new Error(`expected one config object key, got ${[...keys]}`);
  const assembly = app.synth();
  const [key] = [...keys];
  return RuntimeDocumentSchema.parse(
    JSON.parse(readFileSync(join(assembly.directory, `asset.${key}`), 'utf8')),
  );
}

/** Every IAM policy statement of a template (identity policies and inline role policies). */
export function iamStatements(template: Template): Array<Record<string, unknown>> {
  const statements: Array<Record<string, unknown>> = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    statements.push(
      ...(policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>),
    );
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of (role.Properties.Policies ?? []) as Array<{
      PolicyDocument: { Statement: [] };
    }>) {
      statements.push(...inline.PolicyDocument.Statement);
    }
  }
  return statements;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
