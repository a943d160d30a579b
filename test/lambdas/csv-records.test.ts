import fc from 'fast-check';
import { CsvRecords } from '../../lambdas/normalize-dbr/csv-records.js';

const parseChunks = (chunks: readonly string[]): string[][] => {
  const parser = new CsvRecords();
  const records = chunks.flatMap((chunk) => parser.push(chunk));
  const end = parser.end();
  expect(end.unterminatedQuote).toBe(false);
  return [...records, ...end.records];
};

/** RFC 4180 text of records: every field quoted when it needs to be, CRLF or LF line ends. */
const csvOf = (records: readonly string[][], eol: string): string =>
  records
    .map((r) =>
      r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(','),
    )
    .join(eol) + eol;

describe('CsvRecords', () => {
  it('parses quoted commas, doubled quotes, line breaks, a BOM and a last line without break', () => {
    const text = '\uFEFFa,"b,c","say ""hi""","x\r\ny"\r\n1,,"",4\n\nlast,row';
    expect(parseChunks([text])).toEqual([
      ['a', 'b,c', 'say "hi"', 'x\r\ny'],
      ['1', '', '', '4'],
      ['last', 'row'],
    ]);
  });

  it('keeps a lone "" line as a record of one empty field, skips blank lines', () => {
    expect(parseChunks(['a\n\n""\n'])).toEqual([['a'], ['']]);
  });

  it('reports a quote left open at the end', () => {
    const parser = new CsvRecords();
    parser.push('a,"b\n');
    expect(parser.end().unterminatedQuote).toBe(true);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', '9') });
    const records = fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(records, fc.constantFrom('\n', '\r\n'), fc.array(fc.nat()), (rows, eol, cuts) => {
        // A record of one empty field is written as "" so it is not a blank line.
        const text = csvOf(rows, eol);
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i, all) => text.slice(p, all[i + 1] ?? text.length));
        expect(parseChunks(chunks)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});
