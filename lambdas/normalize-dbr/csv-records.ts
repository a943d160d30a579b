/**
 * A streaming RFC 4180 record parser: text arrives in arbitrary chunks (a chunk may end inside a
 * quoted field, between the two quotes of an escaped `""`, or between CR and LF) and complete
 * records come out. Quoted fields may hold commas, quotes (`""`) and line breaks; records end at
 * LF, CRLF or a lone CR. A byte-order mark at the very start is dropped. Lenient where DBR files
 * are sloppy: a quote inside an unquoted field, or text after a closing quote, is kept as text.
 */
export class CsvRecords {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  /** The previous chunk ended on a quote inside a quoted field: `""` or the closing quote. */
  private quoteAtChunkEnd = false;
  /** The current field began with a quote (so an empty record is not a blank line). */
  private quoted = false;
  /** The previous record ended on CR: a following LF belongs to it. */
  private afterCr = false;
  private started = false;
  /** Whether the field just ended was quoted: a lone `""` line is a record, a blank line is not. */
  private lastFieldQuoted = false;

  /** Parses one chunk; returns the records it completed. */
  push(text: string): string[][] {
    const out: string[][] = [];
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.quoteAtChunkEnd && i < text.length) {
      this.quoteAtChunkEnd = false;
      if (text.charCodeAt(i) === QUOTE) {
        this.field += '"';
        i++;
      } else {
        this.inQuotes = false;
      }
    }
    const n = text.length;
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          this.field += text.slice(i);
          break;
        }
        this.field += text.slice(i, q);
        if (q + 1 === n) {
          this.quoteAtChunkEnd = true;
          break;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.afterCr) {
        this.afterCr = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      if (c === QUOTE && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        i++;
      } else if (c === COMMA) {
        this.endField();
        i++;
      } else if (c === LF || c === CR) {
        this.endField();
        this.endRecord(out);
        this.afterCr = c === CR;
        i++;
      } else {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR) break;
          j++;
        }
        this.field += text.slice(i, j);
        i = j;
      }
    }
    return out;
  }

  /** Ends the input; returns the last record when the text does not end with a line break. */
  end(): { records: string[][]; unterminatedQuote: boolean } {
    const unterminatedQuote = this.inQuotes && !this.quoteAtChunkEnd;
    const out: string[][] = [];
    if (this.field !== '' || this.quoted || this.record.length > 0) {
      this.endField();
      this.endRecord(out);
    }
    return { records: out, unterminatedQuote };
  }

  private endField(): void {
    this.record.push(this.field);
    this.lastFieldQuoted = this.quoted;
    this.field = '';
    this.quoted = false;
    this.inQuotes = false;
    this.quoteAtChunkEnd = false;
  }

  private endRecord(out: string[][]): void {
    const record = this.record;
    this.record = [];
    // A blank line is no record (RFC 4180 has none; files end with one).
    if (record.length === 1 && record[0] === '' && !this.lastFieldQuoted) return;
    out.push(record);
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
