import type { FileColumn } from '../adapters/source-headers.js';
import { missingRequiredColumns, sourceColumnFor } from '../adapters/source-headers.js';
import { InputError } from '../core/errors.js';
import { DBR_COLUMNS } from '../core/source-columns.js';
import { STAGED_DBR_DIALECT } from '../shared/pipeline-contract.js';
import { CsvRecords } from './csv-records.js';

/** Bytes in, text out, chunk by chunk. */
export interface TextRewriter {
  push(data: Uint8Array): string;
  end(): string;
}

// STAGED_DBR_DIALECT: every field quoted, `\` escapes a quote or a backslash. Hive splits rows on
// line breaks before the SerDe sees them, so a line break inside a field becomes a space.
const { separatorChar, quoteChar, escapeChar } = STAGED_DBR_DIALECT;
const quoteField = (value: string): string =>
  `${quoteChar}${value.replace(/[\\"]/g, `${escapeChar}$&`).replace(/\r\n|[\r\n]/g, ' ')}${quoteChar}`;

const line = (fields: readonly string[]): string =>
  `${fields.map(quoteField).join(separatorChar)}\n`;

/**
 * Rewrites a DBR CSV (any DBR flavour: with or without resources and tags, `Cost` instead of
 * `UnBlendedCost` without consolidated billing) to exactly the DBR contract columns of
 * lambdas/core/source-columns.ts, in that order, after a header row, so a table that maps columns
 * by position reads every flavour right. Columns are found by header name the same way the CLI's
 * DuckDB reader finds them (`sourceColumnFor`); an optional column the file lacks is empty.
 *
 * @throws InputError (naming `file`) when the header lacks a required column, a record has a
 *   different number of fields than the header, the text is not UTF-8 or a quote is unterminated.
 */
export const dbrContractRewriter = (file: string): TextRewriter => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvRecords();
  let picks: Array<number | undefined> | undefined;
  let width = 0;
  let recordNumber = 0;

  const header = (names: readonly string[]): string => {
    const columns: FileColumn[] = names.map((name) => ({ name, type: 'VARCHAR' }));
    const missing = missingRequiredColumns('dbr', columns);
    if (missing.length > 0) {
      throw new InputError(
        file,
        `DBR header lacks required column(s) ${missing.join(', ')} (found: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})`,
      );
    }
    width = names.length;
    picks = DBR_COLUMNS.map((contract) => {
      const found = sourceColumnFor('dbr', contract, columns);
      return found === undefined ? undefined : columns.indexOf(found);
    });
    return line(DBR_COLUMNS.map((c) => c.name));
  };

  const rewrite = (records: readonly string[][]): string => {
    let out = '';
    for (const record of records) {
      recordNumber++;
      if (picks === undefined) {
        out += header(record);
        continue;
      }
      if (record.length !== width) {
        throw new InputError(
          file,
          `record ${recordNumber} has ${record.length} fields where the header has ${width}`,
        );
      }
      out += line(picks.map((index) => (index === undefined ? '' : record[index]!)));
    }
    return out;
  };

  const decode = (data?: Uint8Array): string => {
    try {
      return data === undefined ? decoder.decode() : decoder.decode(data, { stream: true });
    } catch {
      throw new InputError(file, 'is not UTF-8 text');
    }
  };

  return {
    push: (data) => rewrite(parser.push(decode(data))),
    end: () => {
      let out = rewrite(parser.push(decode()));
      const { records, unterminatedQuote } = parser.end();
      if (unterminatedQuote) throw new InputError(file, 'ends inside a quoted field');
      out += rewrite(records);
      if (picks === undefined) throw new InputError(file, 'is empty: no DBR header row');
      return out;
    },
  };
};
