// Runs the DuckDB engine's ledger on one source and prints the ledger row count and a digest of
// the sorted rows; run it under `/usr/bin/time -v` to read the peak RSS of the scan.
//
// usage: node <bundle of this file> <file or folder>
import { createHash } from 'node:crypto';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';

const engine = await DuckDbEngine.create();
try {
  const { rows } = await engine.ledger({ location: process.argv[2]! });
  const all = rows.map((row) => JSON.stringify(row)).sort();
  const digest = createHash('sha256').update(all.join('\n')).digest('hex').slice(0, 16);
  console.log(JSON.stringify({ rows: rows.length, digest }));
} finally {
  await engine.close();
}
