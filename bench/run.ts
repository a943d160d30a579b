// `npm run bench`: generates (once) the benchmark data in bench/data/, measures whopays against
// the floor (a bare DuckDB scan) and against the published method, the assemble step and the
// Athena scan share, prints the results next to the targets of issue 5 and writes bench/results.md.
//
// BENCH_ROWS=1000000 npm run bench   scales the 10M-row CUR runs down (the DBR stays at 1M unless
// BENCH_DBR_ROWS is set), for a quick look; results.md then says so.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AthenaQueryCost } from './athena-cost.js';
import { decimalCastTimings } from './decimal-cast.js';
import { DATA_DIR, type Dataset, ensureDataset } from './generators/dataset.js';
import { hasGnuTime, type Measurement, measure } from './measure.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CUR_ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const DBR_ROWS = Number(process.env.BENCH_DBR_ROWS ?? 1_000_000);
const PYTHON = '/usr/bin/python3';
/** Athena's price per TB scanned in the commercial regions (us-east-1 and most others). */
const USD_PER_TB = 5;
/** Deliveries a month: CUR is rewritten up to about three times a day until the bill closes. */
const RUNS_PER_MONTH = 90;

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};
const mb = (value: number | undefined): string =>
  value === undefined ? 'n/a' : `${Math.round(value)} MB`;
const s = (value: number): string => `${value.toFixed(2)} s`;
const cpu = (m: Measurement | undefined): string =>
  m?.cpuSeconds === undefined ? 'n/a' : `${m.cpuSeconds.toFixed(2)} s`;
const verdict = (ok: boolean | undefined): string =>
  ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL';

// ---------------------------------------------------------------------------------------------
// Prerequisites: the bundles, GNU time, Debian's pandas.

const run = (command: string, args: string[]) =>
  spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });

const ensureDebianPackage = (pkg: string, present: () => boolean): string | undefined => {
  if (present()) return undefined;
  const root = process.getuid?.() === 0;
  if (root) {
    log(`installing Debian package ${pkg} ...`);
    run('apt-get', ['install', '-y', '-qq', pkg]);
    if (!present()) {
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', pkg]);
    }
  }
  return present()
    ? undefined
    : `Debian package ${pkg} is missing (install it with: apt-get install -y ${pkg})`;
};

const missing = [
  ensureDebianPackage('time', hasGnuTime),
  ensureDebianPackage('python3-pandas', () => run(PYTHON, ['-c', 'import pandas']).status === 0),
].filter((m): m is string => m !== undefined);
for (const m of missing) log(m);

log('building dist/cli.mjs and the bench bundles ...');
for (const script of ['scripts/build-cli.mjs', 'bench/build-direct.mjs']) {
  const built = run(process.execPath, [script]);
  if (built.status !== 0) throw new Error(`${script} failed:\n${built.stderr}`);
}

/** The CLI once `report` exists; until then the same engine + core through bench/whopays-direct. */
const cliHasReport = run(process.execPath, ['bin/whopays.mjs', 'report', '--help']).stdout.includes(
  '--json',
);
const whopaysArgs = (path: string, format: string, currency?: string): string[] =>
  cliHasReport
    ? ['bin/whopays.mjs', 'report', path, '--format', format, '--json']
    : [join(DATA_DIR, 'whopays-direct.mjs'), path, format, ...(currency ? [currency] : [])];
const whopaysLabel = cliHasReport
  ? '`node bin/whopays.mjs report <file> --format <f> --json`'
  : '`bench/whopays-direct.ts` (engine + buildReport + JSON, bundled like the CLI: bin/cli.ts has no `report` command yet)';

// ---------------------------------------------------------------------------------------------
// Data.

const datasets: Record<string, Dataset> = {};
for (const [kind, rows] of [
  ['dbr', DBR_ROWS],
  ['cur2-parquet', CUR_ROWS],
  ['focus-parquet', CUR_ROWS],
  ['cur1-parquet', CUR_ROWS],
  ['cur1-csv', CUR_ROWS],
] as const) {
  datasets[kind] = await ensureDataset(kind, rows, log);
}

// ---------------------------------------------------------------------------------------------
// whopays vs the floor (CUR).

