/**
 * Exact decimal money: a BigInt count of 10^-10 units, the scale of the SQL's DECIMAL(38,10).
 * Amounts travel as decimal strings; parse once, add as BigInt, format once.
 */
export type Amount = bigint;

/** Fraction digits carried, as in DECIMAL(38,10). */
export const SCALE = 10;

const ZEROS = '0'.repeat(SCALE);
// DuckDB and Athena print DECIMAL(38,10) as `-12.3400000000`; exponents (how a DOUBLE prints) are
// refused so that a float never slips into a sum.
const DECIMAL = /^[+-]?\d*(?:\.\d*)?$/;
const ZERO_DIGITS = /^0*$/;

/** A string that is not a plain decimal amount. */
export class MoneyFormatError extends Error {
  constructor(readonly text: string) {
    super(
      `not a decimal amount: ${JSON.stringify(text)} (expected digits with an optional sign and up to ${SCALE} fraction digits)`,
    );
    this.name = 'MoneyFormatError';
  }
}

/**
 * Parses a decimal string into an exact amount.
 *
 * Accepts an optional sign, leading zeros, and up to 10 fraction digits (more only when the extra
 * digits are zeros, as a wider DECIMAL prints them).
 *
 * @example parseMoney('-0012.5') === -125000000000n
 * @throws MoneyFormatError for anything else (empty text, exponents, commas, 11 significant fraction digits).
 */
export function parseMoney(text: string): Amount {
  // A test and slices instead of a capturing exec: this runs once per ledger figure.
  if (!DECIMAL.test(text)) throw new MoneyFormatError(text);
  const first = text.charCodeAt(0);
  const signed = first === 45 /* - */ || first === 43; /* + */
  const dot = text.indexOf('.');
  const int = text.slice(signed ? 1 : 0, dot === -1 ? text.length : dot);
  let frac = dot === -1 ? '' : text.slice(dot + 1);
  if (int === '' && frac === '') throw new MoneyFormatError(text);
  if (frac.length > SCALE) {
    if (!ZERO_DIGITS.test(frac.slice(SCALE))) throw new MoneyFormatError(text);
    frac = frac.slice(0, SCALE);
  }
  const units = BigInt(int + frac + ZEROS.slice(frac.length));
  return first === 45 ? -units : units;
}

/**
 * Formats an amount as the report's decimal string: 10 fraction digits, zero as `"0"`.
 *
 * @example formatMoney(12345600000000n) === '1234.5600000000'
 */
export function formatMoney(amount: Amount): string {
  if (amount === 0n) return '0';
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(SCALE + 1, '0');
  const cut = digits.length - SCALE;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** Sum of decimal strings, exact. */
export function sumMoney(values: Iterable<string>): string {
  let total = 0n;
  for (const v of values) total += parseMoney(v);
  return formatMoney(total);
}

/** a + b, exact. */
export const addMoney = (a: string, b: string): string =>
  formatMoney(parseMoney(a) + parseMoney(b));

/** a − b, exact. */
export const subtractMoney = (a: string, b: string): string =>
  formatMoney(parseMoney(a) - parseMoney(b));

/** −1, 0 or 1 as a is less than, equal to or greater than b (numerically: "1.0" equals "1"). */
export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  const x = parseMoney(a);
  const y = parseMoney(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when the amount is zero, whatever its spelling ("0", "-0.000", "0.0000000000"). */
export const isZeroMoney = (a: string): boolean => parseMoney(a) === 0n;

/**
 * Rounds an amount half away from zero to `digits` decimals and groups thousands with commas:
 * for display only (tables, messages), never for the JSON or CSV.
 *
 * @example displayMoney('-1234.565') === '-1,234.57'
 */
export function displayMoney(value: string | Amount, digits = 2): string {
  const amount = typeof value === 'bigint' ? value : parseMoney(value);
  const step = 10n ** BigInt(SCALE - digits);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const rounded = (abs + step / 2n) / step;
  const text = rounded.toString().padStart(digits + 1, '0');
  const cut = text.length - digits;
  const int = text.slice(0, cut).replace(/\B(?=(\d{3})+$)/g, ',');
  const sign = negative && rounded !== 0n ? '-' : '';
  return digits === 0 ? `${sign}${int}` : `${sign}${int}.${text.slice(cut)}`;
}
