/**
 * An independent reference of shared/docs/ATTRIBUTION.md, used only by tests to cross-check the
 * SQL ledgers and the report core. It is written straight from the document, line by line, in
 * plain TypeScript with BigInt money, and deliberately shares no code with lambdas/ (not even
 * money.ts): a bug copied into both could not be caught.
 */

/** One billing line: contract column name -> text value (null or absent = empty field). */
export type RefLine = Readonly<Record<string, string | null | undefined>>;

export type RefCommitment = 'ri' | 'sp' | 'cr';

export interface RefAccount {
  usage: bigint;
  owner: bigint;
  invoice: bigint;
}

/** One (billing period, currency) of the reference result. Money in units of 1e-10. */
export interface RefPeriod {
  readonly billingPeriod: string;
  readonly currency: string;
  readonly accounts: Map<string, RefAccount>;
  /** Key `owner|consumer|kind`; zero amounts are kept here and dropped by {@link nonZero}. */
  readonly transfers: Map<string, bigint>;
  rounding: bigint;
  /** DBR subscription ids claimed by more than one account. */
  readonly ambiguous: Set<string>;
  lines: number;
  finalLines: number;
  /** The commitment detail of ATTRIBUTION.md, keyed `kind|id|owner`. */
  readonly commitments: Map<string, RefCommitmentDetail>;
}

/** One commitment of the reference: consumers' cost and on-demand cost, unused fees. */
export interface RefCommitmentDetail {
  readonly kind: RefCommitment;
  readonly id: string;
  readonly owner: string;
  /** account -> cost and on-demand cost (null while no line has an on-demand price). */
  readonly consumers: Map<string, { cost: bigint; onDemand: bigint | null }>;
  /** null while no unused line was seen. */
  unused: bigint | null;
}

const SCALE = 10;
const UNIT = 10n ** BigInt(SCALE);

/**
 * Exact decimal text (optionally with an exponent) to units of 1e-10, half away from zero past the
 * tenth digit. Empty or missing is 0 (ATTRIBUTION.md: "Empty or null numeric fields count as 0").
 */
export function refMoney(text: string | null | undefined): bigint {
  const t = (text ?? '').trim();
  if (t === '') return 0n;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m || `${m[2]}${m[3] ?? ''}` === '') throw new Error(`reference: not a number: ${text}`);
  const negative = m[1] === '-';
  const digits = `${m[2]}${m[3] ?? ''}`;
  // value = digits * 10^(exp - fractionLength); in units: * 10^(SCALE + exp - fractionLength)
  const shift = SCALE + Number(m[4] ?? '0') - (m[3] ?? '').length;
  let units: bigint;
  if (shift >= 0) {
    units = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const whole = BigInt(digits);
    units = whole / divisor;
    if ((whole % divisor) * 2n >= divisor) units += 1n;
  }
  return negative ? -units : units;
}

/** Units back to a plain decimal string with 10 fraction digits (for messages). */
export function refFormat(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  return `${sign}${abs / UNIT}.${(abs % UNIT).toString().padStart(SCALE, '0')}`;
}

const text = (line: RefLine, column: string): string => line[column] ?? '';

/** The fifth `:`-separated field of an ARN (its account), or undefined. */
function arnAccount(arn: string): string | undefined {
  const fields = arn.split(':');
  if (fields[0] !== 'arn' || fields.length < 6) return undefined;
  return fields[4] === '' ? undefined : fields[4];
}

const isCapacityReservationArn = (id: string): boolean => {
  const fields = id.split(':');
  return (
    fields.length >= 6 &&
    fields[0] === 'arn' &&
    fields[2] === 'ec2' &&
    fields.slice(5).join(':').startsWith('capacity-reservation/cr-')
  );
};

function period(periods: Map<string, RefPeriod>, billingPeriod: string, currency: string) {
  const key = `${billingPeriod}|${currency}`;
  let p = periods.get(key);
  if (p === undefined) {
    p = {
      billingPeriod,
      currency,
      accounts: new Map(),
      transfers: new Map(),
      rounding: 0n,
      ambiguous: new Set(),
      lines: 0,
      finalLines: 0,
      commitments: new Map(),
    };
    periods.set(key, p);
  }
  return p;
}

function account(p: RefPeriod, id: string): RefAccount {
  let a = p.accounts.get(id);
  if (a === undefined) {
    a = { usage: 0n, owner: 0n, invoice: 0n };
    p.accounts.set(id, a);
  }
  return a;
}

