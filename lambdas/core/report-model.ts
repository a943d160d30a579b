import type { SourceFormat } from './source-columns.js';

/**
 * The report JSON of shared REPORT.md (schemaVersion 1). Money is a decimal string, never a number;
 * account ids are 12-character strings.
 */
export type Money = string;

export type Commitment = 'ri' | 'sp' | 'cr';

export interface SourceSummary {
  readonly path: string;
  readonly format: SourceFormat;
  readonly payerAccountIds: readonly string[];
  readonly billingPeriods: readonly string[];
  readonly rows: number;
}

export interface AccountTotals {
  readonly accountId: string;
  readonly payerAccountId: string;
  readonly usageCost: Money;
  readonly ownerCost: Money;
  readonly invoiceCost: Money;
  /** From `--accounts FILE`, when it names the account. */
  readonly accountName?: string;
  readonly businessUnit?: string;
  readonly costCenter?: string;
}

export interface Transfer {
  readonly ownerAccountId: string;
  readonly consumerAccountId: string;
  readonly commitment: Commitment;
  readonly cost: Money;
}

export interface GroupTotals {
  readonly name: string;
  readonly primaryAccountId?: string;
  readonly accountIds: readonly string[];
  readonly usageCost: Money;
  readonly ownerCost: Money;
  readonly invoiceCost: Money;
}

/** The transfer ledger rolled up between billing groups (only between different groups). */
export interface GroupTransfer {
  readonly ownerGroup: string;
  readonly consumerGroup: string;
  readonly commitment: Commitment;
  readonly cost: Money;
}

/** One account whose lines a commitment covered (ATTRIBUTION.md, commitment detail). */
export interface CommitmentConsumer {
  readonly accountId: string;
  /** Amortized cost of the covered lines (DBR: UnBlendedCost). */
  readonly cost: Money;
  /** null where the source or the kind has no on-demand price. */
  readonly onDemandCost: Money | null;
  /** onDemandCost − cost. */
  readonly savings: Money | null;
}

/** One commitment of a period: who owns it, who used it, what went unused and what it saved. */
export interface CommitmentDetail {
  /** The RI, SP or CR ARN; DBR the SubscriptionId. */
  readonly commitmentId: string;
  readonly commitment: Commitment;
  readonly ownerAccountId: string;
  /** Σ consumers' cost. */
  readonly usedCost: Money;
  readonly unusedCost: Money | null;
  /** usedCost / (usedCost + unusedCost), 4 places. */
  readonly utilization: string | null;
  readonly onDemandCost: Money | null;
  /** onDemandCost − usedCost. */
  readonly savings: Money | null;
  readonly consumers: readonly CommitmentConsumer[];
}

export interface PeriodTotals {
  readonly usageCost: Money;
  readonly ownerCost: Money;
  readonly invoiceCost: Money;
  readonly rounding: Money;
}

export interface PeriodReport {
  readonly billingPeriod: string;
  readonly currency: string;
  readonly payerAccountIds: readonly string[];
  readonly final: boolean;
  readonly accounts: readonly AccountTotals[];
  readonly transfers: readonly Transfer[];
  readonly groups?: readonly GroupTotals[];
  /** Present when groups are configured. */
  readonly groupTransfers?: readonly GroupTransfer[];
  readonly totals: PeriodTotals;
  readonly warnings: readonly string[];
  /**
   * Every commitment of the period (docs/REPORT.md). Always written by whopays; optional in the
   * type so that reports from before it still read.
   */
  readonly commitments?: readonly CommitmentDetail[];
}

export interface Report {
  readonly schemaVersion: 1;
  readonly generatedAt: string;
  readonly sources: readonly SourceSummary[];
  readonly periods: readonly PeriodReport[];
}
