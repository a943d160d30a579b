import { columnsFor, type SourceColumn, type SourceFormat } from '../core/source-columns.js';
import { quoteIdentifier } from '../core/sql-catalog.js';
import { contractColumnName, type FileColumn } from './source-headers.js';

/** The DuckDB reader a set of files needs. */
export type Reader = 'csv' | 'parquet';

/** Prefix of the `error()` a bad number raises inside DuckDB; duckdb-errors.ts parses it back. */
export const BAD_NUMBER_MARKER = 'whopays-bad-number';

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * The file column that feeds a contract column, if any. A DBR without consolidated billing has
 * `Cost` where a consolidated one has `UnBlendedCost`.
 */
export function sourceColumnFor(
  format: SourceFormat,
  contract: SourceColumn,
  columns: readonly FileColumn[],
): FileColumn | undefined {
  const byName = (name: string) =>
    columns.find((column) => contractColumnName(format, column.name) === name);
  const found = byName(contract.name);
  if (found === undefined && format === 'dbr' && contract.name === 'UnBlendedCost') {
    return byName('Cost');
  }
  return found;
}

/** The required contract columns a file lacks, by contract name. */
export const missingRequiredColumns = (
  format: SourceFormat,
  columns: readonly FileColumn[],
): string[] =>
  columnsFor(format)
    .filter((contract) => contract.required && !sourceColumnFor(format, contract, columns))
    .map((contract) => contract.name);

const isText = (column: FileColumn): boolean => column.type.toUpperCase() === 'VARCHAR';

/**
 * A text money value checked in DuckDB: an empty field is NULL, anything that is not a number
 * raises an error naming the file, the column and the value (so no bad value ever becomes 0).
 * DECIMAL(18,10) first: casting text to DECIMAL(38,10) is ~40x slower, and only values of 1e8 or
 * more need it. Scientific notation ('1.5E-7') casts exactly.
 */
const checkedNumber = (column: FileColumn, keepText: boolean): string => {
  const field = quoteIdentifier(column.name);
  const tab = 'chr(9)';
  const bad = `error(concat(${sqlString(BAD_NUMBER_MARKER)}, ${tab}, filename, ${tab}, ${sqlString(column.name)}, ${tab}, ${field}))`;
  const wide = `coalesce(try_cast(${field} as decimal(38, 10)), ${bad})`;
  if (keepText) {
    // CASE tests each branch only on the rows the earlier ones left, so the slow cast is rare.
    return `case when nullif(trim(${field}), '') is null then ${field} when try_cast(${field} as decimal(18, 10)) is not null then ${field} when try_cast(${field} as decimal(38, 10)) is not null then ${field} else ${bad} end`;
  }
  return `coalesce(try_cast(${field} as decimal(18, 10)), case when nullif(trim(${field}), '') is not null then ${wide} end)`;
};

const nullOf = (contract: SourceColumn, format: SourceFormat): string =>
  contract.kind === 'money' && format !== 'dbr'
    ? 'cast(null as decimal(18, 10))'
    : 'cast(null as varchar)';

const columnSql = (
  format: SourceFormat,
  contract: SourceColumn,
  columns: readonly FileColumn[],
): string => {
  const column = sourceColumnFor(format, contract, columns);
  const name = quoteIdentifier(contract.name);
  if (column === undefined) return `${nullOf(contract, format)} as ${name}`;
  if (contract.kind === 'money' && isText(column)) {
    // DBR money stays text (the DBR ledger trims and casts it), but is checked all the same.
    return `${checkedNumber(column, format === 'dbr')} as ${name}`;
  }
  // Parquet money stays DOUBLE (the ledger casts each value); Parquet timestamps become text.
  if (contract.kind === 'money') return `${quoteIdentifier(column.name)} as ${name}`;
  return `cast(${quoteIdentifier(column.name)} as varchar) as ${name}`;
};

/** The table function that reads the files, every field of a CSV as text. */
export function readerSql(reader: Reader, files: readonly string[]): string {
  const list = `[${files.map(sqlString).join(', ')}]`;
  // Hive folders only organise files: every contract column is inside the file itself.
  const common = 'union_by_name = true, filename = true, hive_partitioning = false';
  if (reader === 'parquet') return `read_parquet(${list}, ${common})`;
  return `read_csv(${list}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', ${common})`;
}

/**
 * The `select` that exposes the files as the contract relation (`cur_lines`/`dbr_lines`): exactly
 * the contract columns of the format, NULL where the files lack an optional one. Only these
 * columns are read from Parquet.
 */
export function relationSql(
  format: SourceFormat,
  reader: Reader,
  files: readonly string[],
  columns: readonly FileColumn[],
): string {
  const select = columnsFor(format).map((contract) => columnSql(format, contract, columns));
  return `select\n    ${select.join(',\n    ')}\nfrom ${readerSql(reader, files)}`;
}
