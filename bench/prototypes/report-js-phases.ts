// The JavaScript after the ledger query of `whopays report --json`, phase by phase, in one process:
// the engine's ledger (query and read), buildReport, JSON.stringify and the write. The query alone
// is timed first on a connection of its own (into a temp table), so read ≈ ledger − query.
//
// usage: npx esbuild bench/prototypes/report-js-phases.ts --bundle --platform=node --format=esm
//   --packages=external --loader:.sql=text --outfile=bench/data/report-js-phases.mjs
//   node bench/data/report-js-phases.mjs <file> <format> [rounds] > /dev/null   (times on stderr)
import { readFileSync, writeSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { buildReport } from '../../lambdas/core/report.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';

const [file, format, roundsText] = process.argv.slice(2) as [string, SourceFormat, string?];
const rounds = Number(roundsText ?? 3);
const engine = await DuckDbEngine.create({ threads: 2 });
const sql = engine.ledgerSql(await engine.prepare({ location: file, format }));
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
const out: Record<string, number[]> = {};
// CPU time of the main thread alone (ns, from Linux schedstat): unlike wall time, it does not grow
// while other processes hold the CPUs.
const mainThreadMs = (): number =>
  Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
// Wall time, and the time the main thread was busy (event loop utilization): during the query the
// loop waits on DuckDB's threads, so `ledger` busy is the JavaScript of the engine (mostly the read).
const record = (name: string, ms: number): void => {
  out[name] = [...(out[name] ?? []), Math.round(ms)];
};
const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const elu = performance.eventLoopUtilization();
  const cpu = mainThreadMs();
  const r = await f();
  record(`${name} cpu`, mainThreadMs() - cpu);
  const busy = performance.eventLoopUtilization(elu).active;
  record(name, performance.now() - t);
  record(`${name} busy`, busy);
  return r;
};
for (let r = 0; r < rounds; r++) {
  await time('query', () => connection.run(`create or replace temp table t as ${sql}`));
  const { rows } = await time('ledger', () => engine.ledger({ location: file, format }));
  const report = await time('build', () =>
    buildReport({ sources: [{ path: file, format, rows }] }),
  );
  const json = await time('stringify', () => `${JSON.stringify(report, null, 2)}\n`);
  await time('write', () => writeSync(1, json));
}
connection.closeSync();
instance.closeSync();
await engine.close();
console.error(JSON.stringify(out));
