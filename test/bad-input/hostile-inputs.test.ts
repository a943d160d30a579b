import { isUtf8 } from 'node:buffer';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { DBR_CHINA } from '../../examples/scenarios/dbr-china.js';
import { writeDbrFiles } from '../../examples/writers/dbr-files.js';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { buildReport } from '../../lambdas/core/report.js';
import { cur1Csv, dbrCsv, type Line, tempFolder } from '../adapters/billing-files.js';
import { craftZip } from '../fixtures/bad/crafted-zip.js';

// Issue 15 items 1-10: hostile and odd inputs are read right or refused with one line naming
// the file, never a crash or a silent wrong total. Items 3 and 8 are also tested byte by byte
// in test/adapters/archive-files.test.ts.
// The CLI cases run the bundle `npm test` builds first (`npm run build` before running this alone);
// building it here too would race the other CLI tests' builds.
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

/** A DBR line item of account A, with these fields replacing the defaults. */
const dbrLineItem = (cost: string, fields: Line = {}): Line => ({
  InvoiceID: 'Estimated',
  PayerAccountId: PAYER,
  LinkedAccountId: A,
  RecordType: 'LineItem',
  ProductName: 'Amazon Simple Storage Service',
  UsageStartDate: '2025-10-01 00:00:00',
  UnBlendedCost: cost,
  ...fields,
});

