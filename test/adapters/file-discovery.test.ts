import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { discoverFiles } from '../../lambdas/adapters/file-discovery.js';
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
    touch('export/metadata/BILLING_PERIOD=2025-11/export-Manifest.json');
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
