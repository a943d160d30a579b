import { InputError } from './errors.js';

/** The ISO 4217 codes in use, as this runtime's ICU data lists them. */
const ISO_4217: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/**
 * Reads the currency codes of one source: trimmed and upper case (`usd`, ` USD` → `USD`), so one
 * bill never splits into several currencies; blank or NULL is no code (undefined). Each distinct
 * text is checked once.
 *
 * @throws InputError naming `file` when a code is not ISO 4217.
 */
export function currencyCodeReader(file: string): (code: string | null) => string | undefined {
  const known = new Map<string | null, string | undefined>();
  return (code) => {
    if (known.has(code)) return known.get(code);
    const normalized = code?.trim().toUpperCase() || undefined;
    if (normalized !== undefined && !ISO_4217.has(normalized)) {
      throw new InputError(file, `currency code ${JSON.stringify(code)} is not an ISO 4217 code`);
    }
    known.set(code, normalized);
    return normalized;
  };
}
