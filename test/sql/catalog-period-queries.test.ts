import type { DuckDBConnection } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import { partitionPredicate as pipelinePredicate } from '../../lambdas/adapters/athena-ledger-query.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';
import {
  type AnalystQuery,
  athenaPeriodQueries,
  BILLING_PERIOD_PARAMETER,
  partitionPredicate,
} from '../../lambdas/core/sql-catalog.js';
import { payersPeriodsCurrencies, riCrossAccount } from '../fixtures/scenarios/cur-scenarios.js';
import {
  chinaPublishedMethod,
  englishMarkersAndLongNames,
} from '../fixtures/scenarios/dbr-scenarios.js';
import type { ExpectedAccount, ExpectedTransfer, LineRow } from '../fixtures/scenarios/types.js';
import { createLines, withConnection } from '../helpers/duckdb.js';
import {
  accountsFromView,
  canonicalAccounts,
  canonicalTransfers,
  transfersFromView,
} from './ledger-totals.js';

const TABLES: Record<SourceFormat, { database: string; table: string }> = {
  dbr: { database: 'billing', table: 'dbr' },
  cur: { database: 'billing', table: 'cur1' },
  cur2: { database: 'billing', table: 'cur2' },
  focus: { database: 'billing', table: 'focus' },
};
const FORMATS: readonly SourceFormat[] = ['dbr', 'cur', 'cur2', 'focus'];

// What each format's queries must filter on: the table's partition columns, compared with
// constants built from the `?` (PARTITION_KEYS in lambdas/shared/pipeline-contract.ts).
const PREDICATES: Record<SourceFormat, string> = {
  cur2: 'from "billing"."cur2" where "billing_period" = ?)',
  focus: 'from "billing"."focus" where "billing_period" = ?)',
  cur: 'from "billing"."cur1" where "year" = substr(?, 1, 4) and "month" = cast(cast(substr(?, 6, 2) as integer) as varchar))',
  dbr: 'from "billing"."dbr" where "billing_period" = ?)',
};

const queriesOf = (format: SourceFormat): AnalystQuery[] =>
  athenaPeriodQueries(format, TABLES[format]);
const ALL = FORMATS.flatMap((format) =>
  queriesOf(format).map((q) => [`${format} ${q.kind}`, format, q] as const),
);
const trino = new TrinoSQL();

/** `?` outside comments and string literals. */
const placeholders = (sql: string): number =>
  (
    sql
      .replace(/--[^\n]*/g, '')
      .replace(/'(?:[^']|'')*'/g, "''")
      .match(/\?/g) ?? []
  ).length;

/** Runs one query with the billing period bound to every `?`. */
const runFor = async (connection: DuckDBConnection, query: AnalystQuery, period: string) => {
  const reader = await connection.runAndReadAll(
    query.sql,
    query.parameters.map(() => period),
  );
  return reader.getRowObjectsJson() as Record<string, unknown>[];
};

const totalsFor = async (connection: DuckDBConnection, format: SourceFormat, period: string) => {
  const [, accounts, transfers] = queriesOf(format);
  return {
    accounts: accountsFromView(await runFor(connection, accounts!, period)),
    transfers: transfersFromView(await runFor(connection, transfers!, period)),
  };
};

const inPeriod = (period: string) => (x: { billingPeriod: string }) => x.billingPeriod === period;

/** `cur_lines` → a Glue-like table with partition columns computed by `partitions` (SQL). */
const partitioned = async (
  connection: DuckDBConnection,
  relation: 'cur_lines' | 'dbr_lines',
  table: string,
  partitions: string,
): Promise<void> => {
  await connection.run(
    `insert into billing.${table} select *, ${partitions} from ${relation}; drop table ${relation}`,
  );
};

/** riCrossAccount moved to July (its hand-worked totals do not depend on the month). */
const july = (rows: readonly LineRow[]): LineRow[] =>
  rows.map((row) => ({
    ...row,
    bill_billing_period_start_date: row.bill_billing_period_start_date?.replace(
      '2025-11',
      '2025-07',
    ),
  }));
const toJuly = <T extends { billingPeriod: string }>(items: readonly T[]): T[] =>
  items.map((item) => ({ ...item, billingPeriod: '2025-07' }));

