import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslDefinition } from '../../infra/state-machine-definition.js';

/**
 * Runs a synthesized whopays definition in aws-local-stepfunctions (a maintained Amazon States
 * Language interpreter, MIT): its Choice, Parameters/ResultSelector/ResultPath, Retry and Catch
 * rules, not ours. Each Task state runs a local implementation instead of its service
 * integration (the Athena step on DuckDB, the Lambda steps by the real handlers, the alert as an
 * SNS publish on the mocked client).
 *
 * Where this differs from Step Functions (docs/guarantees.md, "Not yet guaranteed"):
 * - a task implementation receives the state's effective input and returns its raw result; what
 *   the service integration does in between (Lambda's payload envelope, Athena's .sync polling)
 *   is the implementation's to model;
 * - a thrown error is matched by its `name` and its `message` becomes the `Cause`; Lambda would
 *   give the function's `errorType` and a JSON `Cause` ({errorMessage, errorType, trace});
 * - retries do not wait (every retrier interval is overridden to 0 ms);
 * - a Task state without TimeoutSeconds times out after 60 s here (the library's default).
 */

/** A task failure as Step Functions sees it: `Error` is the error's name, `Cause` its message. */
export class TaskFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export type TaskImplementation = (input: unknown) => Promise<unknown>;

export interface LocalExecution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** Every state entered, in order (a retried task appears once per attempt). */
  readonly path: readonly string[];
  readonly output?: unknown;
  /** The execution's error name (a Fail state's `Error`, or the uncaught task error). */
  readonly error?: string;
}

// aws-local-stepfunctions 3 targets Node 22 and times Task states with Promise.withResolvers,
// which Node 20 (this project's minimum) lacks: the same three lines, for the tests only.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/**
 * The interpreter for `definition`, which it validates (ASL structure and JSONPaths) on
 * construction. ARNs are not checked: the synthesized definition names the functions and the
 * topic by `{{Id.Arn}}` / `{{Ref:Id}}` placeholders (see synthesizedMachine).
 */
export const localMachine = (definition: AslDefinition): StateMachine =>
  new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: false },
  });

/**
 * Runs one execution of `definition`. Each Task state is run by `tasks[stateName]`, which receives
 * the state's effective input (its Parameters resolved, else the whole state). The context object
 * carries the execution name, as `$$.Execution.Name` reads it.
 */
export async function runLocally(
  definition: AslDefinition,
  tasks: Readonly<Record<string, TaskImplementation>>,
  input: unknown,
  executionName: string,
): Promise<LocalExecution> {
  const taskStates = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
  for (const [name] of taskStates) {
    if (tasks[name] === undefined) throw new Error(`no local implementation of task ${name}`);
  }
  const execution = localMachine(definition).run(input as never, {
    context: { Execution: { Name: executionName } },
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(
        taskStates.map(([name]) => [name, async (x: unknown) => (await tasks[name]!(x)) as never]),
      ),
      retryIntervalOverrides: Object.fromEntries(taskStates.map(([name]) => [name, 0])),
    },
  });
  const path: string[] = [];
  let error: string | undefined;
  const events = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered' || event.type === 'StateRetried')
        path.push(event.state.name);
      if (event.type === 'ExecutionFailed') error = event.Error;
    }
  })();
  try {
    const output = await execution.result;
    await events;
    return { status: 'SUCCEEDED', path, output };
  } catch (failure) {
    await events;
    if (error === undefined) throw failure;
    return { status: 'FAILED', path, error };
  }
}
