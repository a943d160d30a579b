/**
 * Bad input: a file (or event, or config) that whopays refuses. The CLI prints `message` as its one
 * line on stderr and exits 2; Lambdas log it and send the event to the dead-letter queue.
 *
 * @example throw new InputError('cur/2025-10.csv.gz', 'missing required column lineItem/UsageAccountId')
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** An identity of ATTRIBUTION.md failed: always a bug in whopays, never the input's fault. */
export class IdentityViolationError extends Error {
  constructor(message: string) {
    super(`BUG: attribution identity violated: ${message}`);
    this.name = 'IdentityViolationError';
  }
}

/** A reconciliation found differences beyond tolerance (CLI exit code 1). */
export class ReconciliationMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconciliationMismatchError';
  }
}

/**
 * `whopays doctor` found a failed check. Exit code 1 like a reconciliation difference: the checks
 * ran and found something to fix (the fixes are on stdout).
 */
export class DoctorCheckFailedError extends ReconciliationMismatchError {
  constructor(message: string) {
    super(message);
    this.name = 'DoctorCheckFailedError';
  }
}
