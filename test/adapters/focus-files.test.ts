import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { describeSql, relationSql } from '../../lambdas/adapters/duckdb-relation.js';
import { buildReport } from '../../lambdas/core/report.js';
import { ledgerSql } from '../../lambdas/core/sql-catalog.js';
import { queryRows, withConnection } from '../helpers/duckdb.js';
import { focusLines } from '../property/arbitraries.js';
import { fromReference, fromReport, identityFailures } from '../property/report-checks.js';
import { type RefLine, referenceFocus } from '../reference/attribution.js';
import {
  FOCUS_HEADER,
  focusCsv,
  type Line,
  tempFolder,
  writeFocusParquet,
  writeGzip,
} from './billing-files.js';

// FOCUS files of AWS Data Exports through the engine the CLI uses: detection from the columns,
// the Data Exports layout, and the refusals and warning of ATTRIBUTION.md (FOCUS).
const PAYER = '111111111111';
const OWNER = '222222222222';
const USER = '333333333333';
const SP = `arn:aws-cn:savingsplans::${OWNER}:savingsplan/sp-1`;

const row = (fields: Line): Line => ({
  ProviderName: 'AWS',
  BillingAccountId: PAYER,
  BillingPeriodStart: '2025-11-01T00:00:00Z',
  BillingCurrency: 'CNY',
  ChargeCategory: 'Usage',
  SubAccountId: USER,
  BilledCost: '1',
  EffectiveCost: '1',
  ...fields,
});

const COVERED = row({
  CommitmentDiscountStatus: 'Used',
  CommitmentDiscountType: 'Savings Plan',
  CommitmentDiscountId: SP,
  BilledCost: '0',
  EffectiveCost: '0.7',
});

let engine: DuckDbEngine;
let folder: ReturnType<typeof tempFolder>;
let n = 0;

beforeAll(async () => {
  engine = await DuckDbEngine.create({ threads: 1, memoryLimit: '512MB' });
  folder = tempFolder();
});

afterAll(async () => {
  await engine.close();
  folder.cleanup();
});

const csvFile = (rows: readonly Line[], header?: readonly string[]) => {
  const path = join(folder.path, `focus-${n++}.csv`);
  writeFileSync(path, focusCsv(rows, header));
  return path;
};

const refuses = async (location: string, message: string) =>
  expect(engine.ledger({ location })).rejects.toThrow(message);