interface CurResult {
  readonly label: string;
  readonly whopays: Measurement;
  readonly floor: Measurement;
  readonly ratio: number;
  readonly target: boolean | undefined;
  readonly rssTarget: boolean | undefined;
}

const failed = (label: string, m: Measurement): void => {
  if (m.exitCode !== 0) log(`${label} exited ${m.exitCode}: ${m.stderr.trim().split('\n').pop()}`);
};

const curResults: CurResult[] = [];
// The floor of a file scans its own attribution columns. FOCUS is judged against the floor of the
// CUR 2.0 file of the same spend (bench/generators/focus.ts): the same bill, read either way.
const floors = new Map<string, Measurement>();
for (const [kind, label, format, hasTarget, floorKind] of [
  ['cur2-parquet', 'CUR 2.0 Parquet', 'cur2', true, 'cur2-parquet'],
  [
    'focus-parquet',
    'FOCUS 1.2 Parquet (the CUR 2.0 spend; CUR 2.0 floor)',
    'focus',
    true,
    'cur2-parquet',
  ],
  ['cur1-parquet', 'CUR 1 Parquet (Athena layout)', 'cur', true, 'cur1-parquet'],
  ['cur1-csv', 'CUR 1 CSV.gz', 'cur', false, 'cur1-csv'],
] as const) {
  const dataset = datasets[kind]!;
  log(`${label}: whopays ...`);
  const whopays = await measure(process.execPath, whopaysArgs(dataset.path, format), {
    stdoutFile: join(DATA_DIR, `report-${kind}.json`),
    repeat: 2,
  });
  failed(`whopays ${label}`, whopays);
  let floor = floors.get(floorKind);
  if (floor === undefined) {
    log(`${label}: floor ...`);
    const scanned = datasets[floorKind]!.path;
    floor = await measure(process.execPath, [join(ROOT, 'bench/floor.mjs'), scanned], {
      repeat: 2,
    });
    failed(`floor ${label}`, floor);
    floors.set(floorKind, floor);
  }
  const ok = whopays.exitCode === 0 && floor.exitCode === 0;
  const ratio = whopays.seconds / floor.seconds;
  curResults.push({
    label,
    whopays,
    floor,
    ratio,
    target: hasTarget ? ok && ratio <= 1.5 : undefined,
    rssTarget: whopays.peakRssMb === undefined ? undefined : ok && whopays.peakRssMb < 1.5 * 1024,
  });
}

// ---------------------------------------------------------------------------------------------
// whopays vs the published method (DBR).

const dbr = datasets.dbr!;
log('DBR: whopays on the .csv.zip ...');
const dbrReport = join(DATA_DIR, 'report-dbr.json');
const dbrZip = await measure(process.execPath, whopaysArgs(dbr.path, 'dbr', 'CNY'), {
  stdoutFile: dbrReport,
  repeat: 2,
});
failed('whopays DBR zip', dbrZip);
log('DBR: whopays on the plain .csv ...');
const dbrCsv = await measure(process.execPath, whopaysArgs(dbr.csvPath!, 'dbr', 'CNY'), {
  stdoutFile: join(DATA_DIR, 'report-dbr-csv.json'),
  repeat: 2,
});
failed('whopays DBR csv', dbrCsv);

