import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A column of an example file: its name in the file and its DuckDB type. */
export interface Column {
  readonly name: string;
  readonly type: string;
}

export type Cell = string | null | Readonly<Record<string, string>>;

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Writes rows to `target` with DuckDB's COPY, so CSV quoting, gzip and Parquet encoding come from
 * DuckDB rather than hand-written code. Cells travel as JSON text and DuckDB casts them to each
 * column's type (DOUBLE money, TIMESTAMP, MAP(VARCHAR, VARCHAR)); `copyOptions` is the COPY option
 * list, e.g. `format parquet, compression snappy`.
 */
export async function copyRows(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  target: string,
  copyOptions: string,
): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'whopays-examples-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    // Positional keys keep column names such as `lineItem/UsageAccountId` out of the JSON reader.
    const json = join(scratch, 'rows.json');
    const keyed = rows.map((row) => Object.fromEntries(row.map((cell, i) => [`c${i}`, cell])));
    await writeFile(json, JSON.stringify(keyed));
    const types = columns.map((c, i) => `c${i}: ${quoteLiteral(c.type)}`).join(', ');
    const select = columns.map((c, i) => `c${i} as ${quoteIdentifier(c.name)}`).join(', ');
    const connection = await instance.connect();
    try {
      await connection.run(
        `copy (select ${select} from read_json(${quoteLiteral(json)}, format = 'array', columns = {${types}})) to ${quoteLiteral(target)} (${copyOptions})`,
      );
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}
