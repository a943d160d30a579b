import {
  type Budget,
  BudgetsClient,
  type BudgetsClientConfig,
  CreateBudgetCommand,
  CreateNotificationCommand,
  DescribeBudgetCommand,
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

/** Applies a budget plan. Only names built from the policy prefix ever reach these calls. */
export interface BudgetsPort {
  /**
   * The budgets among `names` that exist. Looked up one by one: IAM grants `budgets:ViewBudget`
   * on `budget/<prefix>*` only, and listing (DescribeBudgets) would need every budget.
   */
  findExisting(names: readonly string[]): Promise<ExistingBudget[]>;
  apply(action: BudgetAction): Promise<void>;
}

const budgetOf = (target: BudgetTarget): Budget => ({
  BudgetName: target.name,
  BudgetType: 'COST',
  TimeUnit: 'MONTHLY',
  BudgetLimit: { Amount: target.amount, Unit: target.unit },
  CostFilters: { LinkedAccount: [target.accountId] },
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
    async findExisting(names) {
      const found: ExistingBudget[] = [];
      // One at a time: Budgets allows a few calls a second, and a plan has one name per account.
      for (const name of names) {
        try {
          const { Budget: budget } = await client.send(
            new DescribeBudgetCommand({ AccountId: accountId, BudgetName: name }),
          );
          if (budget?.BudgetName === undefined) continue;
          found.push({
            name: budget.BudgetName,
            amount: budget.BudgetLimit?.Amount ?? '0',
            unit: budget.BudgetLimit?.Unit ?? '',
          });
        } catch (error) {
          if (error instanceof NotFoundException || (error as Error).name === 'NotFoundException') {
            continue;
          }
          throw error;
        }
      }
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
          (error as Error).name === 'DuplicateRecordException'
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
