import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InputError } from '../lambdas/core/errors.js';
import { loadDeployConfig } from '../lib/config.js';
import { WhopaysStack } from '../lib/whopays-stack.js';

// The only place that reads context: `npx cdk synth -c config=examples/deploy/aws.json`.
const app = new App();
const configPath: unknown = app.node.tryGetContext('config');
try {
  if (typeof configPath !== 'string' || configPath === '') {
    throw new InputError(
      'cdk synth',
      'no deploy config: run `npx cdk synth -c config=examples/deploy/aws.json` (or aws-cn.json, or your own copy; docs/deploying.md)',
    );
  }
  const config = loadDeployConfig(configPath);
  new WhopaysStack(app, config.stackName, {
    config,
    projectRoot: join(import.meta.dirname, '..'),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (error instanceof InputError) {
    // One line, no stack trace: the field is named in the message.
    process.stderr.write(`whopays: ${(error as InputError).message}\n`);
    process.exit(2);
  }
  throw error;
}
