import { columnsFor, type SourceColumn, type SourceFormat } from '../core/source-columns.js';
import { quoteIdentifier } from '../core/sql-catalog.js';
import {
  columnKey,
  contractColumnName,
  type FileColumn,
  sourceColumnFor,
} from './source-headers.js';

/** The DuckDB reader a set of files needs. */
export type Reader = 'csv' | 'parquet';

/** A data file as DuckDB reads it, with the columns its header (or schema) declares. */
export interface ReadFile {
  readonly path: string;
  readonly columns: readonly FileColumn[];
}

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * DuckDB's CSV read buffer (default 16 MiB per thread). 8 MiB keeps a 1M-line DBR's peak RSS
 * lower (bench/FINDINGS.md) at no measured cost in time; it must still exceed the longest line.
 */
const CSV_BUFFER_BYTES = 8_388_608;

/** DuckDB's default maximum CSV line size, which a set `buffer_size` would raise. */
const CSV_MAX_LINE_BYTES = 2_000_000;

const CSV_DIALECT = `header = true, delim = ',', quote = '"', escape = '"'`;

/**
 * The query that describes one file's columns. CSV: every field text; `ignore_errors` only so the
 * sniffer cannot fail on a bad row: the rows themselves are read later without it. The read's
 * buffer fills 8 MiB instead of the default 16 (~12 ms less on a cold start); a set buffer size
 * also raises DuckDB's maximum line size, so its default (2,000,000 bytes) is named to keep
 * refusing longer lines here.
 */
export function describeSql(reader: Reader, path: string): string {
  // Hive folder names (year=2025/) would otherwise come back as columns the file does not have.
  const from =
    reader === 'parquet'
      ? `read_parquet(${sqlString(path)}, hive_partitioning = false)`
      : `read_csv(${sqlString(path)}, ${CSV_DIALECT}, all_varchar = true, ignore_errors = true, hive_partitioning = false, buffer_size = ${CSV_BUFFER_BYTES}, max_line_size = ${CSV_MAX_LINE_BYTES})`;
  return `describe select * from ${from}`;
}

/**
 * The rows of the files. A CSV is read with its declared columns and no sniffing, so a bad row is
 * an error with its line number; files with different headers are combined by column name.
 */
export function readerSql(reader: Reader, files: readonly ReadFile[]): string {
  // Hive folders only organise files: every contract column is inside the file itself.
  if (reader === 'parquet') {
    const list = `[${files.map((file) => sqlString(file.path)).join(', ')}]`;
    return `read_parquet(${list}, union_by_name = true, filename = true, hive_partitioning = false)`;
  }
  const csv = (group: readonly ReadFile[]) => {
    const paths = group.map((file) => sqlString(file.path));
    const from = paths.length === 1 ? paths[0]! : `[${paths.join(', ')}]`;
    const columns = group[0]!.columns.map((column) => `${sqlString(column.name)}: 'VARCHAR'`);
    return `read_csv(${from}, ${CSV_DIALECT}, auto_detect = false, columns = {${columns.join(', ')}}, filename = true, hive_partitioning = false, buffer_size = ${CSV_BUFFER_BYTES})`;
  };
  const groups = sameHeaderGroups(files);
  if (groups.length === 1) return csv(groups[0]!);
  return `(\n${groups.map((group) => `select * from ${csv(group)}`).join('\nunion all by name\n')}\n)`;
}

/**
 * The files grouped by header (the same columns in the same order), first appearance first. One
 * read_csv per header rather than per file: a union of 8,000 one-file scans took 2 GB and 3
 * minutes, one scan of the 8,000 files a fraction (duckdb-relation commit message).
 */
function sameHeaderGroups(files: readonly ReadFile[]): ReadFile[][] {
  const groups = new Map<string, ReadFile[]>();
  for (const file of files) {
    const header = JSON.stringify(file.columns.map((column) => column.name));
    const group = groups.get(header);
    if (group) group.push(file);
    else groups.set(header, [file]);
  }
  return [...groups.values()];
}

/** Every column any file has, first declaration first. */
export function unionColumns(files: readonly ReadFile[]): FileColumn[] {
  const seen = new Map<string, FileColumn>();
  for (const file of files) {
    for (const column of file.columns) if (!seen.has(column.name)) seen.set(column.name, column);
  }
  return [...seen.values()];
}

