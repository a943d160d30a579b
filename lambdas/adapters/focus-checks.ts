import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../core/errors.js';
import type { LedgerRow } from '../core/ledger.js';
import { FOCUS_COLUMNS } from '../core/source-columns.js';
import { quoteIdentifier } from '../core/sql-catalog.js';
import { type Reader, type ReadFile, readerSql, unionColumns } from './duckdb-relation.js';
import { sourceColumnFor } from './source-headers.js';

/** The ledger note of FOCUS rows from another cloud (focus_ledger.sql): `focus-provider:<name>`. */
const PROVIDER_NOTE = 'focus-provider:';
/** The ledger note of a Used row whose CommitmentDiscountId is not an ARN. */
const NOT_ARN_NOTE = 'focus-commitment-id-not-arn';

/** What {@link refuseFocusInput} needs to name the file of a refused row. */
export interface FocusSource {
  readonly location: string;
  readonly reader: Reader;
  readonly files: readonly ReadFile[];
  /** The file as the user named it, from the path DuckDB read. */
  readonly displayName: (path: string) => string;
}

/**
 * Refuses a FOCUS source whose ledger notes show rows whopays cannot attribute (ATTRIBUTION.md,
 * FOCUS): rows of another cloud than AWS (alone: not an AWS file; next to AWS rows: mixed
 * providers) and Used rows whose CommitmentDiscountId is not an ARN. Reads the files again only
 * then, to name the first file holding such a row.
 *
 * @throws InputError naming the file and the problem.
 */
export async function refuseFocusInput(
  connection: DuckDBConnection,
  source: FocusSource,
  rows: readonly LedgerRow[],
): Promise<void> {
  const others = new Set<string>();
  let aws = false;
  let notArn = false;
  for (const row of rows) {
    if (row.note?.startsWith(PROVIDER_NOTE)) others.add(row.note.slice(PROVIDER_NOTE.length));
    else aws = true;
    if (row.note === NOT_ARN_NOTE) notArn = true;
  }
  if (others.size > 0) {
    const file = await firstFile(
      connection,
      source,
      'ProviderName',
      (provider) => `upper(trim(coalesce(${provider}, ''))) not in ('AWS', 'AMAZON WEB SERVICES')`,
    );
    const names = [...others].map((name) => (name === '' ? '(empty)' : name)).sort();
    const problem =
      aws || others.size > 1
        ? `mixed providers in one source: ${[...(aws ? ['AWS'] : []), ...names].join(', ')}`
        : `FOCUS from ${names[0]}, not AWS: whopays attributes AWS commitments only`;
    throw new InputError(file.name ?? source.location, problem);
  }
  if (notArn) {
    const file = await firstFile(
      connection,
      source,
      'CommitmentDiscountId',
      (id, status) =>
        `${status} = 'Used' and trim(coalesce(${id}, '')) <> '' and not ${id} like 'arn:%:%:%:%:%'`,
    );
    throw new InputError(
      file.name ?? source.location,
      `CommitmentDiscountId ${JSON.stringify(file.value)} of a Used row is not an ARN`,
    );
  }
}

/**
 * The first file (and its value of `column`) with a row matching `where`, given the file's own
 * names for `column` and CommitmentDiscountStatus.
 */
async function firstFile(
  connection: DuckDBConnection,
  source: FocusSource,
  column: string,
  where: (field: string, status: string) => string,
): Promise<{ name?: string; value?: string }> {
  const columns = unionColumns(source.files);
  const field = (name: string) => {
    const contract = FOCUS_COLUMNS.find((c) => c.name === name)!;
    const found = sourceColumnFor('focus', contract, columns);
    return found ? `cast(${quoteIdentifier(found.name)} as varchar)` : 'cast(null as varchar)';
  };
  const value = field(column);
  const sql = `select filename, ${value} as value from ${readerSql(source.reader, source.files)} where ${where(value, field('CommitmentDiscountStatus'))} limit 1`;
  const found = (await connection.runAndReadAll(sql)).getRowObjectsJson()[0];
  if (!found) return {};
  return { name: source.displayName(String(found.filename)), value: String(found.value ?? '') };
}
