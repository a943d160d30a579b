import curLedgerSql from '../../sql/ledger/cur_ledger.sql';
import dbrLedgerSql from '../../sql/ledger/dbr_ledger.sql';
import focusLedgerSql from '../../sql/ledger/focus_ledger.sql';
import accountTotalsSql from '../../sql/views/account_totals.sql';
import commitmentsSql from '../../sql/views/commitments.sql';
import transfersSql from '../../sql/views/transfers.sql';
import { InputError } from './errors.js';
import { SOURCE_RELATION, type SourceFormat } from './source-columns.js';

/**
 * EC2 `ItemDescription` fragments that only the purchasing account's DBR rows carry
 * (ATTRIBUTION.md, DBR step 1): the China DBR's '认购' and the English sign-up charge text.
 */
export const DEFAULT_EC2_PURCHASE_MARKERS: readonly string[] = [
  '认购',
  'Sign up charge for subscription',
];

/** The values list of sql/ledger/dbr_ledger.sql that configured markers replace. */
const DEFAULT_MARKERS_VALUES = "values ('认购'), ('Sign up charge for subscription')";

/** Options of {@link ledgerSql}. */
export interface LedgerSqlOptions {
  /**
   * DBR only: `ItemDescription` fragments that mark an EC2 reservation purchase row.
   * Matched literally (no LIKE wildcards), case-sensitively.
   * @default DEFAULT_EC2_PURCHASE_MARKERS
   */
  readonly ec2PurchaseMarkers?: readonly string[];
}

/** The ledger query of each source format, one file per format family in sql/ledger/. */
const LEDGER_SQL: Record<SourceFormat, string> = {
  dbr: dbrLedgerSql,
  cur: curLedgerSql,
  cur2: curLedgerSql,
  focus: focusLedgerSql,
};

/** The analyst views over the ledger, one per file in sql/views/. */
export type ViewName = 'account_totals' | 'transfers' | 'commitments';

const VIEW_SQL: Record<ViewName, string> = {
  account_totals: accountTotalsSql,
  transfers: transfersSql,
  commitments: commitmentsSql,
};

/** A SQL string literal: quotes doubled, which both Trino and DuckDB read verbatim. */
const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** A double-quoted SQL identifier (Athena/Trino and DuckDB both double embedded quotes). */
export const quoteIdentifier = (name: string): string => {
  if (name.length === 0) throw new InputError('sql-catalog', 'an identifier must not be empty');
  return `"${name.replaceAll('"', '""')}"`;
};

/**
 * Points the single `from <relation>` of a query at another relation, aliased to the contract
 * name so the rest of the query is unchanged.
 */
const withRelation = (sql: string, contractName: string, relation: string): string => {
  if (relation === contractName) return sql;
  // The relation is built by code (quoted names, literals), never taken raw from a user: a file
  // path may legitimately hold any character, so only emptiness is refused.
  const trimmed = relation.trim();
  if (trimmed.length === 0) {
    throw new InputError('sql-catalog', `invalid relation for ${contractName}: '${relation}'`);
  }
  const pattern = new RegExp(`\\bfrom ${contractName}\\b`, 'g');
  const matches = sql.match(pattern)?.length ?? 0;
  if (matches !== 1) {
    throw new Error(`BUG: expected one 'from ${contractName}' in the SQL, found ${matches}`);
  }
  return sql.replace(pattern, () => `from ${trimmed} as ${contractName}`);
};

const withMarkers = (sql: string, markers: readonly string[]): string => {
  if (markers.length === 0) {
    throw new InputError('ec2PurchaseMarkers', 'at least one EC2 purchase marker is required');
  }
  for (const marker of markers) {
    // An empty marker is found in every description: every EC2 subscription row would claim.
    if (marker.trim().length === 0) {
      throw new InputError('ec2PurchaseMarkers', 'an EC2 purchase marker must not be blank');
    }
  }
  if (!sql.includes(DEFAULT_MARKERS_VALUES)) {
    throw new Error('BUG: sql/ledger/dbr_ledger.sql lost its EC2 purchase markers list');
  }
  const values = `values ${markers.map((m) => `(${sqlString(m)})`).join(', ')}`;
  return sql.replace(DEFAULT_MARKERS_VALUES, () => values);
};

/**
 * The attribution ledger query of a source format (sql/ledger/<format>_ledger.sql): its rows
 * are {@link LedgerRow}s. The same text runs on DuckDB and Athena (Trino).
 *
 * @param format - `cur` and `cur2` share one query; `dbr` and `focus` have their own.
 * @param relation - what to read instead of the contract relation (`cur_lines`/`dbr_lines`):
 *   a table or view name, a qualified Athena table (`"db"."table"`), or a parenthesised
 *   subquery. It is aliased to the contract name.
 * @param options - DBR purchase markers.
 * @example ledgerSql('cur2', '"billing"."cur2_data"')
 */
