import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';
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

/**
 * Extracts the .csv members of a zip archive into `directory` (DuckDB cannot read zip) and returns
 * their paths. Streams, so a large DBR never sits in memory. Throws InputError for a file that is not
 * a zip, a truncated or corrupt archive, or one without a .csv member.
 */
export async function extractZipCsv(zipPath: string, directory: string): Promise<string[]> {
  const extracted: string[] = [];
  const pending = new Map<string, number>();
  let failure: string | undefined;
  const unzip = new Unzip((file) => {
    if (failure !== undefined || !file.name.toLowerCase().endsWith('.csv')) return;
    const target = join(directory, `${extracted.length}-${basename(file.name)}`);
    const fd = openSync(target, 'w');
    const progress = { expected: file.originalSize, written: 0 };
    extracted.push(target);
    pending.set(target, fd);
    file.ondata = (error, chunk, final) => {
      if (error) {
        failure ??= `corrupt zip archive (${error.message})`;
        closeSync(fd);
        pending.delete(target);
        return;
      }
      writeSync(fd, chunk);
      progress.written += chunk.length;
      if (final) {
        closeSync(fd);
        pending.delete(target);
        if (progress.expected !== undefined && progress.expected !== progress.written) {
          failure ??= `corrupt zip archive (${file.name}: ${progress.written} of ${progress.expected} bytes)`;
        }
      }
    };
    try {
      file.start();
    } catch (error) {
      failure ??= `unsupported zip compression (${messageOf(error)})`;
    }
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    for await (const chunk of createReadStream(zipPath)) unzip.push(chunk as Uint8Array, false);
    unzip.push(new Uint8Array(0), true);
  } catch (error) {
    failure ??= `corrupt zip archive (${messageOf(error)})`;
  }
  if (pending.size > 0) failure ??= 'truncated zip archive';
  for (const fd of pending.values()) closeSync(fd);
  if (failure !== undefined) throw new InputError(zipPath, failure);
  if (extracted.length === 0)
    throw new InputError(zipPath, 'not a zip archive holding a .csv file');
  return extracted;
}
