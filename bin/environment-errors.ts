// Failures of the machine rather than of whopays: a full disk, a path too long, a folder the user
// may not write, DuckDB out of its memory limit. They end as exit 2 with one line (the user can
// act on them), never as exit 3 ("BUG") with a stack of system-call text.
import { InputError } from '../lambdas/core/errors.js';

/** System-call errors the environment causes. ENOENT is not one: a file of ours gone is a bug. */
const ENVIRONMENT_CODES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'path too long',
  ENFILE: 'too many open files on this machine',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is not a folder',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/** Paths past PATH_MAX are kept whole in spirit: their start and end, one line. */
const shortPath = (path: string): string =>
  path.length <= 200 ? path : `${path.slice(0, 80)}…${path.slice(-100)}`;

/** The InputError of an environment failure, or undefined when `error` is something else. */
export function environmentInputError(error: unknown): InputError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, path, syscall, message } = error as NodeJS.ErrnoException;
  const problem = code === undefined ? undefined : ENVIRONMENT_CODES[code];
  if (problem !== undefined && syscall !== undefined) {
    return new InputError(shortPath(path ?? syscall), `${problem} (${code}, ${syscall})`);
  }
  if (typeof message === 'string' && message.startsWith('Out of Memory Error:')) {
    return new InputError(
      '--memory-limit',
      `DuckDB ran out of memory (${message.split('\n', 1)[0]!.replace('Out of Memory Error: ', '')}): raise the limit`,
    );
  }
  return undefined;
}

/**
 * Ends the process when stdout fails, with one line and exit 2 (the README's exit codes are 0-3,
 * and scripts rely on them): when the reader closed it early (`| head`) and when it cannot be
 * written (`> /dev/full`). Without this Node prints an unhandled 'error' event stack and exits 1,
 * which means "reconciliation differences".
 */
export function guardStdout(complain: (text: string) => void, badInputExit: number): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    const problem =
      error.code === 'EPIPE'
        ? 'the reader closed it before the output ended'
        : (ENVIRONMENT_CODES[error.code ?? ''] ?? error.message);
    complain(`stdout: cannot write the output: ${problem} (${error.code ?? 'error'})`);
    process.exit(badInputExit);
  });
}
