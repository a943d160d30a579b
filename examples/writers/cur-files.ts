import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arn, type CurScenario } from '../scenarios/scenario-types.js';
import {
  CUR_COLUMNS,
  type CurColumn,
  MANIFEST_TYPE,
  PARQUET_TYPE,
  periodBounds,
} from './cur-columns.js';
import { copyRows } from './duckdb-copy.js';

const compact = (iso: string): string => iso.slice(0, 10).replaceAll('-', '');

const rowsOf = (scenario: CurScenario, columns: readonly CurColumn[]) =>
  scenario.lines.map((line, index) => columns.map((c) => c.value({ scenario, line, index })));

// A fixed delivery id per scenario: reruns write the same keys.
const deliveryId = (scenario: CurScenario): string =>
  scenario.format === 'cur'
    ? '0c5f1a7e-3b2d-4e8f-9a6c-1d2e3f4a5b6c'
    : '2025-11-02T06:14:09.512Z-6f1e2d3c-4b5a-4978-8c6d-5e4f3a2b1c0d';

/**
 * Legacy CUR 1 in the "create new report version" layout (docs/CUR-REFERENCE.md §3.7):
 * `cur/<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/<report>-1.csv.gz` with `category/Name` headers
 * and the date-folder `<report>-Manifest.json`. Returns the data file path.
 */
export async function writeCur1(scenario: CurScenario, outDir: string): Promise<string> {
  const columns = CUR_COLUMNS.filter((c) => c.cur1 !== undefined);
  const { start, end } = periodBounds(scenario.billingPeriod);
  const dateFolder = `${compact(start)}-${compact(end)}`;
  const assemblyId = deliveryId(scenario);
  const prefix = 'cur';
  const dataKey = `${prefix}/${scenario.reportName}/${dateFolder}/${assemblyId}/${scenario.reportName}-1.csv.gz`;
  const dataFile = join(outDir, dataKey);
  await mkdir(join(dataFile, '..'), { recursive: true });
  await copyRows(
    columns.map((c) => ({ name: c.cur1!, type: 'VARCHAR' })),
    rowsOf(scenario, columns),
    dataFile,
    'header, compression gzip',
  );

  const manifest = {
    assemblyId,
    account: scenario.payer.id,
    columns: columns.map((c) => {
      const [category, name] = c.cur1!.split('/') as [string, string];
      return { category, name, type: MANIFEST_TYPE[c.kind] };
    }),
    charset: 'UTF-8',
    compression: 'GZIP',
    contentType: 'text/csv',
    reportId: '8d3f5a1c9e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f',
    reportName: scenario.reportName,
    billingPeriod: {
      start: `${compact(start)}T000000.000Z`,
      end: `${compact(end)}T000000.000Z`,
    },
    bucket: `${scenario.reportName}-${scenario.payer.id}`,
    reportKeys: [dataKey],
    additionalArtifactKeys: [],
  };
  await writeFile(
    join(outDir, prefix, scenario.reportName, dateFolder, `${scenario.reportName}-Manifest.json`),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  return dataFile;
}

/**
 * CUR 2.0 (Data Exports) in its overwrite layout (docs/CUR-REFERENCE.md §4.2):
 * `cur2/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet` with DOUBLE money and
 * MAP columns, and `cur2/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`.
 * Returns the data file path.
 */
export async function writeCur2(scenario: CurScenario, outDir: string): Promise<string> {
  const columns = CUR_COLUMNS.filter((c) => c.cur2 !== undefined);
  const prefix = 'cur2';
  const partition = `BILLING_PERIOD=${scenario.billingPeriod}`;
  const dataKey = `${prefix}/${scenario.reportName}/data/${partition}/${scenario.reportName}-00001.snappy.parquet`;
  const dataFile = join(outDir, dataKey);
  await mkdir(join(dataFile, '..'), { recursive: true });
  await copyRows(
    columns.map((c) => ({ name: c.cur2!, type: PARQUET_TYPE[c.kind] })),
    rowsOf(scenario, columns),
    dataFile,
    'format parquet, compression snappy',
  );

  const bucket = `${scenario.reportName}-${scenario.payer.id}`;
  const { start, end } = periodBounds(scenario.billingPeriod);
  const manifest = {
    executionId: deliveryId(scenario),
    exportArn: arn(
      scenario.partition,
      'bcm-data-exports',
      'us-east-1',
      scenario.payer.id,
      `export/${scenario.reportName}-5b2e9c1d-7f3a-4d6b-8e0c-2a4f6b8d0e1f`,
    ),
    billingPeriod: { start, end },
    columns: columns.map((c) => ({ name: c.cur2!, type: PARQUET_TYPE[c.kind].toLowerCase() })),
    dataFiles: [`s3://${bucket}/${dataKey}`],
    additionalOutputFiles: [],
  };
  const metadataDir = join(outDir, prefix, scenario.reportName, 'metadata', partition);
  await mkdir(metadataDir, { recursive: true });
  await writeFile(
    join(metadataDir, `${scenario.reportName}-Manifest.json`),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  return dataFile;
}
