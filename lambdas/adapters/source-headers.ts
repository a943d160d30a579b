import {
  columnsFor,
  FOCUS_COLUMNS,
  type SourceColumn,
  type SourceFormat,
} from '../core/source-columns.js';

/** A column of a billing file as DuckDB describes it. */
export interface FileColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * The Athena/Parquet name of a CUR 1 CSV header (docs/CUR-REFERENCE.md §3.1): an `_` before every
 * capital that follows a letter (so `ReservationARN` gives `reservation_a_r_n`, as AWS does), lower
 * case, every run of other characters one `_`. Snake-case names come back unchanged.
 *
 * @example athenaColumnName('lineItem/UsageAccountId') // 'line_item_usage_account_id'
 */
export function athenaColumnName(header: string): string {
  return header
    .replace(/(?<=[A-Za-z])(?=[A-Z])/g, '_')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** DBR columns lose their `:` (`user:Name` → `userName`), as the seed's loader names them. */
export const dbrColumnName = (header: string): string => header.replaceAll(':', '');

/**
 * The key a header and a contract name are matched on: letters and digits only, lower case. AWS
 * and other tools spell one column several ways (`savingsPlan/SavingsPlanARN` in AWS's CUR 1
 * data dictionary, `savingsPlan/SavingsPlanArn` in real files, `savings_plan_savings_plan_a_r_n`
 * in CUR 2.0 and Athena); all of them give one key.
 *
 * @example columnKey('savingsPlan/SavingsPlanArn') === columnKey('savings_plan_savings_plan_a_r_n')
 */
export const columnKey = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** FOCUS contract names by their lower case: Glue and Athena lower-case the FOCUS names. */
const FOCUS_NAMES = new Map(
  FOCUS_COLUMNS.map((column) => [column.name.toLowerCase(), column.name]),
);

/** A FOCUS column's contract name, its case aside; other columns keep their name. */
export const focusColumnName = (header: string): string =>
  FOCUS_NAMES.get(header.toLowerCase()) ?? header;

/** The contract name (lambdas/core/source-columns.ts) a file's column maps to in a format. */
export const contractColumnName = (format: SourceFormat, header: string): string => {
  if (format === 'dbr') return dbrColumnName(header);
  return format === 'focus' ? focusColumnName(header) : athenaColumnName(header);
};

/** Columns every FOCUS cost and usage dataset has and no CUR or DBR has. */
const FOCUS_MARKERS = ['BilledCost', 'EffectiveCost', 'BillingAccountId', 'ChargeCategory'];

/** Columns only CUR 2.0 (Data Exports) has; the legacy Athena-style CUR 1 Parquet has none. */
const CUR2_ONLY_COLUMNS = ['bill_payer_account_name', 'line_item_usage_account_name'];

/**
 * The billing format a file's columns show, or undefined when they are not a billing file:
 * DBR has `RecordType` and `LinkedAccountId`; CUR 1 CSV has `lineItem/UsageAccountId`-style
 * headers; snake-case CUR is 2.0 when it has a 2.0-only column or the `product` map, else CUR 1;
 * FOCUS has `BilledCost`, `EffectiveCost`, `BillingAccountId` and `ChargeCategory` (any case).
 */
export function detectFormat(columns: readonly FileColumn[]): SourceFormat | undefined {
  const names = new Set(columns.map((column) => dbrColumnName(column.name)));
  if (names.has('RecordType') && names.has('LinkedAccountId')) return 'dbr';
  const focus = new Set(columns.map((column) => focusColumnName(column.name)));
  if (FOCUS_MARKERS.every((name) => focus.has(name))) return 'focus';
  const snake = new Set(columns.map((column) => athenaColumnName(column.name)));
  if (!snake.has('line_item_usage_account_id')) return undefined;
  if (columns.some((column) => column.name.includes('/'))) return 'cur';
  const hasProductMap = columns.some((column) => column.name === 'product');
  return hasProductMap || CUR2_ONLY_COLUMNS.some((name) => snake.has(name)) ? 'cur2' : 'cur';
}

/**
 * The file column that feeds a contract column, if any. A DBR without consolidated billing has
 * `Cost` where a consolidated one has `UnBlendedCost`.
 */
export function sourceColumnFor(
  format: SourceFormat,
  contract: SourceColumn,
  columns: readonly FileColumn[],
): FileColumn | undefined {
  const byName = (name: string) => {
    const key = columnKey(name);
    return columns.find((column) => columnKey(contractColumnName(format, column.name)) === key);
  };
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
