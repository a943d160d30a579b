import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { buildReport } from '../../lambdas/core/report.js';
import { cur1Csv, tempFolder, writeCurParquet, writeGzip } from '../adapters/billing-files.js';
import { type RefLine, referenceCur } from '../reference/attribution.js';
import { curLines } from './arbitraries.js';
import { fromReference, fromReport, identityFailures } from './report-checks.js';

// The same comparison as cur-properties.test.ts, but from real files through the engine the CLI
// uses: CUR 1 CSV (plain and gzip, AWS headers, text money) and CUR 2.0 Parquet (DOUBLE money).
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

async function reportFromFile(path: string, lines: readonly RefLine[]) {
  const { format, rows } = await engine.ledger({ location: path });
  const report = buildReport({ sources: [{ path, format, rows }] });
  for (const period of report.periods) expect(identityFailures(period)).toEqual([]);
  expect(fromReport(report)).toEqual(fromReference(referenceCur(lines)));
}

const nonEmpty = (lines: fc.Arbitrary<RefLine[]>) => lines.filter((l) => l.length > 0);

describe('CUR files on random line sets equal the reference', () => {
  it('CUR 1 CSV, plain or gzip', async () => {
    await fc.assert(
      fc.asyncProperty(nonEmpty(curLines(15)), fc.boolean(), async (lines, gzip) => {
        const path = join(folder.path, `cur-${n++}.csv${gzip ? '.gz' : ''}`);
        if (gzip) writeGzip(path, cur1Csv(lines));
        else writeFileSync(path, cur1Csv(lines));
        await reportFromFile(path, lines);
      }),
      { numRuns: 30 },
    );
  });

  it('CUR 2.0 Parquet (money as DOUBLE: at most 15 significant digits, any magnitude)', async () => {
    await fc.assert(
      fc.asyncProperty(nonEmpty(curLines(15, true)), async (lines) => {
        const path = join(folder.path, `cur2-${n++}.parquet`);
        await writeCurParquet(path, lines, 'cur2');
        await reportFromFile(path, lines);
      }),
      { numRuns: 30 },
    );
  });
});
