import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { CUR_SCENARIOS, DBR_SCENARIOS, type Scenario } from '../fixtures/scenarios/index.js';
import {
  accountsFromLedger,
  canonicalAccounts,
  canonicalRounding,
  canonicalTransfers,
  roundingFromLedger,
  transfersFromLedger,
} from '../sql/ledger-totals.js';
import {
  cur1Csv,
  dbrCsv,
  tempFolder,
  writeCurParquet,
  writeGzip,
  writeZip,
} from './billing-files.js';

// The SQL engineer's scenarios (expectations worked out by hand in test/fixtures/scenarios/),
// written as the files AWS delivers and read back through the DuckDB engine.
type Writer = (folder: string, scenario: Scenario) => Promise<string>;

const asCur1CsvGz: Writer = async (folder, scenario) => {
  const path = join(folder, 'report-00001.csv.gz');
  writeGzip(path, cur1Csv(scenario.rows));
  return path;
};
const asCur2Parquet: Writer = async (folder, scenario) => {
  const path = join(folder, 'export-00001.snappy.parquet');
  await writeCurParquet(path, scenario.rows, 'cur2');
  return path;
};
const asDbrCsv: Writer = async (folder, scenario) => {
  const path = join(
    folder,
    '052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-2020-08.csv',
  );
  writeFileSync(path, dbrCsv(scenario.rows));
  return path;
};
const asDbrZip: Writer = async (folder, scenario) => {
  const path = join(folder, 'dbr.csv.zip');
  writeZip(path, 'dbr.csv', dbrCsv(scenario.rows));
  return path;
};

const cases: [string, string, Scenario, Writer, string][] = [
  ...CUR_SCENARIOS.map((s): [string, string, Scenario, Writer, string] => [
    s.id,
    'CUR 1 csv.gz',
    s,
    asCur1CsvGz,
    'cur',
  ]),
  ...CUR_SCENARIOS.map((s): [string, string, Scenario, Writer, string] => [
    s.id,
    'CUR 2.0 Parquet',
    s,
    asCur2Parquet,
    'cur2',
  ]),
  ...DBR_SCENARIOS.map((s): [string, string, Scenario, Writer, string] => [
    s.id,
    'DBR csv',
    s,
    asDbrCsv,
    'dbr',
  ]),
  ...DBR_SCENARIOS.map((s): [string, string, Scenario, Writer, string] => [
    s.id,
    'DBR csv.zip',
    s,
    asDbrZip,
    'dbr',
  ]),
];

describe.each(cases)('scenario %s as %s', (_id, _kind, scenario, write, format) => {
  it('gives the hand-worked accounts, transfers and rounding', async () => {
    // Prepare
    const folder = tempFolder();
    const markers = scenario.ec2PurchaseMarkers;
    const engine = await DuckDbEngine.create({
      threads: 2,
      memoryLimit: '512MB',
      ...(markers ? { ec2PurchaseMarkers: markers } : {}),
    });
    try {
      const path = await write(folder.path, scenario);
      // Act
      const result = await engine.ledger({ location: path });
      // Assess
      expect(result.format).toBe(format);
      expect(accountsFromLedger(result.rows)).toEqual(
        canonicalAccounts(scenario.expected.accounts),
      );
      expect(transfersFromLedger(result.rows)).toEqual(
        canonicalTransfers(scenario.expected.transfers),
      );
      expect(roundingFromLedger(result.rows)).toEqual(
        canonicalRounding(scenario.expected.rounding ?? []),
      );
      expect(result.rows.reduce((n, row) => n + row.line_count, 0)).toBe(
        scenario.expected.ledgerLineCount,
      );
    } finally {
      await engine.close();
      folder.cleanup();
    }
  });
});
