import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFilesAtomically } from '../../lambdas/adapters/output-folder.js';
import { cur1Csv, tempFolder } from '../adapters/billing-files.js';
import { riCrossAccount } from '../fixtures/scenarios/cur-scenarios.js';

// Issue 15 items 11 and 13: odd usage and environments end in exit 2 with one line (or, for a
// closed stdout, quietly), and --out replaces the report folder as one whole.
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/whopays.mjs');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const whopays = (args: readonly string[], env = process.env, cwd = ROOT): Run => {
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

/** Exit 2, nothing on stdout, one stderr line (after the progress lines) matching `problem`. */
const expectRefused = (run: Run, problem: RegExp): void => {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines.filter((l) => !l.startsWith('read '))).toEqual([expect.stringMatching(problem)]);
  expect(run.stderr).not.toMatch(/\n\s+at |BUG/);
};

let folder: ReturnType<typeof tempFolder>;
let cur: string;
const file = (name: string) => join(folder.path, name);

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
}, 60_000);
beforeEach(() => {
  folder = tempFolder();
  cur = file('cur.csv');
  writeFileSync(cur, cur1Csv(riCrossAccount.rows));
});
afterEach(() => folder.cleanup());

describe('whopays report in odd environments (issue 15 item 11)', () => {
  it.each([
    ['/proc', '/proc/whopays-report'],
    ['/sys', '/sys/whopays-report'],
  ])('refuses --out under %s with one line', (_where, out) => {
    expectRefused(
      whopays(['report', cur, '--out', out]),
      /^whopays: \/(proc|sys)\/whopays-report: cannot write/,
    );
  });

  it('refuses --out under a folder nobody may write (immutable for root, 0555 otherwise)', () => {
    const parent = file('locked');
    mkdirSync(parent);
    const root = process.getuid?.() === 0;
    const lock = root ? ['chattr', '+i', parent] : ['chmod', '0555', parent];
    if (spawnSync(lock[0]!, lock.slice(1)).status !== 0) return; // no chattr here: nothing to test
    try {
      expectRefused(
        whopays(['report', cur, '--out', join(parent, 'report')]),
        /locked\/report: cannot write the report \((EPERM|EACCES)\)$/,
      );
    } finally {
      spawnSync(root ? 'chattr' : 'chmod', root ? ['-i', parent] : ['0755', parent]);
    }
  });

  it.each([
    [['--threads', '99999999999'], /--threads: 99999999999 is more than 1024/],
    [['--threads', '5000'], /--threads: 5000 is more than 1024/],
    [
      ['--memory-limit', '99999999TB'],
      /--memory-limit: 99999999TB is more than this machine's memory/,
    ],
    [['--memory-limit', '1B'], /--memory-limit: 1B is less than 16MiB/],
  ])('refuses the absurd %j before starting DuckDB', (options, problem) => {
    expectRefused(whopays(['report', cur, ...options]), problem);
  });

  it.each([
    ['missing', () => file('no-such-folder')],
    ['not a folder', () => cur],
  ])('refuses a TMPDIR that is %s, naming it and TMPDIR', (_kind, tmp) => {
    const run = whopays(['report', cur], { ...process.env, TMPDIR: tmp() });
    expectRefused(run, /cannot create a temporary folder here \((ENOENT|ENOTDIR)\): set TMPDIR/);
    expect(run.stderr).toContain(tmp());
  });

  it('refuses a folder deeper than PATH_MAX (4096) with one line naming it', () => {
    // 25 levels of 200 characters, made one level at a time by relative chdir (a shell's cd and one
    // mkdir of the whole path both fail past PATH_MAX).
    const deep = file('deep');
    const make = `process.chdir(${JSON.stringify(folder.path)});
      for (let i = 0; i < 26; i++) { const name = i ? 'd'.repeat(200) : 'deep'; fs.mkdirSync(name); process.chdir(name); }
      fs.writeFileSync('cur.csv', 'x');`;
    try {
      execFileSync(process.execPath, ['-e', make]);
      const run = whopays(['report', deep]);
      expectRefused(run, /: path too long \(ENAMETOOLONG, scandir\)$/);
      expect(run.stderr).toContain(deep);
      expect(run.stderr.length).toBeLessThan(400);
    } finally {
      spawnSync('rm', ['-rf', deep]); // GNU rm walks it by file descriptor, past PATH_MAX
    }
  });

  it('says in one line, with exit 2, that the reader closed stdout early (`| head`)', async () => {
    const child = spawn(process.execPath, [CLI, 'report', cur], { cwd: ROOT });
    child.stdout.destroy(); // the reader is gone before the report is printed
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    // The README's exit codes: 2 for what the caller did, never 1 ("differences") or 3 ("bug").
    expect(code).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^read .*cur\.csv: cur, 1 file/);
    expect(lines.slice(1)).toEqual([
      'whopays: stdout: cannot write the output: the reader closed it before the output ended (EPIPE)',
    ]);
  });

  it('refuses a full stdout (/dev/full) with one line and exit 2', () => {
    if (!existsSync('/dev/full')) return;
    const run = spawnSync(
      'sh',
      ['-c', `"$0" "$1" report "$2" > /dev/full`, process.execPath, CLI, cur],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(
      'whopays: stdout: cannot write the output: no space left on the device (ENOSPC)',
    );
    expect(lines).toHaveLength(2);
  });
});

