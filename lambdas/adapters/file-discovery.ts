import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { classifyKey } from '../core/delivery.js';
import { InputError } from '../core/errors.js';
import { keyFromReportFolder, parseManifest } from '../core/manifest.js';

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

interface Walked {
  readonly data: DataFile[];
  readonly manifests: string[];
  /** Files and folders left out as not billing data, to be named. */
  readonly ignored: string[];
}

/**
 * Refuses a folder named as a billing period whose month does not exist (`BILLING_PERIOD=2025-13`,
 * CUR 1 `20251301-20260101`): its manifest would not be recognized, and every report version
 * in it would be counted.
 */
function refuseInvalidPeriodFolder(path: string, name: string): void {
  const month =
    /^BILLING_PERIOD=\d{4}-(\d{2})$/.exec(name)?.[1] ?? /^\d{4}(\d{2})\d{2}-\d{8}$/.exec(name)?.[1];
  if (month !== undefined && (month < '01' || month > '12')) {
    throw new InputError(path, `not a billing period folder: ${name} has no month ${month}`);
  }
}

async function walk(folder: string, found: Walked, inBookkeeping = false): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(folder, entry.name);
    // Hidden files and folders (.DS_Store, editor swap files) are never billing data.
    if (entry.name.startsWith('.')) {
      found.ignored.push(path);
      continue;
    }
    if (entry.isDirectory()) {
      refuseInvalidPeriodFolder(path, entry.name);
      await walk(path, found, inBookkeeping || SKIPPED_FOLDERS.has(entry.name));
      continue;
    }
    if (!entry.isFile()) continue;
    if (entry.name.endsWith('-Manifest.json')) {
      found.manifests.push(path);
      continue;
    }
    // Crawler templates and anything else that is not a data file are left out.
    const kind = fileKind(entry.name);
    if (kind !== undefined && !inBookkeeping) found.data.push({ path, kind });
    else found.ignored.push(path);
  }
}

/** The data files a delivery manifest governs, and which of them its latest version lists. */
interface ManifestScope {
  readonly manifest: string;
  /** CUR 1 date folder or CUR 2.0 `data/BILLING_PERIOD=` folder, with a trailing separator. */
  readonly folder: string;
  readonly listed: ReadonlySet<string>;
}

/** The local copy of a listed S3 key: its part below the report (export) folder, under the local report folder. */
const localPath = (
  format: 'cur' | 'cur2',
  reportFolder: string,
  reportName: string,
  key: string,
  manifest: string,
): string =>
  join(reportFolder, ...keyFromReportFolder(format, reportName, key, manifest).split('/').slice(1));

/**
 * Reads a date-folder (CUR 1) or metadata (CUR 2.0) manifest of a "create new report version"
 * delivery. Such a manifest is rewritten on every delivery, so it lists the latest version only.
 * Other JSON named `*-Manifest.json` (the copies inside CUR 1 assembly folders) is not a scope.
 */
async function manifestScope(manifest: string): Promise<ManifestScope | undefined> {
  const delivery = classifyKey(resolve(manifest).split(sep).join('/'));
  if (delivery === undefined || delivery.format === 'dbr') return undefined;
  const text = await readFile(manifest, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(manifest, `cannot read the manifest (${error.code ?? error.message})`);
  });
  // The bucket does not matter here: only the keys are mapped onto local files.
  const parsed = parseManifest(delivery.format, text, manifest);
  const periodFolder = dirname(manifest);
  const reportFolder =
    delivery.format === 'cur' ? dirname(periodFolder) : dirname(dirname(periodFolder));
  const folder =
    delivery.format === 'cur'
      ? periodFolder
      : join(reportFolder, 'data', `BILLING_PERIOD=${delivery.billingPeriod}`);
  const listed = new Set<string>();
  for (const { key } of parsed.objects) {
    const path = localPath(delivery.format, reportFolder, delivery.reportName, key, manifest);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new InputError(manifest, `lists ${key}, missing here (${path})`);
    listed.add(path);
  }
  return { manifest, folder: `${folder}${sep}`, listed };
}

/** The files of one source: those to read, and older report versions left out. */
export interface DiscoveredSource {
  readonly files: DataFile[];
  /** Data files of a (report, period) with a manifest that does not list them. */
  readonly skipped: string[];
  /** Files (and hidden folders) that are not billing data: hidden, bookkeeping, other types. */
  readonly ignored: string[];
}

/**
 * The data files of one source: the file itself, or every data file under a folder (recursively,
 * so CUR 2.0 `BILLING_PERIOD=YYYY-MM` and CUR 1 `year=/month=` layouts work), sorted by path.
 *
 * A folder keeping every delivery ("create new report version": CUR 1 assembly folders, CUR 2.0
 * `<timestamp>-<executionId>` folders) would count each month once per delivery. Where the latest
 * manifest of a (report, period) is present, only the files it lists are read; the others are
 * returned as `skipped`. Without manifests every data file is read.
 *
 * Throws InputError for a missing path, an unsupported file type, a folder without data files, or
 * a manifest that lists a file missing locally (naming the manifest and the file).
 */
export async function discoverSource(location: string): Promise<DiscoveredSource> {
  const info = await stat(location).catch((error: NodeJS.ErrnoException) => {
    const problem = error.code === 'ENOENT' ? 'no such file or directory' : error.message;
    throw new InputError(location, problem);
  });
  if (info.isFile()) {
    const kind = fileKind(location);
    if (kind === undefined) throw new InputError(location, `not a ${SUPPORTED} file`);
    return { files: [{ path: location, kind }], skipped: [], ignored: [] };
  }
  if (!info.isDirectory()) throw new InputError(location, 'not a file or folder');
  const found: Walked = { data: [], manifests: [], ignored: [] };
  await walk(location, found);
  const scopes: ManifestScope[] = [];
  for (const manifest of found.manifests.sort()) {
    const scope = await manifestScope(manifest);
    if (scope) scopes.push(scope);
  }
  const files: DataFile[] = [];
  const skipped: string[] = [];
  for (const file of found.data) {
    const scope = scopes.find((s) => file.path.startsWith(s.folder));
    if (scope === undefined || scope.listed.has(file.path)) files.push(file);
    else skipped.push(file.path);
  }
  if (files.length === 0) throw new InputError(location, `no ${SUPPORTED} files in this folder`);
  return { files: files.sort(byPath), skipped: skipped.sort(), ignored: found.ignored.sort() };
}

const byPath = (a: DataFile, b: DataFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The data files of one source (see discoverSource), without the skipped ones. */
export const discoverFiles = async (location: string): Promise<DataFile[]> =>
  (await discoverSource(location)).files;
