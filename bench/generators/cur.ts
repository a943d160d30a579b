import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { athenaName, CUR1_HEADERS, CUR2_COLUMNS, columnSql, isLineColumn } from './cur-columns.js';
import { curLinesSql } from './cur-lines.js';
import { macrosSql, PAYER_ACCOUNT_ID, type Shape } from './shape.js';

const execFileAsync = promisify(execFile);

export type CurLayout = 'cur1-csv' | 'cur1-parquet' | 'cur2-parquet';

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (path: string): string => `'${path.replaceAll("'", "''")}'`;

/** CSV text of a typed value, as AWS writes it: ISO timestamps, plain decimals, empty when absent. */
const asCsvText = (type: string, sql: string): string => {
  if (type === 'timestamp') return `strftime(${sql}, '%Y-%m-%dT%H:%M:%SZ')`;
  if (type === 'double') return `printf('%.10f', ${sql})`;
  // NULL, not '', so the field is written empty rather than as "".
  return `nullif(${sql}, '')`;
};

/**
 * Filler values repeat with this period: they come from a small table joined on `i % period`, so
 * 10M rows cost one hash join instead of a hundred hash-and-format calls per row.
 */
const FILLER_PERIOD = 4096;

interface Layout {
  /** Expressions over `l` (line columns) and `f` (filler columns `f_<n>`). */
  readonly select: string[];
  /** The filler table's SELECT list over `range(FILLER_PERIOD) r(i)`. */
  readonly filler: string[];
}

const layoutOf = (layout: CurLayout): Layout => {
  const select: string[] = [];
  const filler: string[] = [];
  const add = (name: string, header: string, n: number): void => {
    const { type, sql } = columnSql(name, 100 + n * 2, PAYER_ACCOUNT_ID);
    let value = sql;
    if (!isLineColumn(name)) {
      filler.push(`${sql} as f_${n}`);
      value = `f.f_${n}`;
    }
    if (layout === 'cur1-csv') value = asCsvText(type, value);
    // Athena-integration Parquet (CUR 1) keeps empty strings for absent text.
    else if (layout === 'cur1-parquet' && type === 'text') value = `coalesce(${value}, '')`;
    select.push(`${value} as ${quote(header)}`);
  };
  if (layout === 'cur2-parquet') {
    for (const [n, name] of CUR2_COLUMNS.entries()) add(name, name, n);
  } else {
    for (const [n, header] of CUR1_HEADERS.entries()) {
      add(athenaName(header), layout === 'cur1-csv' ? header : athenaName(header), n);
    }
  }
  return { select, filler };
};

/** The full SELECT of one layout (the lines of cur-lines.ts laid out as that file's columns). */
export const curSelectSql = (shape: Shape, layout: CurLayout, partition = 'aws'): string => {
  const { select, filler } = layoutOf(layout);
  return `with ${curLinesSql(shape, partition)},
f as (select i as j, ${filler.join(', ')} from range(${FILLER_PERIOD}) r(i))
select ${select.join(',\n')}
from l join f on f.j = l.i % ${FILLER_PERIOD}`;
};

/**
 * Writes one CUR file of `shape` in `layout` to `path` with DuckDB (generate_series + COPY), so
 * 10M rows take seconds. CUR 2.0 uses the `aws` partition; pass another for aws-cn ARNs.
 */
export const writeCur = async (
  connection: DuckDBConnection,
  shape: Shape,
  layout: CurLayout,
  path: string,
  partition = 'aws',
): Promise<void> => {
  await connection.run(macrosSql(shape));
  // Row order does not matter in a CUR; without it DuckDB writes on every thread.
  await connection.run('set preserve_insertion_order = false');
  const select = curSelectSql(shape, layout, partition);
  if (layout !== 'cur1-csv') {
    // Smaller row groups than 1M: the writer buffers one per thread (4 GB RSS at 1M × 128 columns).
    await connection.run(
      `copy (${select}) to ${literal(path)} (format parquet, compression snappy, row_group_size 250000)`,
    );
    return;
  }
  // DuckDB's own gzip writer is ~10x slower than writing the CSV and running gzip on it.
  const csv = path.replace(/\.gz$/, '');
  await connection.run(`copy (${select}) to ${literal(csv)} (format csv, header true)`);
  await execFileAsync('gzip', ['-1', '-f', csv]);
};
