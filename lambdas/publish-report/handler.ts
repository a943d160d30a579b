import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { budgetsAdapter, newBudgetsClient } from '../adapters/budgets.js';
import { s3Store } from '../adapters/s3-store.js';
import { snsNotifier } from '../adapters/sns.js';
import { BudgetsPolicySchema } from '../core/budget-plan.js';
import { builtOnFirstCall } from '../shared/cold-start.js';
import {
  ConfigError,
  loadPublishConfig,
  readRuntimeDocument,
  runtimeDocumentUri,
} from '../shared/config.js';
import { makeHandler } from './publish-report.js';

// Created once per container; the config is read and validated on the first invocation, so a bad
// deployment fails loudly.
const store = s3Store(new S3Client({}));
export const handler = builtOnFirstCall(async () => {
  const config = loadPublishConfig(process.env, await readRuntimeDocument(process.env, store));
  const parsedPolicy =
    config.budgetsPolicyJson === undefined
      ? undefined
      : BudgetsPolicySchema.safeParse(config.budgetsPolicyJson);
  if (parsedPolicy && !parsedPolicy.success) {
    throw new ConfigError(
      `config object ${runtimeDocumentUri(process.env)} budgetsPolicy: ${parsedPolicy.error.issues[0]?.message}`,
    );
  }
  const policy = parsedPolicy?.data;
  return makeHandler({
    store,
    ...(policy && config.budgetsAccountId
      ? {
          budgets: {
            port: budgetsAdapter(
              newBudgetsClient(config.budgetsRegion),
              config.budgetsAccountId,
              config.budgetTopicArn,
            ),
            policy,
          },
        }
      : {}),
    notifier: snsNotifier(new SNSClient({}), config.summaryTopicArn),
    reportBucket: config.reportBucket,
    reportPrefix: config.reportPrefix,
    dryRun: config.dryRunOverride ?? policy?.dryRun ?? true,
  });
});
