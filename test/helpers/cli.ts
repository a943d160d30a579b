import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root, where the CLI is built and run. */
export const ROOT = resolve(__dirname, '../..');

/** Builds dist/cli.mjs, as `npm ci` does: call in a beforeAll (60 s timeout). */
export const buildCli = (): void => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
};

/** Runs the real built command, as `npx whopays` does. */
export const whopays = (...args: string[]) => {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/whopays.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};
