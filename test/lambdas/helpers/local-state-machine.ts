import type { AslDefinition, AslState } from '../../infra/state-machine-definition.js';

/**
 * A small Amazon States Language interpreter, enough to run the synthesized whopays definition
 * offline with local task implementations: Choice (StringEquals), Task (Parameters with `.$`
 * paths, ResultSelector, ResultPath, Retry, Catch), Succeed and Fail. Retries do not wait; their
 * attempts are counted. Task timeouts are not modelled.
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
  readonly error?: string;
}

type Json = Record<string, unknown>;

const read = (root: unknown, path: string, context: Json): unknown => {
  if (path.startsWith('$$.')) return read(context, `$.${path.slice(3)}`, context);
  if (path === '$') return root;
  if (!path.startsWith('$.')) throw new Error(`unsupported path ${path}`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((value, key) => (value as Json | undefined)?.[key], root);
};

/** Resolves `"key.$": "<path>"` entries against the input (and `$$` against the context). */
const resolveParameters = (template: unknown, input: unknown, context: Json): unknown => {
  if (Array.isArray(template)) return template.map((t) => resolveParameters(t, input, context));
  if (typeof template !== 'object' || template === null) return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = read(input, value as string, context);
    else out[key] = resolveParameters(value, input, context);
  }
  return out;
};

const applyResultPath = (input: unknown, result: unknown, path: string | null | undefined) => {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const keys = path.slice(2).split('.');
  const copy = structuredClone(input) as Json;
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] = { ...((node[key] as Json | undefined) ?? {}) };
    node = node[key] as Json;
  }
  node[keys.at(-1)!] = result;
  return copy;
};

const matches = (errorEquals: readonly string[], name: string): boolean =>
  errorEquals.includes(name) ||
  errorEquals.includes('States.ALL') ||
  (errorEquals.includes('States.TaskFailed') && name !== 'States.Timeout');

/**
 * Runs one execution of `definition`. Each Task state is run by `tasks[stateName]`, which receives
 * the state's effective input (its Parameters resolved, else the whole state).
 */
export async function runLocally(
  definition: AslDefinition,
  tasks: Readonly<Record<string, TaskImplementation>>,
  input: unknown,
  executionName: string,
): Promise<LocalExecution> {
  const context: Json = { Execution: { Name: executionName } };
  const path: string[] = [];
  let current = definition.StartAt;
  let data = input;
  for (let steps = 0; steps < 100; steps++) {
    const state: AslState | undefined = definition.States[current];
    if (state === undefined) throw new Error(`no state ${current}`);
    path.push(current);
    switch (state.Type) {
      case 'Succeed':
        return { status: 'SUCCEEDED', path, output: data };
      case 'Fail':
        return { status: 'FAILED', path, ...(state.Error ? { error: state.Error } : {}) };
      case 'Choice': {
        const choice = (state.Choices ?? []).find(
          (c) => read(data, c.Variable, context) === c.StringEquals,
        );
        current = choice?.Next ?? state.Default ?? '';
        continue;
      }
      case 'Task': {
        const task = tasks[current];
        if (task === undefined) throw new Error(`no local implementation of task ${current}`);
        const effective =
          state.Parameters === undefined
            ? data
            : resolveParameters(state.Parameters, data, context);
        const attempts = new Map<number, number>();
        let next: string | undefined;
        for (;;) {
          try {
            const raw = await task(effective);
            const result =
              state.ResultSelector === undefined
                ? raw
                : resolveParameters(state.ResultSelector, raw, context);
            data = applyResultPath(data, result, state.ResultPath);
            next = state.Next;
            break;
          } catch (error) {
            const name = (error as Error).name;
            const index = (state.Retry ?? []).findIndex((r) => matches(r.ErrorEquals, name));
            const retrier = state.Retry?.[index];
            const used = attempts.get(index) ?? 0;
            if (retrier !== undefined && used < (retrier.MaxAttempts ?? 3)) {
              attempts.set(index, used + 1);
              path.push(current);
              continue;
            }
            const catcher = (state.Catch ?? []).find((c) => matches(c.ErrorEquals, name));
            if (catcher === undefined) return { status: 'FAILED', path, error: name };
            data = applyResultPath(
              data,
              { Error: name, Cause: (error as Error).message },
              catcher.ResultPath,
            );
            next = catcher.Next;
            break;
          }
        }
        if (next === undefined) return { status: 'SUCCEEDED', path, output: data };
        current = next;
        continue;
      }
      default:
        throw new Error(`state type ${state.Type} is not supported locally`);
    }
  }
  throw new Error('the execution did not end within 100 states');
}
