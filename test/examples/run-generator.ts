import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

/** Runs `examples/generate.ts` exactly as the README says (through tsx) into a fresh temp dir. */
export function generateExamples(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'whopays-examples-test-'));
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join('examples', 'generate.ts'), outDir],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) {
    throw new Error(`examples/generate.ts failed (${run.status}): ${run.stderr}`);
  }
  return outDir;
}
