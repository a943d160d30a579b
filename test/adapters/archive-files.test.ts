import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { extractZipCsv, ZIP_EXPANSION_FLOOR } from '../../lambdas/adapters/archive-files.js';
import { InputError } from '../../lambdas/core/errors.js';
import { craftZip, zip64Extra } from '../fixtures/bad/crafted-zip.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'whopays-zip-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const csv = 'a,b\n1,认购\n'.repeat(500);

describe('extractZipCsv', () => {
  it.each([
    ['deflated', 6],
    ['stored', 0],
  ] as const)(
    'extracts a %s .csv member byte for byte and skips other members',
    async (_n, level) => {
      const zip = join(dir, 'x.zip');
      writeFileSync(
        zip,
        zipSync(
          { 'notes.txt': Buffer.from('not billing'), 'dir/dbr.csv': Buffer.from(csv) },
          { level },
        ),
      );
      const out = join(dir, 'out');
      mkdirSync(out);
      const paths = await extractZipCsv(zip, out);
      expect(paths).toEqual([join(out, '0-dbr.csv')]);
      expect(readFileSync(paths[0]!, 'utf8')).toBe(csv);
    },
  );

  it('refuses a member whose bytes do not match its CRC-32', async () => {
    const zip = join(dir, 'x.zip');
    const bytes = Buffer.from(zipSync({ 'dbr.csv': Buffer.from(csv) }, { level: 0 }));
    // Stored member: its data starts after the 30-byte local header and the 7-byte name.
    bytes[40] = bytes[40]! ^ 0x01;
    writeFileSync(zip, bytes);
    await expect(extractZipCsv(zip, dir)).rejects.toThrow(InputError);
    await expect(extractZipCsv(zip, dir)).rejects.toThrow(
      /corrupt zip archive \(dbr\.csv: .*CRC differs/,
    );
  });

  it('refuses an archive without a .csv member, and a file that is not a zip', async () => {
    const zip = join(dir, 'x.zip');
    writeFileSync(zip, zipSync({ 'a.txt': Buffer.from('x') }));
    await expect(extractZipCsv(zip, dir)).rejects.toThrow(/not a zip archive holding a \.csv file/);
    writeFileSync(zip, 'a,b\n1,2\n');
    await expect(extractZipCsv(zip, dir)).rejects.toThrow(/not a zip archive holding a \.csv file/);
  });
});

// Issue 15 items 3 and 8: archives whose central directory lies.
describe('extractZipCsv on crafted archives', () => {
  const write = (bytes: Buffer): string => {
    const zip = join(dir, 'crafted.csv.zip');
    writeFileSync(zip, bytes);
    return zip;
  };
  const out = (): string => {
    const folder = join(dir, 'out');
    mkdirSync(folder, { recursive: true });
    return folder;
  };
  const member = { name: 'dbr.csv', data: Buffer.from(csv) };

  it('refuses one member listed under three names instead of reading it three times', async () => {
    const zip = write(
      craftZip({
        locals: [member],
        central: [
          { local: 0, name: 'a.csv' },
          { local: 0, name: 'b.csv' },
          { local: 0, name: 'c.csv' },
        ],
      }),
    );
    await expect(extractZipCsv(zip, out())).rejects.toThrow(/a\.csv and b\.csv share data/);
  });

  it('stops inflating a member as soon as it passes its declared size', async () => {
    // 16 MiB of zeros deflate to ~16 KB; the entry claims 1,000 bytes.
    const zeros = { name: 'zeros.csv', data: Buffer.alloc(16 * 2 ** 20) };
    const zip = write(craftZip({ locals: [zeros], central: [{ local: 0, size: 1000 }] }));
    const folder = out();
    await expect(extractZipCsv(zip, folder)).rejects.toThrow(
      /zeros\.csv inflates past its declared 1000 bytes/,
    );
    // Stopped at the first 1 MiB chunk, not after writing the 16 MiB.
    expect(readdirSync(folder).map((f) => statSync(join(folder, f)).size)).toEqual([0]);
  });

  it('refuses, before writing anything, members declaring more than the expansion cap', async () => {
    const zip = write(
      craftZip({ locals: [member], central: [{ local: 0, size: ZIP_EXPANSION_FLOOR + 1 }] }),
    );
    const folder = out();
    await expect(extractZipCsv(zip, folder)).rejects.toThrow(/refused as a decompression bomb/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it.each([
    [
      'a Zip64 size past the end of its extra field',
      { local: 0, size: 0xffffffff, extra: zip64Extra() },
      /Zip64 value past the end of its extra field/,
    ],
    [
      'an extra field whose length passes its entry',
      { local: 0, extra: Buffer.concat([zip64Extra(10n).subarray(0, 4), Buffer.alloc(4)]) },
      /zip extra field past the end of its entry/,
    ],
    [
      'an extra field length past the end of the directory',
      { local: 0, extraLength: 0xfff0 },
      /central directory entry past the end/,
    ],
    [
      'a Zip64 offset past the end of the file',
      { local: 0, compressedSize: 0xffffffff, extra: zip64Extra(2n ** 40n) },
      /dbr\.csv: data past the end/,
    ],
  ] as const)('refuses %s with InputError, not RangeError', async (_name, entry, problem) => {
    const zip = write(craftZip({ locals: [member], central: [entry] }));
    const error = await extractZipCsv(zip, out()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).toMatch(problem);
  });
});
