import { z } from 'zod';
import { InputError } from './errors.js';
import { type Amount, formatMoney, parseMoney, SCALE } from './money.js';
import type { Money, PeriodReport, Report } from './report-model.js';

const CURRENCY = /^[A-Z]{3}$/;
// Strings, not JSON numbers: a float rate would silently lose digits before the exact arithmetic.
const RATE = /^\d+(\.\d{1,10})?$/;

const RatesFileSchema = z
  .object({
    base: z.string({ error: 'base must be a currency code such as "USD"' }).regex(CURRENCY, {
      error: 'base must be a 3-letter currency code such as "USD"',
    }),
    asOf: z
      .string({ error: 'asOf must be a date string' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'asOf must be a date YYYY-MM-DD' })
      .optional(),
    rates: z.record(
      z.string().regex(CURRENCY, { error: 'rates keys must be 3-letter currency codes' }),
      z
        .string({
          error: 'each rate must be a decimal string such as "0.1385" (not a JSON number)',
        })
        .regex(RATE, { error: 'each rate must be a positive decimal with at most 10 decimals' }),
      { error: 'rates must be an object such as {"CNY": "0.1385"}' },
    ),
  })
  .strict();

/** A validated `--rates` file: units of `base` per one unit of each currency. */
export interface RatesFile {
  readonly file: string;
  readonly base: string;
  readonly asOf?: string;
  readonly rates: Readonly<Record<string, string>>;
}

/**
 * Parses the text of a `--rates` file, e.g. `{"base":"USD","rates":{"CNY":"0.1385"},"asOf":"2025-10-31"}`.
 * Rates are decimal strings (at most 10 decimals, greater than zero).
 *
 * @throws InputError naming `file` and the first broken rule.
 */
export function parseRatesFile(text: string, file: string): RatesFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const parsed = RatesFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
    throw new InputError(file, `${where}${message}`);
  }
  const { base, asOf, rates } = parsed.data;
  for (const [currency, rate] of Object.entries(rates)) {
    if (parseMoney(rate) === 0n)
      throw new InputError(file, `rates.${currency}: a rate must be greater than 0`);
  }
  return { file, base, ...(asOf !== undefined && { asOf }), rates };
}

const ROUND = 10n ** BigInt(SCALE);

/**
 * amount × rate, rounded half away from zero back to the money scale (10 decimals). Both operands
 * carry 10 decimals, so the exact product carries 20 and is rounded once.
 *
 * @example multiplyMoney(parseMoney('100'), parseMoney('0.1385')) === parseMoney('13.85')
 */
export function multiplyMoney(amount: Amount, rate: Amount): Amount {
  const product = amount * rate;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + ROUND / 2n) / ROUND;
  return negative ? -rounded : rounded;
}

/** One account of the converted view: its billed figures converted into the base currency. */
export interface ConvertedAccount {
  readonly accountId: string;
  readonly payerAccountId: string;
  /** The currency the account was billed in (the source of the conversion). */
  readonly currency: string;
  readonly usageCost: Money;
  readonly ownerCost: Money;
  readonly invoiceCost: Money;
}

export interface ConvertedGroup {
  readonly name: string;
  readonly accountIds: readonly string[];
  readonly usageCost: Money;
  readonly ownerCost: Money;
  readonly invoiceCost: Money;
}

/** One billing period, every currency of it converted into the base currency and consolidated. */
export interface ConvertedPeriod {
  readonly billingPeriod: string;
  /** The currencies billed in this period (each converted with `rates[currency]`). */
  readonly sourceCurrencies: readonly string[];
  readonly payerAccountIds: readonly string[];
  readonly accounts: readonly ConvertedAccount[];
  readonly groups?: readonly ConvertedGroup[];
  /** Sums of the converted account figures (and the converted rounding of every currency). */
  readonly totals: {
    readonly usageCost: Money;
    readonly ownerCost: Money;
    readonly invoiceCost: Money;
    readonly rounding: Money;
  };
}

/**
 * The optional converted consolidated view (`report.converted`). It is never a bill: the billed
 * figures stay in `periods[]`, one entry per (billing period, currency).
 */
export interface ConvertedView {
  readonly label: string;
  /** ISO currency code every amount of this view is expressed in. */
  readonly base: string;
  readonly asOf?: string;
  /** Units of `base` per one unit of each currency, exactly as given in the rates file. */
  readonly rates: Readonly<Record<string, string>>;
  readonly periods: readonly ConvertedPeriod[];
}

/** A report with the optional converted view. */
export type ReportWithConverted = Report & { readonly converted?: ConvertedView };

/**
 * Builds the converted consolidated view: every (period, currency) entry of the report converted
 * into `rates.base` and consolidated per billing period. Each account figure is converted once
 * (multiplyMoney); group and period totals are sums of the converted account figures, so the view
 * keeps "each group equals the sum of its members". The billed figures are left untouched.
 *
 * @throws InputError naming the rates file when it has no rate for a currency the report bills in.
 */
