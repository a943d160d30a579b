import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { athenaLedgerQuery } from '../../lambdas/adapters/athena-ledger-query.js';
import { LedgerRowSchema } from '../../lambdas/core/ledger.js';
import { deliveryFilesPredicate, ledgerSql } from '../../lambdas/core/sql-catalog.js';
import { createLines, withConnection } from '../helpers/duckdb.js';

/**
 * The manifest's file list is a named input of the one ledger SQL file: a predicate on the column
 * that names each row's file (Athena's `"$path"`, DuckDB's `filename`), put into the relation the
 * query reads. The text Athena runs is Trino SQL; the same predicate on DuckDB reads the listed
 * files only.
 */

const trino = new TrinoSQL();
const FILES = [
  's3://cur-bucket/exports/x/data/BILLING_PERIOD=2025-10/2025-11-03T08:10:02.114Z-exec-2/x-00001.snappy.parquet',
  "s3://cur-bucket/exports/x/data/BILLING_PERIOD=2025-10/2025-11-03T08:10:02.114Z-exec-2/it's-00002.snappy.parquet",
];

describe('the delivery file list as a named input', () => {
  it.each(['cur', 'cur2'] as const)(
    'the pipeline ledger query of %s naming the manifest files is valid Trino SQL',
    (format) => {
      const sql = athenaLedgerQuery({
        format,
        database: 'whopays',
        table: `${format}_data`,
        payerAccountId: '012345678901',
        billingPeriod: '2025-10',
        files: FILES,
      });
      expect(sql).toContain(
        `"$path" in ('${FILES[0]}', 's3://cur-bucket/exports/x/data/BILLING_PERIOD=2025-10/2025-11-03T08:10:02.114Z-exec-2/it''s-00002.snappy.parquet')`,
      );
      expect(trino.validate(sql)).toEqual([]);
    },
  );

  it('refuses an empty file list (a query over nothing would report a zero month)', () => {
    expect(() => deliveryFilesPredicate([])).toThrow(/at least one data file/);
  });

  it("on DuckDB, `filename` is the same input: only the listed file's lines are read", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'whopays-files-'));
    try {
      const rows = await withConnection(async (connection) => {
        // Two versions of one month's lines: 10 of usage in the old file, 12 in the listed one.
        const line = (cost: string) => ({
          bill_payer_account_id: '012345678901',
          bill_billing_period_start_date: '2025-10-01T00:00:00Z',
          line_item_currency_code: 'USD',
          line_item_usage_account_id: '011111111111',
          line_item_line_item_type: 'Usage',
          line_item_unblended_cost: cost,
        });
        const files = { old: join(dir, 'old.parquet'), listed: join(dir, 'listed.parquet') };
        for (const [name, cost] of [
          ['old', '10'],
          ['listed', '12'],
        ] as const) {
          await createLines(connection, 'cur', [line(cost)]);
          await connection.run(`copy cur_lines to '${files[name]}' (format parquet)`);
          await connection.run('drop table cur_lines');
        }
        const relation = `(select * from read_parquet('${dir}/*.parquet', filename = true) where ${deliveryFilesPredicate([files.listed], 'filename')})`;
        const reader = await connection.runAndReadAll(ledgerSql('cur', relation));
        return reader.getRowObjectsJson().map((r) => LedgerRowSchema.parse(r));
      });
      expect(rows.map((r) => [r.usage_account_id, r.usage_cost])).toEqual([
        ['011111111111', '12.0000000000'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
