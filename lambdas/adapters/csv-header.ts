import { open } from 'node:fs/promises';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';

/**
 * Most columns whopays reads from one file. AWS writes a few hundred (CUR 1: about 130 columns plus
 * one per active cost allocation tag and cost category); DuckDB's CSV sniffer takes time that grows
 * with the square of the column count (20,000 columns: 2 s; 160,000: minutes), so a file past this
 * is refused from its header before DuckDB reads it.
 */
export const MAX_COLUMNS = 10_000;

/** DuckDB's longest CSV line (its default max_line_size): no longer header is read anyway. */
const HEADER_BYTES = 2_000_000;
/** Compressed bytes inflated to find a gzip's header: even a 2 MB header compresses below this. */
const GZIP_HEAD_BYTES = 1_000_000;

/**
 * The number of fields of a CSV's header line (RFC 4180 quotes respected), counted in at most
 * its first 2,000,000 bytes. A gzip that cannot be inflated counts as one field: reading the file
 * says what is wrong with it.
 */
export async function csvHeaderFieldCount(path: string, gzip: boolean): Promise<number> {
  const head = await readHead(path, gzip ? GZIP_HEAD_BYTES : HEADER_BYTES);
  let text = head;
  if (gzip) {
    try {
      // Z_SYNC_FLUSH inflates what the head holds without needing the rest of the stream.
      text = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(
        0,
        HEADER_BYTES,
      );
    } catch {
      return 1;
    }
  }
  let fields = 1;
  let quoted = false;
  for (const byte of text) {
    if (byte === 0x22) quoted = !quoted;
    else if (quoted) continue;
    else if (byte === 0x2c) fields++;
    else if (byte === 0x0a) break;
  }
  return fields;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const size = Math.min(bytes, (await handle.stat()).size);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(size), 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
