import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { buildReport, type LedgerSource } from '../../lambdas/core/report.js';
import { type RefLine, referenceCur } from '../reference/attribution.js';
import { curLines } from './arbitraries.js';
import { duckDbLedger, fromReference, fromReport, identityFailures } from './report-checks.js';

// One DuckDB for the file; every run replaces the `cur_lines` table.
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

const generatedAt = new Date('2026-01-01T00:00:00Z');

/** The report of line sets, one source each, through the real ledger SQL and buildReport. */
async function reportOf(...sets: readonly (readonly RefLine[])[]) {
  const sources: LedgerSource[] = [];
  for (const [i, lines] of sets.entries()) {
    sources.push({
      path: `part-${i}.csv`,
      format: 'cur',
      rows: await duckDbLedger(connection, 'cur', lines),
    });
  }
  return buildReport({ sources, generatedAt });
}

const RUNS = { numRuns: 60 };

describe('CUR attribution on random line sets', () => {
  it('keeps both identities exactly in every period of the report', async () => {
    await fc.assert(
      fc.asyncProperty(curLines(), async (lines) => {
        const report = await reportOf(lines);
        for (const period of report.periods) expect(identityFailures(period)).toEqual([]);
        // Nothing lost: every line is counted in exactly one period.
        const counted = report.sources.reduce((n, s) => n + s.rows, 0);
        expect(counted).toBe(lines.length);
      }),
      RUNS,
    );
  });

  it('gives the same totals whatever the row order and however the rows are split into files', async () => {
    const shuffledAndSplit = curLines().chain((lines) =>
      fc.record({
        lines: fc.constant(lines),
        shuffled: fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
        fileOf: fc.array(fc.integer({ min: 0, max: 2 }), {
          minLength: lines.length,
          maxLength: lines.length,
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(shuffledAndSplit, async ({ lines, shuffled, fileOf }) => {
        const whole = await reportOf(lines);
        const parts = [0, 1, 2].map((f) => shuffled.filter((_, i) => fileOf[i] === f));
        expect((await reportOf(shuffled)).periods).toEqual(whole.periods);
        expect((await reportOf(...parts)).periods).toEqual(whole.periods);
      }),
      { numRuns: 40 },
    );
  });

  it('equals the independent TypeScript reference per account in every basis and per transfer', async () => {
    await fc.assert(
      fc.asyncProperty(curLines(), async (lines) => {
        const report = await reportOf(lines);
        expect(fromReport(report)).toEqual(fromReference(referenceCur(lines)));
      }),
      RUNS,
    );
  });
});
