import { type AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { InputError } from '../core/errors.js';
import { type LedgerRow, LedgerRowSchema } from '../core/ledger.js';

/**
 * Reads every row of a finished Athena query as ledger rows. Athena returns each value as a
 * `VarCharValue` string (absent for NULL) and repeats the column names as the first row of the
 * first page; money therefore stays an exact decimal string.
 */
export const readLedgerRows = async (
  athena: AthenaClient,
  queryExecutionId: string,
): Promise<LedgerRow[]> => {
  const rows: LedgerRow[] = [];
  let columns: string[] | undefined;
  let nextToken: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({
        QueryExecutionId: queryExecutionId,
        ...(nextToken ? { NextToken: nextToken } : {}),
        MaxResults: 1000,
      }),
    );
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
    const pageRows = page.ResultSet?.Rows ?? [];
    for (const [index, row] of pageRows.entries()) {
      if (first && index === 0) continue;
      const record: Record<string, string | null> = {};
      for (const [i, name] of columns.entries()) {
        record[name] = row.Data?.[i]?.VarCharValue ?? null;
      }
      const parsed = LedgerRowSchema.safeParse(record);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(
          `athena:${queryExecutionId}`,
          `result row ${rows.length + 1} does not match the ledger: ${issue?.path.join('.')} ${issue?.message}`,
        );
      }
      rows.push(parsed.data);
    }
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);
  return rows;
};
