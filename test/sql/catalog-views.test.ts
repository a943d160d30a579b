import type { DuckDBConnection } from '@duckdb/node-api';
import { type AthenaViewOptions, athenaViewStatements } from '../../lambdas/core/sql-catalog.js';
import { riCrossAccount } from '../fixtures/scenarios/cur-scenarios.js';
import { chinaPublishedMethod } from '../fixtures/scenarios/dbr-scenarios.js';
import { createLines, queryRows, withConnection } from '../helpers/duckdb.js';
import {
  accountsFromView,
  canonicalAccounts,
  canonicalTransfers,
  transfersFromView,
} from './ledger-totals.js';

// A deployment starts every CREATE VIEW at once (StartQueryExecution returns before the view
// exists), so no view may read another view: each must run on a database holding only the tables.

const TABLES: AthenaViewOptions = {
  tables: {
    dbr: { database: 'billing', table: 'dbr_normalized' },
    cur: { database: 'billing', table: 'cur1' },
    cur2: { database: 'billing', table: 'cur2' },
  },
  viewDatabase: 'whopays',
};
const GLUE_TABLES = Object.values(TABLES.tables).map((t) => `"${t.database}"."${t.table}"`);

const statements = athenaViewStatements(TABLES);
const body = (sql: string): string => sql.slice(sql.indexOf('\n') + 1);

/** The scenario tables the views read, and nothing else. */
const createTables = async (connection: DuckDBConnection): Promise<void> => {
  await connection.run('create schema billing');
  await connection.run('create schema whopays');
  await createLines(connection, 'cur', riCrossAccount.rows, 'parquet');
  await connection.run('create table billing.cur2 as select * from cur_lines');
  await connection.run('create table billing.cur1 as select * from cur_lines where false');
  await connection.run('drop table cur_lines');
  await createLines(connection, 'dbr', chinaPublishedMethod.rows);
  await connection.run('create table billing.dbr_normalized as select * from dbr_lines');
  await connection.run('drop table dbr_lines');
};

// The scenarios' own hand-worked totals (see the comments in test/fixtures/scenarios/).
const expectedAccounts = canonicalAccounts([
  ...riCrossAccount.expected.accounts,
  ...chinaPublishedMethod.expected.accounts,
]);
const expectedTransfers = canonicalTransfers([
  ...riCrossAccount.expected.transfers,
  ...chinaPublishedMethod.expected.transfers,
]);

describe('Athena view statements', () => {
  it.each(statements.map((s) => [s.view, s.sql]))(
    '%s references no whopays view, only the Glue tables',
    (_view, sql) => {
      const text = body(sql);
      const referenced = [...text.matchAll(/"[^"]+"\."[^"]+"/g)].map((m) => m[0]);

      expect(text).not.toMatch(/whopays/i);
      expect(referenced.length).toBeGreaterThan(0);
      expect(referenced.filter((name) => !GLUE_TABLES.includes(name))).toEqual([]);
    },
  );

  it.each(statements.map((s) => [s.view, s]))(
    '%s can be created on a database that holds only the tables',
    async (_view, statement) => {
      await withConnection(async (connection) => {
        // Prepare
        await createTables(connection);
        // Act
        await connection.run(statement.sql);
        // Assess
        const views = await queryRows(
          connection,
          'select schema_name, view_name from duckdb_views() where not internal order by view_name',
        );
        expect(views).toEqual([{ schema_name: 'whopays', view_name: statement.view }]);
      });
    },
  );

  it('give the hand-worked totals when created in reverse order', async () => {
    // Prepare
    const result = await withConnection(async (connection) => {
      await createTables(connection);
      // Act
      for (const statement of [...statements].reverse()) await connection.run(statement.sql);
      return {
        accounts: await queryRows(connection, 'select * from whopays.whopays_account_totals'),
        transfers: await queryRows(connection, 'select * from whopays.whopays_transfers'),
        ledgerLines: await queryRows(
          connection,
          'select cast(sum(line_count) as integer) as n from whopays.whopays_ledger',
        ),
      };
    });

    // Assess
    expect(accountsFromView(result.accounts)).toEqual(expectedAccounts);
    expect(transfersFromView(result.transfers)).toEqual(expectedTransfers);
    expect(result.ledgerLines).toEqual([
      {
        n: riCrossAccount.expected.ledgerLineCount + chinaPublishedMethod.expected.ledgerLineCount,
      },
    ]);
  });
});