describe('Athena period queries', () => {
  it.each(ALL)('%s is valid Trino SQL', (_name, _format, query) => {
    expect(trino.validate(query.sql)).toEqual([]);
  });

  it.each(ALL)(
    '%s filters the table on its partition columns with the ? parameters',
    (_name, format, query) => {
      expect(query.sql).toContain(PREDICATES[format]);
      // The predicate is applied once, to the table itself, and names every `?`.
      expect(query.sql.split('where "').length).toBe(2);
      expect(placeholders(query.sql)).toBe(query.parameters.length);
      expect(query.parameters.length).toBe(format === 'cur' ? 2 : 1);
    },
  );

  it.each([
    ['cur', '2025-07', `"year" = '2025' and "month" in ('7', '07')`],
    ['cur', '2025-11', `"year" = '2025' and "month" in ('11')`],
    ['cur2', '2025-11', `"billing_period" = '2025-11'`],
    ['dbr', '2020-08', `"payer" = '052601815908' and "billing_period" = '2020-08'`],
  ] as const)('renders the pipeline predicate of %s %s with literals', (format, period, sql) => {
    // The pipeline (start-run) renders exactly this predicate for one delivery.
    expect(
      pipelinePredicate({
        format,
        billingPeriod: period,
        database: 'billing',
        table: 't',
        payerAccountId: '052601815908',
      }),
    ).toBe(sql);
  });

  it('fails on a billing period that is not YYYY-MM', () => {
    expect(() => partitionPredicate('cur2', "2025-11' or 'x")).toThrow(/expected YYYY-MM/);
    expect(partitionPredicate('dbr', BILLING_PERIOD_PARAMETER).sql).toBe('"billing_period" = ?');
  });

  it('CUR 2.0: read only the partition of the bound period, on DuckDB', async () => {
    // Prepare: October and November in their partitions, plus a copy of October's lines in a
    // decoy partition 2025-12 that a query filtering on the data (not the partition) would read.
    const result = await withConnection(async (connection) => {
      await connection.run('create schema billing');
      await createLines(connection, 'cur', payersPeriodsCurrencies.rows, 'parquet');
      await connection.run(
        "create table billing.cur2 as select *, '' as billing_period from cur_lines where false",
      );
      await connection.run(
        "insert into billing.cur2 select *, '2025-12' from cur_lines where month(bill_billing_period_start_date) = 10",
      );
      await partitioned(
        connection,
        'cur_lines',
        'cur2',
        "strftime(bill_billing_period_start_date, '%Y-%m')",
      );
      // Act
      return {
        october: await totalsFor(connection, 'cur2', '2025-10'),
        november: await totalsFor(connection, 'cur2', '2025-11'),
        decoy: await totalsFor(connection, 'cur2', '2025-12'),
      };
    });

    // Assess: each month alone, with the scenario's hand-worked totals.
    const { accounts, transfers } = payersPeriodsCurrencies.expected;
    expect(result.october.accounts).toEqual(
      canonicalAccounts(accounts.filter(inPeriod('2025-10'))),
    );
    expect(result.october.transfers).toEqual(
      canonicalTransfers(transfers.filter(inPeriod('2025-10'))),
    );
    expect(result.november.accounts).toEqual(
      canonicalAccounts(accounts.filter(inPeriod('2025-11'))),
    );
    expect(result.november.transfers).toEqual(
      canonicalTransfers(transfers.filter(inPeriod('2025-11'))),
    );
    // The decoy partition holds October's lines: the ledger labels them by their own dates.
    expect(result.decoy.accounts).toEqual(result.october.accounts);
  });

  it('CUR 1: find the unpadded month=7 partition from 2025-07, on DuckDB', async () => {
    // Prepare: riCrossAccount in year=2025/month=7, payersPeriodsCurrencies in month=10 and 11.
    const result = await withConnection(async (connection) => {
      await connection.run('create schema billing');
      await createLines(connection, 'cur', [
        ...july(riCrossAccount.rows),
        ...payersPeriodsCurrencies.rows,
      ]);
      await connection.run(
        "create table billing.cur1 as select *, '' as year, '' as month from cur_lines where false",
      );
      // CUR 1 CSV dates are ISO text: year and month as the folder spells them (month=7).
      await partitioned(
        connection,
        'cur_lines',
        'cur1',
        'substr(bill_billing_period_start_date, 1, 4), cast(cast(substr(bill_billing_period_start_date, 6, 2) as integer) as varchar)',
      );
      // Act
      return {
        july: await totalsFor(connection, 'cur', '2025-07'),
        october: await totalsFor(connection, 'cur', '2025-10'),
      };
    });

    // Assess
    expect(result.july.accounts).toEqual(
      canonicalAccounts(toJuly<ExpectedAccount>(riCrossAccount.expected.accounts)),
    );
    expect(result.july.transfers).toEqual(
      canonicalTransfers(toJuly<ExpectedTransfer>(riCrossAccount.expected.transfers)),
    );
    const { accounts, transfers } = payersPeriodsCurrencies.expected;
    expect(result.october.accounts).toEqual(
      canonicalAccounts(accounts.filter(inPeriod('2025-10'))),
    );
    expect(result.october.transfers).toEqual(
      canonicalTransfers(transfers.filter(inPeriod('2025-10'))),
    );
  });

  it('DBR: read every payer of the bound period only, on DuckDB', async () => {
    // Prepare: two payers' DBRs, 2020-08 and 2018-09, each in payer=/billing_period= partitions.
    const result = await withConnection(async (connection) => {
      await connection.run('create schema billing');
      await createLines(connection, 'dbr', []);
      await connection.run(
        "create table billing.dbr as select *, '' as payer, '' as billing_period from dbr_lines where false",
      );
      await connection.run('drop table dbr_lines');
      for (const [scenario, period] of [
        [chinaPublishedMethod, '2020-08'],
        [englishMarkersAndLongNames, '2018-09'],
      ] as const) {
        await createLines(connection, 'dbr', scenario.rows);
        await partitioned(connection, 'dbr_lines', 'dbr', `PayerAccountId, '${period}'`);
      }
      // Act
      return {
        august: await totalsFor(connection, 'dbr', '2020-08'),
        september: await totalsFor(connection, 'dbr', '2018-09'),
        ledgerLines: await runFor(connection, queriesOf('dbr')[0]!, '2020-08'),
      };
    });

    // Assess
    expect(result.august.accounts).toEqual(
      canonicalAccounts(chinaPublishedMethod.expected.accounts),
    );
    expect(result.august.transfers).toEqual(
      canonicalTransfers(chinaPublishedMethod.expected.transfers),
    );
    expect(result.september.accounts).toEqual(
      canonicalAccounts(englishMarkersAndLongNames.expected.accounts),
    );
    expect(result.september.transfers).toEqual(
      canonicalTransfers(englishMarkersAndLongNames.expected.transfers),
    );
    expect(result.ledgerLines.reduce((n, row) => n + Number(row.line_count), 0)).toBe(
      chinaPublishedMethod.expected.ledgerLineCount,
    );
  });
});