/** The file names and first bytes of a report folder. */
const contents = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );

describe('whopays report --out replaces the folder as one whole (issue 15 item 13)', () => {
  it("refuses --out '' instead of writing into the current folder", () => {
    const run = whopays(['report', cur, '--out', ''], process.env, folder.path);
    expectRefused(run, /^whopays: --out: an empty folder name$/);
    expect(readdirSync(folder.path)).toEqual(['cur.csv']);
  });

  it('leaves no stale groups.csv when a rerun has no --groups', () => {
    const groups = file('groups.json');
    writeFileSync(
      groups,
      JSON.stringify([{ Name: 'team', AccountGrouping: { LinkedAccountIds: ['000000000001'] } }]),
    );
    expect(whopays(['report', cur, '--groups', groups, '--out', file('out')]).code).toBe(0);
    expect(readdirSync(file('out'))).toContain('groups.csv');
    expect(whopays(['report', cur, '--out', file('out')]).code).toBe(0);
    expect(readdirSync(file('out')).sort()).toEqual([
      'accounts.csv',
      'commitments.csv',
      'report.html',
      'report.json',
      'transfers.csv',
    ]);
    expect(readdirSync(folder.path).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it("refuses a folder holding the user's own files rather than replace them", () => {
    mkdirSync(file('mine'));
    writeFileSync(file('mine/notes.txt'), 'mine');
    expectRefused(
      whopays(['report', cur, '--out', file('mine')]),
      /mine: holds "notes.txt", not part of a whopays report; --out replaces the whole folder/,
    );
    expect(contents(file('mine'))).toEqual({ 'notes.txt': 'mine' });
    // What a file browser leaves in a report folder it showed goes with the old report.
    expect(whopays(['report', cur, '--out', file('out')]).code).toBe(0);
    writeFileSync(file('out/.DS_Store'), '');
    expect(whopays(['report', cur, '--out', file('out')]).code).toBe(0);
    expect(readdirSync(file('out'))).not.toContain('.DS_Store');
  });

  it('leaves the old report whole when the new one cannot take its place part-way', async () => {
    // The old report's report.html is a folder: renaming the new report.html onto it fails
    // after the first files would have been replaced one by one.
    const out = file('report');
    mkdirSync(join(out, 'report.html'), { recursive: true });
    writeFileSync(join(out, 'report.html', 'x'), 'old');
    writeFileSync(join(out, 'accounts.csv'), 'old');
    await expect(
      writeFilesAtomically(out, { 'accounts.csv': 'new', 'report.html': 'new' }),
    ).rejects.toThrow(/report: holds "report.html"/);
    expect(readdirSync(out).sort()).toEqual(['accounts.csv', 'report.html']);
    expect(readFileSync(join(out, 'accounts.csv'), 'utf8')).toBe('old');
    expect(readFileSync(join(out, 'report.html', 'x'), 'utf8')).toBe('old');
    expect(readdirSync(folder.path).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('leaves one whole report when runs race for a new folder, and every run succeeds', async () => {
    for (let round = 0; round < 10; round++) {
      const out = file(`round-${round}/new/report`);
      const writers = ['a', 'b', 'c', 'd'].map((who) =>
        writeFilesAtomically(out, { 'report.json': who, 'accounts.csv': who, 'report.html': who }),
      );
      await expect(Promise.all(writers)).resolves.toBeDefined();
      const written = contents(out);
      const winner = written['report.json']!;
      expect(written).toEqual({
        'accounts.csv': winner,
        'report.html': winner,
        'report.json': winner,
      });
      expect(readdirSync(file(`round-${round}/new`))).toEqual(['report']);
      rmSync(file(`round-${round}`), { recursive: true });
    }
  });
});
