/**
 * What whopays must report for each example set, worked out by hand from the scenario lines in
 * examples/scenarios/ with the rules of shared ATTRIBUTION.md (never by running whopays). The
 * arithmetic is in the comments; test/examples/ also re-derives every figure from the scenario
 * lines with a few lines of BigInt code, so a slip here cannot hide.
 *
 * Amounts are plain decimal strings; compare them numerically.
 */
import { ACME_DATA, ACME_FINOPS, ACME_PAYER, ACME_SHARED, ACME_WEB } from './scenarios/cur-acme.js';
import {
  GLOBEX_ANALYTICS,
  GLOBEX_ML,
  GLOBEX_PAYER,
  GLOBEX_PLATFORM,
} from './scenarios/cur2-globex.js';
import { CHINA_APPS, CHINA_PAYER, CHINA_PLATFORM } from './scenarios/dbr-china.js';

export interface ExpectedAccount {
  readonly accountId: string;
  readonly payerAccountId: string;
  readonly usageCost: string;
  readonly ownerCost: string;
  readonly invoiceCost: string;
}

export interface ExpectedTransfer {
  readonly ownerAccountId: string;
  readonly consumerAccountId: string;
  readonly commitment: 'ri' | 'sp' | 'cr';
  readonly cost: string;
}

export interface ExpectedGroup {
  readonly name: string;
  readonly accountIds: readonly string[];
  readonly usageCost: string;
  readonly ownerCost: string;
  readonly invoiceCost: string;
}

export interface ExpectedPeriod {
  readonly billingPeriod: string;
  readonly currency: string;
  readonly payerAccountIds: readonly string[];
  readonly final: boolean;
  readonly accounts: readonly ExpectedAccount[];
  readonly transfers: readonly ExpectedTransfer[];
  readonly totals: {
    readonly usageCost: string;
    readonly ownerCost: string;
    /** Σ of the accounts' invoiceCost; the DBR Rounding row stays apart in `rounding`. */
    readonly invoiceCost: string;
    readonly rounding: string;
  };
  readonly groups?: readonly ExpectedGroup[];
}

/** One example set: the `whopays report` arguments (relative to the data folder) and its period. */
export interface ExpectedSet {
  readonly title: string;
  /** Paths under the generator's output folder; `groups` is relative to the repository. */
  readonly paths: readonly string[];
  readonly groups?: string;
  readonly period: ExpectedPeriod;
}

/*
 * DBR, AWS China, payer 052601815908 (P), platform 003786579754 (A), apps 006671276842 (B). CNY.
 *
 * Line items by LinkedAccountId (the detail file's "who uses pays"):
 *   A: RI upfront 2400.00 + RI fee (144 h unused) 64.80 + m5.large 224.328 + S3 12.3456789012
 *      + VAT 178.29                                                         = 2879.7636789012
 *   B: RI-covered c5.xlarge 167.40 + 102.60 + RDS RI-covered 410.00 + EBS 58.6666666667
 *      − credit 50.00 + VAT 0.52                                            =  689.1866666667
 *   P: RDS RI fee (44 h unused) 36.08 + own RDS use 164.00 + CloudWatch 30.00 + VAT 38.40
 *                                                                          =  268.48
 * Owner map: subscription 2961484211 → A (its rows say 认购), 3320571166 → P (RDS HeavyUsage).
 * B's rows of those subscriptions move to their owners (commitment ri):
 *   A → B: 167.40 + 102.60 = 270.00;  P → B: 410.00.
 *   ownerCost A = 2879.7636789012 + 270.00 = 3149.7636789012
 *   ownerCost B = 689.1866666667 − 270.00 − 410.00 = 9.1866666667
 *   ownerCost P = 268.48 + 410.00 = 678.48
 *   Σ = 3837.4303455679 on both bases. invoiceCost = ownerCost (DBR rule).
 * Rounding row: the invoice rounds each owner amount to the fen: 3149.76 + 9.19 + 678.48 =
 *   3837.43, so Rounding = 3837.43 − 3837.4303455679 = −0.0003455679.
 * InvoiceID 1480023917 is a number: final.
 */
