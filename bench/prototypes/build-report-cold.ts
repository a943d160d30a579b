// buildReport alone, cold (one call in a fresh process, as the CLI makes it), on ledger rows saved
// once as the engine's text (`save`), so that variants of the report code can be timed without the ledger query.
//
// usage: npx esbuild bench/prototypes/build-report-cold.ts --bundle --platform=node --format=esm
//   --packages=external --loader:.sql=text --outfile=bench/data/build-report-cold.mjs
//   node bench/data/build-report-cold.mjs save <file> <format> <rows.json>
//   node bench/data/build-report-cold.mjs run <rows.json> [report.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import {
  appendLedgerRowsFromText,
  LEDGER_COLUMNS,
  type LedgerRow,
} from '../../lambdas/core/ledger.js';
import { buildReport } from '../../lambdas/core/report.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';

const NULL_TEXT = '\x1e';
const [command, ...args] = process.argv.slice(2);
if (command === 'save') {
  const [file, format, out] = args as [string, SourceFormat, string];
  const engine = await DuckDbEngine.create();
  const { rows } = await engine.ledger({ location: file, format });
  await engine.close();
  // As the engine reads them: values as text joined by chr(31), NULL as chr(30).
  const values = rows.flatMap((row) =>
    LEDGER_COLUMNS.map((c) => (row[c] === null ? NULL_TEXT : String(row[c]))),
  );
  writeFileSync(out, JSON.stringify({ file, format, text: values.join('\x1f') }));
} else {
  const [saved, out] = args as [string, string?];
  const { file, format, text } = JSON.parse(readFileSync(saved, 'utf8')) as {
    file: string;
    format: SourceFormat;
    text: string;
  };
  const rows: LedgerRow[] = [];
  const count = text.split('\x1f').length / LEDGER_COLUMNS.length;
  appendLedgerRowsFromText(text, count, { separator: '\x1f', nullText: NULL_TEXT }, rows);
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const report = buildReport({
    sources: [{ path: file, format, rows, ...(format === 'dbr' ? { currency: 'CNY' } : {}) }],
    generatedAt: new Date(0),
  });
  const buildMs = performance.now() - t;
  const buildCpu = process.cpuUsage(cpu);
  const u = performance.now();
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stringifyMs = performance.now() - u;
  if (out !== undefined) writeFileSync(out, json);
  const busy = performance.eventLoopUtilization(elu).active;
  console.log(
    JSON.stringify({
      buildMs: Math.round(buildMs),
      buildCpuMs: Math.round((buildCpu.user + buildCpu.system) / 1000),
      stringifyMs: Math.round(stringifyMs),
      busy: Math.round(busy),
    }),
  );
}