export function ledgerSql(
  format: SourceFormat,
  relation?: string,
  options: LedgerSqlOptions = {},
): string {
  const contractName = SOURCE_RELATION[format];
  let sql = withRelation(LEDGER_SQL[format], contractName, relation ?? contractName);
  if (format === 'dbr' && options.ec2PurchaseMarkers !== undefined) {
    sql = withMarkers(sql, options.ec2PurchaseMarkers);
  }
  return sql;
}

/**
 * An analyst view query (sql/views/<name>.sql) over ledger rows.
 *
 * @param ledgerRelation - the relation holding ledger rows; `ledger` by default.
 */
export function viewSql(name: ViewName, ledgerRelation = 'ledger'): string {
  return withRelation(VIEW_SQL[name], 'ledger', ledgerRelation);
}

/** A Glue table, as Athena names it. */
export interface AthenaTable {
  readonly database: string;
  readonly table: string;
}

/** Input of {@link athenaViewStatements}. */
export interface AthenaViewOptions {
  /** The Glue table of each source format to expose; at least one. */
  readonly tables: Partial<Record<SourceFormat, AthenaTable>>;
  /**
   * Database the views are created in.
   * @default - unqualified: the query execution context's database
   */
  readonly viewDatabase?: string;
  /** @default DEFAULT_EC2_PURCHASE_MARKERS */
  readonly ec2PurchaseMarkers?: readonly string[];
}

/** One DDL statement to run in Athena; the statements of a set may run in any order. */
export interface AthenaViewStatement {
  /** The view it creates. */
  readonly view: string;
  readonly sql: string;
}

const FORMAT_ORDER: readonly SourceFormat[] = ['dbr', 'cur', 'cur2', 'focus'];

const qualifiedTable = (table: AthenaTable): string =>
  `${quoteIdentifier(table.database)}.${quoteIdentifier(table.table)}`;

/** A query as a relation: on its own lines, so a trailing `--` comment cannot swallow the `)`. */
const subquery = (sql: string): string => `(\n${sql.trim()}\n)`;

const markerOptions = (
  format: SourceFormat,
  markers: readonly string[] | undefined,
): LedgerSqlOptions =>
  format === 'dbr' && markers !== undefined ? { ec2PurchaseMarkers: markers } : {};

/**
 * `create or replace view` statements that install the attribution in Athena:
 * `whopays_<format>_ledger` over each given table, `whopays_ledger` (all of them, union all: give
 * tables that do not cover the same bills), `whopays_account_totals`, `whopays_transfers` and
 * `whopays_commitments`.
 *
 * Every statement reads Glue tables only (a view that needs the ledger inlines its SQL): a
 * deployment starts them all at once and Athena runs them in any order, so a view must never
 * depend on another view existing.
 *
 * These views cannot prune partitions (their `billing_period` is computed from the bill's dates):
 * for one month, use {@link athenaPeriodQueries}.
 *
 * @example athenaViewStatements({ tables: { cur2: { database: 'billing', table: 'cur2' } } })
 */
export function athenaViewStatements(options: AthenaViewOptions): AthenaViewStatement[] {
  const formats = FORMAT_ORDER.filter((format) => options.tables[format] !== undefined);
  if (formats.length === 0) {
    throw new InputError('athenaViewStatements', 'at least one source table is required');
  }
  const viewName = (name: string): string =>
    options.viewDatabase === undefined
      ? quoteIdentifier(name)
      : `${quoteIdentifier(options.viewDatabase)}.${quoteIdentifier(name)}`;
  const createView = (view: string, query: string): AthenaViewStatement => ({
    view,
    sql: `create or replace view ${viewName(view)} as\n${query.trim()}\n`,
  });

  const ledgers = formats.map((format) => ({
    format,
    sql: ledgerSql(
      format,
      qualifiedTable(options.tables[format]!),
      markerOptions(format, options.ec2PurchaseMarkers),
    ),
  }));
  // Ledger queries share one column list (LedgerRow), so a positional union is safe.
  const union = ledgers
    .map(({ format, sql }) => `select * from ${subquery(sql)} as ${format}_ledger`)
    .join('\nunion all\n');
  return [
    ...ledgers.map(({ format, sql }) => createView(`whopays_${format}_ledger`, sql)),
    createView('whopays_ledger', union),
    createView('whopays_account_totals', viewSql('account_totals', subquery(union))),
    createView('whopays_transfers', viewSql('transfers', subquery(union))),
    createView('whopays_commitments', viewSql('commitments', subquery(union))),
  ];
}

/**
 * Stands for an Athena execution parameter (`?`) that receives the billing period, `YYYY-MM`.
 */
export const BILLING_PERIOD_PARAMETER: unique symbol = Symbol('billing period parameter');

