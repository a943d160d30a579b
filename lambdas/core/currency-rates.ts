import type { Money, Report } from './report-model.js';

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