const DBR_PERIOD: ExpectedPeriod = {
  billingPeriod: '2025-10',
  currency: 'CNY',
  payerAccountIds: [CHINA_PAYER],
  final: true,
  accounts: [
    {
      accountId: CHINA_PLATFORM,
      payerAccountId: CHINA_PAYER,
      usageCost: '2879.7636789012',
      ownerCost: '3149.7636789012',
      invoiceCost: '3149.7636789012',
    },
    {
      accountId: CHINA_APPS,
      payerAccountId: CHINA_PAYER,
      usageCost: '689.1866666667',
      ownerCost: '9.1866666667',
      invoiceCost: '9.1866666667',
    },
    {
      accountId: CHINA_PAYER,
      payerAccountId: CHINA_PAYER,
      usageCost: '268.48',
      ownerCost: '678.48',
      invoiceCost: '678.48',
    },
  ],
  transfers: [
    { ownerAccountId: CHINA_PAYER, consumerAccountId: CHINA_APPS, commitment: 'ri', cost: '410' },
    {
      ownerAccountId: CHINA_PLATFORM,
      consumerAccountId: CHINA_APPS,
      commitment: 'ri',
      cost: '270',
    },
  ],
  totals: {
    usageCost: '3837.4303455679',
    ownerCost: '3837.4303455679',
    invoiceCost: '3837.4303455679',
    rounding: '-0.0003455679',
  },
};

/*
 * CUR 1, payer 111122223333 (M), shared 222233334444 (R), data 012345678901 (C),
 * finops 333344445555 (S), web 555566667777 (W). USD, bill_invoice_id blank: provisional.
 *
 * usageCost = amortized cost by usage account:
 *   R: Fee 0 + RIFee (7.20 + 5.76) 12.96 + CR Reservation 0 + tax 10.00          =   22.96
 *   C: DiscountedUsage 36.00 + 18.00 + SP covered 600.00 + negation 0
 *      + UnusedBox 102.00 + 63.92 + RDS 167.40 − credit 25.00 + tax 5.00          =  967.32
 *   S: SP upfront 0 + SP recurring (744.00 − 700.00) 44.00                         =   44.00
 *   M: SP covered 100.00 + negation 0 + t3 30.9504 − credit 10.00 + tax 1.00       =  121.9504
 *   W: BoxUsage in the CR 340.00 + S3 12.3456789012 − refund 12.34 + tax 20.00     =  360.0056789012
 *   Σ = 1516.2360789012
 * Transfers: ri R→C 36.00 + 18.00 = 54.00; sp S→C 600.00; sp S→M 100.00;
 *   cr R→C 102.00 + 63.92 = 165.92 (unused capacity billed to C, CR ARN names R).
 * ownerCost: R 22.96 + 54.00 + 165.92 = 242.88; C 967.32 − 54.00 − 600.00 − 165.92 = 147.40;
 *   S 44.00 + 600.00 + 100.00 = 744.00; M 121.9504 − 100.00 = 21.9504; W 360.0056789012 (its
 *   BoxUsage inside the CR stays with it). Σ = 1516.2360789012.
 * invoiceCost = unblended by usage account:
 *   R: 446.40 + 29.76 + 0 + 10.00 = 486.16
 *   C: 0 + 0 + 1000.00 − 1000.00 + 102.00 + 63.92 + 167.40 − 25.00 + 5.00 = 313.32
 *   S: 4380.00 + 372.00 = 4752.00
 *   M: 170.00 − 170.00 + 30.9504 − 10.00 + 1.00 = 21.9504
 *   W: 340.00 + 12.3456789012 − 12.34 + 20.00 = 360.0056789012
 *   Σ = 5933.4360789012 = amortized 1516.2360789012 − true-up (37.20 + 372.00) + upfront
 *   (446.40 + 4380.00), the month-level invariant of docs/CUR-REFERENCE.md §3.4.
 */
const CUR_PERIOD: ExpectedPeriod = {
  billingPeriod: '2025-10',
  currency: 'USD',
  payerAccountIds: [ACME_PAYER],
  final: false,
  accounts: [
    {
      accountId: ACME_DATA,
      payerAccountId: ACME_PAYER,
      usageCost: '967.32',
      ownerCost: '147.40',
      invoiceCost: '313.32',
    },
    {
      accountId: ACME_PAYER,
      payerAccountId: ACME_PAYER,
      usageCost: '121.9504',
      ownerCost: '21.9504',
      invoiceCost: '21.9504',
    },
    {
      accountId: ACME_SHARED,
      payerAccountId: ACME_PAYER,
      usageCost: '22.96',
      ownerCost: '242.88',
      invoiceCost: '486.16',
    },
    {
      accountId: ACME_FINOPS,
      payerAccountId: ACME_PAYER,
      usageCost: '44.00',
      ownerCost: '744.00',
      invoiceCost: '4752.00',
    },
    {
      accountId: ACME_WEB,
      payerAccountId: ACME_PAYER,
      usageCost: '360.0056789012',
      ownerCost: '360.0056789012',
      invoiceCost: '360.0056789012',
    },
  ],
  transfers: [
    { ownerAccountId: ACME_FINOPS, consumerAccountId: ACME_DATA, commitment: 'sp', cost: '600' },
    { ownerAccountId: ACME_SHARED, consumerAccountId: ACME_DATA, commitment: 'cr', cost: '165.92' },
    { ownerAccountId: ACME_FINOPS, consumerAccountId: ACME_PAYER, commitment: 'sp', cost: '100' },
    { ownerAccountId: ACME_SHARED, consumerAccountId: ACME_DATA, commitment: 'ri', cost: '54' },
  ],
  totals: {
    usageCost: '1516.2360789012',
    ownerCost: '1516.2360789012',
    invoiceCost: '5933.4360789012',
    rounding: '0',
  },
};