let published: Measurement | undefined;
let comparison = 'not run: python3-pandas is missing';
const publishedOut = join(DATA_DIR, 'published-owner-totals.json');
if (run(PYTHON, ['-c', 'import pandas']).status === 0) {
  log('DBR: the published method (pandas + SQLite, takes a minute) ...');
  published = await measure(PYTHON, [
    join(ROOT, 'bench/published-method.py'),
    dbr.csvPath!,
    publishedOut,
  ]);
  failed('published method', published);
  if (published.exitCode === 0 && dbrZip.exitCode === 0) {
    const theirs = JSON.parse(await readFile(publishedOut, 'utf8')) as Record<string, number>;
    const report = JSON.parse(await readFile(dbrReport, 'utf8')) as {
      periods: { accounts: { accountId: string; ownerCost: string }[] }[];
    };
    const ours = new Map<string, number>();
    for (const period of report.periods) {
      for (const a of period.accounts) ours.set(a.accountId, Number(a.ownerCost));
    }
    const ids = new Set([...ours.keys(), ...Object.keys(theirs)]);
    let worst = 0;
    let differing = 0;
    for (const id of ids) {
      // Cents: whopays is exact; the published method sums floats, so compare rounded cents.
      const diff = Math.abs(
        Math.round((ours.get(id) ?? 0) * 100) - Math.round((theirs[id] ?? 0) * 100),
      );
      worst = Math.max(worst, diff);
      if (diff > 1) differing++;
    }
    comparison =
      differing === 0
        ? `same owner totals for all ${ids.size} accounts (largest difference ${worst} cent${worst === 1 ? '' : 's'})`
        : `${differing} of ${ids.size} accounts differ by more than a cent (largest ${worst} cents)`;
  }
}
// The targets compare like with like: the published method reads the plain CSV (its unzip is not
// timed), so whopays is judged on the plain CSV too; the .csv.zip as delivered is shown beside it.
const ratioTo = (m: Measurement): number | undefined =>
  published && m.exitCode === 0 ? published.seconds / m.seconds : undefined;
const memoryShareOf = (m: Measurement): number | undefined =>
  published?.peakRssMb && m.peakRssMb ? m.peakRssMb / published.peakRssMb : undefined;
const speedup = ratioTo(dbrCsv);
const zipSpeedup = ratioTo(dbrZip);
const memoryShare = memoryShareOf(dbrCsv);
const zipMemoryShare = memoryShareOf(dbrZip);

// ---------------------------------------------------------------------------------------------
// Assemble step, exact-cast cost, Athena scan share.

log('assemble step ...');
const assembleOut = join(DATA_DIR, 'assemble.json');
const assemble = await measure(
  process.execPath,
  [join(DATA_DIR, 'assemble.mjs'), '10000', '50000'],
  {
    stdoutFile: assembleOut,
    repeat: 3,
  },
);
failed('assemble', assemble);
const assembled = JSON.parse((await readFile(assembleOut, 'utf8')) || '{}') as {
  buildMs?: number;
  serializeMs?: number;
  heapUsedMb?: number;
  rssMb?: number;
};

// Issue 12: a month with 5,000 commitments (RI, SP, CR) over 3,000 accounts, 20 consumers each.
log('assemble step with the commitment detail ...');
const assembleDetailOut = join(DATA_DIR, 'assemble-commitments.json');
const assembleDetail = await measure(
  process.execPath,
  [join(DATA_DIR, 'assemble.mjs'), '3000', '100000', '5000'],
  { stdoutFile: assembleDetailOut, repeat: 3 },
);
failed('assemble with commitments', assembleDetail);
const assembledDetail = JSON.parse((await readFile(assembleDetailOut, 'utf8')) || '{}') as {
  buildMs?: number;
  serializeMs?: number;
  consumers?: number;
};

log('publish-report Budgets calls (500 accounts, 200 ms a call) ...');
const publishOut = join(DATA_DIR, 'publish-budgets.json');
const publishing = await measure(
  process.execPath,
  [join(DATA_DIR, 'publish-budgets.mjs'), '500', '200'],
  { stdoutFile: publishOut },
);
failed('publish-budgets', publishing);
const published500 = JSON.parse((await readFile(publishOut, 'utf8')) || '{}') as {
  concurrency?: number;
  monthly?: { seconds: number; calls: number; perAccountMs: number };
  rerun?: { seconds: number; calls: number };
  maxAccountsIn300s?: number;
};

log('exact cast cost and Athena scan share ...');
const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB' });
const connection = await instance.connect();
const casts = await decimalCastTimings(connection, dbr.csvPath!, 'UnBlendedCost');
const duckdbVersion = String(
  (await connection.runAndReadAll('select version() as v')).getRowObjectsJson()[0]?.v,
);
connection.closeSync();
const athenaRun = run(process.execPath, [
  join(DATA_DIR, 'athena-cost.mjs'),
  datasets['cur2-parquet']!.path,
  datasets['cur1-parquet']!.path,
]);
if (athenaRun.status !== 0) log(`athena-cost failed: ${athenaRun.stderr}`);
const athena = JSON.parse(athenaRun.stdout || '[]') as AthenaQueryCost[];
instance.closeSync();

