import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { budgetsAdapter, newBudgetsClient } from '../adapters/budgets.js';
import { s3Store } from '../adapters/s3-store.js';
import { snsNotifier } from '../adapters/sns.js';
import { BudgetsPolicySchema } from '../core/budget-plan.js';
import { ConfigError, loadPublishConfig } from '../shared/config.js';
import { makeHandler } from './publish-report.js';

const config = loadPublishConfig(process.env);
const parsedPolicy =
  config.budgetsPolicyJson === undefined
    ? undefined
    : BudgetsPolicySchema.safeParse(config.budgetsPolicyJson);
if (parsedPolicy && !parsedPolicy.success) {
  throw new ConfigError(`WHOPAYS_BUDGETS_POLICY_JSON: ${parsedPolicy.error.issues[0]?.message}`);
}
const policy = parsedPolicy?.data;

const budgetsClient = newBudgetsClient(config.budgetsRegion);

export const handler = makeHandler({
  store: s3Store(new S3Client({})),
  ...(policy && config.budgetsAccountId
    ? {
        budgets: {
          port: budgetsAdapter(budgetsClient, config.budgetsAccountId, config.budgetTopicArn),
          policy,
        },
      }
    : {}),
  notifier: snsNotifier(new SNSClient({}), config.summaryTopicArn),
  reportBucket: config.reportBucket,
  reportPrefix: config.reportPrefix,
  dryRun: config.dryRunOverride ?? policy?.dryRun ?? true,
});
