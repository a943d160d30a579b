// fast-check generators of small, random but well-formed billing line sets (contract column
// names of lambdas/core/source-columns.ts), shaped after ATTRIBUTION.md: organisations with
// accounts (leading zeros likely), commitments owned by random accounts of the same payer, every
// CUR line item type, money with up to 10 fraction digits (some in scientific notation).
import fc from 'fast-check';
import type { RefLine } from '../reference/attribution.js';

const pad12 = (n: number): string => String(n).padStart(12, '0');

/** 12-digit account ids; small numbers give several leading zeros. */
const accountId = fc.oneof(
  fc.integer({ min: 0, max: 99_999_999 }).map(pad12),
  fc.integer({ min: 100_000_000, max: 999_999_999_999 }).map(pad12),
);

/** Organisations: a payer and its accounts; accounts are unique across payers (ATTRIBUTION.md). */
export const organisations = (maxOrgs: number) =>
  fc.uniqueArray(accountId, { minLength: 2, maxLength: maxOrgs * 5 }).chain((ids) =>
    fc.integer({ min: 1, max: Math.min(maxOrgs, Math.floor(ids.length / 2)) }).map((orgs) =>
      Array.from({ length: orgs }, (_, o) => {
        const members = ids.filter((_, i) => i % orgs === o);
        return { payer: members[0]!, accounts: members };
      }),
    ),
  );

export type Organisation = { payer: string; accounts: string[] };

/**
 * An exact decimal with up to 10 fraction digits: plain text, or digits with an exponent.
 * `doubleSafe` keeps it to 15 significant digits, any magnitude: every such decimal survives a
 * round trip through a DOUBLE, so a Parquet file (money as DOUBLE) still holds it exactly and the
 * engine must read it back to the last digit.
 */
export const decimal = (doubleSafe = false) =>
  fc
    .record({
      units: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
      digits: fc.integer({ min: 0, max: 10 }),
      scientific: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    })
    .map(({ units, digits, scientific }) => {
      if (!doubleSafe) return { units, digits, scientific };
      const bound = 10n ** 15n;
      return { units: units % bound, digits, scientific };
    })
    .map(({ units, digits, scientific }) => {
      if (scientific) return `${units}E-${digits}`;
      const sign = units < 0n ? '-' : '';
      const abs = (units < 0n ? -units : units).toString().padStart(digits + 1, '0');
      return digits === 0
        ? `${sign}${abs}`
        : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
    });

export const decimalText = decimal();

/** A money field: usually a number, sometimes empty (counts as 0). */
const moneyField = (text: fc.Arbitrary<string>) => fc.option(text, { nil: null, freq: 6 });

const partition = fc.constantFrom('aws', 'aws-cn');
const region = fc.constantFrom('cn-northwest-1', 'cn-north-1', 'us-east-1', 'eu-west-1');
const hex = fc.stringMatching(/^[0-9a-f]{8}$/);

export const CUR_TYPES = [
  'Usage',
  'DiscountedUsage',
  'RIFee',
  'Fee',
  'SavingsPlanCoveredUsage',
  'SavingsPlanNegation',
  'SavingsPlanUpfrontFee',
  'SavingsPlanRecurringFee',
  'Tax',
  'Credit',
  'Refund',
  'EdpDiscount',
] as const;

/** One CUR line of an organisation. */
const curLine = (org: Organisation, money: fc.Arbitrary<string | null>) => {
  const member = fc.constantFrom(...org.accounts);
  const riArn = fc
    .tuple(partition, region, member, hex, fc.constantFrom('ec2', 'rds'))
    .map(([p, r, owner, id, service]) =>
      service === 'ec2'
        ? `arn:${p}:ec2:${r}:${owner}:reserved-instances/${id}-ri`
        : `arn:${p}:rds:${r}:${owner}:ri:reserved-${id}`,
    );
  const spArn = fc
    .tuple(partition, member, hex)
    .map(([p, owner, id]) => `arn:${p}:savingsplans::${owner}:savingsplan/${id}-sp`);
  const resource = fc.oneof(
    fc.constant(null),
    hex.map((id) => `i-0${id}`),
    fc
      .tuple(partition, region, member, hex)
      .map(([p, r, owner, id]) => `arn:${p}:ec2:${r}:${owner}:capacity-reservation/cr-0${id}`),
    // An ARN that is not a capacity reservation: never moves.
    fc
      .tuple(partition, region, member, hex)
      .map(([p, r, owner, id]) => `arn:${p}:ec2:${r}:${owner}:instance/i-0${id}`),
  );
  return fc.record({
    bill_payer_account_id: fc.constant(org.payer),
    bill_invoice_id: fc.constantFrom(null, '123456789'),
    bill_billing_period_start_date: fc.constantFrom('2025-10-01T00:00:00Z', '2025-11-01T00:00:00Z'),
    line_item_usage_account_id: member,
    line_item_line_item_type: fc.constantFrom(...CUR_TYPES),
    line_item_resource_id: resource,
    line_item_currency_code: fc.constantFrom('USD', 'USD', 'CNY'),
    line_item_unblended_cost: money,
    reservation_reservation_a_r_n: fc.option(riArn, { nil: null }),
    reservation_effective_cost: money,
    reservation_unused_amortized_upfront_fee_for_billing_period: money,
    reservation_unused_recurring_fee: money,
    savings_plan_savings_plan_a_r_n: fc.option(spArn, { nil: null }),
    savings_plan_savings_plan_effective_cost: money,
    savings_plan_total_commitment_to_date: money,
    savings_plan_used_commitment: money,
    pricing_public_on_demand_cost: money,
  });
};

