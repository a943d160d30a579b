import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { extractZipCsv } from '../../lambdas/adapters/archive-files.js';
import { InputError } from '../../lambdas/core/errors.js';

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
