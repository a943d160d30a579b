import { CfnResource, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Gives every Lambda function of `stack` that has no log group of its own (CDK's singleton
 * functions, such as the S3 notifications handler) one with `retention`: left alone, Lambda
 * creates `/aws/lambda/<name>` on first run with logs kept forever, outside the stack.
 *
 * Call it last in the stack constructor, once every function exists.
 */
export function retainLogsOfEveryFunction(stack: Stack, retention: RetentionDays): void {
  const functions = stack.node
    .findAll()
    .filter(
      (c): c is CfnResource =>
        c instanceof CfnResource && c.cfnResourceType === CfnFunction.CFN_RESOURCE_TYPE_NAME,
    );
  for (const fn of functions) {
    const configured =
      fn instanceof CfnFunction
        ? fn.loggingConfig !== undefined
        : // Raw CfnResource functions (CDK singletons) keep their properties here.
          (fn as unknown as { _cfnProperties?: Record<string, unknown> })._cfnProperties
            ?.LoggingConfig !== undefined;
    if (configured) continue;
    const owner = fn.node.scope ?? stack;
    const logGroup = new LogGroup(owner, 'Logs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    fn.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  }
}