// ---------------------------------------------------------------------------------------------
// Report.

const cpuModel = cpus()[0]?.model ?? 'unknown';
const pandasVersion = run(PYTHON, ['-c', 'import pandas; print(pandas.__version__)']).stdout.trim();
const rows = (n: number) => n.toLocaleString('en');
const lines: string[] = [];
lines.push('# whopays benchmark results', '');
lines.push(`- date: ${new Date().toISOString()}`);
lines.push(
  `- machine: ${cpuModel}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB memory`,
);
lines.push(
  `- load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (other work on the machine slows every figure)`,
);
lines.push(
  `- node ${process.version}, DuckDB ${duckdbVersion}, pandas ${pandasVersion || 'missing'} (Debian python3-pandas)`,
);
lines.push(`- whopays run as ${whopaysLabel}`);
lines.push(
  `- each time is the fastest of 2 runs (assemble: 3); peak memory is the max RSS from \`/usr/bin/time -v\``,
);
if (CUR_ROWS !== 10_000_000)
  lines.push(`- **scaled run: CUR files have ${rows(CUR_ROWS)} rows, not 10M**`);
for (const m of missing) lines.push(`- ${m}`);
lines.push('');

lines.push(`## whopays vs a bare DuckDB scan-and-sum (${rows(CUR_ROWS)} rows)`, '');
lines.push(
  'The floor (bench/floor.mjs) reads the 16 contract columns and sums the money per account and line type; no attribution, no report.',
  '',
);
lines.push(
  '| file | whopays | floor | ratio | target ≤ 1.5× | CPU whopays / floor | whopays peak RSS | floor peak RSS | target < 1.5 GB |',
);
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const r of curResults) {
  lines.push(
    `| ${r.label} | ${s(r.whopays.seconds)} | ${s(r.floor.seconds)} | ${r.ratio.toFixed(2)}× | ${r.target === undefined ? 'no target' : verdict(r.target)} | ${cpu(r.whopays)} / ${cpu(r.floor)} | ${mb(r.whopays.peakRssMb)} | ${mb(r.floor.peakRssMb)} | ${verdict(r.rssTarget)} |`,
  );
}
lines.push('');

lines.push(`## China DBR, ${rows(DBR_ROWS)} rows: whopays vs the published method`, '');
lines.push(
  'bench/published-method.py follows the China blog: pandas reads the CSV, every query copies its frames into SQLite (what pandasql does).',
  '',
);
lines.push('| run | time | CPU | peak RSS |', '|---|---|---|---|');
lines.push(
  `| whopays, .csv.zip as delivered | ${s(dbrZip.seconds)} | ${cpu(dbrZip)} | ${mb(dbrZip.peakRssMb)} |`,
);
lines.push(
  `| whopays, plain .csv | ${s(dbrCsv.seconds)} | ${cpu(dbrCsv)} | ${mb(dbrCsv.peakRssMb)} |`,
);
lines.push(
  `| published method, plain .csv | ${published ? s(published.seconds) : 'not run'} | ${cpu(published)} | ${mb(published?.peakRssMb)} |`,
);
lines.push('');
const times = (r: number | undefined) => (r ? `${r.toFixed(1)}×` : 'n/a');
const percent = (r: number | undefined) => (r ? `${(r * 100).toFixed(1)} %` : 'n/a');
lines.push(
  `- speed-up on the plain .csv (what the published method reads): ${times(speedup)} (target ≥ 40×): **${verdict(speedup === undefined ? undefined : speedup >= 40)}**; on the .csv.zip as delivered (whopays unzips it, the published method's unzip is not timed): ${times(zipSpeedup)}`,
);
lines.push(
  `- memory on the plain .csv: whopays uses ${percent(memoryShare)} of the published method's peak (target ≤ 10 %): **${verdict(memoryShare === undefined ? undefined : memoryShare <= 0.1)}**; on the .csv.zip: ${percent(zipMemoryShare)}`,
);
lines.push(`- owner totals: ${comparison}`);
lines.push('');

