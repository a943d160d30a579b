import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/**
 * The line number (1 = the header) of the first data line of a CSV, plain or gzip, whose text
 * holds `value` as written or CSV-quoted; undefined when none does. Read only to point a refusal
 * at its line: DuckDB's CSV reader does not number the lines it reads.
 */
export async function firstLineHolding(
  path: string,
  gzip: boolean,
  value: string,
): Promise<number | undefined> {
  const quoted = value.replaceAll('"', '""');
  const raw = createReadStream(path);
  const lines = createInterface({
    input: gzip ? raw.pipe(createGunzip()) : raw,
    crlfDelay: Infinity,
  });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      if (number > 1 && (line.includes(value) || line.includes(quoted))) return number;
    }
    return undefined;
  } finally {
    lines.close();
    raw.destroy();
  }
}
