import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { cur1Csv, type Line, tempFolder } from '../adapters/billing-files.js';
import { craftZip } from '../fixtures/bad/crafted-zip.js';

// Issue 15 items 1-10: hostile and odd inputs are read right or refused with one line naming
// the file, never a crash or a silent wrong total. Items 3 and 8 are also tested byte by byte
// in test/adapters/archive-files.test.ts.
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

const PAYER = '000123456789';
const A = '001111111111';

const usage = (cost: string, extra: Line = {}): Line => ({
  bill_payer_account_id: PAYER,
  bill_billing_period_start_date: '2025-10-01T00:00:00Z',
  line_item_usage_account_id: A,
  line_item_line_item_type: 'Usage',
  line_item_currency_code: 'USD',
  line_item_unblended_cost: cost,
  ...extra,
});

let engine: DuckDbEngine;
let folder: ReturnType<typeof tempFolder>;
beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
  engine = await DuckDbEngine.create({ threads: 1, memoryLimit: '512MB' });
});
afterAll(() => engine.close());
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.cleanup());

const file = (...names: string[]) => join(folder.path, ...names);

/** Σ usage_cost of the ledger, exact: every cost in these tests has at most 10 fraction digits. */
const total = (rows: readonly LedgerRow[]): string => {
  const scaled = rows.reduce((sum, row) => sum + BigInt(row.usage_cost.replace('.', '')), 0n);
  const text = scaled.toString().padStart(11, '0');
  return `${text.slice(0, -10)}.${text.slice(-10)}`.replace(/\.?0+$/, '');
};

/** The InputError a ledger read ends in (fails the test when it succeeds). */
const refusal = async (location: string): Promise<InputError> => {
  const error = await engine.ledger({ location }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).message).not.toContain('\n');
  return error as InputError;
};

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const options = { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 };
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(ROOT, 'bin/whopays.mjs'), ...args],
      options,
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Exit 2, nothing on stdout, one stderr line naming the file and matching the problem. */
const expectRefused = (result: CliResult, path: string, problem: RegExp): void => {
  expect(result).toMatchObject({ code: 2, stdout: '' });
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(path);
  expect(lines[0]).toMatch(problem);
};

describe('1. glob characters in a path are a literal file name', () => {
  // Each file's cost is a distinct power of ten: a total shows exactly which files were read.
  const names = ['*.csv', 'a?.csv', '[x].csv', 'a1.csv', 'ab.csv', 'x.csv'];
  const write = (dir: string) =>
    names.forEach((name, i) => {
      writeFileSync(join(dir, name), cur1Csv([usage(String(10 ** i))]));
    });

  it.each([
    ['*.csv', '1'],
    ['a?.csv', '10'],
    ['[x].csv', '100'],
  ])('reads %s alone', async (name, expected) => {
    write(folder.path);
    const result = await engine.ledger({ location: file(name) });
    expect(result.files).toEqual([file(name)]);
    expect(total(result.rows)).toBe(expected);
  });

  it('reads a folder named [x] and a file inside it as given', async () => {
    mkdirSync(file('[x]'));
    mkdirSync(file('x'));
    write(file('[x]'));
    writeFileSync(file('x', 'x.csv'), cur1Csv([usage('1000000')]));
    const inside = await engine.ledger({ location: file('[x]', 'x.csv') });
    expect(total(inside.rows)).toBe('100000');
    const whole = await engine.ledger({ location: file('[x]') });
    expect(total(whole.rows)).toBe('111111');
  });
});

describe('2. billing periods are UTC', () => {
  it('reads an October bill stored as a UTC-adjusted timestamp as 2025-10 in New York', async () => {
    // Prepare: a CUR 2.0 Parquet whose period column is TIMESTAMP WITH TIME ZONE (isAdjustedToUTC).
    const path = file('cur2.parquet');
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    await connection.run(`copy (select '${PAYER}' as bill_payer_account_id,
      timestamptz '2025-10-01 00:00:00+00' as bill_billing_period_start_date,
      '${A}' as line_item_usage_account_id, 'Usage' as line_item_line_item_type,
      'USD' as line_item_currency_code, cast(12.5 as decimal(18, 10)) as line_item_unblended_cost,
      'Payer org' as bill_payer_account_name) to '${path}' (format parquet)`);
    connection.closeSync();
    instance.closeSync();
    // Act: the CLI in a child process, in a zone west of UTC.
    const result = await cli(['report', path, '--json'], { TZ: 'America/New_York' });
    // Assess
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { periods: { billingPeriod: string }[] };
    expect(report.periods.map((p) => p.billingPeriod)).toEqual(['2025-10']);
  });
});

describe('3. crafted zips', () => {
  it('refuses a CUR zip listing one member under three names (never counted three times)', async () => {
    const data = Buffer.from(cur1Csv([usage('10')]));
    const path = file('cur.csv.zip');
    writeFileSync(
      path,
      craftZip({
        locals: [{ name: 'cur.csv', data }],
        central: ['a.csv', 'b.csv', 'c.csv'].map((name) => ({ local: 0, name })),
      }),
    );
    expect((await refusal(path)).problem).toMatch(/a\.csv and b\.csv share data/);
  });
});

describe('8. malformed zips end in exit 2 with one line', () => {
  it('refuses a 52-byte file whose end record claims a 3 GB directory', async () => {
    const path = file('tiny.csv.zip');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(3 * 2 ** 30, 12);
    end.writeUInt32LE(0, 16);
    writeFileSync(path, Buffer.concat([Buffer.alloc(30), end]));
    expectRefused(await cli(['report', path]), path, /central directory past the end of the file/);
  });
});