lines.push('## Assemble step (buildReport, 10k accounts × 50k transfers)', '');
lines.push(
  `- buildReport ${assembled.buildMs ?? 'n/a'} ms (+ JSON ${assembled.serializeMs ?? 'n/a'} ms), target < 1 s: **${verdict(assembled.buildMs === undefined ? undefined : assembled.buildMs < 1000)}**`,
  `- with the commitment detail, 5,000 commitments × 3,000 accounts (${assembledDetail.consumers ?? 'n/a'} consumers): buildReport ${assembledDetail.buildMs ?? 'n/a'} ms (+ JSON ${assembledDetail.serializeMs ?? 'n/a'} ms), target < 1 s: **${verdict(assembledDetail.buildMs === undefined ? undefined : assembledDetail.buildMs < 1000)}**`,
);
lines.push(
  `- heap growth ${assembled.heapUsedMb ?? 'n/a'} MB, process peak RSS ${mb(assemble.peakRssMb)} (node alone is ~45 MB), target < 256 MB: **${verdict(assemble.peakRssMb === undefined ? undefined : assemble.peakRssMb < 256)}**`,
);
lines.push('');

lines.push('## Publishing budgets (500 accounts, a Budgets call answered after 200 ms)', '');
lines.push(
  `- every limit changed: ${published500.monthly?.calls ?? 'n/a'} calls, ${published500.monthly ? s(published500.monthly.seconds) : 'n/a'}, ${published500.monthly?.perAccountMs.toFixed(1) ?? 'n/a'} ms per account at ${published500.concurrency ?? 'n/a'} calls in flight; nothing changed: ${published500.rerun?.calls ?? 'n/a'} call`,
);
lines.push(
  `- accounts that fit in the 300 s Lambda limit (30 s kept for the rest): ${published500.maxAccountsIn300s ?? 'n/a'}`,
);
lines.push('');

lines.push(`## The cost of exact money on text (DBR UnBlendedCost, ${rows(DBR_ROWS)} rows)`, '');
lines.push('| sum | time | total |', '|---|---|---|');
for (const c of casts) lines.push(`| ${c.label} | ${s(c.seconds)} | ${c.total} |`);
lines.push('');

lines.push('## Athena: columns read, bytes scanned, partition predicate', '');
lines.push(
  `Measured on the generated ${rows(CUR_ROWS)}-row Parquet files with \`parquet_metadata\` (compressed bytes of the column chunks a pruned scan reads).`,
  '',
);
lines.push('| query | columns read | share of bytes | partition predicate |', '|---|---|---|---|');
for (const q of athena) {
  lines.push(
    `| ${q.query} | ${q.columnsRead.length} of ${q.tableColumns} | ${(q.byteShare * 100).toFixed(1)} % | ${q.partitionPredicate ? 'yes' : '**no**'} |`,
  );
}
lines.push('');
const pipeline = athena.find((q) => q.query.startsWith('pipeline ledger (cur2)'));
if (pipeline) {
  const perRun = (pipeline.bytesRead / 1e12) * USD_PER_TB;
  const fullRun = (pipeline.bytesTotal / 1e12) * USD_PER_TB;
  lines.push(
    `Expected Athena cost, CUR 2.0 month of ${rows(CUR_ROWS)} lines (${(pipeline.bytesTotal / 2 ** 30).toFixed(2)} GiB Parquet): one pipeline run reads ${(pipeline.bytesRead / 2 ** 20).toFixed(0)} MiB = $${perRun.toFixed(4)} at $${USD_PER_TB}/TB (a full scan would be $${fullRun.toFixed(4)}); with ${RUNS_PER_MONTH} deliveries a month (about three a day) that is **$${(perRun * RUNS_PER_MONTH).toFixed(2)} per month**. Athena bills at least 10 MB per query. The China regions price Athena in CNY on their own price list (not in the stored docs; check the amazonaws.cn Athena pricing page).`,
  );
  lines.push('');
}
lines.push('Columns read by each query:', '');
for (const q of athena) lines.push(`- ${q.query}: ${q.columnsRead.join(', ')}`);
lines.push('');

const markdown = `${lines.join('\n')}\n`;
await writeFile(join(ROOT, 'bench/results.md'), markdown);
process.stdout.write(markdown);
log('wrote bench/results.md');