/** Books one line item in every basis of ATTRIBUTION.md. */
function book(
  p: RefPeriod,
  consumer: string,
  owner: string,
  kind: RefCommitment | undefined,
  usageBasis: bigint,
  invoiceAccount: string,
  invoiceBasis: bigint,
) {
  account(p, consumer).usage += usageBasis;
  account(p, owner).owner += usageBasis;
  account(p, invoiceAccount).invoice += invoiceBasis;
  if (owner !== consumer && kind !== undefined) {
    const key = `${owner}|${consumer}|${kind}`;
    p.transfers.set(key, (p.transfers.get(key) ?? 0n) + usageBasis);
  }
}

function commitmentOf(p: RefPeriod, kind: RefCommitment, id: string, owner: string) {
  const key = `${kind}|${id}|${owner}`;
  let c = p.commitments.get(key);
  if (c === undefined) {
    c = { kind, id, owner, consumers: new Map(), unused: null };
    p.commitments.set(key, c);
  }
  return c;
}

/** A consumer of a commitment: the account whose covered line it is. */
function consume(
  p: RefPeriod,
  kind: RefCommitment,
  id: string,
  owner: string,
  consumer: string,
  cost: bigint,
  onDemand: bigint | null,
) {
  const c = commitmentOf(p, kind, id, owner);
  const seen = c.consumers.get(consumer) ?? { cost: 0n, onDemand: null };
  seen.cost += cost;
  if (onDemand !== null) seen.onDemand = (seen.onDemand ?? 0n) + onDemand;
  c.consumers.set(consumer, seen);
}

function leaveUnused(p: RefPeriod, kind: RefCommitment, id: string, owner: string, cost: bigint) {
  const c = commitmentOf(p, kind, id, owner);
  c.unused = (c.unused ?? 0n) + cost;
}

/**
 * The commitment detail of one CUR line (ATTRIBUTION.md, "Commitment detail"): a covered line is
 * its consumer's, a CR's own line is also its unused capacity, an RIFee or SavingsPlanRecurringFee
 * line is its unused part. ARNs that name no owner belong to no commitment.
 */
function curDetail(p: RefPeriod, line: RefLine, amortized: bigint) {
  const type = text(line, 'line_item_line_item_type');
  const consumer = text(line, 'line_item_usage_account_id');
  const onDemandText = text(line, 'pricing_public_on_demand_cost').trim();
  const onDemand = onDemandText === '' ? null : refMoney(onDemandText);
  const ri = text(line, 'reservation_reservation_a_r_n');
  const sp = text(line, 'savings_plan_savings_plan_a_r_n');
  const resource = text(line, 'line_item_resource_id');
  const riOwner = arnAccount(ri);
  const spOwner = arnAccount(sp);
  if (type === 'DiscountedUsage' && riOwner)
    consume(p, 'ri', ri, riOwner, consumer, amortized, onDemand);
  if (type === 'SavingsPlanCoveredUsage' && spOwner) {
    consume(p, 'sp', sp, spOwner, consumer, amortized, onDemand);
  }
  if (type === 'RIFee' && riOwner) leaveUnused(p, 'ri', ri, riOwner, amortized);
  if (type === 'SavingsPlanRecurringFee' && spOwner) leaveUnused(p, 'sp', sp, spOwner, amortized);
  const crOwner = arnAccount(resource);
  if (type === 'Usage' && isCapacityReservationArn(resource) && crOwner) {
    consume(p, 'cr', resource, crOwner, consumer, amortized, null);
    leaveUnused(p, 'cr', resource, crOwner, amortized);
  }
}

/**
 * usedCost / (usedCost + unusedCost) to 4 places, half away from zero (ATTRIBUTION.md); null when
 * unknown, when the total is 0, and for a CR.
 */
