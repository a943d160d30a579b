/**
 * The shape every generated billing file shares: accounts, commitments and how cost is spread.
 *
 * Everything is a pure function of the row number (DuckDB `hash`), so a file is the same on every
 * run and generation parallelises over DuckDB's threads without a seeded, ordered random stream.
 */
export interface Shape {
  /** Billing lines to generate (totals rows of a DBR come on top). */
  readonly rows: number;
  /** Linked accounts under the one payer. */
  readonly accounts: number;
  /** Reserved Instances (CUR) or RI subscriptions (DBR). */
  readonly reservedInstances: number;
  readonly savingsPlans: number;
  readonly capacityReservations: number;
  /**
   * Commitments are owned by the first `owners` accounts only: organizations buy RIs and Savings
   * Plans centrally (the payer, a commitments account, a few business units), not in every account.
   */
  readonly owners: number;
  /** The billing period, YYYY-MM. */
  readonly billingPeriod: string;
}

export const shapeFor = (rows: number, billingPeriod = '2025-11'): Shape => ({
  rows,
  accounts: 3000,
  reservedInstances: 300,
  savingsPlans: 120,
  capacityReservations: 60,
  owners: 10,
  billingPeriod,
});

/** The payer of every generated file (leading zeros on purpose: ids are text). */
export const PAYER_ACCOUNT_ID = '052601815908';

const ACCOUNT_BASE = 3786579754;
const ACCOUNT_STEP = 104729;

/** The account id of account number `k`: 12 digits, two leading zeros. */
export const accountId = (k: number): string =>
  String(ACCOUNT_BASE + k * ACCOUNT_STEP).padStart(12, '0');

/**
 * SQL macros the generators build on (DuckDB). `u(i, salt)` is a uniform number in [0, 1) drawn
 * from the row number; `zipf(i, salt, n)` picks 0..n-1 with P(k) ∝ 1/(k+1), so a few accounts carry
 * most lines and most cost, as in a real organization.
 */
export const macrosSql = (shape: Shape): string => `
create or replace macro u(i, salt) as (hash(i, salt) % 1000000)::double / 1000000;
create or replace macro zipf(i, salt, n) as
  least(n - 1, floor(exp(u(i, salt) * ln(n + 1)))::bigint - 1);
create or replace macro acct(k) as printf('%012d', ${ACCOUNT_BASE} + k * ${ACCOUNT_STEP});
create or replace macro owner_of(c, salt) as acct(zipf(c, salt, ${shape.owners}));
create or replace macro money(x) as round(x, 10);
`;