let engine: DuckDbEngine;
let folder: ReturnType<typeof tempFolder>;
beforeAll(async () => {
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
  if (!(error instanceof InputError)) throw error;
  expect(error.message).not.toContain('\n');
  return error;
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

/** A Parquet file from a DuckDB select (each column typed as the select makes it). */
async function writeParquet(path: string, select: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(`copy (${select}) to '${path}' (format parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The select of one CUR 2.0 line with these column expressions replacing the defaults. */
const cur2Line = (overrides: Readonly<Record<string, string>> = {}): string => {
  const columns: Record<string, string> = {
    bill_payer_account_id: `'${PAYER}'`,
    bill_billing_period_start_date: `timestamp '2025-10-01 00:00:00'`,
    line_item_usage_account_id: `'${A}'`,
    line_item_line_item_type: `'Usage'`,
    line_item_currency_code: `'USD'`,
    line_item_unblended_cost: 'cast(12.5 as double)',
    bill_payer_account_name: `'Payer org'`,
    ...overrides,
  };
  return `select ${Object.entries(columns)
    .map(([name, value]) => `${value} as ${name}`)
    .join(', ')}`;
};

describe('4. money is read strictly', () => {
  it('refuses 1_000_000.5 in a CUR CSV and in a DBR', async () => {
    const cur = file('cur.csv');
    writeFileSync(cur, cur1Csv([usage('1.5'), usage('1_000_000.5')]));
    expect((await refusal(cur)).problem).toBe(
      'column lineItem/UnblendedCost: not a number: "1_000_000.5"',
    );
    const dbr = file('dbr.csv');
    writeFileSync(dbr, dbrCsv([dbrLineItem('2.5'), dbrLineItem('1_000_000.5')]));
    expect((await refusal(dbr)).problem).toBe('column UnBlendedCost: not a number: "1_000_000.5"');
  });

  it('refuses a BOOLEAN money column instead of reading true as 1', async () => {
    const path = file('cur2.parquet');
    await writeParquet(path, cur2Line({ line_item_unblended_cost: 'true' }));
    expect((await refusal(path)).problem).toBe(
      'column line_item_unblended_cost is BOOLEAN: money must be a number or text',
    );
  });

  it('refuses a folder whose files hold the money as DECIMAL in one, DOUBLE in another', async () => {
    // DuckDB would unify the two as DOUBLE: 0.1 + 0.2 would no longer be exact.
    await writeParquet(
      file('a.parquet'),
      cur2Line({ line_item_unblended_cost: 'cast(0.1 as decimal(18, 10))' }),
    );
    await writeParquet(
      file('b.parquet'),
      cur2Line({ line_item_unblended_cost: 'cast(0.2 as double)' }),
    );
    const error = await refusal(folder.path);
    expect(error.file).toBe(file('b.parquet'));
    expect(error.problem).toBe(
      `column line_item_unblended_cost is DOUBLE here but DECIMAL(18,10) in ${file('a.parquet')}: the money of one source must have one type`,
    );
  });

  it('normalizes usd and " USD" to USD: one bill, one currency', async () => {
    const path = file('cur.csv');
    writeFileSync(
      path,
      cur1Csv([
        usage('1', { line_item_currency_code: 'usd' }),
        usage('10', { line_item_currency_code: ' USD' }),
        usage('100', { line_item_currency_code: 'USD' }),
      ]),
    );
    const { format, rows } = await engine.ledger({ location: path });
    const report = buildReport({ sources: [{ path, format, rows }] });
    expect(report.periods.map((p) => [p.currency, p.totals.usageCost])).toEqual([
      ['USD', '111.0000000000'],
    ]);
  });

  it('refuses a currency code that is not ISO 4217, naming the file', async () => {
    const path = file('cur.csv');
    writeFileSync(path, cur1Csv([usage('1', { line_item_currency_code: 'US$' })]));
    const { format, rows } = await engine.ledger({ location: path });
    expect(() => buildReport({ sources: [{ path, format, rows }] })).toThrow(
      new InputError(path, 'currency code "US$" is not an ISO 4217 code'),
    );
  });
});

describe('5. DBR record types as the published method matches them', () => {
  it('counts a lowercase lineitem as a line item and names other records with count and cost', async () => {
    const path = file('dbr.csv');
    writeFileSync(
      path,
      dbrCsv([
        dbrLineItem('10'),
        dbrLineItem('1', { RecordType: 'lineitem' }),
        dbrLineItem('-2.5', { RecordType: 'Discount' }),
        dbrLineItem('-0.5', { RecordType: 'Discount' }),
        dbrLineItem('7', { RecordType: 'SomethingNew' }),
        dbrLineItem('18.5', { RecordType: 'InvoiceTotal', LinkedAccountId: '' }),
      ]),
    );
    const { format, rows } = await engine.ledger({ location: path });
    const report = buildReport({ sources: [{ path, format, currency: 'CNY', rows }] });
    const [period] = report.periods;
    // Hand-worked: the line items only (10 + 1); totals repeat them; Discount and the new type
    // are not counted, as in the published method, but named.
    expect(period!.accounts.map((a) => [a.accountId, a.usageCost])).toEqual([[A, '11.0000000000']]);
    expect(period!.warnings).toEqual([
      '2 lines of DBR record type "Discount" (-3.0000000000 in all) not counted: the published method counts LineItem and Rounding records only.',
      '1 line of DBR record type "SomethingNew" (7.0000000000 in all) not counted: the published method counts LineItem and Rounding records only.',
    ]);
  });
});

describe('6. folders say what they skip', () => {
  it('names hidden files, metadata/ data and .tsv/.bz2/.gz files left out', async () => {
    writeFileSync(file('a.csv'), cur1Csv([usage('1')]));
    writeFileSync(file('.hidden.csv'), cur1Csv([usage('10')]));
    mkdirSync(file('metadata'));
    writeFileSync(file('metadata', 'x.csv'), cur1Csv([usage('100')]));
    writeFileSync(file('b.tsv'), 'x');
    writeFileSync(file('c.csv.bz2'), 'x');
    writeFileSync(file('d.gz'), 'x');
    const result = await engine.ledger({ location: folder.path });
    expect(total(result.rows)).toBe('1');
    expect(result.ignored).toEqual(
      ['.hidden.csv', 'b.tsv', 'c.csv.bz2', 'd.gz', join('metadata', 'x.csv')].map((n) => file(n)),
    );
    const run = await cli(['report', folder.path]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /ignored 5 files that are not billing data \(\.hidden\.csv, b\.tsv, c\.csv\.bz2, …\)/,
    );
  });

  it.each([
    ['BILLING_PERIOD=2025-13', ['data', 'BILLING_PERIOD=2025-13']],
    ['BILLING_PERIOD=2025-00', ['metadata', 'BILLING_PERIOD=2025-00']],
    ['20251301-20260101', ['20251301-20260101']],
  ])('refuses a period folder %s (its manifest would be ignored)', async (name, parts) => {
    mkdirSync(file('report', ...parts), { recursive: true });
    writeFileSync(file('report', ...parts, 'report-Manifest.json'), '{}');
    writeFileSync(file('report', 'a.csv'), cur1Csv([usage('1')]));
    const error = await refusal(file('report'));
    expect(error.file).toBe(file('report', ...parts));
    expect(error.problem).toBe(
      `not a billing period folder: ${name} has no month ${name.includes('-13') || name.includes('1301') ? '13' : '00'}`,
    );
  });
});

describe('9. unparseable or empty billing period or payer', () => {
  it.each([
    [
      'a spreadsheet date',
      { bill_billing_period_start_date: '10/1/2025 0:00' },
      'column bill/BillingPeriodStartDate: not a billing date (YYYY-MM…, a real month): "10/1/2025 0:00"',
    ],
    [
      'an epoch integer',
      { bill_billing_period_start_date: '1759276800' },
      'column bill/BillingPeriodStartDate: not a billing date (YYYY-MM…, a real month): "1759276800"',
    ],
    [
      'month 13',
      { bill_billing_period_start_date: '2025-13-01T00:00:00Z' },
      'column bill/BillingPeriodStartDate: not a billing date (YYYY-MM…, a real month): "2025-13-01T00:00:00Z"',
    ],
    [
      'an empty payer',
      { bill_payer_account_id: '' },
      'column bill/PayerAccountId: empty on a billing line',
    ],
  ] as const)('refuses %s on one line, naming file and column', async (_name, line, problem) => {
    const path = file('cur.csv');
    writeFileSync(path, cur1Csv([usage('1'), usage('2', line), usage('3')]));
    expect((await refusal(path)).problem).toBe(problem);
  });

  it('refuses a DBR line item dated 10/1/2025 0:00', async () => {
    const path = file('dbr.csv');
    writeFileSync(
      path,
      dbrCsv([dbrLineItem('1'), dbrLineItem('2', { UsageStartDate: '10/1/2025 0:00' })]),
    );
    expect((await refusal(path)).problem).toBe(
      'column UsageStartDate: not a billing date (YYYY-MM…, a real month): "10/1/2025 0:00"',
    );
  });

  it('refuses an epoch-number period column in Parquet by its type', async () => {
    const path = file('cur2.parquet');
    await writeParquet(
      path,
      cur2Line({ bill_billing_period_start_date: 'cast(1759276800 as bigint)' }),
    );
    expect((await refusal(path)).problem).toBe(
      'column bill_billing_period_start_date is BIGINT: a billing period must be a date, a timestamp or text',
    );
  });
});

describe('10. Parquet values and schemas', () => {
  it.each([
    ['NaN', `cast('nan' as double)`, 'column line_item_unblended_cost: not a finite amount: "nan"'],
    [
      '+Inf',
      `cast('inf' as double)`,
      'column line_item_unblended_cost: not a finite amount: "inf"',
    ],
    [
      '-Inf',
      `cast('-inf' as double)`,
      'column line_item_unblended_cost: not a finite amount: "-inf"',
    ],
    [
      '1e28',
      'cast(1e28 as double)',
      'column line_item_unblended_cost: amount out of range (1e28 or more): "1e+28"',
    ],
    [
      'a DATE',
      `date '2025-10-01'`,
      'column line_item_unblended_cost is DATE: money must be a number or text',
    ],
  ])('refuses %s money naming the file and column', async (_name, value, problem) => {
    const path = file('cur2.parquet');
    await writeParquet(path, cur2Line({ line_item_unblended_cost: value }));
    expect((await refusal(path)).problem).toBe(problem);
  });

  it('refuses an INTEGER line item type', async () => {
    const path = file('cur2.parquet');
    await writeParquet(path, cur2Line({ line_item_line_item_type: '1' }));
    expect((await refusal(path)).problem).toBe(
      'column line_item_line_item_type is INTEGER: expected text',
    );
  });

  it('refuses a folder mixing DOUBLE and VARCHAR money', async () => {
    await writeParquet(file('a.parquet'), cur2Line());
    await writeParquet(file('b.parquet'), cur2Line({ line_item_unblended_cost: `'0.1'` }));
    const error = await refusal(folder.path);
    expect(error.file).toBe(file('b.parquet'));
    expect(error.problem).toMatch(
      /^column line_item_unblended_cost is VARCHAR here but DOUBLE in /,
    );
  });

  it('refuses a DECIMAL sum past 28 integer digits', async () => {
    const path = file('cur2.parquet');
    const huge = `cast('9000000000000000000000000000' as decimal(38, 0))`;
    await writeParquet(
      path,
      `${cur2Line({ line_item_unblended_cost: huge })} union all ${cur2Line({ line_item_unblended_cost: huge })}`,
    );
    const error = await refusal(path);
    // Each value fits DECIMAL(38,10); their sum does not.
    expect(error).toMatchObject({
      file: path,
      problem:
        'column line_item_unblended_cost sums past DECIMAL(38,10) (28 integer digits): not a bill',
    });
  });

  it('refuses a DBR whose costs sum past 28 integer digits, naming the column', async () => {
    const path = file('dbr.csv');
    const huge = '9000000000000000000000000000';
    writeFileSync(path, dbrCsv([dbrLineItem(huge), dbrLineItem(huge)]));
    expect(await refusal(path)).toMatchObject({
      file: path,
      problem: 'column UnBlendedCost sums past DECIMAL(38,10) (28 integer digits): not a bill',
    });
  });

  it('refuses a corrupt footer and a corrupt page, naming the file', async () => {
    // 20,000 distinct amounts: the money column's pages make up most of the file.
    const rows = `select * exclude (range) from range(20000), (${cur2Line({ line_item_unblended_cost: 'range * 0.25' })})`;
    await writeParquet(file('a.parquet'), rows);
    const good = readFileSync(file('a.parquet'));
    const footer = Buffer.from(good);
    // The footer (Thrift metadata) ends 8 bytes before the end, its length stored there.
    const footerStart = footer.length - 8 - footer.readUInt32LE(footer.length - 8);
    footer.fill(0x55, footerStart, footerStart + 200);
    writeFileSync(file('footer.parquet'), footer);
    expect(await refusal(file('footer.parquet'))).toMatchObject({
      file: file('footer.parquet'),
      problem: 'not a valid Parquet file (corrupt or truncated)',
    });
    // A page of a snappy-compressed column, in a folder: the file is named, not the folder.
    const page = Buffer.from(good);
    page.fill(0x55, page.length >> 2, (page.length >> 2) + 200);
    mkdirSync(file('pages'));
    writeFileSync(file('pages', 'a.parquet'), good);
    writeFileSync(file('pages', 'b.parquet'), page);
    expect(await refusal(file('pages'))).toMatchObject({
      file: file('pages', 'b.parquet'),
      problem: 'not a valid Parquet file (corrupt or truncated)',
    });
  });
});

describe('7. text that is not UTF-8', () => {
  const sorted = (rows: readonly LedgerRow[]) => rows.map((row) => JSON.stringify(row)).sort();
  // DuckDB meets invalid UTF-8 with an INTERNAL error that invalidates the database: a fresh
  // engine per case.
  const withEngine = async <T>(fn: (own: DuckDbEngine) => Promise<T>): Promise<T> => {
    const own = await DuckDbEngine.create({ threads: 1, memoryLimit: '256MB' });
    try {
      return await fn(own);
    } finally {
      await own.close();
    }
  };
  const latin1Arn = (): Buffer => {
    const text = cur1Csv([usage('1'), usage('2', { line_item_resource_id: 'i-caf\u00e9' })]);
    return iconv.encode(text, 'latin1');
  };

  it('refuses a Latin-1 byte in a read column with exit 2 and one line', async () => {
    const path = file('cur.csv');
    writeFileSync(path, latin1Arn());
    expectRefused(await cli(['report', path]), path, /not UTF-8 text \(byte 0xE9 at offset \d+\)/);
  });

  it('finds a bad byte past the first MiB, in a plain and a gzip CSV', async () => {
    const lines = Array.from({ length: 12_000 }, () => usage('1'));
    const text = Buffer.concat([
      Buffer.from(cur1Csv(lines)),
      Buffer.from(
        cur1Csv([usage('2', { line_item_resource_id: 'i-caf\u00e9' })]).split('\n')[1]!,
        'latin1',
      ),
      Buffer.from('\n'),
    ]);
    expect(text.length).toBeGreaterThan(2 ** 20);
    writeFileSync(file('big.csv'), text);
    writeFileSync(file('big.csv.gz'), gzipSync(text));
    for (const name of ['big.csv', 'big.csv.gz']) {
      const error = await withEngine((own) => own.ledger({ location: file(name) })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).problem).toMatch(
        new RegExp(`^not UTF-8 text \\(byte 0xE9 at offset ${text.indexOf(0xe9)}\\)`),
      );
    }
  });

  it('reads an AWS China DBR saved as GB18030 with the same figures as the UTF-8 one', async () => {
    // Prepare: the China example's DBR (Chinese descriptions, the 认购 purchase marker), as
    // delivered (UTF-8 in a zip) and as Excel in China saves it (GB18030), plain and zipped.
    const { dbr } = await writeDbrFiles(DBR_CHINA, folder.path);
    const [utf8] = Object.values(unzipSync(readFileSync(dbr)));
    const gb = iconv.encode(Buffer.from(utf8!).toString('utf8'), 'gb18030');
    expect(isUtf8(gb)).toBe(false);
    writeFileSync(file('gb18030.csv'), gb);
    writeFileSync(file('gb18030.csv.gz'), gzipSync(gb));
    // Act
    const expected = await engine.ledger({ location: dbr });
    for (const name of ['gb18030.csv', 'gb18030.csv.gz']) {
      const { rows } = await engine.ledger({ location: file(name) });
      // Assess
      expect(sorted(rows)).toEqual(sorted(expected.rows));
    }
    expect(expected.rows.some((row) => row.commitment === 'ri')).toBe(true);
  });
});