export function refUtilization(
  kind: RefCommitment,
  used: bigint,
  unused: bigint | null,
): string | null {
  if (kind === 'cr' || unused === null || used + unused === 0n) return null;
  // Work in units of 1e-5 of the ratio, then round the last digit away from zero.
  const total = used + unused;
  const fifthPlace = (used * 100_000n) / total; // truncated toward zero
  const rounded = (fifthPlace + (fifthPlace < 0n ? -5n : 5n)) / 10n;
  const sign = rounded < 0n ? '-' : '';
  const abs = rounded < 0n ? -rounded : rounded;
  return `${sign}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
}

/** The amortized cost of one CUR line, by line item type (the table of ATTRIBUTION.md). */
export function amortizedCost(line: RefLine): bigint {
  const m = (column: string) => refMoney(line[column]);
  switch (text(line, 'line_item_line_item_type')) {
    case 'DiscountedUsage':
      return m('reservation_effective_cost');
    case 'RIFee':
      return (
        m('reservation_unused_amortized_upfront_fee_for_billing_period') +
        m('reservation_unused_recurring_fee')
      );
    case 'Fee':
      return text(line, 'reservation_reservation_a_r_n').trim() !== ''
        ? 0n
        : m('line_item_unblended_cost');
    case 'SavingsPlanCoveredUsage':
      return m('savings_plan_savings_plan_effective_cost');
    case 'SavingsPlanNegation':
    case 'SavingsPlanUpfrontFee':
      return 0n;
    case 'SavingsPlanRecurringFee':
      return m('savings_plan_total_commitment_to_date') - m('savings_plan_used_commitment');
    default:
      return m('line_item_unblended_cost');
  }
}

/** Which commitment moves a CUR line to its owner, and that owner (ATTRIBUTION.md). */
function curMove(line: RefLine): { kind: RefCommitment; owner: string } | undefined {
  const type = text(line, 'line_item_line_item_type');
  const withOwner = (kind: RefCommitment, arn: string) => {
    const owner = arnAccount(arn);
    return owner === undefined ? undefined : { kind, owner };
  };
  if (type === 'DiscountedUsage')
    return withOwner('ri', text(line, 'reservation_reservation_a_r_n'));
  if (type === 'SavingsPlanCoveredUsage') {
    return withOwner('sp', text(line, 'savings_plan_savings_plan_a_r_n'));
  }
  const resource = text(line, 'line_item_resource_id');
  if (type === 'Usage' && isCapacityReservationArn(resource)) return withOwner('cr', resource);
  return undefined;
}

/**
 * The reference result of CUR 1 / CUR 2.0 lines: usageCost = amortized by usage account,
 * ownerCost = amortized with commitment-covered lines moved to the ARN's account, invoiceCost =
 * unblended by usage account, one entry per (billing period, currency).
 */
export function referenceCur(lines: readonly RefLine[]): Map<string, RefPeriod> {
  const periods = new Map<string, RefPeriod>();
  for (const line of lines) {
    const billingPeriod = text(line, 'bill_billing_period_start_date').slice(0, 7);
    const p = period(periods, billingPeriod, text(line, 'line_item_currency_code'));
    const consumer = text(line, 'line_item_usage_account_id');
    const move = curMove(line);
    const owner = move?.owner ?? consumer;
    const unblended = refMoney(line.line_item_unblended_cost);
    const amortized = amortizedCost(line);
    book(p, consumer, owner, move?.kind, amortized, consumer, unblended);
    curDetail(p, line, amortized);
    p.lines += 1;
    if (text(line, 'bill_invoice_id').trim() !== '') p.finalLines += 1;
  }
  return periods;
}

export const DEFAULT_MARKERS = ['认购', 'Sign up charge for subscription'];

const HEAVY_USAGE_PRODUCTS = new Set([
  'Amazon ElastiCache',
  'Amazon Elasticsearch Service',
  'AmazonRDS',
  'AmazonRedshift',
  'Amazon Relational Database Service',
  'Amazon Redshift',
  'Amazon OpenSearch Service',
]);

/**
 * The reference result of DBR lines (one payer's file, the published AWS China method): line items are rows whose
 * RecordType contains 'LineItem'; a subscription is owned by the account whose rows carry its
 * purchase (EC2 marker, or a HeavyUsage row of the other reservable services); a subscription
 * claimed twice stays with its usage accounts. invoiceCost equals ownerCost. Rounding rows (no
 * date) go to totals.rounding of the period of the file's dated lines.
 */
export function referenceDbr(
  lines: readonly RefLine[],
  currency: string,
  markers: readonly string[] = DEFAULT_MARKERS,
): Map<string, RefPeriod> {
  // The published method's SQLite LIKE '%LineItem%' ignores ASCII case.
  const isLineItem = (line: RefLine) => text(line, 'RecordType').toLowerCase().includes('lineitem');
  const subscription = (line: RefLine) => text(line, 'SubscriptionId').trim();
  const claims = new Map<string, Set<string>>();
  for (const line of lines.filter(isLineItem)) {
    const id = subscription(line);
    if (id === '') continue;
    const product = text(line, 'ProductName');
    const ec2Purchase =
      product === 'Amazon Elastic Compute Cloud' &&
      markers.some((marker) => text(line, 'ItemDescription').includes(marker));
    const heavy =
      HEAVY_USAGE_PRODUCTS.has(product) && text(line, 'UsageType').includes('HeavyUsage');
    if (ec2Purchase || heavy) {
      const set = claims.get(id) ?? new Set<string>();
      set.add(text(line, 'LinkedAccountId'));
      claims.set(id, set);
    }
  }
  const periods = new Map<string, RefPeriod>();
  const dated = lines.map((line) => text(line, 'UsageStartDate').trim().slice(0, 7));
  const latest =
    dated
      .filter((d) => d !== '')
      .sort()
      .at(-1) ?? '';
  lines.forEach((line, i) => {
    const billingPeriod = dated[i] || latest;
    const record = text(line, 'RecordType').trim();
    const invoice = text(line, 'InvoiceID').trim();
    const closed = invoice !== '' && invoice !== 'Estimated';
    if (record === 'Rounding') {
      // The invoice's own row: it says whether the bill is closed, like the line items do.
      const p = period(periods, billingPeriod, currency);
      p.rounding += refMoney(line.UnBlendedCost);
      p.lines += 1;
      if (closed) p.finalLines += 1;
      return;
    }
    if (!isLineItem(line)) return;
    const p = period(periods, billingPeriod, currency);
    const consumer = text(line, 'LinkedAccountId');
    const claimants = claims.get(subscription(line));
    let owner = consumer;
    if (claimants?.size === 1) owner = [...claimants][0]!;
    if (claimants !== undefined && claimants.size > 1) p.ambiguous.add(subscription(line));
    const cost = refMoney(line.UnBlendedCost);
    book(p, consumer, owner, owner === consumer ? undefined : 'ri', cost, owner, cost);
    // An owned subscription: every line item carrying it is its consumer's; no unused, no price.
    if (claimants?.size === 1) consume(p, 'ri', subscription(line), owner, consumer, cost, null);
    p.lines += 1;
    if (closed) p.finalLines += 1;
  });
  return periods;
}

/** The transfers of a period without zero amounts (the report omits them). */
export const nonZero = (transfers: Map<string, bigint>): Map<string, bigint> =>
  new Map([...transfers].filter(([, cost]) => cost !== 0n));

/** The ARN account of a FOCUS id: the fifth field, '' when the field is empty; undefined for a non-ARN. */
function focusArnAccount(id: string): string | undefined {
  const fields = id.split(':');
  if (fields[0] !== 'arn' || fields.length < 6) return undefined;
  return fields[4];
}

/**
 * Which commitment moves a FOCUS row to its owner (ATTRIBUTION.md, FOCUS): a `Used` commitment
 * discount row to the account of its CommitmentDiscountId (sp when the type names a Savings Plan,
 * else ri), else an `Unused` capacity reservation row to the account of its CapacityReservationId.
 * A commitment discount takes precedence; an id that is not an ARN, or names no account, moves nothing.
 */
function focusMove(line: RefLine): { kind: RefCommitment; owner: string } | undefined {
  if (text(line, 'CommitmentDiscountStatus') === 'Used') {
    const owner = focusArnAccount(text(line, 'CommitmentDiscountId'));
    const savingsPlan = text(line, 'CommitmentDiscountType').toLowerCase().includes('savings plan');
    return owner ? { kind: savingsPlan ? 'sp' : 'ri', owner } : undefined;
  }
  if (text(line, 'CapacityReservationStatus') === 'Unused') {
    const owner = focusArnAccount(text(line, 'CapacityReservationId'));
    return owner ? { kind: 'cr', owner } : undefined;
  }
  return undefined;
}

/**
 * The reference result of FOCUS rows: usageCost = EffectiveCost by SubAccountId, ownerCost = the
 * same with moved rows on their commitment's owner, invoiceCost = BilledCost by SubAccountId; the
 * period is BillingPeriodStart's YYYY-MM, the currency BillingCurrency; a row is final when it
 * has an InvoiceId.
 */
export function referenceFocus(lines: readonly RefLine[]): Map<string, RefPeriod> {
  const periods = new Map<string, RefPeriod>();
  for (const line of lines) {
    const billingPeriod = text(line, 'BillingPeriodStart').slice(0, 7);
    const p = period(periods, billingPeriod, text(line, 'BillingCurrency'));
    const consumer = text(line, 'SubAccountId');
    const move = focusMove(line);
    const owner = move?.owner ?? consumer;
    const effective = refMoney(line.EffectiveCost);
    book(p, consumer, owner, move?.kind, effective, consumer, refMoney(line.BilledCost));
    // The commitment detail from FOCUS: a moved row is its commitment's consumer; a CR's unused
    // row is also its unused capacity, as in CUR. Unused RI/SP rows are not tied to theirs yet.
    if (move !== undefined) {
      const id = text(line, move.kind === 'cr' ? 'CapacityReservationId' : 'CommitmentDiscountId');
      consume(p, move.kind, id, move.owner, consumer, effective, null);
      if (move.kind === 'cr') leaveUnused(p, 'cr', id, move.owner, effective);
    }
    p.lines += 1;
    if (text(line, 'InvoiceId').trim() !== '') p.finalLines += 1;
  }
  return periods;
}
