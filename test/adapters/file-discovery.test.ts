import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { discoverFiles, discoverSource } from '../../lambdas/adapters/file-discovery.js';
import { InputError } from '../../lambdas/core/errors.js';
import { tempFolder } from './billing-files.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.cleanup());

const touch = (path: string, text = 'x') => {
  mkdirSync(join(folder.path, path, '..'), { recursive: true });
  writeFileSync(join(folder.path, path), text);
};

describe('discoverFiles', () => {
  it('reads CUR 2.0 BILLING_PERIOD folders and skips metadata and manifests', async () => {
    // Prepare
    touch('export/data/BILLING_PERIOD=2025-10/export-00001.snappy.parquet');
    touch('export/data/BILLING_PERIOD=2025-11/export-00001.snappy.parquet');
    touch(
      'export/metadata/BILLING_PERIOD=2025-11/export-Manifest.json',
      JSON.stringify({
        executionId: 'e1',
        dataFiles: ['s3://bucket/export/data/BILLING_PERIOD=2025-11/export-00001.snappy.parquet'],
      }),
    );
    touch('export/metadata/BILLING_PERIOD=2025-11/stray.csv');
    touch('export/.DS_Store');
    // Act
    const files = await discoverFiles(folder.path);
    // Assess
    expect(files.map((file) => [relative(folder.path, file.path), file.kind])).toEqual([
      ['export/data/BILLING_PERIOD=2025-10/export-00001.snappy.parquet', 'parquet'],
      ['export/data/BILLING_PERIOD=2025-11/export-00001.snappy.parquet', 'parquet'],
    ]);
  });

  it('reads CUR 1 year=/month= folders and skips the status table and crawler files', async () => {
    touch('report/report/year=2025/month=7/report-00001.snappy.parquet');
    touch('report/report/cost_and_usage_data_status/cost_and_usage_data_status.parquet');
    touch('report/crawler-cfn.yml');
    touch('report/create-table.sql');
    const files = await discoverFiles(folder.path);
    expect(files.map((file) => relative(folder.path, file.path))).toEqual([
      'report/report/year=2025/month=7/report-00001.snappy.parquet',
    ]);
  });

  it('knows every supported extension', async () => {
    for (const name of ['a.csv', 'b.CSV.GZ', 'c.csv.zip', 'd.parquet']) touch(name);
    const kinds = (await discoverFiles(folder.path)).map((file) => file.kind);
    expect(kinds).toEqual(['csv', 'csv.gz', 'csv.zip', 'parquet']);
  });

  it('fails with the path for a missing path, an unsupported file and an empty folder', async () => {
    const missing = join(folder.path, 'nope.csv');
    await expect(discoverFiles(missing)).rejects.toThrow(
      new InputError(missing, 'no such file or directory'),
    );
    touch('notes.txt');
    await expect(discoverFiles(join(folder.path, 'notes.txt'))).rejects.toThrow(
      /notes\.txt: not a/,
    );
    await expect(discoverFiles(folder.path)).rejects.toThrow(/: no \.csv, .* files in this folder/);
  });
});