/*
 * CUR 2.0, payer 444455556666 (G), platform 666677778888 (H), analytics 077788899900 (K),
 * ml 888899990000 (L). USD, bill_invoice_id 2375218711: final.
 *
 * usageCost = amortized cost by usage account:
 *   G: SP upfront 0 + SP recurring (1488.00 − 1450.00) 38.00 + t3 15.4752 + tax 2.00  =   55.4752
 *   H: Fee 0 + RIFee (4.40 + 2.20) 6.60 + SP covered 250.00 + negation 0
 *      + BoxUsage in L's CR 606.00 − refund 5.55 + tax 40.00                          =  897.05
 *   K: DiscountedUsage 105.00 + SP covered 1200.00 + negation 0 + UnusedBox 295.728
 *      + data transfer 90.00 − credit 30.00 + tax 20.00                               = 1680.728
 *   L: CR Reservation 0 + S3 98.7654321098 + tax 10.00                                =  108.7654321098
 *   Σ = 2742.0186321098
 * Transfers: ri H→K 105.00; sp G→K 1200.00; sp G→H 250.00; cr L→K 295.728.
 * ownerCost: G 55.4752 + 1200.00 + 250.00 = 1505.4752; H 897.05 + 105.00 − 250.00 = 752.05;
 *   K 1680.728 − 105.00 − 1200.00 − 295.728 = 80.00; L 108.7654321098 + 295.728 =
 *   404.4934321098. Σ = 2742.0186321098.
 * invoiceCost = unblended by usage account:
 *   G: 8760.00 + 744.00 + 15.4752 + 2.00 = 9521.4752
 *   H: 892.80 + 37.20 + 400.00 − 400.00 + 606.00 − 5.55 + 40.00 = 1570.45
 *   K: 0 + 2000.00 − 2000.00 + 295.728 + 90.00 − 30.00 + 20.00 = 375.728
 *   L: 0 + 98.7654321098 + 10.00 = 108.7654321098
 *   Σ = 11576.4186321098 = 2742.0186321098 − (74.40 + 744.00) + (892.80 + 8760.00).
 */
const CUR2_PERIOD: ExpectedPeriod = {
  billingPeriod: '2025-10',
  currency: 'USD',
  payerAccountIds: [GLOBEX_PAYER],
  final: true,
  accounts: [
    {
      accountId: GLOBEX_ANALYTICS,
      payerAccountId: GLOBEX_PAYER,
      usageCost: '1680.728',
      ownerCost: '80.00',
      invoiceCost: '375.728',
    },
    {
      accountId: GLOBEX_PAYER,
      payerAccountId: GLOBEX_PAYER,
      usageCost: '55.4752',
      ownerCost: '1505.4752',
      invoiceCost: '9521.4752',
    },
    {
      accountId: GLOBEX_PLATFORM,
      payerAccountId: GLOBEX_PAYER,
      usageCost: '897.05',
      ownerCost: '752.05',
      invoiceCost: '1570.45',
    },
    {
      accountId: GLOBEX_ML,
      payerAccountId: GLOBEX_PAYER,
      usageCost: '108.7654321098',
      ownerCost: '404.4934321098',
      invoiceCost: '108.7654321098',
    },
  ],
  transfers: [
    {
      ownerAccountId: GLOBEX_PAYER,
      consumerAccountId: GLOBEX_ANALYTICS,
      commitment: 'sp',
      cost: '1200',
    },
    {
      ownerAccountId: GLOBEX_ML,
      consumerAccountId: GLOBEX_ANALYTICS,
      commitment: 'cr',
      cost: '295.728',
    },
    {
      ownerAccountId: GLOBEX_PAYER,
      consumerAccountId: GLOBEX_PLATFORM,
      commitment: 'sp',
      cost: '250',
    },
    {
      ownerAccountId: GLOBEX_PLATFORM,
      consumerAccountId: GLOBEX_ANALYTICS,
      commitment: 'ri',
      cost: '105',
    },
  ],
  totals: {
    usageCost: '2742.0186321098',
    ownerCost: '2742.0186321098',
    invoiceCost: '11576.4186321098',
    rounding: '0',
  },
};