/** A random CUR line set of 1-2 organisations; `doubleSafe` amounts for Parquet DOUBLE columns. */
export const curLines = (maxLines = 25, doubleSafe = false): fc.Arbitrary<RefLine[]> =>
  organisations(2).chain((orgs) =>
    fc.array(
      fc.constantFrom(...orgs).chain((org) => curLine(org, moneyField(decimal(doubleSafe)))),
      { maxLength: maxLines },
    ),
  );

const DBR_PRODUCTS = [
  'Amazon Elastic Compute Cloud',
  'Amazon Elastic Compute Cloud',
  'AmazonRDS',
  'Amazon ElastiCache',
  'Amazon Redshift',
  'Amazon Simple Storage Service',
];

/** One DBR row of one payer (all text, as the DBR reader exposes it). */
const dbrLine = (org: Organisation, subscriptions: readonly string[], invoice: string) =>
  fc.record({
    InvoiceID: fc.constant(invoice),
    PayerAccountId: fc.constant(org.payer),
    LinkedAccountId: fc.constantFrom(...org.accounts),
    RecordType: fc.constantFrom('LineItem', 'LineItem', 'LineItem', 'AccountTotal', 'InvoiceTotal'),
    ProductName: fc.constantFrom(...DBR_PRODUCTS),
    SubscriptionId: fc.constantFrom('', ...subscriptions),
    UsageType: fc.constantFrom('CNN1-BoxUsage:m5.large', 'CNN1-HeavyUsage:db.m5.large', ''),
    ItemDescription: fc.constantFrom(
      '认购 m5.large 预留实例',
      'Sign up charge for subscription: 1234, planId: 5678',
      'CNY 0.5 per On Demand Linux m5.large Instance Hour',
      '',
    ),
    UsageStartDate: fc.constant('2025-10-01 00:00:00'),
    UnBlendedCost: decimalText,
  });

/**
 * A random DBR line set of one payer, one month, with subscriptions shared between its rows and
 * an optional Rounding row (no date, as AWS writes it).
 */
export const dbrLines = (maxLines = 25): fc.Arbitrary<RefLine[]> =>
  fc
    .record({
      orgs: organisations(1),
      subscriptions: fc.uniqueArray(fc.stringMatching(/^[1-9]\d{9}$/), {
        minLength: 1,
        maxLength: 3,
      }),
      // One file is one invoice: open ('Estimated') or closed.
      invoice: fc.constantFrom('Estimated', '41234567'),
    })
    .chain(({ orgs, subscriptions, invoice }) =>
      fc
        .tuple(
          fc.array(dbrLine(orgs[0]!, subscriptions, invoice), { maxLength: maxLines }),
          fc.option(decimalText, { nil: null }),
        )
        .map(([rows, rounding]) =>
          rounding === null || rows.length === 0
            ? rows
            : [
                ...rows,
                {
                  InvoiceID: invoice,
                  PayerAccountId: orgs[0]!.payer,
                  RecordType: 'Rounding',
                  ProductName: '',
                  ItemDescription: '舍入',
                  UnBlendedCost: rounding,
                },
              ],
        ),
    );

/** FOCUS commitment discount types as AWS writes them (FOCUS spec's AWS examples). */
const FOCUS_COMMITMENT_TYPES = [
  'Reserved Instance',
  'Savings Plan',
  'Savings Plans',
  null,
] as const;

/** One FOCUS row of an organisation ("FOCUS 1.2 with AWS columns"). */
const focusLine = (org: Organisation, money: fc.Arbitrary<string | null>) => {
  const member = fc.constantFrom(...org.accounts);
  const commitmentId = fc.oneof(
    fc
      .tuple(partition, region, member, hex)
      .map(([p, r, owner, id]) => `arn:${p}:ec2:${r}:${owner}:reserved-instances/${id}-ri`),
    fc
      .tuple(partition, member, hex)
      .map(([p, owner, id]) => `arn:${p}:savingsplans::${owner}:savingsplan/${id}-sp`),
    // An ARN without an account field: the row stays.
    fc.tuple(partition, hex).map(([p, id]) => `arn:${p}:savingsplans:::savingsplan/${id}-sp`),
  );
  const crId = fc
    .tuple(partition, region, member, hex)
    .map(([p, r, owner, id]) => `arn:${p}:ec2:${r}:${owner}:capacity-reservation/cr-0${id}`);
  return fc.record({
    ProviderName: fc.constant('AWS'),
    BillingAccountId: fc.constant(org.payer),
    InvoiceId: fc.constantFrom(null, 'EUINGB25-123456'),
    BillingPeriodStart: fc.constantFrom('2025-10-01T00:00:00Z', '2025-11-01T00:00:00Z'),
    BillingCurrency: fc.constantFrom('USD', 'USD', 'CNY'),
    SubAccountId: member,
    ChargeCategory: fc.constantFrom('Usage', 'Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'),
    CommitmentDiscountId: fc.option(commitmentId, { nil: null }),
    CommitmentDiscountStatus: fc.constantFrom(null, 'Used', 'Used', 'Unused'),
    CommitmentDiscountType: fc.constantFrom(...FOCUS_COMMITMENT_TYPES),
    CapacityReservationId: fc.option(crId, { nil: null }),
    CapacityReservationStatus: fc.constantFrom(null, 'Used', 'Unused'),
    BilledCost: money,
    EffectiveCost: money,
  });
};

/** A random FOCUS row set of 1-2 organisations; `doubleSafe` amounts for Parquet DOUBLE columns. */
export const focusLines = (maxLines = 25, doubleSafe = false): fc.Arbitrary<RefLine[]> =>
  organisations(2).chain((orgs) =>
    fc.array(
      fc.constantFrom(...orgs).chain((org) => focusLine(org, moneyField(decimal(doubleSafe)))),
      { maxLength: maxLines },
    ),
  );
