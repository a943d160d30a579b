import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Report } from '../../lambdas/core/report-model.js';
import { type BadCase, FILE_CASES, handled } from '../fixtures/bad/corpus.js';
import { comparable, periodsOf } from './expected.js';

// Every file case of the corpus through the real CLI, as a user runs it.
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
let folder: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
  folder = mkdtempSync(join(tmpdir(), 'whopays-bad-cli-'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
}

/** `whopays report <file> --json --out <fresh folder>`, with the file written from the corpus. */
async function report(c: BadCase): Promise<CliResult & { path: string }> {
  const path = join(folder, c.file);
  writeFileSync(path, c.contents());
  const out = join(folder, `${c.file}.out`);
  const args = [join(ROOT, 'bin/whopays.mjs'), 'report', path, '--json', '--out', out];
  const options = { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 };
  try {
    const { stdout, stderr } = await run(process.execPath, args, options);
    return { code: 0, stdout, stderr, out, path };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, out, path };
  }
}

const refusedCases = handled(FILE_CASES).filter((c) => c.handling.kind === 'refused');
const validCases = handled(FILE_CASES).filter((c) => c.handling.kind === 'valid');

describe('whopays report on the bad-input corpus', () => {
  it.each(refusedCases.map((c) => [c.name, c] as const))(
    'refuses %s: exit 2, one stderr line naming the file and the problem, no output files',
    async (_name, c) => {
      // Act
      const result = await report(c);
      // Assess
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(result.path);
      if (c.handling.kind === 'refused') expect(lines[0]).toMatch(c.handling.problem);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(result.out) ? readdirSync(result.out) : []).toEqual([]);
    },
  );

  it.each(validCases.map((c) => [c.name, c] as const))(
    'reports %s: exit 0, the hand-worked figures, the warning and every output file',
    async (_name, c) => {
      // Act
      const result = await report(c);
      // Assess
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout) as Report;
      if (c.handling.kind !== 'valid') throw new Error('a valid case');
      expect(comparable(periodsOf(json))).toEqual(comparable(c.handling.periods));
      const warnings = json.periods.flatMap((p) => p.warnings);
      if (c.handling.warning) expect(warnings.join('\n')).toMatch(c.handling.warning);
      else expect(warnings).toEqual([]);
      expect(readdirSync(result.out).sort()).toEqual(
        ['accounts.csv', 'commitments.csv', 'report.html', 'report.json', 'transfers.csv'].sort(),
      );
    },
  );
});
