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
}

export interface Report {
  readonly schemaVersion: 1;
  readonly generatedAt: string;
  readonly sources: readonly SourceSummary[];
  readonly periods: readonly PeriodReport[];
}
