import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SnsSummary } from '../core/sns-summary.js';

export interface NotifierPort {
  publish(summary: SnsSummary): Promise<string>;
}

/** Publishes a summary with its filter attributes; returns the SNS message id. */
export const snsNotifier = (client: SNSClient, topicArn: string): NotifierPort => ({
  async publish(summary) {
    const out = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: summary.subject,
        Message: summary.message,
        MessageAttributes: Object.fromEntries(
          Object.entries(summary.attributes).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      }),
    );
    return out.MessageId ?? '';
  },
});
