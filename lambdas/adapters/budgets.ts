import {
  type Budget,
  BudgetsClient,
  type BudgetsClientConfig,
  CreateBudgetCommand,
  CreateNotificationCommand,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DuplicateRecordException,
  NotFoundException,
  type Notification,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import {
  BUDGET_ALERTS,
  type BudgetAction,
  type BudgetTarget,
  type ExistingBudget,
} from '../core/budget-plan.js';
import { forEachBounded } from '../shared/for-each-bounded.js';

/** Applies a budget plan. Only names built from the policy prefix ever reach the write calls. */
export interface BudgetsPort {
  /**
   * Every budget of the account whose name starts with `namePrefix`, from one DescribeBudgets
   * listing (1,000 budgets a page): one call instead of one per account, and an unchanged budget
   * costs no further call. Listing reads every budget of the account (IAM `budgets:ViewBudget` on
   * `budget/*`, read only); writes stay limited to the prefix.
   */
  listManaged(namePrefix: string): Promise<ExistingBudget[]>;
  /**
   * The budgets among `names` that exist, one DescribeBudget each (`budgets:ViewBudget` on the
   * prefix is enough): the fallback when listing is denied.
   */
  findExisting(names: readonly string[]): Promise<ExistingBudget[]>;
  apply(action: BudgetAction): Promise<void>;
}

/** DescribeBudgets' page size limit (Budgets API reference, DescribeBudgets: MaxResults 1-1000). */
const LIST_PAGE_SIZE = 1000;
/** Lookups in flight in the per-name fallback (the client's adaptive retry absorbs throttling). */
const LOOKUP_CONCURRENCY = 4;

const existingOf = (budget: Budget): ExistingBudget => ({
  name: budget.BudgetName ?? '',
  amount: budget.BudgetLimit?.Amount ?? '0',
  unit: budget.BudgetLimit?.Unit ?? '',
  ...(budget.CostTypes ? { costTypes: budget.CostTypes } : {}),
  ...(budget.CostFilters?.LinkedAccount
    ? { linkedAccounts: budget.CostFilters.LinkedAccount }
    : {}),
});

const isNamed = (error: unknown, name: string): boolean => (error as Error)?.name === name;

const budgetOf = (target: BudgetTarget): Budget => ({
  BudgetName: target.name,
  BudgetType: 'COST',
  TimeUnit: 'MONTHLY',
  BudgetLimit: { Amount: target.amount, Unit: target.unit },
  CostFilters: { LinkedAccount: [target.accountId] },
  CostTypes: { ...target.costTypes },
});

const notificationOf = (alert: (typeof BUDGET_ALERTS)[number]): Notification => ({
  NotificationType: alert.notificationType,
  ComparisonOperator: 'GREATER_THAN',
  Threshold: alert.threshold,
  ThresholdType: 'PERCENTAGE',
});

const sameNotification = (a: Notification, b: Notification): boolean =>
  a.NotificationType === b.NotificationType &&
  a.ComparisonOperator === b.ComparisonOperator &&
  a.Threshold === b.Threshold &&
  (a.ThresholdType ?? 'PERCENTAGE') === b.ThresholdType;

/**
 * The managed budgets among `targets`' names: one listing, or per-name lookups when the listing is
 * denied (a role limited to `budget/<prefix>*`), so an older deploy role keeps working.
 */
export const existingBudgets = async (
  port: BudgetsPort,
  namePrefix: string,
  names: readonly string[],
): Promise<{ existing: ExistingBudget[]; listed: boolean }> => {
  try {
    return { existing: await port.listManaged(namePrefix), listed: true };
  } catch (error) {
    if (!isNamed(error, 'AccessDeniedException')) throw error;
    return { existing: await port.findExisting(names), listed: false };
  }
};

/**
 * Budgets through the SDK. Throttling is retried by the client's own retry strategy (create the
 * client with `maxAttempts`/`retryMode: 'adaptive'`); anything else (AccessDenied, validation)
 * propagates so the state machine retries or alerts.
 *
 * @param topicArn - where budget alerts go; without it budgets carry no notifications.
 */
export const budgetsAdapter = (
  client: BudgetsClient,
  accountId: string,
  topicArn: string | undefined,
): BudgetsPort => {
  const subscribers = topicArn ? [{ SubscriptionType: 'SNS' as const, Address: topicArn }] : [];

  const ensureNotifications = async (name: string): Promise<void> => {
    if (!topicArn) return;
    const existing: Notification[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new DescribeNotificationsForBudgetCommand({
          AccountId: accountId,
          BudgetName: name,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      existing.push(...(page.Notifications ?? []));
      token = page.NextToken;
    } while (token);
    for (const alert of BUDGET_ALERTS) {
      const wanted = notificationOf(alert);
      if (existing.some((n) => sameNotification(n, wanted))) continue;
      await client.send(
        new CreateNotificationCommand({
          AccountId: accountId,
          BudgetName: name,
          Notification: wanted,
          Subscribers: subscribers,
        }),
      );
    }
  };

  const update = async (target: BudgetTarget): Promise<void> => {
    await client.send(
      new UpdateBudgetCommand({ AccountId: accountId, NewBudget: budgetOf(target) }),
    );
    await ensureNotifications(target.name);
  };

  return {
    async listManaged(namePrefix) {
      const found: ExistingBudget[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new DescribeBudgetsCommand({
            AccountId: accountId,
            MaxResults: LIST_PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const budget of page.Budgets ?? []) {
          if (budget.BudgetName?.startsWith(namePrefix)) found.push(existingOf(budget));
        }
        token = page.NextToken;
      } while (token);
      return found;
    },

    async findExisting(names) {
      const found: ExistingBudget[] = [];
      await forEachBounded(names, LOOKUP_CONCURRENCY, async (name) => {
        try {
          const { Budget: budget } = await client.send(
            new DescribeBudgetCommand({ AccountId: accountId, BudgetName: name }),
          );
          if (budget?.BudgetName !== undefined) found.push(existingOf(budget));
        } catch (error) {
          if (error instanceof NotFoundException || isNamed(error, 'NotFoundException')) return;
          throw error;
        }
      });
      return found;
    },

    async apply(action) {
      if (action.kind === 'unchanged') return;
      if (action.kind === 'update') return update(action.target);
      try {
        await client.send(
          new CreateBudgetCommand({
            AccountId: accountId,
            Budget: budgetOf(action.target),
            NotificationsWithSubscribers: topicArn
              ? BUDGET_ALERTS.map((alert) => ({
                  Notification: notificationOf(alert),
                  Subscribers: subscribers,
                }))
              : [],
          }),
        );
      } catch (error) {
        // Created by a concurrent run since the lookup: setting absolute values is still right.
        if (
          error instanceof DuplicateRecordException ||
          isNamed(error, 'DuplicateRecordException')
        ) {
          return update(action.target);
        }
        throw error;
      }
    },
  };
};

/**
 * The Budgets client: in the partition's billing region (us-east-1 / cn-northwest-1) and with the
 * SDK's adaptive retry, which backs off on ThrottlingException (Budgets allows a few calls a second).
 */
export const newBudgetsClient = (region: string, extra: BudgetsClientConfig = {}): BudgetsClient =>
  new BudgetsClient({ region, maxAttempts: 8, retryMode: 'adaptive', ...extra });