const BILLING_PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The predicate on a Glue table's partition columns (PARTITION_KEYS of
 * lambdas/shared/pipeline-contract.ts) that limits a scan to one billing period, and for DBR to
 * one payer when given. The period is a literal or {@link BILLING_PERIOD_PARAMETER}.
 *
 * CUR 1 writes `month=7`, not `07`. With a literal, both spellings are accepted in case a table was
 * registered by hand; with the parameter, the month is derived from the same `YYYY-MM` text (so
 * the query takes that text twice: year and month) and is the unpadded one the stack's projection
 * enumerates. Either way the partition columns are compared with constants, which is what
 * partition projection prunes on.
 *
 * @returns the predicate and one entry per `?` in it, in order.
 */
export function partitionPredicate(
  format: SourceFormat,
  period: string | typeof BILLING_PERIOD_PARAMETER,
  payerAccountId?: string,
): { readonly sql: string; readonly parameters: readonly string[] } {
  const parameter = period === BILLING_PERIOD_PARAMETER;
  if (!parameter && !BILLING_PERIOD.test(period)) {
    throw new InputError('billing period', `expected YYYY-MM, got '${period}'`);
  }
  const parameters: string[] = [];
  const periodValue = (): string => {
    if (!parameter) return sqlString(period);
    parameters.push('billing period (YYYY-MM)');
    return '?';
  };
  let sql: string;
  switch (format) {
    case 'cur': {
      if (parameter) {
        sql = `"year" = substr(${periodValue()}, 1, 4) and "month" = cast(cast(substr(${periodValue()}, 6, 2) as integer) as varchar)`;
      } else {
        const [year, month] = period.split('-') as [string, string];
        const unpadded = String(Number(month));
        const months = unpadded === month ? [month] : [unpadded, month];
        sql = `"year" = ${sqlString(year)} and "month" in (${months.map(sqlString).join(', ')})`;
      }
      break;
    }
    // Data Exports (CUR 2.0 and FOCUS): `data/BILLING_PERIOD=YYYY-MM/`.
    case 'cur2':
    case 'focus':
      sql = `"billing_period" = ${periodValue()}`;
      break;
    case 'dbr': {
      const payer =
        payerAccountId === undefined ? '' : `"payer" = ${sqlString(payerAccountId)} and `;
      sql = `${payer}"billing_period" = ${periodValue()}`;
      break;
    }
  }
  return { sql, parameters };
}

/**
 * The column that names the file a row was read from: Athena's `"$path"` pseudo-column
 * (`s3://bucket/key`), or DuckDB's `filename` (of `read_parquet(…, filename = true)`).
 */
export type FilePathColumn = '"$path"' | 'filename';

/**
 * The predicate that limits a scan to the files one delivery's manifest lists. A "create new
 * version" export keeps every refresh of the month below the same partition, so the partition
 * alone would count the month once per refresh.
 *
 * @param files - the listed files, as the path column spells them (`s3://bucket/key` on Athena).
 * @example deliveryFilesPredicate(['s3://b/r/data/BILLING_PERIOD=2025-10/r-00001.snappy.parquet'])
 */
export function deliveryFilesPredicate(
  files: readonly string[],
  pathColumn: FilePathColumn = '"$path"',
): string {
  if (files.length === 0) {
    throw new InputError('delivery files', 'a delivery must list at least one data file');
  }
  return `${pathColumn} in (${files.map(sqlString).join(', ')})`;
}

/** What an analyst named query computes. */
export type AnalystQueryKind = 'ledger' | 'account_totals' | 'transfers' | 'commitments';

/** A query over one billing period of a Glue table, the period given as execution parameters. */
export interface AnalystQuery {
  readonly kind: AnalystQueryKind;
  readonly sql: string;
  /** One entry per `?`, in order: what value it takes. */
  readonly parameters: readonly string[];
}

/**
 * The ledger, account totals, transfers and commitments of one billing period of `table`, the period passed as
 * Athena execution parameters (see {@link partitionPredicate}) and applied to the table's
 * partition columns, so Athena reads one month, not the whole history. DBR: every payer of the
 * table.
 *
 * @example athenaPeriodQueries('cur2', { database: 'billing', table: 'cur2' })
 */
export function athenaPeriodQueries(
  format: SourceFormat,
  table: AthenaTable,
  options: { readonly ec2PurchaseMarkers?: readonly string[] } = {},
): AnalystQuery[] {
  const predicate = partitionPredicate(format, BILLING_PERIOD_PARAMETER);
  const ledger = ledgerSql(
    format,
    `(select * from ${qualifiedTable(table)} where ${predicate.sql})`,
    markerOptions(format, options.ec2PurchaseMarkers),
  );
  const query = (kind: AnalystQueryKind, sql: string): AnalystQuery => ({
    kind,
    sql,
    parameters: predicate.parameters,
  });
  return [
    query('ledger', ledger),
    query('account_totals', viewSql('account_totals', subquery(ledger))),
    query('transfers', viewSql('transfers', subquery(ledger))),
    query('commitments', viewSql('commitments', subquery(ledger))),
  ];
}
