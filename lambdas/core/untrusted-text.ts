// Text that comes from billing files, file names or other input, made safe where people see it:
// a spreadsheet must not run it as a formula, a terminal must not obey it as a control sequence.
// One helper per place it is shown; every writer of CSV or terminal text goes through these.

/**
 * Starts of a cell that Excel, LibreOffice and Google Sheets read as a formula or DDE call (OWASP
 * "CSV Injection": = + - @ tab CR), with the full-width forms some locales turn into them.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** The exact decimals whopays writes: a spreadsheet reads them as numbers, never as formulas. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A CSV cell that a spreadsheet shows as the text it is: a value that would start a formula gets
 * the leading apostrophe OWASP recommends (Excel shows the apostrophe; the text stays inert).
 *
 * @example spreadsheetText('=HYPERLINK("http://x")') // "'=HYPERLINK(\"http://x\")"
 */
export const spreadsheetText = (value: string): string =>
  FORMULA_START.test(value) && !DECIMAL.test(value) ? `'${value}` : value;

/**
 * C0 controls but line feed (ESC starts a terminal escape sequence, CR overwrites the line), DEL,
 * C1 controls (U+009B is a one-character CSI), bidirectional overrides and isolates (they reorder
 * what is shown: "Trojan Source"), and the Unicode line and paragraph separators.
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_NEWLINE = new RegExp(`${CONTROL.source}|\\n`, 'g');

const visible = (char: string): string => {
  const code = char.codePointAt(0)!;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * Terminal output with every control character written out as `\x1b` / `\u202e`, so an id or a
 * file name cannot recolour, move the cursor, retitle the window or reorder the text. Line feeds
 * stay: this is for whole tables.
 */
export const terminalText = (text: string): string => text.replace(CONTROL, visible);

/** One terminal line: as {@link terminalText}, with line feeds written out too. */
export const terminalLine = (text: string): string => text.replace(CONTROL_OR_NEWLINE, visible);
