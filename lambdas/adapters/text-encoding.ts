import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import iconv from 'iconv-lite';
import { InputError } from '../core/errors.js';

/** How much of a CSV tells its encoding: ~2,000 DBR lines. */
const HEAD_BYTES = 1 << 20;

/** The first bytes of a CSV's text, inflated for gzip (as far as the first compressed bytes go). */
export async function readTextHead(
  path: string,
  gzip: boolean,
  bytes = HEAD_BYTES,
): Promise<Buffer> {
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    // Billing text deflates 5 to 30 times: a quarter of the wanted bytes inflate to enough.
    const want = gzip ? Math.max(4096, bytes >> 2) : bytes;
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(want), 0, want, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (!gzip) return head;
  try {
    // Z_SYNC_FLUSH inflates what the bytes hold without needing the rest of the stream.
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, bytes);
  } catch {
    return Buffer.alloc(0); // not gzip: reported when the file is read
  }
}

/** Where the last complete UTF-8 character of `data` ends (a cut-off one is left for later). */
function completeEnd(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if (byte < 0x80) return data.length;
    if (byte >= 0xc0) {
      const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needs > back ? data.length - back : data.length;
    }
  }
  return data.length;
}

/** The offset of the first byte that breaks UTF-8 (a simple walk: run only on a failed check). */
function firstInvalid(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const byte = data[i]!;
    const needs =
      byte < 0x80 ? 1 : byte >= 0xf0 && byte < 0xf5 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 0;
    if (needs === 0) return i;
    for (let k = 1; k < needs; k++) if (((data[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    if (!isUtf8(data.subarray(i, i + needs))) return i;
    i += needs;
  }
  return data.length;
}

/** Why `head` is not UTF-8: the first bad byte and where, for the one-line message. */
const notUtf8 = (file: string, data: Buffer, at: number, offset = 0): InputError => {
  const byte = data[at]?.toString(16).toUpperCase().padStart(2, '0') ?? 'end';
  return new InputError(
    file,
    `not UTF-8 text (byte 0x${byte} at offset ${offset + at}): save the file as UTF-8`,
  );
};

/** What the head of a CSV says about its encoding. */
export type TextEncoding = 'utf8' | 'gb18030' | 'other';

/**
 * The encoding of a CSV's head: UTF-8; GB18030 (which includes GBK and GB2312, what Windows in
 * China saves a spreadsheet as) when it is not UTF-8 but decodes as GB18030 without a replacement
 * character; else other. Text with NUL bytes is left to the CSV reader (binary or UTF-16).
 */
export function headEncoding(head: Buffer): TextEncoding {
  const complete = head.subarray(0, completeEnd(head));
  if (isUtf8(complete)) return 'utf8';
  if (head.includes(0)) return 'utf8';
  // A GB18030 character is up to 4 bytes: a cut-off last one decodes as U+FFFD, so drop 3 bytes.
  const text = iconv.decode(head.subarray(0, Math.max(0, head.length - 3)), 'gb18030');
  return text.includes('\uFFFD') ? 'other' : 'gb18030';
}

/** The InputError of a head that is neither UTF-8 nor GB18030. */
export function headNotUtf8(file: string, head: Buffer): InputError {
  return notUtf8(file, head, firstInvalid(head.subarray(0, completeEnd(head))));
}

/** Writes a GB18030 CSV (plain or gzip) as UTF-8 text to `target`. */
export async function transcodeGb18030(path: string, gzip: boolean, target: string): Promise<void> {
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [createReadStream(path)];
  if (gzip) stages.push(createGunzip());
  stages.push(iconv.decodeStream('gb18030'), iconv.encodeStream('utf8'), createWriteStream(target));
  await (pipeline as (...streams: unknown[]) => Promise<void>)(...stages);
}

/**
 * A sink that checks the bytes through it are UTF-8, and remembers where they first are not
 * (DuckDB may fail on invalid UTF-8 with an INTERNAL error that names nothing).
 */
export class Utf8Check extends Writable {
  private carry = Buffer.alloc(0);
  private offset = 0;
  /** The first problem found, if any. */
  problem: { at: number; data: Buffer; offset: number } | undefined;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.problem === undefined) {
      const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      const end = completeEnd(data);
      const complete = data.subarray(0, end);
      if (!isUtf8(complete)) {
        this.problem = { at: firstInvalid(complete), data: complete, offset: this.offset };
      }
      this.carry = Buffer.from(data.subarray(end));
      this.offset += end;
    }
    done();
  }

  override _final(done: () => void): void {
    if (this.problem === undefined && this.carry.length > 0) {
      this.problem = { at: 0, data: this.carry, offset: this.offset };
    }
    done();
  }

  /** Throws the InputError naming `file` when the text was not UTF-8. */
  verdict(file: string): void {
    const found = this.problem;
    if (found) throw notUtf8(file, found.data, found.at, found.offset);
  }
}

/** Reads a plain CSV to its end and throws InputError when its text is not UTF-8. */
export async function verifyUtf8(path: string, reportAs: string): Promise<void> {
  const check = new Utf8Check();
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }) as Readable, check);
  check.verdict(reportAs);
}
