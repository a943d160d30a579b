import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { BudgetsPort } from '../adapters/budgets.js';
import { type ObjectStore, PreconditionFailedError } from '../adapters/s3-store.js';
import type { NotifierPort } from '../adapters/sns.js';
import { type BudgetsPolicy, budgetTargets, planBudgets } from '../core/budget-plan.js';
import type { PeriodReport, Report } from '../core/report-model.js';
import { buildSnsSummary } from '../core/sns-summary.js';
import { logger } from '../shared/logger.js';
import {
  type PublishInput,
  PublishInputSchema,
  type PublishOutput,
} from '../shared/pipeline-contract.js';
import { publishedMarkerKey, REPORT_FILES, reportFolder } from '../shared/report-keys.js';

export interface PublishDeps {
  readonly store: ObjectStore;
  /** Absent when no budgets policy is configured. */
  readonly budgets?: { readonly port: BudgetsPort; readonly policy: BudgetsPolicy };
  readonly notifier: NotifierPort;
  readonly reportBucket: string;
  readonly reportPrefix: string;
  /** The policy's dryRun unless WHOPAYS_DRY_RUN overrides it. */
  readonly dryRun: boolean;
}

const VERSION_METADATA = 'whopays-version';
const NO_BUDGETS = { created: 0, updated: 0, unchanged: 0 };

const previousPeriod = (period: string): string => {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};

const periodOf = (report: Report, period: string): PeriodReport | undefined =>
  report.periods.find((p) => p.billingPeriod === period);

/**
 * The ownerCost figures a `lastOwnerCost` budget is derived from: this month's when its bill is
 * closed, otherwise the previous month's report when there is one (an open month is only partly
 * spent), otherwise this month's so far.
 */
const ownerCostBasis = async (
  deps: PublishDeps,
  input: PublishInput,
  period: PeriodReport,
): Promise<PeriodReport> => {
  if (period.final) return period;
  const previous = previousPeriod(input.billingPeriod);
  const stored = await deps.store.getText(
    deps.reportBucket,
    `${reportFolder(deps.reportPrefix, previous, input.payerAccountId)}${REPORT_FILES.report}`,
  );
  const prior = stored ? periodOf(JSON.parse(stored.body) as Report, previous) : undefined;
  return prior ?? period;
};

const applyBudgets = async (
  deps: PublishDeps,
  input: PublishInput,
  period: PeriodReport,
): Promise<PublishOutput['budgets']> => {
  if (!deps.budgets) return NO_BUDGETS;
  const { port, policy } = deps.budgets;
  const basis =
    policy.limit.mode === 'lastOwnerCost' ? await ownerCostBasis(deps, input, period) : period;
  const { targets, skipped } = budgetTargets(policy, basis.accounts, period.currency);
  const actions = planBudgets(
    policy.namePrefix,
    targets,
    await port.findExisting(targets.map((t) => t.name)),
  );
  const counts = {
    created: actions.filter((a) => a.kind === 'create').length,
    updated: actions.filter((a) => a.kind === 'update').length,
    unchanged: actions.filter((a) => a.kind === 'unchanged').length,
  };
  const plan = actions.map((a) => ({
    action: a.kind,
    budget: a.target.name,
    limit: `${a.target.amount} ${a.target.unit}`,
  }));
  if (deps.dryRun) {
    logger.info('dry run: budget plan not applied', {
      plan,
      skipped,
      basisPeriod: basis.billingPeriod,
    });
    return counts;
  }
  // Absolute values: re-applying after a partial failure converges to the same budgets.
  for (const action of actions) await port.apply(action);
  logger.info('budgets applied', {
    ...counts,
    skipped: skipped.length,
    basisPeriod: basis.billingPeriod,
  });
  return counts;
};

/**
 * Publishes one report version once: budgets (absolute limits, so a retry repeats them harmlessly),
 * then the SNS summary, then a `published/<version>` marker written with If-None-Match. A failure
 * before the marker leaves it absent, so the state machine's retry publishes again; a present
 * marker makes every later attempt a no-op.
 */
export const publishReport = async (
  input: PublishInput,
  deps: PublishDeps,
): Promise<PublishOutput> => {
  const { assembled } = input;
  const skip = (reason: string): PublishOutput => {
    logger.info('publish skipped', { reason, reportVersion: assembled.reportVersion });
    return { status: 'skipped', reason, dryRun: deps.dryRun, budgets: NO_BUDGETS };
  };
  if (assembled.status === 'superseded') return skip('superseded by a newer delivery');
  const folder = reportFolder(deps.reportPrefix, input.billingPeriod, input.payerAccountId);
  const marker = publishedMarkerKey(folder, assembled.reportVersion);
  if (await deps.store.exists(deps.reportBucket, marker))
    return skip('this version was already published');

  const stored = await deps.store.getText(assembled.bucket, assembled.reportKey);
  if (!stored) throw new Error(`report s3://${assembled.bucket}/${assembled.reportKey} is missing`);
  if (stored.metadata[VERSION_METADATA] !== assembled.reportVersion) {
    return skip('a newer version replaced this report before it was published');
  }
  const report = JSON.parse(stored.body) as Report;
  const period = periodOf(report, input.billingPeriod);
  if (!period) return skip('the report has no line for this billing period');

  const budgets = await applyBudgets(deps, input, period);
  const summary = buildSnsSummary({
    period,
    payer: input.payerAccountId,
    location: `s3://${assembled.bucket}/${assembled.reportKey}`,
    reportVersion: assembled.reportVersion,
  });
  const summaryMessageId = await deps.notifier.publish(summary);
  try {
    await deps.store.put(
      deps.reportBucket,
      marker,
      `${JSON.stringify({ reportVersion: assembled.reportVersion, summaryMessageId, budgets })}\n`,
      { contentType: 'application/json', ifNoneMatch: true },
    );
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
  logger.info('report published', {
    reportVersion: assembled.reportVersion,
    summaryMessageId,
    final: period.final,
  });
  return { status: 'published', dryRun: deps.dryRun, budgets, summaryMessageId };
};

/** Step Functions task: Budgets + SNS for one report version. */
export const makeHandler = (deps: PublishDeps) =>
  middy<unknown, PublishOutput>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => publishReport(PublishInputSchema.parse(event), deps));
