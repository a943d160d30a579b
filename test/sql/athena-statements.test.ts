import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import {
  type AthenaViewOptions,
  athenaViewStatements,
  ledgerSql,
  viewSql,
} from '../../lambdas/core/sql-catalog.js';
import { riCrossAccount } from '../fixtures/scenarios/cur-scenarios.js';
import { chinaPublishedMethod } from '../fixtures/scenarios/dbr-scenarios.js';
import { createLines, queryRows, withConnection } from '../helpers/duckdb.js';
import {
  accountsFromView,
  canonicalAccounts,
  canonicalTransfers,
  transfersFromView,
} from './ledger-totals.js';

const ALL_TABLES: AthenaViewOptions = {
  tables: {
    dbr: { database: 'billing', table: 'dbr_normalized' },
    cur: { database: 'billing', table: 'cur1' },
    cur2: { database: 'billing', table: 'cur2' },
    focus: { database: 'billing', table: 'focus' },
  },
  ec2PurchaseMarkers: ['认购', "it's purchased"],
};

// Syntax DuckDB accepts and Athena (Trino) does not, or whose meaning differs between them.
const NON_PORTABLE: [string, RegExp][] = [
  ['cast shorthand ::', /::/],
  ['DuckDB file readers', /\bread_(parquet|csv|json)\w*\s*\(/i],
  ['GROUP BY ALL', /\bgroup\s+by\s+all\b/i],
  ['regexp_matches / regexp_like', /\bregexp_(matches|like)\b/i],
  ['strptime', /\bstrptime\b/i],
  ['ILIKE', /\bilike\b/i],
  ['QUALIFY', /\bqualify\b/i],
  ['SELECT * EXCLUDE/REPLACE', /\*\s*(exclude|replace)\s*\(/i],
  ['integer division //', /[^-]\/\/[^/]/],
  ['list/struct functions', /\b(list_\w+|struct_pack)\s*\(/i],
  ['division (7/2 is 3 in Trino, 3.5 in DuckDB)', /[\w)]\s*\/\s*[\w(]/],
];

/** The SQL without comments and string literals, where the patterns above would misfire. */
const codeOnly = (sql: string): string =>
  sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");

const statements = athenaViewStatements(ALL_TABLES);
const trino = new TrinoSQL();

describe('Athena statements', () => {
  it('create the ledger views, the union and the three analyst views', () => {
    expect(statements.map((s) => s.view)).toEqual([
      'whopays_dbr_ledger',
      'whopays_cur_ledger',
      'whopays_cur2_ledger',
      'whopays_focus_ledger',
      'whopays_ledger',
      'whopays_account_totals',
      'whopays_transfers',
      'whopays_commitments',
    ]);
    expect(statements[2]?.sql).toContain('from "billing"."cur2" as cur_lines');
    expect(statements[3]?.sql).toContain('from "billing"."focus" as focus_lines');
    expect(statements[6]?.sql).toContain('from "billing"."cur2" as cur_lines');
  });

  it.each(statements.map((s) => [s.view, s.sql]))('%s is valid Trino SQL', (_view, sql) => {
    expect(trino.validate(sql)).toEqual([]);
  });

  it.each(statements.map((s) => [s.view, s.sql]))(
    '%s contains no DuckDB-only or ambiguous syntax',
    (_view, sql) => {
      const found = NON_PORTABLE.filter(([, pattern]) => pattern.test(codeOnly(sql))).map(
        ([name]) => name,
      );
      expect(found).toEqual([]);
    },
  );

  it('checks that would catch DuckDB-only syntax do catch it', () => {
    const duckdbOnly = "select x::int from read_parquet('a.parquet') group by all";
    const found = NON_PORTABLE.filter(([, p]) => p.test(codeOnly(duckdbOnly))).map(([n]) => n);

    expect(found).toEqual(['cast shorthand ::', 'DuckDB file readers', 'GROUP BY ALL']);
    expect(trino.validate(duckdbOnly).length).toBeGreaterThan(0);
  });

  it('qualify the view names when a view database is given', () => {
    const [ledger, union] = athenaViewStatements({
      tables: { cur2: { database: 'billing', table: 'data' } },
      viewDatabase: 'whopays',
    });

    expect(ledger?.sql).toMatch(/^create or replace view "whopays"\."whopays_cur2_ledger" as\n/);
    expect(union?.sql).toMatch(/^create or replace view "whopays"\."whopays_ledger" as\n/);
  });

  it('quote table names so that an odd Glue name cannot break out of the identifier', () => {
    const [ledger] = athenaViewStatements({
      tables: { cur: { database: 'bill"ing', table: 'cur-1' } },
    });

    expect(ledger?.sql).toContain('from "bill""ing"."cur-1" as cur_lines');
  });

  it('fails without any source table', () => {
    expect(() => athenaViewStatements({ tables: {} })).toThrow(/at least one source table/);
  });

  it('escape configured markers as SQL string literals', () => {
    expect(statements[0]?.sql).toContain("values ('认购'), ('it''s purchased')");
  });

  it('run on DuckDB too and give the hand-worked totals of a scenario', async () => {
    // Prepare
    const result = await withConnection(async (connection) => {
      await connection.run('create schema billing');
      await createLines(connection, 'cur', riCrossAccount.rows, 'parquet');
      await connection.run('create table billing.cur2 as select * from cur_lines');
      await createLines(connection, 'dbr', chinaPublishedMethod.rows);
      await connection.run('create table billing.dbr_normalized as select * from dbr_lines');
      // Act
      const installed = athenaViewStatements({
        tables: {
          dbr: { database: 'billing', table: 'dbr_normalized' },
          cur2: { database: 'billing', table: 'cur2' },
        },
      });
      for (const statement of installed) await connection.run(statement.sql);
      return {
        accounts: await queryRows(connection, 'select * from whopays_account_totals'),
        transfers: await queryRows(connection, 'select * from whopays_transfers'),
      };
    });

    // Assess
    expect(accountsFromView(result.accounts)).toEqual(
      canonicalAccounts([
        ...riCrossAccount.expected.accounts,
        ...chinaPublishedMethod.expected.accounts,
      ]),
    );
    expect(transfersFromView(result.transfers)).toEqual(
      canonicalTransfers([
        ...riCrossAccount.expected.transfers,
        ...chinaPublishedMethod.expected.transfers,
      ]),
    );
  });
});

describe('SQL files', () => {
  it('are shared by both engines: no per-engine variant exists', () => {
    // A construct that cannot be shared gets an explicit variant file (<name>.athena.sql /
    // <name>.duckdb.sql) and must be listed here.
    const root = join(__dirname, '../../sql');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.sql'))
      .sort();

    expect(files).toEqual([
      'ledger/cur_ledger.sql',
      'ledger/dbr_ledger.sql',
      'ledger/focus_ledger.sql',
      'views/account_totals.sql',
      'views/commitments.sql',
      'views/transfers.sql',
    ]);
  });

  it.each([
    ['cur_ledger', ledgerSql('cur')],
    ['dbr_ledger', ledgerSql('dbr')],
    ['focus_ledger', ledgerSql('focus')],
    ['account_totals', viewSql('account_totals')],
    ['transfers', viewSql('transfers')],
  ])('%s as written is valid Trino SQL', (_name, sql) => {
    expect(trino.validate(sql)).toEqual([]);
  });
});
