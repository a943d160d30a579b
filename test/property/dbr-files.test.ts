import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { buildReport } from '../../lambdas/core/report.js';
import { dbrCsv, tempFolder, writeZip } from '../adapters/billing-files.js';
import { referenceDbr } from '../reference/attribution.js';
import { dbrLines } from './arbitraries.js';
import { fromReference, fromReport, identityFailures } from './report-checks.js';

// dbr-properties.test.ts from real files: the DBR CSV as AWS delivers it (plain or zipped, all
// text, Chinese descriptions) through the engine the CLI uses.
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

describe('DBR files on random line sets equal the reference', () => {
  it('DBR CSV, plain or zipped', async () => {
    const lines = dbrLines(15).filter((rows) => rows.length > 0);
    await fc.assert(
      fc.asyncProperty(lines, fc.boolean(), async (rows, zip) => {
        // Prepare
        const name = `${n++}-aws-billing-detailed-line-items-with-resources-and-tags-2025-10.csv`;
        const path = join(folder.path, zip ? `${name}.zip` : name);
        if (zip) writeZip(path, name, dbrCsv(rows));
        else writeFileSync(path, dbrCsv(rows));
        // Act
        const result = await engine.ledger({ location: path });
        const report = buildReport({ sources: [{ path, ...result, currency: 'CNY' }] });
        // Assess
        expect(result.format).toBe('dbr');
        for (const period of report.periods) expect(identityFailures(period)).toEqual([]);
        expect(fromReport(report)).toEqual(fromReference(referenceDbr(rows, 'CNY')));
      }),
      { numRuns: 30 },
    );
  });
});
