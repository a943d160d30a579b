import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type BudgetsPort, existingBudgets } from '../adapters/budgets.js';
import { type ObjectStore, PreconditionFailedError } from '../adapters/s3-store.js';
import type { NotifierPort } from '../adapters/sns.js';
import {
  BASIS_FIELD,
  type BudgetAction,
  type BudgetsPolicy,
  budgetTargets,
  planBudgets,
  type SkippedAccount,
} from '../core/budget-plan.js';
import type { PeriodReport, Report } from '../core/report-model.js';
import { buildSnsSummary } from '../core/sns-summary.js';
import { forEachBounded } from '../shared/for-each-bounded.js';
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
  /**
   * Budgets calls in flight at once. Budgets documents no request rate; 4 stays under the few
   * calls a second it accepts, and the client's adaptive retry absorbs any throttling.
   * @default BUDGETS_CONCURRENCY
   */
  readonly budgetsConcurrency?: number;
}

export const BUDGETS_CONCURRENCY = 4;

const VERSION_METADATA = 'whopays-version';
const NO_BUDGETS = { created: 0, updated: 0, unchanged: 0, skipped: 0 };

const previousPeriod = (period: string): string => {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};

const periodOf = (report: Report, period: string): PeriodReport | undefined =>
  report.periods.find((p) => p.billingPeriod === period);

/**
 * The figures a `lastCost` budget is derived from: this month's when its bill is closed, otherwise
 * the previous month's report when there is one (an open month is only partly spent), otherwise
 * this month's so far.
 */
const lastCostBasis = async (
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

/** Skipped accounts grouped for one log line each: account ids only, no amount. */
const logSkipped = (skipped: readonly SkippedAccount[], stackPayer: string): void => {
  const byPayer = new Map<string, string[]>();
  const notPositive: string[] = [];
  for (const s of skipped) {
    if (s.payerAccountId === undefined) notPositive.push(s.accountId);
    else byPayer.set(s.payerAccountId, [...(byPayer.get(s.payerAccountId) ?? []), s.accountId]);
  }
  for (const [payer, accounts] of byPayer) {
    logger.warn(
      "budgets skipped: accounts of another payer (LinkedAccount budgets only work from their payer's management account)",
      { payer, stackPayer, accounts: accounts.join(',') },
    );
  }
  if (notPositive.length > 0) {
    logger.info('budgets skipped: no positive cost on the basis', {
      accounts: notPositive.join(','),
    });
  }
};

interface AppliedBudgets {
  readonly counts: PublishOutput['budgets'];
  readonly skipped: readonly SkippedAccount[];
}

const applyBudgets = async (
  deps: PublishDeps,
  input: PublishInput,
  period: PeriodReport,
): Promise<AppliedBudgets> => {
  if (!deps.budgets) return { counts: NO_BUDGETS, skipped: [] };
  const { port, policy } = deps.budgets;
  const basis =
    policy.limit.mode === 'lastCost' ? await lastCostBasis(deps, input, period) : period;
  const { targets, skipped } = budgetTargets(policy, basis.accounts, period.currency);
  let actions: BudgetAction[] = [];
  if (targets.length > 0) {
    const { existing, listed } = await existingBudgets(
      port,
      policy.namePrefix,
      targets.map((t) => t.name),
    );
    if (!listed) {
      logger.warn(
        'budgets listing denied: looked up one by one (grant budgets:ViewBudget on budget/*)',
      );
    }
    actions = planBudgets(policy.namePrefix, targets, existing);
  }
  const counts = {
    created: actions.filter((a) => a.kind === 'create').length,
    updated: actions.filter((a) => a.kind === 'update').length,
    unchanged: actions.filter((a) => a.kind === 'unchanged').length,
    skipped: skipped.length,
  };
  logSkipped(skipped, policy.payerAccountId);
  if (deps.dryRun) {
    logger.info('dry run: budget plan not applied', {
      ...counts,
      basis: BASIS_FIELD[policy.basis],
      basisPeriod: basis.billingPeriod,
      budgets: actions.map((a) => `${a.kind}:${a.target.name}`).join(','),
    });
    return { counts, skipped };
  }
  // Absolute values: re-applying after a partial failure converges to the same budgets.
  await forEachBounded(
    actions.filter((a) => a.kind !== 'unchanged'),
    deps.budgetsConcurrency ?? BUDGETS_CONCURRENCY,
    (action) => port.apply(action),
  );
  logger.info('budgets applied', {
    ...counts,
    basis: BASIS_FIELD[policy.basis],
    basisPeriod: basis.billingPeriod,
  });
  return { counts, skipped };
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

  const { counts: budgets, skipped } = await applyBudgets(deps, input, period);
  const summary = buildSnsSummary({
    period,
    payer: input.payerAccountId,
    location: `s3://${assembled.bucket}/${assembled.reportKey}`,
    reportVersion: assembled.reportVersion,
    ...(deps.budgets ? { budgets: { ...budgets, skippedAccounts: skipped } } : {}),
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
