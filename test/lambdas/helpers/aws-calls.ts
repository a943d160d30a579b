import type { AwsStub } from 'aws-sdk-client-mock';

/** One SDK call a handler made, as aws-sdk-client-mock saw it. */
export interface RecordedCall {
  /** The command class name, e.g. `GetObjectCommand`. */
  readonly command: string;
  readonly input: Record<string, unknown>;
  /** `ok`, or the name of the error the call was answered with (`NoSuchKey`, `NotFound`, …). */
  readonly outcome: string;
}

/**
 * Every call the given mocks received, with its outcome: the record a test hands to the IAM
 * evaluation (test/infra/iam-evaluation.test.ts), which maps each command to the IAM action and
 * resource AWS would authorize. A handler's new SDK call shows up here without anyone listing it.
 */
export const recordedCalls = async (
  // biome-ignore lint/suspicious/noExplicitAny: mocks of different clients
  ...mocks: ReadonlyArray<AwsStub<any, any, any>>
): Promise<RecordedCall[]> =>
  Promise.all(
    mocks.flatMap((mock) =>
      mock.calls().map(async (call) => {
        const command = call.args[0] as { constructor: { name: string }; input: object };
        const outcome = await Promise.resolve(call.returnValue).then(
          () => 'ok',
          (error: unknown) => (error as { name?: string })?.name ?? 'error',
        );
        return {
          command: command.constructor.name,
          input: command.input as Record<string, unknown>,
          outcome,
        };
      }),
    ),
  );