/*
 * Both organizations in one report (same period, same currency): the accounts of each keep their
 * payer, no transfer crosses organizations, final only if every line is (CUR 1 is provisional).
 * Totals: usage = owner = 1516.2360789012 + 2742.0186321098 = 4258.2547110110;
 *   invoice = 5933.4360789012 + 11576.4186321098 = 17509.8547110110.
 * Groups (examples/groups.json), each the sum of its members:
 *   acme.shared   = R + S + M: usage 22.96 + 44.00 + 121.9504 = 188.9104;
 *                   owner 242.88 + 744.00 + 21.9504 = 1008.8304;
 *                   invoice 486.16 + 4752.00 + 21.9504 = 5260.1104
 *   acme.products = C + W: usage 967.32 + 360.0056789012 = 1327.3256789012;
 *                   owner 147.40 + 360.0056789012 = 507.4056789012;
 *                   invoice 313.32 + 360.0056789012 = 673.3256789012
 *   globex.platform = G + H + L: usage 55.4752 + 897.05 + 108.7654321098 = 1061.2906321098;
 *                   owner 1505.4752 + 752.05 + 404.4934321098 = 2662.0186321098;
 *                   invoice 9521.4752 + 1570.45 + 108.7654321098 = 11200.6906321098
 *   (ungrouped)   = K: usage 1680.728, owner 80.00, invoice 375.728
 */
const CONSOLIDATED_PERIOD: ExpectedPeriod = {
  billingPeriod: '2025-10',
  currency: 'USD',
  payerAccountIds: [ACME_PAYER, GLOBEX_PAYER],
  final: false,
  accounts: [...CUR_PERIOD.accounts, ...CUR2_PERIOD.accounts],
  transfers: [...CUR_PERIOD.transfers, ...CUR2_PERIOD.transfers],
  totals: {
    usageCost: '4258.2547110110',
    ownerCost: '4258.2547110110',
    invoiceCost: '17509.8547110110',
    rounding: '0',
  },
  groups: [
    {
      name: 'acme.shared',
      accountIds: [ACME_PAYER, ACME_SHARED, ACME_FINOPS],
      usageCost: '188.9104',
      ownerCost: '1008.8304',
      invoiceCost: '5260.1104',
    },
    {
      name: 'acme.products',
      accountIds: [ACME_DATA, ACME_WEB],
      usageCost: '1327.3256789012',
      ownerCost: '507.4056789012',
      invoiceCost: '673.3256789012',
    },
    {
      name: 'globex.platform',
      accountIds: [GLOBEX_PAYER, GLOBEX_PLATFORM, GLOBEX_ML],
      usageCost: '1061.2906321098',
      ownerCost: '2662.0186321098',
      invoiceCost: '11200.6906321098',
    },
    {
      name: '(ungrouped)',
      accountIds: [GLOBEX_ANALYTICS],
      usageCost: '1680.728',
      ownerCost: '80.00',
      invoiceCost: '375.728',
    },
  ],
};

/** The example sets the demo prints, in order. */
export const EXPECTED_SETS: readonly ExpectedSet[] = [
  {
    title: 'AWS China DBR-RT, payer 052601815908 (CNY)',
    paths: [
      'dbr/052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip',
    ],
    period: DBR_PERIOD,
  },
  { title: 'CUR 1, payer 111122223333 (USD)', paths: ['cur'], period: CUR_PERIOD },
  { title: 'CUR 2.0, payer 444455556666 (USD)', paths: ['cur2'], period: CUR2_PERIOD },
  // The same spend as FOCUS (examples/writers/focus-files.ts): the same report, by design.
  {
    title: 'FOCUS 1.2 of the CUR 2.0 spend, payer 444455556666 (USD)',
    paths: ['focus'],
    period: CUR2_PERIOD,
  },
  {
    title: 'Two organizations consolidated, with billing groups',
    paths: ['cur', 'cur2'],
    groups: 'examples/groups.json',
    period: CONSOLIDATED_PERIOD,
  },
];