export function convertReport(report: Report, rates: RatesFile): ConvertedView {
  const rateOf = new Map<string, Amount>();
  const used: Record<string, string> = {};
  const rate = (currency: string, period: string): Amount => {
    let found = rateOf.get(currency);
    if (found === undefined) {
      const text = currency === rates.base ? '1' : rates.rates[currency];
      if (text === undefined) {
        throw new InputError(
          rates.file,
          `no rate for ${currency} (the report bills ${period} in ${currency}); add "${currency}" to rates`,
        );
      }
      found = parseMoney(text);
      rateOf.set(currency, found);
      used[currency] = text;
    }
    return found;
  };
  const byPeriod = new Map<string, PeriodReport[]>();
  for (const p of report.periods)
    byPeriod.set(p.billingPeriod, [...(byPeriod.get(p.billingPeriod) ?? []), p]);
  const periods = [...byPeriod.keys()].sort().map((billingPeriod) => {
    const entries = byPeriod.get(billingPeriod)!;
    const accounts: ConvertedAccount[] = [];
    const converted = new Map<string, { usage: Amount; owner: Amount; invoice: Amount }>();
    let rounding = 0n;
    for (const p of entries) {
      const r = rate(p.currency, billingPeriod);
      rounding += multiplyMoney(parseMoney(p.totals.rounding), r);
      for (const a of p.accounts) {
        const c = {
          usage: multiplyMoney(parseMoney(a.usageCost), r),
          owner: multiplyMoney(parseMoney(a.ownerCost), r),
          invoice: multiplyMoney(parseMoney(a.invoiceCost), r),
        };
        converted.set(`${p.currency}\u0000${a.accountId}`, c);
        accounts.push({
          accountId: a.accountId,
          payerAccountId: a.payerAccountId,
          currency: p.currency,
          usageCost: formatMoney(c.usage),
          ownerCost: formatMoney(c.owner),
          invoiceCost: formatMoney(c.invoice),
        });
      }
    }
    accounts.sort((a, b) => cmp(a.accountId, b.accountId) || cmp(a.currency, b.currency));
    const sum = (pick: (c: { usage: Amount; owner: Amount; invoice: Amount }) => Amount): Money =>
      formatMoney([...converted.values()].reduce((s, c) => s + pick(c), 0n));
    const groups = convertGroups(entries, converted);
    return {
      billingPeriod,
      sourceCurrencies: entries.map((p) => p.currency).sort(),
      payerAccountIds: [...new Set(entries.flatMap((p) => p.payerAccountIds))].sort(),
      accounts,
      ...(groups !== undefined && { groups }),
      totals: {
        usageCost: sum((c) => c.usage),
        ownerCost: sum((c) => c.owner),
        invoiceCost: sum((c) => c.invoice),
        rounding: formatMoney(rounding),
      },
    };
  });
  return {
    label: `Converted into ${rates.base} at the rates below, for comparison only: not billed amounts. The billed figures are in periods, one entry per currency.`,
    base: rates.base,
    ...(rates.asOf !== undefined && { asOf: rates.asOf }),
    rates: used,
    periods,
  };
}

/** Groups of a consolidated period: a group's converted figure is Σ of its members' converted ones. */
function convertGroups(
  entries: readonly PeriodReport[],
  converted: ReadonlyMap<string, { usage: Amount; owner: Amount; invoice: Amount }>,
): ConvertedGroup[] | undefined {
  if (!entries.some((p) => p.groups !== undefined)) return undefined;
  const groups = new Map<
    string,
    { ids: Set<string>; usage: Amount; owner: Amount; invoice: Amount }
  >();
  for (const p of entries) {
    for (const g of p.groups ?? []) {
      const sum = groups.get(g.name) ?? {
        ids: new Set<string>(),
        usage: 0n,
        owner: 0n,
        invoice: 0n,
      };
      for (const id of g.accountIds) {
        sum.ids.add(id);
        const c = converted.get(`${p.currency}\u0000${id}`);
        if (c === undefined) continue;
        sum.usage += c.usage;
        sum.owner += c.owner;
        sum.invoice += c.invoice;
      }
      groups.set(g.name, sum);
    }
  }
  return [...groups].map(([name, s]) => ({
    name,
    accountIds: [...s.ids].sort(),
    usageCost: formatMoney(s.usage),
    ownerCost: formatMoney(s.owner),
    invoiceCost: formatMoney(s.invoice),
  }));
}

/** The report with its converted view added (the CLI's `--rates FILE`). */
export const withConvertedView = (report: Report, rates: RatesFile): ReportWithConverted => ({
  ...report,
  converted: convertReport(report, rates),
});

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
