import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { buildReport } from '../../lambdas/core/report.js';
import { type RefLine, referenceDbr } from '../reference/attribution.js';
import { dbrLines } from './arbitraries.js';
import { duckDbLedger, fromReference, fromReport, identityFailures } from './report-checks.js';

// One DuckDB for the file; every run replaces the `dbr_lines` table.
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

const reportOf = async (lines: readonly RefLine[]) =>
  buildReport({
    sources: [
      {
        path: 'dbr.csv',
        format: 'dbr',
        currency: 'CNY',
        rows: await duckDbLedger(connection, 'dbr', lines),
      },
    ],
    generatedAt: new Date('2026-01-01T00:00:00Z'),
  });

const RUNS = { numRuns: 60 };

describe('DBR attribution on random line sets', () => {
  it('keeps both identities exactly, and invoiceCost equals ownerCost', async () => {
    await fc.assert(
      fc.asyncProperty(dbrLines(), async (lines) => {
        const report = await reportOf(lines);
        for (const period of report.periods) {
          expect(identityFailures(period)).toEqual([]);
          for (const a of period.accounts) expect(a.invoiceCost).toBe(a.ownerCost);
        }
      }),
      RUNS,
    );
  });

  it('gives the same report whatever the row order', async () => {
    const shuffled = dbrLines().chain((lines) =>
      fc.tuple(
        fc.constant(lines),
        fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(shuffled, async ([lines, reordered]) => {
        expect((await reportOf(reordered)).periods).toEqual((await reportOf(lines)).periods);
      }),
      { numRuns: 40 },
    );
  });

  it('equals the independent TypeScript reference, and names every ambiguous subscription', async () => {
    await fc.assert(
      fc.asyncProperty(dbrLines(), async (lines) => {
        const report = await reportOf(lines);
        const reference = referenceDbr(lines, 'CNY');
        expect(fromReport(report)).toEqual(fromReference(reference));
        for (const period of reference.values()) {
          const warnings = report.periods
            .find((p) => p.billingPeriod === period.billingPeriod)
            ?.warnings.join('\n');
          for (const id of period.ambiguous) expect(warnings).toContain(`subscription ${id}`);
        }
      }),
      RUNS,
    );
  });
});
