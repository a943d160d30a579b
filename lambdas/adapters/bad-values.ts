import { InputError } from '../core/errors.js';
import { columnsFor, type SourceFormat } from '../core/source-columns.js';
import { quoteIdentifier } from '../core/sql-catalog.js';
import { type Reader, type ReadFile, readerSql, unionColumns } from './duckdb-relation.js';
import { type FileColumn, sourceColumnFor } from './source-headers.js';

/** What is wrong with a value, as {@link badValueSql} finds it. */
type Problem = 'empty' | 'date' | 'number' | 'finite' | 'range';

/** Lines where `condition` holds have `problem` in `column`. */
interface Check {
  readonly column: FileColumn;
  readonly condition: string;
  readonly problem: Problem;
}

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** The largest money DECIMAL(38,10) holds is just under 1e28. */
const MONEY_LIMIT = '1e28';

/** A billing period's text starts with a real month: `2025-10`, never `2025-13` or `10/1/2025`. */
const MONTH_PREFIX = `'^\\d{4}-(0[1-9]|1[0-2])'`;

const isText = (column: FileColumn): boolean => column.type.toUpperCase() === 'VARCHAR';
const isFloat = (column: FileColumn): boolean =>
  ['DOUBLE', 'FLOAT', 'REAL'].includes(column.type.toUpperCase());

/** The checks of one money column, by its type. */
function moneyChecks(column: FileColumn): Check[] {
  const field = quoteIdentifier(column.name);
  if (isText(column)) {
    // DuckDB casts `1_000_000.5` to a number; no bill writes one, and Athena refuses it.
    const condition = `strpos(${field}, '_') > 0 or (nullif(trim(${field}), '') is not null and try_cast(${field} as decimal(38, 10)) is null)`;
    return [{ column, condition, problem: 'number' }];
  }
  const range: Check = { column, condition: `abs(${field}) >= ${MONEY_LIMIT}`, problem: 'range' };
  if (!isFloat(column)) return [range];
  return [{ column, condition: `not isfinite(${field})`, problem: 'finite' }, range];
}

function checksFor(format: SourceFormat, columns: readonly FileColumn[]): Check[] {
  const column = (name: string) => {
    const contract = columnsFor(format).find((c) => c.name === name);
    return contract && sourceColumnFor(format, contract, columns);
  };
  const checks: Check[] = [];
  const add = (name: string, condition: (field: string) => string, problem: Problem) => {
    const found = column(name);
    if (found)
      checks.push({ column: found, condition: condition(quoteIdentifier(found.name)), problem });
  };
  const empty = (field: string) => `nullif(trim(cast(${field} as varchar)), '') is null`;
  const notMonth = (field: string) =>
    `not regexp_matches(trim(cast(${field} as varchar)), ${MONTH_PREFIX})`;
  if (format === 'dbr') {
    // The records that reach the ledger (dbr_ledger.sql): all but the totals.
    const record = column('RecordType');
    const counted = record
      ? `lower(trim(coalesce(${quoteIdentifier(record.name)}, ''))) not in ('invoicetotal', 'accounttotal', 'statementtotal') and `
      : '';
    add('PayerAccountId', (f) => `${counted}${empty(f)}`, 'empty');
    add('UsageStartDate', (f) => `${counted}not ${empty(f)} and ${notMonth(f)}`, 'date');
    const cost = column('UnBlendedCost');
    if (cost) checks.push(...moneyChecks(cost));
    return checks;
  }
  add('bill_payer_account_id', empty, 'empty');
  add('bill_billing_period_start_date', (f) => `${empty(f)} or ${notMonth(f)}`, 'date');
  for (const contract of columnsFor(format)) {
    const money = contract.kind === 'money' && sourceColumnFor(format, contract, columns);
    if (money) checks.push(...moneyChecks(money));
  }
  return checks;
}

/**
 * The first value of the files that the ledger cannot read: (filename, column_name, value,
 * problem). Run only after the ledger failed (a conversion, an overflow, a row that breaks the
 * ledger schema) to name the file, the column and the value; it reads the files again.
 */
export function badValueSql(
  format: SourceFormat,
  reader: Reader,
  files: readonly ReadFile[],
): string | undefined {
  const checks = checksFor(format, unionColumns(files));
  if (checks.length === 0) return undefined;
  const from = readerSql(reader, files);
  const selects = checks.map(
    ({ column, condition, problem }) =>
      `select * from (select filename, ${sqlString(column.name)} as column_name, cast(${quoteIdentifier(column.name)} as varchar) as value, ${sqlString(problem)} as problem from ${from} where ${condition} limit 1)`,
  );
  return `select * from (\n${selects.join('\nunion all\n')}\n) limit 1`;
}

/** Shortens a bad field for a one-line message. */
const shown = (value: string | null): string =>
  value === null ? 'empty' : JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

const WORDING: Record<Problem, string> = {
  empty: 'empty on a billing line',
  date: 'not a billing date (YYYY-MM…, a real month)',
  number: 'not a number',
  finite: 'not a finite amount',
  range: `amount out of range (${MONEY_LIMIT} or more)`,
};

/** The InputError of a row of {@link badValueSql}. */
export function badValueError(file: string, row: Readonly<Record<string, unknown>>): InputError {
  const problem = WORDING[row.problem as Problem];
  const value = row.value === null ? null : String(row.value);
  const detail = row.problem === 'empty' ? '' : `: ${shown(value)}`;
  return new InputError(file, `column ${String(row.column_name)}: ${problem}${detail}`);
}
