import type { SourceFormat } from '../core/source-columns.js';
import {
  partitionPredicate as catalogPartitionPredicate,
  deliveryFilesPredicate,
  ledgerSql,
  quoteIdentifier,
} from '../core/sql-catalog.js';

export interface LedgerQueryTarget {
  readonly format: SourceFormat;
  readonly database: string;
  readonly table: string;
  readonly payerAccountId: string;
  /** YYYY-MM */
  readonly billingPeriod: string;
  /**
   * The data files the delivery's manifest lists (`s3://bucket/key`): only their rows are read.
   * @default - every file of the partition (DBR: one file per payer and month)
   */
  readonly files?: readonly string[];
}

/**
 * The partition predicate that limits the scan to one payer's month (PARTITION_KEYS in
 * lambdas/shared/pipeline-contract.ts): the catalog's own, so the pipeline and the analysts' named
 * queries prune the same partitions.
 */
export const partitionPredicate = (target: LedgerQueryTarget): string =>
  catalogPartitionPredicate(target.format, target.billingPeriod, target.payerAccountId).sql;

/**
 * The ledger SQL as Athena runs it for one delivery: the shared sql/ file over one partition and,
 * when given, only the files the manifest lists.
 */
export const athenaLedgerQuery = (target: LedgerQueryTarget): string => {
  const files = target.files === undefined ? '' : ` and ${deliveryFilesPredicate(target.files)}`;
  return ledgerSql(
    target.format,
    `(select * from ${quoteIdentifier(target.database)}.${quoteIdentifier(target.table)} where ${partitionPredicate(target)}${files})`,
  );
};
