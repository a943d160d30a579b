import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
export function synthesize(
  config: DeployConfig,
  options: { bundle?: boolean; outdir?: string } = {},
): Synthesized {
  const app = new App({
    outdir: options.outdir,
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': (options.bundle ?? false) ? ['**'] : [],
    },
  });
  const stack = new WhopaysStack(app, 'Whopays', { config, projectRoot: PROJECT_ROOT });
  return { app, stack, template: Template.fromStack(stack) };
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
