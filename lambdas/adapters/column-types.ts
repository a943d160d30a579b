import { InputError } from '../core/errors.js';
import { columnsFor, type SourceColumn, type SourceFormat } from '../core/source-columns.js';
import { type FileColumn, sourceColumnFor } from './source-headers.js';

/** A file with the columns its schema (or header) declares, as the engine inspected it. */
export interface TypedFile {
  /** The name the user gave, for messages. */
  readonly original: string;
  readonly columns: readonly FileColumn[];
}

const INTEGER = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;
const DECIMAL = /^DECIMAL\(\d+,\s*\d+\)$/;
const FLOATING = new Set(['DOUBLE', 'FLOAT', 'REAL']);

/** Money converts exactly from text, DECIMAL and integers, and from DOUBLE through its text. */
const isMoneyType = (type: string): boolean =>
  type === 'VARCHAR' || FLOATING.has(type) || DECIMAL.test(type) || INTEGER.test(type);

/** A billing period is text (`2025-10-01T00:00:00Z`), a DATE or a TIMESTAMP, never a number. */
const isPeriodType = (type: string): boolean =>
  type === 'VARCHAR' || type === 'DATE' || type.startsWith('TIMESTAMP');

/**
 * The types a contract column may have, where it matters: money must be a number or text (a
 * BOOLEAN would be read as 1, a DATE cannot be money), the line item type text (an INTEGER
 * would fall to the unknown-type rule), the billing period a date or text.
 */
const allowed = (contract: SourceColumn): ((type: string) => boolean) | undefined => {
  if (contract.kind === 'money') return isMoneyType;
  if (contract.name === 'line_item_line_item_type') return (type) => type === 'VARCHAR';
  if (contract.name === 'bill_billing_period_start_date') return isPeriodType;
  return undefined;
};

const what = (contract: SourceColumn): string =>
  contract.kind === 'money'
    ? 'money must be a number or text'
    : contract.name === 'bill_billing_period_start_date'
      ? 'a billing period must be a date, a timestamp or text'
      : 'expected text';

/**
 * Refuses a source whose column types cannot be read exactly: a contract column of a type it
 * cannot have (BOOLEAN or DATE money, an INTEGER line item type, an epoch-number period), or a
 * money column whose type differs between files. DuckDB would unify the latter (DECIMAL with
 * DOUBLE gives DOUBLE, DOUBLE with VARCHAR gives VARCHAR) and read the money inexactly.
 *
 * @throws InputError naming the file and its column.
 */
export function refuseUnreadableColumnTypes(
  format: SourceFormat,
  files: readonly TypedFile[],
): void {
  for (const contract of columnsFor(format)) {
    const accepts = allowed(contract);
    let first: { file: TypedFile; type: string } | undefined;
    for (const file of files) {
      const column = sourceColumnFor(format, contract, file.columns);
      if (column === undefined) continue;
      const type = column.type.toUpperCase();
      if (accepts !== undefined && !accepts(type)) {
        throw new InputError(
          file.original,
          `column ${column.name} is ${column.type}: ${what(contract)}`,
        );
      }
      if (contract.kind !== 'money') continue;
      if (first === undefined) first = { file, type };
      else if (first.type !== type) {
        throw new InputError(
          file.original,
          `column ${column.name} is ${column.type} here but ${first.type} in ${first.file.original}: the money of one source must have one type`,
        );
      }
    }
  }
}
