import { readFileSync } from 'node:fs';
import { DoctorCheckFailedError, InputError } from '../../lambdas/core/errors.js';
import { loadDeployConfig } from '../config.js';
import { CannotCheckError, type CheckResult, runDoctor, type StackOutputs } from './checks.js';
import { type DoctorClients, doctorClients } from './clients.js';

export interface DoctorOptions {
  readonly config: string;
  readonly outputs?: string;
  readonly stack?: string;
}

/**
 * The stack's outputs from `cdk deploy --outputs-file <file>`: `{ "<stack>": { "CurBucketName": …,
 * "SummaryTopicArn": …, "AlertTopicArn": … } }`. `stack` picks one when the file has several.
 */
export function readStackOutputs(file: string, stack?: string): StackOutputs {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(file, `cannot read the stack outputs (${(error as Error).message})`);
  }
  const stacks = Object.entries((json ?? {}) as Record<string, Record<string, unknown>>).filter(
    ([name, outputs]) =>
      (stack === undefined || name === stack) &&
      typeof outputs === 'object' &&
      outputs !== null &&
      'CurBucketName' in outputs,
  );
  if (stacks.length !== 1) {
    throw new InputError(
      file,
      stacks.length === 0
        ? `has no whopays stack outputs${stack === undefined ? '' : ` for stack ${stack}`} (write it with cdk deploy --outputs-file)`
        : `has outputs of several whopays stacks (${stacks.map(([n]) => n).join(', ')}): choose one with --stack`,
    );
  }
  const outputs = stacks[0]![1];
  const text = (key: string): string | undefined =>
    typeof outputs[key] === 'string' ? (outputs[key] as string) : undefined;
  const found = {
    curBucketName: text('CurBucketName'),
    summaryTopicArn: text('SummaryTopicArn'),
    alertTopicArn: text('AlertTopicArn'),
  };
  return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined));
}

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** One line per check, the fix indented under a failure, then the tally. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const lines = results.flatMap((r) => [
    `${LABEL[r.status]}  ${r.check.padEnd(width)}  ${r.detail}`,
    ...(r.fix === undefined ? [] : [`      ${''.padEnd(width)}  fix: ${r.fix}`]),
  ]);
  const count = (status: CheckResult['status']) =>
    results.filter((r) => r.status === status).length;
  lines.push('', `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}

/**
 * `whopays doctor`: reads the deploy config (and the stack outputs), runs the read-only checks,
 * prints them. Exit 0 all pass (skips allowed), 1 a check failed, 2 nothing could be checked.
 */
export async function runDoctorCommand(
  options: DoctorOptions,
  clientsOf: (config: ReturnType<typeof loadDeployConfig>) => DoctorClients = doctorClients,
): Promise<void> {
  const config = loadDeployConfig(options.config);
  // The CLI supports node 20 (package.json engines) and says what went wrong in one line; the SDK's
  // advisory that its 2027 releases need node 22 is for whoever upgrades the lock, not a doctor user.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const outputs =
    options.outputs === undefined ? {} : readStackOutputs(options.outputs, options.stack);
  let results: CheckResult[];
  try {
    results = await runDoctor(config, outputs, clientsOf(config));
  } catch (error) {
    if (error instanceof CannotCheckError) throw new InputError('doctor', error.message);
    throw error;
  }
  process.stdout.write(formatResults(results));
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length > 0) {
    throw new DoctorCheckFailedError(
      `doctor: ${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.map((r) => r.check).join(', ')}): the fixes are on stdout`,
    );
  }
}