describe('FOCUS files', () => {
  it('are told from their columns, in any case, and attributed', async () => {
    // Athena and Glue write FOCUS names in lower case.
    const path = join(folder.path, `focus-${n++}.csv`);
    writeFileSync(
      path,
      focusCsv([COVERED, row({})]).replace(/^[^\n]+/, (header) => header.toLowerCase()),
    );

    const { format, rows } = await engine.ledger({ location: path });
    const report = buildReport({ sources: [{ path, format, rows }] });

    expect(format).toBe('focus');
    expect(report.periods[0]?.transfers).toEqual([
      {
        ownerAccountId: OWNER,
        consumerAccountId: USER,
        commitment: 'sp',
        cost: '0.7000000000',
      },
    ]);
  });

  it('read the Data Exports layout: data/BILLING_PERIOD= folders, manifests in metadata/', async () => {
    // Prepare: an export with the latest delivery listed by its manifest and an older one not.
    const root = join(folder.path, `export-${n++}`, 'my-focus');
    const data = join(root, 'data', 'BILLING_PERIOD=2025-11');
    const metadata = join(root, 'metadata', 'BILLING_PERIOD=2025-11');
    mkdirSync(join(data, 'old'), { recursive: true });
    mkdirSync(join(data, 'new'), { recursive: true });
    mkdirSync(metadata, { recursive: true });
    writeGzip(join(data, 'old', 'my-focus-00001.csv.gz'), focusCsv([row({ BilledCost: '5' })]));
    writeGzip(join(data, 'new', 'my-focus-00001.csv.gz'), focusCsv([COVERED, row({})]));
    writeFileSync(
      join(metadata, 'my-focus-Manifest.json'),
      JSON.stringify({
        executionId: 'e-1',
        dataFiles: [
          's3://bucket/exports/my-focus/data/BILLING_PERIOD=2025-11/new/my-focus-00001.csv.gz',
        ],
      }),
    );

    // Act
    const result = await engine.ledger({ location: root });

    // Assess: only the listed delivery is read.
    expect(result.format).toBe('focus');
    expect(result.skipped).toEqual([join(data, 'old', 'my-focus-00001.csv.gz')]);
    const billed = result.rows.reduce((sum, r) => sum + Number(r.invoice_cost), 0);
    expect(billed).toBe(1);
  });

  it('are read as FOCUS when --format focus is given', async () => {
    const { format } = await engine.ledger({ location: csvFile([row({})]), format: 'focus' });
    expect(format).toBe('focus');
  });

  it('refuse a file without a column the rules need, by name', async () => {
    const header = FOCUS_HEADER.filter((column) => column !== 'CommitmentDiscountId');
    const path = csvFile([row({})], header);
    await refuses(path, `${path}: missing required column CommitmentDiscountId`);
  });

  it('accept FOCUS 1.0: no InvoiceId and no capacity reservation columns', async () => {
    const header = FOCUS_HEADER.filter(
      (column) => column !== 'InvoiceId' && !column.startsWith('CapacityReservation'),
    );
    const { rows } = await engine.ledger({ location: csvFile([COVERED], header) });
    expect(rows.map((r) => [r.owner_account_id, r.final_line_count])).toEqual([[OWNER, 0]]);
  });

  it('refuse FOCUS of another cloud with one line', async () => {
    const path = csvFile([row({ ProviderName: 'Microsoft' })]);
    await refuses(
      path,
      `${path}: FOCUS from Microsoft, not AWS: whopays attributes AWS commitments only`,
    );
  });

  it('refuse mixed providers in one source, naming a file with the other provider', async () => {
    const source = join(folder.path, `mixed-${n++}`);
    mkdirSync(source);
    writeFileSync(join(source, 'a.csv'), focusCsv([row({})]));
    writeFileSync(join(source, 'b.csv'), focusCsv([row({ ProviderName: 'Google Cloud' })]));
    await refuses(
      source,
      `${join(source, 'b.csv')}: mixed providers in one source: AWS, Google Cloud`,
    );
  });

  it('refuse a Used row whose CommitmentDiscountId is not an ARN', async () => {
    const path = csvFile([row({ CommitmentDiscountStatus: 'Used', CommitmentDiscountId: 'sp-1' })]);
    await refuses(path, `${path}: CommitmentDiscountId "sp-1" of a Used row is not an ARN`);
  });

  it('warn of Used rows without a CommitmentDiscountId, with their count and cost', async () => {
    const path = csvFile([
      row({ CommitmentDiscountStatus: 'Used', EffectiveCost: '2.5' }),
      row({ CommitmentDiscountStatus: 'Used', EffectiveCost: '0.25' }),
      row({}),
    ]);

    const { format, rows } = await engine.ledger({ location: path });
    const report = buildReport({ sources: [{ path, format, rows }] });

    expect(report.periods[0]?.warnings).toEqual([
      'FOCUS Used rows without a CommitmentDiscountId: kept with their usage accounts (2 lines, cost 2.7500000000).',
    ]);
    expect(report.periods[0]?.transfers).toEqual([]);
  });
});

describe('a zoned BillingPeriodStart', () => {
  it('gives the UTC month, whatever zone the session is in', async () => {
    // Midnight UTC on the 1st is still the month before west of Greenwich.
    const path = join(folder.path, `zoned-${n++}.parquet`);
    await writeFocusParquet(path, [row({})]);
    const rows = await withConnection(async (connection) => {
      await connection.run("set TimeZone = 'America/Los_Angeles'");
      const columns = (await queryRows(connection, describeSql('parquet', path))).map((c) => ({
        name: String(c.column_name),
        type: String(c.column_type),
      }));
      const relation = relationSql('focus', 'parquet', [{ path, columns }]);
      return queryRows(connection, ledgerSql('focus', `(${relation})`));
    });
    expect(rows.map((r) => r.billing_period)).toEqual(['2025-11']);
  });
});

const nonEmpty = (lines: fc.Arbitrary<RefLine[]>) => lines.filter((l) => l.length > 0);

async function reportFromFile(path: string, lines: readonly RefLine[]) {
  const { format, rows } = await engine.ledger({ location: path });
  expect(format).toBe('focus');
  const report = buildReport({ sources: [{ path, format, rows }] });
  for (const period of report.periods) expect(identityFailures(period)).toEqual([]);
  expect(fromReport(report)).toEqual(fromReference(referenceFocus(lines)));
}

describe('FOCUS files on random row sets equal the reference', () => {
  it('CSV, plain or gzip', async () => {
    await fc.assert(
      fc.asyncProperty(nonEmpty(focusLines(15)), fc.boolean(), async (lines, gzip) => {
        const path = join(folder.path, `p-${n++}.csv${gzip ? '.gz' : ''}`);
        if (gzip) writeGzip(path, focusCsv(lines));
        else writeFileSync(path, focusCsv(lines));
        await reportFromFile(path, lines);
      }),
      { numRuns: 25 },
    );
  });

  it('Parquet (money as DOUBLE, BillingPeriodStart a UTC timestamp)', async () => {
    await fc.assert(
      fc.asyncProperty(nonEmpty(focusLines(15, true)), async (lines) => {
        const path = join(folder.path, `p-${n++}.parquet`);
        await writeFocusParquet(path, lines);
        await reportFromFile(path, lines);
      }),
      { numRuns: 25 },
    );
  });
});
