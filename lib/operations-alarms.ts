import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationsAlarmsProps {
  /** Topic every alarm notifies. */
  readonly alertTopic: ITopic;
  /** Deliveries that failed every retry land here. */
  readonly deadLetterQueue: IQueue;
  readonly stateMachine: IStateMachine;
  /** Functions whose errors raise an alarm, by a stable construct-id-safe name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * Evaluation period of every alarm.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * Alarms that say a delivery was not attributed: messages in the dead-letter queue, failed or
 * timed-out executions, function errors. Each notifies the alert topic; no data = no alarm.
 */
export class OperationsAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const action = new SnsAction(props.alertTopic);
    const alarm = (alarmId: string, metric: IMetric, description: string): Alarm => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      return created;
    };
    const alarms = [
      alarm(
        'DeadLetters',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
        }),
        'Billing deliveries failed every retry and wait in the dead-letter queue',
      ),
      alarm(
        'FailedRuns',
        props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        'An attribution run failed',
      ),
      alarm(
        'TimedOutRuns',
        props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        'An attribution run timed out',
      ),
    ];
    for (const [name, fn] of Object.entries(props.functions)) {
      alarms.push(
        alarm(
          `${name}Errors`,
          fn.metricErrors({ period, statistic: 'Sum' }),
          `${name} raised errors`,
        ),
      );
    }
    this.alarms = alarms;
  }
}
