import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { type CurLayout, writeCur } from './cur.js';
import { writeDbr } from './dbr.js';
import { writeFocus } from './focus.js';
import { PAYER_ACCOUNT_ID, type Shape, shapeFor } from './shape.js';

export type DatasetKind = 'dbr' | CurLayout | 'focus-parquet';

export interface Dataset {
  readonly kind: DatasetKind;
  readonly shape: Shape;
  /** The file as AWS delivers it (DBR: the .csv.zip). */
  readonly path: string;
  /** DBR only: the plain CSV inside the zip. */
  readonly csvPath?: string;
}

/** Bump when a generator's output changes, so cached files are regenerated. */
const GENERATOR_VERSION = 2;

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

const fileName = (kind: DatasetKind, shape: Shape): string => {
  switch (kind) {
    case 'dbr':
      return `${PAYER_ACCOUNT_ID}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-${shape.billingPeriod}.csv`;
    case 'cur1-csv':
      return 'whopays-bench-00001.csv.gz';
    case 'cur1-parquet':
      return 'whopays-bench-00001.snappy.parquet';
    case 'cur2-parquet':
      return 'whopays-bench-00001.snappy.parquet';
    case 'focus-parquet':
      return 'whopays-bench-focus-00001.snappy.parquet';
  }
};

/** DBRs are China files of a month before AWS stopped moving RI fees onto covered rows (2019-06). */
const periodOf = (kind: DatasetKind): string => (kind === 'dbr' ? '2019-05' : '2025-11');

/** The cache folder of one dataset: its parameters in the name, so new parameters mean new data. */
export const datasetDir = (kind: DatasetKind, shape: Shape): string => {
  const key = createHash('sha256')
    .update(JSON.stringify({ kind, shape, GENERATOR_VERSION }))
    .digest('hex')
    .slice(0, 10);
  return join(DATA_DIR, `${kind}-${shape.rows}-${key}`);
};

/**
 * The dataset of `kind` with `rows` lines, generated on first use and cached in bench/data/
 * (a folder appears only once its files are complete).
 */
export const ensureDataset = async (
  kind: DatasetKind,
  rows: number,
  log: (line: string) => void = () => {},
): Promise<Dataset> => {
  const shape = shapeFor(rows, periodOf(kind));
  const dir = datasetDir(kind, shape);
  const name = fileName(kind, shape);
  const dataset: Dataset =
    kind === 'dbr'
      ? { kind, shape, path: join(dir, `${name}.zip`), csvPath: join(dir, name) }
      : { kind, shape, path: join(dir, name) };
  if (existsSync(join(dir, '.complete'))) return dataset;

  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const started = Date.now();
  log(`generating ${kind} with ${rows.toLocaleString('en')} rows ...`);
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '2',
    memory_limit: '4GB',
    temp_directory: join(partial, 'spill'),
  });
  try {
    const connection = await instance.connect();
    if (kind === 'dbr')
      await writeDbr(connection, shape, join(partial, name), join(partial, `${name}.zip`));
    else if (kind === 'focus-parquet') await writeFocus(connection, shape, join(partial, name));
    else await writeCur(connection, shape, kind, join(partial, name));
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
  await rm(join(partial, 'spill'), { recursive: true, force: true });
  await writeFile(join(partial, '.complete'), `${JSON.stringify(shape)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  log(`generated ${kind} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dataset;
};