describe('discoverSource with "create new report version" deliveries', () => {
  const rel = (paths: readonly { path: string }[] | readonly string[]) =>
    paths.map((p) => relative(folder.path, typeof p === 'string' ? p : p.path));

  it('CUR 1: reads the assembly the date-folder manifest lists, skips the older one', async () => {
    // Prepare: two deliveries of October; the date-folder manifest points at the second. Each
    // assembly folder also keeps its own manifest copy, which never decides anything.
    const date = 'cur/my-report/20251001-20251101';
    touch(`${date}/asm-1/my-report-1.csv.gz`);
    touch(`${date}/asm-1/my-report-Manifest.json`, '{"assemblyId":"asm-1","reportKeys":[]}');
    touch(`${date}/asm-2/my-report-1.csv.gz`);
    touch(`${date}/asm-2/my-report-2.csv.gz`);
    touch(
      `${date}/my-report-Manifest.json`,
      JSON.stringify({
        assemblyId: 'asm-2',
        // The bucket's prefix (billing/cur) is not the local one (cur): only the part below the
        // report folder maps onto local files.
        reportKeys: [
          'billing/cur/my-report/20251001-20251101/asm-2/my-report-1.csv.gz',
          'billing/cur/my-report/20251001-20251101/asm-2/my-report-2.csv.gz',
        ],
      }),
    );
    // A period without a manifest is read as it is.
    touch('cur/my-report/20251101-20251201/asm-9/my-report-1.csv.gz');
    // Act
    const found = await discoverSource(folder.path);
    // Assess
    expect(rel(found.files)).toEqual([
      `${date}/asm-2/my-report-1.csv.gz`,
      `${date}/asm-2/my-report-2.csv.gz`,
      'cur/my-report/20251101-20251201/asm-9/my-report-1.csv.gz',
    ]);
    expect(rel(found.skipped)).toEqual([`${date}/asm-1/my-report-1.csv.gz`]);
  });

  it('CUR 1: the same when the date folder itself is the source', async () => {
    const date = 'my-report/20251001-20251101';
    touch(`${date}/asm-1/my-report-1.csv.gz`);
    touch(`${date}/asm-2/my-report-1.csv.gz`);
    touch(
      `${date}/my-report-Manifest.json`,
      JSON.stringify({ assemblyId: 'asm-2', reportKeys: [`${date}/asm-2/my-report-1.csv.gz`] }),
    );
    const found = await discoverSource(join(folder.path, date));
    expect(rel(found.files)).toEqual([`${date}/asm-2/my-report-1.csv.gz`]);
    expect(rel(found.skipped)).toEqual([`${date}/asm-1/my-report-1.csv.gz`]);
  });

  it('CUR 1 Athena layout: finds the listed Parquet below <report>/<report>/year=/month=', async () => {
    // The report's name is a folder twice (`<prefix>/<report>/<report>/year=…`): the report folder
    // is the first one, the one followed by the layout (a date folder or the report name again).
    const parquet = 'my-report/my-report/year=2025/month=10/my-report-00001.snappy.parquet';
    touch(`cur/${parquet}`);
    touch(
      'cur/my-report/20251001-20251101/my-report-Manifest.json',
      JSON.stringify({ assemblyId: 'asm-1', reportKeys: [`billing/cur/${parquet}`] }),
    );
    const found = await discoverSource(folder.path);
    expect(rel(found.files)).toEqual([`cur/${parquet}`]);
    expect(found.skipped).toEqual([]);
  });

  it('CUR 2.0: reads the execution folder the metadata manifest lists', async () => {
    const data = 'exp/data/BILLING_PERIOD=2025-10';
    const older = `${data}/2025-10-05T01:00:00.000Z-aaaa`;
    const latest = `${data}/2025-10-06T01:00:00.000Z-bbbb`;
    touch(`${older}/exp-00001.snappy.parquet`);
    touch(`${latest}/exp-00001.snappy.parquet`);
    touch(
      'exp/metadata/BILLING_PERIOD=2025-10/exp-Manifest.json',
      JSON.stringify({
        executionId: 'bbbb',
        dataFiles: [`s3://bucket/prefix/${latest}/exp-00001.snappy.parquet`],
      }),
    );
    const found = await discoverSource(folder.path);
    expect(rel(found.files)).toEqual([`${latest}/exp-00001.snappy.parquet`]);
    expect(rel(found.skipped)).toEqual([`${older}/exp-00001.snappy.parquet`]);
  });

  it('refuses a manifest that lists a file missing here, naming both', async () => {
    touch('exp/data/BILLING_PERIOD=2025-10/run-1/exp-00001.snappy.parquet');
    const manifest = join(folder.path, 'exp/metadata/BILLING_PERIOD=2025-10/exp-Manifest.json');
    const key = 'exp/data/BILLING_PERIOD=2025-10/run-2/exp-00001.snappy.parquet';
    touch(
      'exp/metadata/BILLING_PERIOD=2025-10/exp-Manifest.json',
      JSON.stringify({ executionId: 'run-2', dataFiles: [`s3://bucket/${key}`] }),
    );
    await expect(discoverSource(folder.path)).rejects.toThrow(
      new InputError(manifest, `lists ${key}, missing here (${join(folder.path, key)})`),
    );
  });

  it('refuses a date-folder manifest that is not JSON', async () => {
    touch('r/20251001-20251101/a/r-1.csv.gz');
    touch('r/20251001-20251101/r-Manifest.json', '{');
    await expect(discoverSource(folder.path)).rejects.toThrow(
      /r-Manifest\.json: manifest is not valid JSON$/,
    );
  });

  it('reads every file without manifests, as before', async () => {
    touch('r/20251001-20251101/a/r-1.csv.gz');
    touch('r/20251001-20251101/b/r-1.csv.gz');
    const found = await discoverSource(folder.path);
    expect(found.files).toHaveLength(2);
    expect(found.skipped).toEqual([]);
  });
});
