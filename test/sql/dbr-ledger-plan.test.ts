import { ledgerSql } from '../../lambdas/core/sql-catalog.js';
import { createLines, withConnection } from '../helpers/duckdb.js';

// dbr_ledger.sql reads every line once and groups it before anything is filtered. DuckDB pushes
// the OR of the filters of a shared CTE's consumers below its grouping, down to the lines, when
// every consumer filters: on a 1M-line DBR that FILTER re-ran the trims and claims on each line
// (~0.3 s of CPU). This guards the plan shape, not a time.

interface PlanNode {
  readonly name: string;
  readonly children?: readonly PlanNode[];
}

/** Names of the FILTERs between a scan of the lines and the nearest grouping above it. */
function filtersOverScans(node: PlanNode, sinceGrouping: string[] = []): string[] {
  if (node.name === 'SEQ_SCAN' || node.name === 'TABLE_SCAN') return sinceGrouping;
  const path = node.name === 'HASH_GROUP_BY' ? [] : sinceGrouping;
  const here = node.name === 'FILTER' ? [...path, node.name] : path;
  return (node.children ?? []).flatMap((child) => filtersOverScans(child, here));
}

describe('dbr_ledger.sql plan in DuckDB', () => {
  it('filters no line before the lines are grouped', async () => {
    const plan = await withConnection(async (connection) => {
      // One line: on an empty table DuckDB plans an empty result instead of the scan.
      await createLines(connection, 'dbr', [
        { PayerAccountId: '000000000010', LinkedAccountId: '000000000011', RecordType: 'LineItem' },
      ]);
      const reader = await connection.runAndReadAll(`explain (format json) ${ledgerSql('dbr')}`);
      return JSON.parse(String(reader.getRows()[0]![1])) as PlanNode[];
    });

    const scans = (node: PlanNode): number =>
      (node.name === 'SEQ_SCAN' ? 1 : 0) +
      (node.children ?? []).reduce((n, child) => n + scans(child), 0);
    expect(plan.reduce((n, node) => n + scans(node), 0)).toBe(1);
    expect(plan.flatMap((node) => filtersOverScans(node))).toEqual([]);
  });
});
