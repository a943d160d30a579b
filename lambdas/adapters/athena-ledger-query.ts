import type { SourceFormat } from '../core/source-columns.js';
import { ledgerSql, quoteIdentifier } from '../core/sql-catalog.js';

export interface LedgerQueryTarget {
  readonly format: SourceFormat;
  readonly database: string;
  readonly table: string;
  readonly payerAccountId: string;
  /** YYYY-MM */
  readonly billingPeriod: string;
}

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * The partition predicate that limits the scan to one payer's month (PARTITION_KEYS in
 * lambdas/shared/pipeline-contract.ts). CUR 1 writes `month=7` unpadded, but both spellings are
 * accepted in case a table was registered by hand.
 */
export const partitionPredicate = (target: LedgerQueryTarget): string => {
  const [year, month] = target.billingPeriod.split('-') as [string, string];
  switch (target.format) {
    case 'cur': {
      const unpadded = String(Number(month));
      const months = unpadded === month ? [month] : [unpadded, month];
      return `"year" = ${literal(year)} and "month" in (${months.map(literal).join(', ')})`;
    }
    case 'cur2':
      return `"billing_period" = ${literal(target.billingPeriod)}`;
    case 'dbr':
      return `"payer" = ${literal(target.payerAccountId)} and "billing_period" = ${literal(target.billingPeriod)}`;
  }
};

/** The ledger SQL as Athena runs it for one delivery: the shared sql/ file over one partition. */
export const athenaLedgerQuery = (target: LedgerQueryTarget): string =>
  ledgerSql(
    target.format,
    `(select * from ${quoteIdentifier(target.database)}.${quoteIdentifier(target.table)} where ${partitionPredicate(target)})`,
  );
