import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { buildReport } from '../../lambdas/core/report.js';
import { type RefLine, referenceFocus } from '../reference/attribution.js';
import { focusLines } from './arbitraries.js';
import { duckDbLedger, fromReference, fromReport, identityFailures } from './report-checks.js';

// One DuckDB for the file; every run replaces the `focus_lines` table.
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

async function reportOf(lines: readonly RefLine[]) {
  const rows = await duckDbLedger(connection, 'focus', lines);
  return buildReport({ sources: [{ path: 'focus.csv', format: 'focus', rows }], generatedAt });
}

describe('FOCUS attribution on random row sets', () => {
  it('equals the independent reference per account in every basis and per transfer, identities exact', async () => {
    await fc.assert(
      fc.asyncProperty(focusLines(), async (lines) => {
        const report = await reportOf(lines);
        for (const period of report.periods) expect(identityFailures(period)).toEqual([]);
        expect(fromReport(report)).toEqual(fromReference(referenceFocus(lines)));
        const counted = report.sources.reduce((n, s) => n + s.rows, 0);
        expect(counted).toBe(lines.length);
      }),
      { numRuns: 60 },
    );
  });
});
