import { Stack, Validations } from 'aws-cdk-lib';
// cdk-nag's own renderer of resolved ARNs, so the ids match what its IAM5 rule prints.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges the AwsSolutions-IAM5 finding that each of `arns` raises on `scope`'s policies.
 * Only deliberate prefix/name wildcards (`reports/*`, `budget/whopays-*`) belong here; the finding
 * id is computed the way cdk-nag prints it, so a changed ARN shows up as a new finding.
 */
export function acknowledgeScopedResources(
  scope: IConstruct,
  arns: readonly string[],
  reason: string,
): void {
  const stack = Stack.of(scope);
  for (const arn of new Set(arns)) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
      reason,
    });
  }
}

/** The managed policy CDK gives every Lambda role, as cdk-nag names it. */
export const LAMBDA_BASIC_EXECUTION_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Acknowledgements every pipeline function needs, with the reason for each. */
export function acknowledgeFunctionDefaults(fn: IConstruct, xray: boolean): void {
  Validations.of(fn).acknowledge(
    {
      id: LAMBDA_BASIC_EXECUTION_FINDING,
      reason:
        'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs; a hand-written copy would add nothing.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned in the deploy config (nodejs22.x by default) so that a CDK upgrade never changes it silently; bump it there.',
    },
  );
  if (xray) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept only Resource "*".',
    });
  }
}

/** CDK's own singleton functions (S3 notifications, AwsCustomResource) in the stack. */
export function acknowledgeCdkSingletons(stack: Stack): void {
  for (const child of stack.node.children) {
    const id = child.node.id;
    if (
      id.startsWith('BucketNotificationsHandler') ||
      id.startsWith('AWS679f53fac002430cb0da5b7982bd2287')
    ) {
      Validations.of(child).acknowledge(
        {
          id: LAMBDA_BASIC_EXECUTION_FINDING,
          reason:
            'CDK-provided deployment-time function (S3 notification setup / Athena view installer); the managed policy only writes its logs.',
        },
        {
          id: 'AwsSolutions-L1',
          reason: 'CDK-provided deployment-time function: its runtime is chosen by aws-cdk-lib.',
        },
      );
      if (id.startsWith('BucketNotificationsHandler')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'CDK S3 notification handler: s3:PutBucketNotification is granted on "*" by aws-cdk-lib and runs only at deploy time.',
        });
      }
    }
  }
}

/** The CDK custom-resource Provider framework around the view installer (deploy time only). */
export function acknowledgeProviderFramework(provider: IConstruct): void {
  Validations.of(provider).acknowledge(
    {
      id: LAMBDA_BASIC_EXECUTION_FINDING,
      reason:
        'CDK custom-resource framework function (Athena view installer): the managed policy only writes its logs.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'CDK custom-resource framework function: its runtime is chosen by aws-cdk-lib.',
    },
  );
}