/**
 * A contract column the file has twice, by the file's name for it, if any. DuckDB renames the
 * second of two equal headers `<name>_1`; two headers that map to one contract name (e.g.
 * `lineItem/UnblendedCost` and `line_item_unblended_cost`) count too. Either way, which one holds
 * the money is a guess, so such a file is refused.
 */
export function duplicatedContractColumn(
  format: SourceFormat,
  columns: readonly FileColumn[],
): string | undefined {
  const names = new Set(columns.map((column) => column.name));
  const contract = new Set(columnsFor(format).map((column) => columnKey(column.name)));
  const seen = new Map<string, string>();
  for (const { name } of columns) {
    const renamed = /^(.*)_\d+$/.exec(name)?.[1];
    const original = renamed !== undefined && names.has(renamed) ? renamed : name;
    const mapped = columnKey(contractColumnName(format, original));
    if (!contract.has(mapped)) continue;
    const first = seen.get(mapped);
    if (first !== undefined) return first;
    seen.set(mapped, original);
  }
  return undefined;
}

const isText = (column: FileColumn): boolean => column.type.toUpperCase() === 'VARCHAR';

/**
 * Text money as DECIMAL, straight from the text (never through DOUBLE). DECIMAL(18,10) first:
 * casting text to DECIMAL(38,10) is ~40x slower and only values of 1e8 or more need it. An empty
 * field is NULL; anything else that is not a number fails the query (bad-values.ts then names it).
 * Scientific notation ('1.5E-7') casts exactly.
 */
const textToDecimal = (field: string): string =>
  `coalesce(try_cast(${field} as decimal(18, 10)), cast(nullif(trim(${field}), '') as decimal(38, 10)))`;

/**
 * Parquet DOUBLE money as the DECIMAL its writer meant: the shortest text that reads back as the
 * same double (what `String(x)` gives in JavaScript), cut to 10 fraction digits.
 *
 * DuckDB's own CAST(DOUBLE AS DECIMAL(38, 10)) multiplies by 1e10 in double precision and rounds,
 * which is exact only while the scaled value is well inside the 53-bit mantissa. Below 1e5 it is:
 * a decimal d with at most 10 fraction digits has N = d * 1e10 an integer below 1e15; the stored
 * double is d * (1 + e1) and the product is rounded again, |e1|, |e2| <= 2^-53, so the scaled
 * double is N off by at most 1e15 * 2 * 2^-53 ~ 0.22 < 0.5, and rounding gives N. From 1e5 on the
 * error reaches the tenth digit (1810957405 -> 1810957404.9999998976), so those values go through
 * their shortest text (cast to VARCHAR), which is exact but several times slower; billing lines
 * are mostly small, so few take that path. FLOAT (never seen in CUR) always takes the text path.
 */
const doubleToDecimal = (field: string, type: string): string => {
  const viaText = textToDecimal(`cast(${field} as varchar)`);
  if (type.toUpperCase() !== 'DOUBLE') return viaText;
  // Tested as `>= 1e5` so that NULL (no comparison holds) takes the cheap cast, not the text path.
  return `case when abs(${field}) >= 1e5 then ${viaText} else cast(${field} as decimal(38, 10)) end`;
};

/**
 * Money text as the ledger may cast it: DuckDB casts `1_000_000.5` to a number where no bill
 * writes one (and Athena refuses it), so such text becomes `_`, which fails the cast and is
 * then named with its line (bad-values.ts). NULL stays NULL.
 */
const strictMoneyText = (field: string): string =>
  `case when strpos(${field}, '_') > 0 then '_' else ${field} end`;

/** Money of any column type as DECIMAL, exactly. */
const moneyToDecimal = (column: FileColumn, field: string): string => {
  const type = column.type.toUpperCase();
  if (isText(column)) return textToDecimal(strictMoneyText(field));
  if (type === 'DOUBLE' || type === 'FLOAT' || type === 'REAL') {
    return doubleToDecimal(field, type);
  }
  // DECIMAL and integer columns convert exactly in the ledger's own cast.
  return field;
};

/**
 * The CUR money columns sql/ledger/cur_ledger.sql reads on some line types only (its
 * amortized-cost CASE), with those line types. Real CURs write 0 in these columns on every other
 * line, and converting those zeros exactly cost ~0.6 s of 10M Parquet lines (bench/FINDINGS.md),
 * so these columns are converted on those lines only and are NULL on the others, where the
 * ledger never reads them. Keep in step with cur_ledger.sql.
 */
