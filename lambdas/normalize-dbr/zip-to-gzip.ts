import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { Unzip, UnzipInflate } from 'fflate';
import { InputError } from '../core/errors.js';
import type { TextRewriter } from './dbr-contract-csv.js';

/**
 * Streams a DBR `.csv.zip` (or a plain `.csv`) into gzip, chunk by chunk: the zip is inflated by
 * fflate's streaming Unzip as bytes arrive, the CSV goes through `rewriter` and the result is
 * gzipped by node:zlib. Memory stays at a few buffers whatever the file size. `file` names the
 * source in errors.
 *
 * @returns the gzip stream (consume it) and a promise of the input byte count, which rejects with
 *   InputError when the zip is corrupt or holds no CSV, or with the rewriter's error.
 */
export const zipToGzip = (
  source: AsyncIterable<Uint8Array>,
  compression: 'zip' | 'none',
  file: string,
  rewriter: TextRewriter,
): { gzip: Gzip; done: Promise<number> } => {
  const gzip = createGzip();
  const emit = (text: string): boolean => (text === '' ? true : gzip.write(text));
  const write = async (data: Uint8Array): Promise<void> => {
    if (!emit(rewriter.push(data))) await once(gzip, 'drain');
  };
  const finish = (): void => {
    emit(rewriter.end());
    gzip.end();
  };

  const pump = async (): Promise<number> => {
    let bytesIn = 0;
    if (compression === 'none') {
      for await (const chunk of source) {
        bytesIn += chunk.length;
        await write(chunk);
      }
      finish();
      return bytesIn;
    }
    let chosen: string | undefined;
    let finished = false;
    let failure: Error | undefined;
    // The rewriter's own error (bad header, bad record) is reported as is, not as a corrupt zip.
    let rejected: Error | undefined;
    const unzip = new Unzip((entry) => {
      // A DBR zip holds one CSV; any other member (folders, OS metadata) is skipped.
      if (chosen !== undefined || !entry.name.toLowerCase().endsWith('.csv')) return;
      chosen = entry.name;
      entry.ondata = (error, data, final) => {
        if (error) {
          failure = error;
          return;
        }
        if (rejected) return;
        try {
          if (data.length > 0) emit(rewriter.push(data));
        } catch (error) {
          rejected = error as Error;
          return;
        }
        if (final) finished = true;
      };
      entry.start();
    });
    unzip.register(UnzipInflate);
    try {
      for await (const chunk of source) {
        bytesIn += chunk.length;
        unzip.push(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
        if (failure || rejected) break;
        if (gzip.writableNeedDrain) await once(gzip, 'drain');
      }
      if (!failure && !rejected) unzip.push(new Uint8Array(0), true);
    } catch (error) {
      failure = error as Error;
    }
    if (rejected) throw rejected;
    if (failure) throw new InputError(file, `corrupt zip: ${failure.message}`);
    if (chosen === undefined) throw new InputError(file, 'zip holds no .csv file');
    if (!finished) throw new InputError(file, `zip member ${chosen} is truncated`);
    finish();
    return bytesIn;
  };

  const done = pump().catch((error: unknown) => {
    gzip.destroy(error as Error);
    throw error;
  });
  return { gzip, done };
};
