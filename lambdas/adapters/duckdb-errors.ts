import { InputError } from '../core/errors.js';

/**
 * The message of anything thrown. Not `instanceof Error`: errors from the native DuckDB addon can
 * come from another realm (e.g. under jest's vm contexts).
 */
export const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'message' in error
    ? String(error.message)
    : String(error);

const firstLine = (text: string): string => text.split('\n', 1)[0]!.trim();

/**
 * Turns a DuckDB error caused by the input into an InputError: one line naming the file and the
 * problem, never DuckDB's multi-line text. Returns undefined for errors that are not the input's
 * fault, which callers rethrow as bugs.
 *
 * @param file - the file (or source) the failing statement read.
 * @param displayName - maps a path DuckDB reports (e.g. a zip member extracted to a temp folder) to
 *   the name the user gave.
 */
export function inputErrorFromDuckDb(
  error: unknown,
  file: string,
  displayName: (path: string) => string = (path) => path,
): InputError | undefined {
  const message = messageOf(error);
  const csvFile = /\n\s*file = (.+)\n/.exec(message)?.[1]?.trim();
  const where = csvFile === undefined ? file : displayName(csvFile);
  if (message.includes('Input is not a GZIP stream')) {
    return new InputError(where, 'not a gzip file');
  }
  // A corrupt page names its file ("Failed to read file "…": Snappy decompression failure"); a
  // corrupt footer fails Thrift decoding ("Invalid Error: TProtocolException: …", "Invalid
  // Error: don't know what type"): the CSV reader's errors are "Invalid Input Error"s.
  const failedFile = /Failed to read file "(.+?)"/.exec(firstLine(message))?.[1];
  if (/No magic bytes found|[Pp]arquet|^Invalid Error:/.test(firstLine(message))) {
    const named = failedFile === undefined ? where : displayName(failedFile);
    return new InputError(named, 'not a valid Parquet file (corrupt or truncated)');
  }
  if (message.includes('Error when sniffing file')) {
    return new InputError(where, 'not CSV text (no readable header)');
  }
  if (message.includes('Invalid unicode')) {
    return new InputError(where, 'not UTF-8 text');
  }
  const csvLine = /CSV Error on Line: (\d+)\n(?:Original Line: .*\n)?(.*)/.exec(message);
  if (csvLine) {
    return new InputError(where, `malformed CSV at line ${csvLine[1]}: ${csvLine[2]!.trim()}`);
  }
  if (message.startsWith('IO Error:')) {
    return new InputError(where, firstLine(message).replace(/^IO Error:\s*/, ''));
  }
  return undefined;
}