const MONEY_READ_ON: Readonly<Record<string, readonly string[]>> = {
  reservation_effective_cost: ['DiscountedUsage'],
  reservation_unused_amortized_upfront_fee_for_billing_period: ['RIFee'],
  reservation_unused_recurring_fee: ['RIFee'],
  savings_plan_savings_plan_effective_cost: ['SavingsPlanCoveredUsage'],
  savings_plan_total_commitment_to_date: ['SavingsPlanRecurringFee'],
  savings_plan_used_commitment: ['SavingsPlanRecurringFee'],
  pricing_public_on_demand_cost: ['DiscountedUsage', 'SavingsPlanCoveredUsage'],
};

const onlyWhereRead = (
  format: SourceFormat,
  contract: SourceColumn,
  columns: readonly FileColumn[],
  value: string,
): string => {
  const lineTypes = MONEY_READ_ON[contract.name];
  const typeContract = columnsFor(format).find(
    (column) => column.name === 'line_item_line_item_type',
  );
  const typeColumn = typeContract && sourceColumnFor(format, typeContract, columns);
  if (lineTypes === undefined || typeColumn === undefined) return value;
  const types = lineTypes.map(sqlString).join(', ');
  return `case when ${quoteIdentifier(typeColumn.name)} in (${types}) then ${value} end`;
};

const columnSql = (
  format: SourceFormat,
  contract: SourceColumn,
  columns: readonly FileColumn[],
): string => {
  const column = sourceColumnFor(format, contract, columns);
  const name = quoteIdentifier(contract.name);
  if (column === undefined) {
    const type = contract.kind === 'money' && format !== 'dbr' ? 'decimal(18, 10)' : 'varchar';
    return `cast(null as ${type}) as ${name}`;
  }
  const field = quoteIdentifier(column.name);
  // DBR money stays text: the DBR ledger trims and casts it.
  if (format === 'dbr' && contract.name === 'UnBlendedCost') {
    return `${strictMoneyText(field)} as ${name}`;
  }
  if (contract.kind === 'money' && format !== 'dbr') {
    return `${onlyWhereRead(format, contract, columns, moneyToDecimal(column, field))} as ${name}`;
  }
  // A Parquet TIMESTAMP stays one: the ledger groups on it and formats only its groups
  // (`substr(cast(... as varchar), 1, 7)`), where casting 10M timestamps to text per line cost
  // ~0.3 s. Every other type (e.g. an account id written as a number) is read as text.
  // A zoned one (FOCUS's BillingPeriodStart may be) is taken in UTC, as AWS means it, not in the
  // session's zone, which would move midnight of the 1st into the month before. The engine also
  // runs in UTC (useUtc); this keeps the relation right in any session, e.g. the DuckDB shell.
  if (column.type.toUpperCase() === 'TIMESTAMP WITH TIME ZONE') {
    return `timezone('UTC', ${field}) as ${name}`;
  }
  if (column.type.toUpperCase().startsWith('TIMESTAMP')) return `${field} as ${name}`;
  return `cast(${field} as varchar) as ${name}`;
};

/**
 * The `select` that exposes the files as the contract relation (`cur_lines`/`dbr_lines`): exactly
 * the contract columns of the format, NULL where the files lack an optional one. Only these
 * columns are read from Parquet.
 */
export function relationSql(
  format: SourceFormat,
  reader: Reader,
  files: readonly ReadFile[],
): string {
  const columns = unionColumns(files);
  const select = columnsFor(format).map((contract) => columnSql(format, contract, columns));
  return `select\n    ${select.join(',\n    ')}\nfrom ${readerSql(reader, files)}`;
}

/**
 * The files whose lines span more than one month (`periods`: the months, sorted, joined by ', '),
 * by the column each format dates a line with: CUR's billing period start, DBR's usage start.
 * Run only when a source's ledger spans several periods.
 */
export function periodsPerFileSql(
  format: SourceFormat,
  reader: Reader,
  files: readonly ReadFile[],
): string | undefined {
  const dated = columnsFor(format).find(
    (c) => c.name === (format === 'dbr' ? 'UsageStartDate' : 'bill_billing_period_start_date'),
  );
  const column = dated && sourceColumnFor(format, dated, unionColumns(files));
  if (column === undefined) return undefined;
  const month = `substr(trim(cast(${quoteIdentifier(column.name)} as varchar)), 1, 7)`;
  return `select filename, array_to_string(list_sort(list(distinct month)), ', ') as periods
from (select filename, ${month} as month from ${readerSql(reader, files)}) as lines
where month <> ''
group by filename
having count(distinct month) > 1
order by filename`;
}
