import { createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createGunzip, createInflateRaw } from 'node:zlib';
import { InputError } from '../core/errors.js';
import { messageOf } from './duckdb-errors.js';

/**
 * Reads a gzip file to its end and throws InputError when it is truncated or corrupt. DuckDB reads
 * a truncated gzip CSV without complaint (it returns the rows before the cut), so every .gz source
 * is checked; the engine runs this alongside its query, which costs little wall time.
 */
export async function verifyGzip(path: string, reportAs = path): Promise<void> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(path), createGunzip(), discard);
  } catch (error) {
    const message = messageOf(error);
    if (message.includes('unexpected end of file'))
      throw new InputError(reportAs, 'truncated gzip');
    if (message.includes('incorrect header check'))
      throw new InputError(reportAs, 'not a gzip file');
    throw new InputError(reportAs, `corrupt gzip (${message})`);
  }
}

/** A member of a zip archive, as its central directory describes it. */
interface ZipMember {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly headerOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const MAX_COMMENT = 0xffff;

/** A problem with the archive, reported as `<file>: <message>`. */
class ZipError extends Error {}

const readAt = async (handle: FileHandle, position: number, length: number): Promise<Buffer> => {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
};

/** 64-bit sizes and offsets as numbers (exact below 2^53, far beyond any billing file). */
const u64 = (buffer: Buffer, offset: number): number => Number(buffer.readBigUInt64LE(offset));

/**
 * The members listed in the central directory (at the end of the archive, so a truncated archive
 * has none), Zip64 included: a 10M-line DBR inflates to more than 4 GB.
 */
async function zipMembers(handle: FileHandle, fileSize: number): Promise<ZipMember[]> {
  const tailStart = Math.max(0, fileSize - (22 + MAX_COMMENT));
  const tail = await readAt(handle, tailStart, fileSize - tailStart);
  let at = tail.length - 22;
  while (at >= 0 && tail.readUInt32LE(at) !== EOCD) at--;
  if (at < 0) {
    const head = await readAt(handle, 0, 4);
    throw new ZipError(
      head.length === 4 && head.readUInt32LE(0) === LOCAL_HEADER
        ? 'corrupt zip archive (no central directory: truncated?)'
        : 'not a zip archive holding a .csv file',
    );
  }
  let count = tail.readUInt16LE(at + 10);
  let directorySize = tail.readUInt32LE(at + 12);
  let directoryOffset = tail.readUInt32LE(at + 16);
  if (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) {
    const record = await readAt(handle, u64(tail, at - 20 + 8), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) {
      throw new ZipError('corrupt zip archive (bad Zip64 directory record)');
    }
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
  }
  const directory = await readAt(handle, directoryOffset, directorySize);
  if (directory.length < directorySize) throw new ZipError('truncated zip archive');
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL_HEADER) {
      throw new ZipError('corrupt zip archive (bad central directory)');
    }
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    const name = directory.toString('utf8', p + 46, p + 46 + nameLength);
    let size = directory.readUInt32LE(p + 24);
    let compressedSize = directory.readUInt32LE(p + 20);
    let headerOffset = directory.readUInt32LE(p + 42);
    // Zip64 extra field: the 64-bit values, in this order, of the fields saturated above.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = directory.readUInt16LE(e);
      const length = directory.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(directory, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(directory, q);
          q += 8;
        }
        if (headerOffset === 0xffffffff) headerOffset = u64(directory, q);
      }
      e += 4 + length;
    }
    members.push({
      name,
      method: directory.readUInt16LE(p + 10),
      crc: directory.readUInt32LE(p + 16),
      compressedSize,
      size,
      headerOffset,
    });
    p = extraEnd + commentLength;
  }
  return members;
}

/** Counts the bytes and their CRC-32 on the way through. */
const checksum = (): Transform & { crc: number; bytes: number } => {
  const state = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        state.crc = crc32(chunk, state.crc);
        state.bytes += chunk.length;
        done(null, chunk);
      },
    }),
    { crc: 0, bytes: 0 },
  );
  return state;
};

/** Inflates (or copies) one member to `target`, checking its size and CRC-32. */
async function extractMember(
  handle: FileHandle,
  zipPath: string,
  member: ZipMember,
  target: string,
): Promise<void> {
  if (member.method !== 0 && member.method !== 8) {
    throw new ZipError(`unsupported zip compression (method ${member.method} in ${member.name})`);
  }
  const local = await readAt(handle, member.headerOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_HEADER) {
    throw new ZipError(`corrupt zip archive (${member.name}: bad local header)`);
  }
  const start = member.headerOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const check = checksum();
  const source = createReadStream(zipPath, {
    start,
    end: start + member.compressedSize - 1,
    highWaterMark: 1 << 20,
  });
  try {
    if (member.compressedSize === 0)
      await pipeline(Readable.from([]), check, createWriteStream(target));
    else if (member.method === 0) await pipeline(source, check, createWriteStream(target));
    // 1 MiB output chunks instead of zlib's 16 KiB: a 400 MB member goes through the pipeline in
    // 400 steps, not 25,000 (2.1 s -> 0.64 s on a 1M-line DBR).
    else
      await pipeline(
        source,
        createInflateRaw({ chunkSize: 1 << 20 }),
        check,
        createWriteStream(target),
      );
  } catch (error) {
    throw new ZipError(`corrupt zip archive (${member.name}: ${messageOf(error)})`);
  } finally {
    source.destroy();
  }
  if (check.bytes !== member.size || check.crc >>> 0 !== member.crc >>> 0) {
    throw new ZipError(
      `corrupt zip archive (${member.name}: ${check.bytes} of ${member.size} bytes, CRC ${check.crc >>> 0 === member.crc >>> 0 ? 'matches' : 'differs'})`,
    );
  }
}

/**
 * Extracts the .csv members of a zip archive into `directory` (DuckDB cannot read zip) and returns
 * their paths. The member list comes from the central directory; each member is streamed through
 * Node's zlib (native, ~3x faster than inflating in JavaScript) and checked against its size and
 * CRC-32. Throws InputError for a file that is not a zip, a truncated or corrupt archive, or one
 * without a .csv member; the caller removes `directory`, partial files included.
 */
export async function extractZipCsv(zipPath: string, directory: string): Promise<string[]> {
  let handle: FileHandle;
  try {
    handle = await open(zipPath, 'r');
  } catch (error) {
    throw new InputError(zipPath, `cannot read (${messageOf(error)})`);
  }
  try {
    const { size } = await handle.stat();
    const csvMembers = (await zipMembers(handle, size)).filter((m) =>
      m.name.toLowerCase().endsWith('.csv'),
    );
    if (csvMembers.length === 0) throw new ZipError('not a zip archive holding a .csv file');
    const extracted: string[] = [];
    for (const member of csvMembers) {
      const target = join(directory, `${extracted.length}-${basename(member.name)}`);
      extracted.push(target);
      await extractMember(handle, zipPath, member, target);
    }
    return extracted;
  } catch (error) {
    if (error instanceof ZipError) throw new InputError(zipPath, error.message);
    throw error;
  } finally {
    await handle.close();
  }
}
