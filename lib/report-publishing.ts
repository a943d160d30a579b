import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/env.js';
import type { BudgetsConfig } from './config.js';
import { acknowledgeScopedResources } from './nag-acknowledgements.js';

export interface ReportPublishingProps {
  /** Key that encrypts both topics. */
  readonly encryptionKey: IKey;
  /**
   * Email addresses subscribed to both topics.
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Budgets policy; absent = publish-report never touches Budgets.
   * @default - no Budgets permissions
   */
  readonly budgets?: BudgetsConfig;
  /**
   * assemble-report reads the billing groups from Billing Conductor (aws only; the config refuses
   * it in aws-cn).
   * @default false
   */
  readonly readFromBillingConductor?: boolean;
}

/**
 * Where results go: the summary topic (per-report summaries and budget notifications), the alert
 * topic (failed runs, alarms) and the Budgets permissions scoped to the configured name prefix.
 */
export class ReportPublishing extends Construct {
  readonly summaryTopic: ITopic;
  readonly alertTopic: ITopic;
  private readonly props: ReportPublishingProps;

  constructor(scope: Construct, id: string, props: ReportPublishingProps) {
    super(scope, id);
    this.props = props;
    const emails = props.emails ?? [];

    // enforceSSL writes a topic policy, which replaces SNS's default one: every service that
    // publishes must be named in it, scoped to this account's own resources (confused deputy).
    const stack = Stack.of(this);
    const account = Aws.ACCOUNT_ID;
    const budgetsSource = stack.formatArn({
      service: 'budgets',
      region: '',
      resource: '*',
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    const alarmsSource = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const publishers = [
      // Budgets notifications (AWS Cost Management guide, "Creating an Amazon SNS topic for budget
      // notifications": SourceAccount + SourceArn arn:<partition>:budgets::<account>:*).
      {
        sid: 'Budgets',
        principal: new ServicePrincipal('budgets.amazonaws.com'),
        source: budgetsSource,
      },
      // CloudWatch alarm actions (CloudWatch guide, "Amazon SNS topic policy for alarms").
      {
        sid: 'CloudWatchAlarms',
        principal: new ServicePrincipal('cloudwatch.amazonaws.com'),
        source: alarmsSource,
      },
    ] as const;
    const scoped = (source: string) => ({
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': source },
    });

    const summaryTopic = new Topic(this, 'SummaryTopic', {
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    const alertTopic = new Topic(this, 'AlertTopic', {
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // Budgets notifies the summary topic; alarms notify the alert topic.
    const topicOf = { Budgets: summaryTopic, CloudWatchAlarms: alertTopic } as const;
    for (const { sid, principal, source } of publishers) {
      const topic = topicOf[sid];
      topic.addToResourcePolicy(
        new PolicyStatement({
          sid: `${sid}Publishes`,
          principals: [principal],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: scoped(source),
        }),
      );
      // The topics are encrypted: the publishing service must be able to use the key for them.
      props.encryptionKey.addToResourcePolicy(
        new PolicyStatement({
          sid: `${sid}PublishToEncryptedTopic`,
          principals: [principal],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: scoped(source),
        }),
      );
    }
    for (const email of emails) {
      summaryTopic.addSubscription(new EmailSubscription(email));
      alertTopic.addSubscription(new EmailSubscription(email));
    }
    this.summaryTopic = summaryTopic;
    this.alertTopic = alertTopic;
  }

  /**
   * Gives publish-report what it needs and tells it where: summary topic and Budgets under the name
   * prefix.
   */
  bindPublishFunction(fn: LambdaFunction): void {
    const stack = Stack.of(this);
    this.grantPublish(this.summaryTopic, fn);
    fn.addEnvironment(ENV.SUMMARY_TOPIC_ARN, this.summaryTopic.topicArn);
    fn.addEnvironment(ENV.BUDGET_TOPIC_ARN, this.summaryTopic.topicArn);
    fn.addEnvironment(ENV.BUDGETS_ACCOUNT_ID, Aws.ACCOUNT_ID);

    const budgets = this.props.budgets;
    if (budgets !== undefined) {
      fn.addEnvironment(ENV.DRY_RUN, String(budgets.dryRun));
      const budgetArn = (name: string) =>
        stack.formatArn({
          service: 'budgets',
          region: '',
          resource: 'budget',
          resourceName: name,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        });
      const managed = budgetArn(`${budgets.namePrefix}*`);
      const everyBudget = budgetArn('*');
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'BudgetsUnderPrefixOnly',
          actions: ['budgets:ViewBudget', 'budgets:ModifyBudget'],
          resources: [managed],
        }),
      );
      // DescribeBudgets lists every budget of the account: one call for hundreds of accounts.
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'BudgetsListedReadOnly',
          actions: ['budgets:ViewBudget'],
          resources: [everyBudget],
        }),
      );
      acknowledgeScopedResources(
        fn,
        [managed],
        'publish-report may only change budgets whose name starts with the configured prefix; the wildcard is that prefix.',
      );
      acknowledgeScopedResources(
        fn,
        [everyBudget],
        'publish-report lists the budgets of the account (read only, DescribeBudgets) to skip unchanged ones in one call; changes stay limited to the prefix.',
      );
    } else {
      fn.addEnvironment(ENV.DRY_RUN, 'true');
    }
  }

  /**
   * Tells assemble-report where its billing groups come from and, when they come from Billing
   * Conductor (aws only: the deploy config refuses it in aws-cn), lets it read them (List* only).
   */
  bindGroupsReader(fn: LambdaFunction): void {
    const enabled = this.props.readFromBillingConductor ?? false;
    fn.addEnvironment(ENV.READ_BILLING_CONDUCTOR, String(enabled));
    if (!enabled) return;
    const billingGroups = Stack.of(this).formatArn({
      service: 'billingconductor',
      region: '',
      resource: 'billinggroup',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadBillingGroups',
        actions: ['billingconductor:ListBillingGroups', 'billingconductor:ListAccountAssociations'],
        resources: [billingGroups],
      }),
    );
    acknowledgeScopedResources(
      fn,
      [billingGroups],
      'Billing groups are read (List* only) to attribute by group; the billing groups of this account are not known at deploy time.',
    );
  }

  /** Lets a principal (the state machine's catch) publish failure alerts. */
  grantAlert(grantee: IGrantable): void {
    this.grantPublish(this.alertTopic, grantee);
  }

  // Topic.grantPublish also grants kms:GenerateDataKey*; SNS needs exactly these two key actions.
  private grantPublish(topic: ITopic, grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.props.encryptionKey.keyArn],
      }),
    );
  }
}
