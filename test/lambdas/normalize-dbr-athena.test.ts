import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { unzipSync, zipSync } from 'fflate';
import { DBR_CHINA } from '../../examples/scenarios/dbr-china.js';
import { writeDbrFiles } from '../../examples/writers/dbr-files.js';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { type LedgerRow, LedgerRowSchema } from '../../lambdas/core/ledger.js';
import { ledgerSql } from '../../lambdas/core/sql-catalog.js';
import { makeHandler } from '../../lambdas/normalize-dbr/normalize-dbr.js';
import { NormalizeOutputSchema, type RunInput } from '../../lambdas/shared/pipeline-contract.js';
import { dbrGlueTable, type GlueCsvTable, glueRelation } from './helpers/glue-dbr-table.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';

/**
 * The staged DBR as Athena sees it: the DBR Glue table of the aws-cn example stack (columns by
 * position, OpenCSVSerde quote/escape, header skipped) read in DuckDB, under the shared ledger SQL,
 * must give the ledger the CLI engine computes from the original zip, whatever the DBR flavour.
 */

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

const sorted = (rows: readonly LedgerRow[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

const PAYER = DBR_CHINA.payer.id;

let folder: string;
let original: string;
let engine: DuckDbEngine;
let duck: DuckDBConnection;
let s3: MemoryS3;
let table: GlueCsvTable;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'whopays-normalize-'));
  // What `npx tsx examples/generate.ts <folder>` writes for the China DBR.
  original = (await writeDbrFiles(DBR_CHINA, folder)).dbr;
  engine = await DuckDbEngine.create({ threads: 1, memoryLimit: '512MB' });
  duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
  table = dbrGlueTable();
});

afterAll(async () => {
  duck.closeSync();
  await engine.close();
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  s3 = new MemoryS3();
});
afterEach(() => s3.restore());

/** normalize-dbr on a file, through the handler; returns the staged .csv.gz as a local file. */
const normalize = async (path: string): Promise<string> => {
  const key = `dbr/${basename(path)}`;
  const target = `staging/dbr/payer=${PAYER}/billing_period=2025-10/${basename(path).replace(/\.zip$/, '')}.gz`;
  const etag = s3.put('cur-bucket', key, readFileSync(path));
  const input: RunInput = {
    deliveryId: 'e'.repeat(32),
    deliveredAt: '2025-11-04T01:00:00.000Z',
    format: 'dbr',
    payerAccountId: PAYER,
    billingPeriod: '2025-10',
    currency: 'CNY',
    source: { bucket: 'cur-bucket', key, etag },
    query: { queryString: 'select 1', database: 'whopays', workGroup: 'whopays' },
    normalize: { targetBucket: 'work-bucket', targetKey: target },
  };
  const out = NormalizeOutputSchema.parse(
    await makeHandler({ s3: newS3Client() })(input, lambdaContext),
  );
  expect(out.status).toBe('written');
  const staged = join(folder, `${basename(path)}.staged.csv.gz`);
  writeFileSync(staged, s3.buffer('work-bucket', target)!);
  return staged;
};

const athenaLedger = async (staged: string): Promise<LedgerRow[]> => {
  const reader = await duck.runAndReadAll(ledgerSql('dbr', glueRelation(table, staged)));
  return reader.getRowObjectsJson().map((row) => LedgerRowSchema.parse(row));
};

/** The example DBR's CSV re-laid as another flavour (columns renamed, dropped, reordered). */
const variant = async (name: string, select: string): Promise<string> => {
  const [member, bytes] = Object.entries(unzipSync(readFileSync(original)))[0]!;
  const dir = join(folder, name);
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, member);
  writeFileSync(`${csv}.in`, bytes);
  await duck.run(
    `copy (select ${select} from read_csv(${sqlString(`${csv}.in`)}, all_varchar = true, header = true)) to ${sqlString(csv)} (header, force_quote *)`,
  );
  writeFileSync(`${csv}.zip`, zipSync({ [member]: readFileSync(csv) }));
  return `${csv}.zip`;
};

describe('normalize-dbr staging read by the DBR Glue table', () => {
  it('declares the DBR contract columns in contract order and skips the header', () => {
    expect(table.columns).toEqual([
      'invoiceid',
      'payeraccountid',
      'linkedaccountid',
      'recordtype',
      'productname',
      'subscriptionid',
      'usagetype',
      'itemdescription',
      'usagestartdate',
      'unblendedcost',
    ]);
    expect(table.skipHeader).toBe(1);
  });

  it('the example China DBR-RT: Athena ledger = CLI ledger of the original zip', async () => {
    const cli = await engine.ledger({ location: original });
    const athena = await athenaLedger(await normalize(original));
    expect(cli.rows.length).toBeGreaterThan(0);
    expect(sorted(athena)).toEqual(sorted(cli.rows));
  });

  it('a DBR without consolidated billing (Cost, no tags, other column order) gives the same ledger', async () => {
    // The non-consolidated DBR has `Cost` where DBR-RT has UnBlendedCost and lacks the rate and
    // resource/tag columns; shuffling the order proves nothing is read by position before staging.
    const plain = await variant(
      'plain',
      `"UnBlendedCost" as "Cost", "RecordType", "ItemDescription", "UsageStartDate", "LinkedAccountId",
       "PayerAccountId", "InvoiceID", "ProductName", "SubscriptionId", "UsageType", "RecordId"`,
    );
    const cli = await engine.ledger({ location: original });
    const cliPlain = await engine.ledger({ location: plain });
    const athena = await athenaLedger(await normalize(plain));
    expect(sorted(cliPlain.rows)).toEqual(sorted(cli.rows));
    expect(sorted(athena)).toEqual(sorted(cli.rows));
  });

  it('a header without a required column fails with the file and the column, staging nothing', async () => {
    const broken = await variant(
      'broken',
      `"InvoiceID", "PayerAccountId", "RecordType", "ProductName", "UnBlendedCost"`,
    );
    const key = `dbr/${basename(broken)}`;
    const etag = s3.put('cur-bucket', key, readFileSync(broken));
    const input: RunInput = {
      deliveryId: 'f'.repeat(32),
      deliveredAt: '2025-11-04T01:00:00.000Z',
      format: 'dbr',
      payerAccountId: PAYER,
      billingPeriod: '2025-10',
      source: { bucket: 'cur-bucket', key, etag },
      query: { queryString: 'select 1', database: 'whopays', workGroup: 'whopays' },
      normalize: { targetBucket: 'work-bucket', targetKey: 'staging/dbr/x.csv.gz' },
    };
    await expect(makeHandler({ s3: newS3Client() })(input, lambdaContext)).rejects.toThrow(
      `s3://cur-bucket/${key}: DBR header lacks required column(s) LinkedAccountId`,
    );
    expect(s3.buffer('work-bucket', 'staging/dbr/x.csv.gz')).toBeUndefined();
    expect(s3.openUploads).toBe(0);
  });
});
