// What `whopays report <path> --json` does, without the command line: the DuckDB engine's ledger
// and the core's buildReport, report JSON on stdout. The bench bundles it (like dist/cli.mjs) and
// runs it only while bin/cli.ts has no `report` command yet, so the numbers exist from day one.
//
// usage: node bench/data/whopays-direct.mjs <path> [format] [currency]
import { DuckDbEngine } from '../lambdas/adapters/duckdb-engine.js';
import { buildReport } from '../lambdas/core/report.js';
import type { SourceFormat } from '../lambdas/core/source-columns.js';

const [location, format, currency] = process.argv.slice(2);
if (!location) {
  console.error('usage: whopays-direct <path> [format] [currency]');
  process.exit(2);
}
const engine = await DuckDbEngine.create();
try {
  const result = await engine.ledger({
    location,
    ...(format ? { format: format as SourceFormat } : {}),
  });
  const report = buildReport({
    sources: [
      {
        path: location,
        format: result.format,
        ...(currency ? { currency } : {}),
        rows: result.rows,
      },
    ],
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await engine.close();
}
