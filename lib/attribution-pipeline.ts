import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  AthenaStartQueryExecution,
  LambdaInvoke,
  SnsPublish,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AttributionCatalog } from './attribution-catalog.js';

export interface AttributionPipelineProps {
  /** Catalog whose workgroup runs the ledger query (and whose grants the role receives). */
  readonly catalog: AttributionCatalog;
  readonly normalizeDbr: IFunction;
  readonly assembleReport: IFunction;
  readonly publishReport: IFunction;
  /** Topic that hears about every failed run. */
  readonly alertTopic: ITopic;
  /** Grants publishing to the alert topic (its key included). */
  readonly grantAlert: (grantee: IGrantable) => void;
  /** Days the state machine's execution log is kept. */
  readonly logRetention: RetentionDays;
  /**
   * X-Ray tracing of executions.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Longest an Athena ledger query may run.
   * @default Duration.minutes(30)
   */
  readonly queryTimeout?: Duration;
  /**
   * Longest a whole run may take.
   * @default Duration.hours(2)
   */
  readonly runTimeout?: Duration;
}

/**
 * The run of one delivery (lambdas/shared/pipeline-contract.ts): DBR → normalize-dbr; then the
 * ledger query through Athena's native `.sync` integration (no Lambda waits on Athena) →
 * assemble-report → publish-report. Transient errors retry with backoff; any failure publishes an
 * alert and fails the execution.
 */
export class AttributionPipeline extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: AttributionPipelineProps) {
    super(scope, id);
    const queryTimeout = props.queryTimeout ?? Duration.minutes(30);
    const runTimeout = props.runTimeout ?? Duration.hours(2);
    if (queryTimeout.toSeconds() >= runTimeout.toSeconds()) {
      throw new Error(
        `queryTimeout (${queryTimeout.toHumanString()}) must be shorter than runTimeout (${runTimeout.toHumanString()})`,
      );
    }

    const alertPublish = new SnsPublish(this, 'AlertFailure', {
      topic: props.alertTopic,
      subject: 'whopays run failed',
      message: TaskInput.fromObject({
        execution: JsonPath.executionName,
        error: JsonPath.stringAt('$.error.Error'),
        cause: JsonPath.stringAt('$.error.Cause'),
      }),
      resultPath: JsonPath.DISCARD,
    });
    // A lost alert is worse than a repeated one; if SNS stays down the failed-executions alarm still fires.
    alertPublish.addRetry({
      errors: [Errors.TASKS_FAILED],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 3,
    });
    const alert = alertPublish.next(new Fail(this, 'RunFailed', { error: 'WhopaysRunFailed' }));

    const lambdaStep = (stepId: string, fn: IFunction, resultPath: string, minutes: number) => {
      const task = new LambdaInvoke(this, stepId, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: true,
        taskTimeout: Timeout.duration(Duration.minutes(minutes)),
      });
      // Invocation throttling (account concurrency) is transient but not in CDK's service-error list.
      task.addRetry({
        errors: ['Lambda.TooManyRequestsException'],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 6,
      });
      task.addRetry({
        errors: ['States.Timeout'],
        interval: Duration.seconds(10),
        backoffRate: 2,
        maxAttempts: 2,
      });
      task.addCatch(alert, { resultPath: '$.error' });
      return task;
    };

    const normalize = lambdaStep('NormalizeDbr', props.normalizeDbr, '$.normalized', 15);
    const query = new AthenaStartQueryExecution(this, 'RunLedgerQuery', {
      queryString: JsonPath.stringAt('$.query.queryString'),
      queryExecutionContext: { databaseName: JsonPath.stringAt('$.query.database') },
      workGroup: props.catalog.workGroupName,
      integrationPattern: IntegrationPattern.RUN_JOB,
      resultSelector: {
        QueryExecution: {
          QueryExecutionId: JsonPath.stringAt('$.QueryExecution.QueryExecutionId'),
          Status: JsonPath.objectAt('$.QueryExecution.Status'),
          Statistics: JsonPath.objectAt('$.QueryExecution.Statistics'),
        },
      },
      resultPath: '$.athena',
      taskTimeout: Timeout.duration(queryTimeout),
    });
    query.addRetry({
      errors: ['Athena.TooManyRequestsException', 'Athena.InternalServerException'],
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxAttempts: 4,
    });
    query.addCatch(alert, { resultPath: '$.error' });
    const assemble = lambdaStep('AssembleReport', props.assembleReport, '$.assembled', 10);
    const publish = lambdaStep('PublishReport', props.publishReport, '$.published', 5);

    query.next(assemble).next(publish).next(new Succeed(this, 'Done'));
    const definition = new Choice(this, 'IsDbr')
      .when(Condition.stringEquals('$.format', 'dbr'), normalize.next(query))
      .otherwise(query);

    // CDK's Athena task grants s3:CreateBucket on "*" and glue:Delete* on the database; the role
    // gets the scoped grants below instead, so the state machine sees it as not mutable.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('states.amazonaws.com'),
    });
    props.catalog.grantRunQueries(role);
    for (const fn of [props.normalizeDbr, props.assembleReport, props.publishReport]) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      );
    }
    props.grantAlert(role);
    // Vended log delivery APIs take no resource: AWS documents "*" for them.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
    );
    if (props.tracing ?? false) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
          ],
          resources: ['*'],
        }),
      );
    }

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition),
      role: role.withoutPolicyUpdates(),
      timeout: runTimeout,
      tracingEnabled: props.tracing ?? false,
      // Execution data holds billing figures: log events, never their payloads.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    this.stateMachine.node.addDependency(role);
    if (!(props.tracing ?? false)) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason:
          'X-Ray is off where the partition of the deploy config lacks it (aws-cn, docs/PARTITIONS.md); executions are still logged.',
      });
    }

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs vended log delivery (and X-Ray, where enabled) only accept Resource "*" (Step Functions logging docs); every other statement is scoped.',
    });
  }
}
