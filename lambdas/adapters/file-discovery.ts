import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

/** How a data file is read: DuckDB reads csv, csv.gz and parquet; zip is extracted first. */
export type FileKind = 'csv' | 'csv.gz' | 'csv.zip' | 'parquet';

export interface DataFile {
  readonly path: string;
  readonly kind: FileKind;
}

const SUPPORTED = '.csv, .csv.gz, .csv.zip or .parquet';

/** Folders that hold delivery bookkeeping, never billing lines (CUR 2.0 manifests, CUR 1 status). */
const SKIPPED_FOLDERS = new Set(['metadata', 'cost_and_usage_data_status']);

export function fileKind(name: string): FileKind | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv.gz')) return 'csv.gz';
  if (lower.endsWith('.csv.zip')) return 'csv.zip';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}

async function walk(folder: string, found: DataFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    // Hidden files and folders (.DS_Store, editor swap files) are never billing data.
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) await walk(path, found);
      continue;
    }
    // Manifests, crawler templates and anything else that is not a data file are left out.
    const kind = fileKind(entry.name);
    if (kind !== undefined && entry.isFile()) found.push({ path, kind });
  }
}

/**
 * The data files of one source: the file itself, or every data file under a folder (recursively,
 * so CUR 2.0 `BILLING_PERIOD=YYYY-MM` and CUR 1 `year=/month=` layouts work), sorted by path.
 * Throws InputError for a missing path, an unsupported file type or a folder without data files.
 */
export async function discoverFiles(location: string): Promise<DataFile[]> {
  const info = await stat(location).catch((error: NodeJS.ErrnoException) => {
    const problem = error.code === 'ENOENT' ? 'no such file or directory' : error.message;
    throw new InputError(location, problem);
  });
  if (info.isFile()) {
    const kind = fileKind(location);
    if (kind === undefined) throw new InputError(location, `not a ${SUPPORTED} file`);
    return [{ path: location, kind }];
  }
  if (!info.isDirectory()) throw new InputError(location, 'not a file or folder');
  const found: DataFile[] = [];
  await walk(location, found);
  if (found.length === 0) throw new InputError(location, `no ${SUPPORTED} files in this folder`);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
