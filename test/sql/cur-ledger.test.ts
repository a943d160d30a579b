import { LedgerRowSchema } from '../../lambdas/core/ledger.js';
import { ledgerSql } from '../../lambdas/core/sql-catalog.js';
import type { LineRow } from '../fixtures/scenarios/types.js';
import { createLines, queryRows, runLedger, withConnection } from '../helpers/duckdb.js';

const partition = 'aws';
const PAYER = '000000000001';
const A = '000000000002';
const B = '000000000003';

const line = (fields: LineRow): LineRow => ({
  bill_payer_account_id: PAYER,
  bill_billing_period_start_date: '2025-11-01T00:00:00Z',
  line_item_currency_code: 'USD',
  line_item_unblended_cost: '1',
  ...fields,
});

const ledgerOf = (rows: readonly LineRow[]) =>
  withConnection(async (connection) => {
    await createLines(connection, 'cur', rows);
    return runLedger(connection, 'cur');
  });

describe('cur_ledger.sql', () => {
  it('returns exactly the ledger contract columns', async () => {
    const rows = await withConnection(async (connection) => {
      await createLines(connection, 'cur', [
        line({ line_item_usage_account_id: A, line_item_line_item_type: 'Usage' }),
      ]);
      return queryRows(connection, ledgerSql('cur'));
    });

    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(Object.keys(LedgerRowSchema.shape).sort());
  });

  it('labels each line with the commitment rule that applies, and only those', async () => {
    // Prepare
    const cr = `arn:${partition}:ec2:us-east-1:${A}:capacity-reservation/cr-0123`;
    const rows = [
      line({
        line_item_usage_account_id: A,
        line_item_line_item_type: 'DiscountedUsage',
        reservation_reservation_a_r_n: `arn:${partition}:ec2:us-east-1:${A}:reserved-instances/r`,
      }),
      line({
        line_item_usage_account_id: B,
        line_item_line_item_type: 'SavingsPlanNegation',
        savings_plan_savings_plan_a_r_n: `arn:${partition}:savingsplans::${A}:savingsplan/s`,
      }),
      line({
        line_item_usage_account_id: A,
        line_item_line_item_type: 'Usage',
        line_item_resource_id: cr,
      }),
      // A CR's own line booked as another type, and an instance running inside the CR.
      line({
        line_item_usage_account_id: B,
        line_item_line_item_type: 'Tax',
        line_item_resource_id: cr,
      }),
      line({
        line_item_usage_account_id: B,
        line_item_line_item_type: 'Usage',
        line_item_resource_id: 'i-1',
      }),
    ];

    // Act
    const ledger = await ledgerOf(rows);

    // Assess
    const labels = ledger
      .map((r) => [r.usage_account_id, r.line_item_type, r.commitment, r.owner_account_id])
      .sort();
    expect(labels).toEqual(
      [
        [A, 'DiscountedUsage', 'ri', A],
        [B, 'SavingsPlanNegation', null, B],
        [A, 'Usage', 'cr', A],
        [B, 'Tax', null, B],
        [B, 'Usage', null, B],
      ].sort(),
    );
  });

  it('keeps a covered line with its usage account when the ARN names no account', async () => {
    const ledger = await ledgerOf([
      line({
        line_item_usage_account_id: B,
        line_item_line_item_type: 'DiscountedUsage',
        reservation_reservation_a_r_n: 'not-an-arn',
      }),
      line({
        line_item_usage_account_id: B,
        line_item_line_item_type: 'SavingsPlanCoveredUsage',
        savings_plan_savings_plan_a_r_n: null,
      }),
    ]);

    expect(ledger.map((r) => r.owner_account_id)).toEqual([B, B]);
  });

  it('books invoice cost on the usage account and counts final lines by invoice id', async () => {
    // Prepare
    const rows = [
      line({
        line_item_usage_account_id: A,
        line_item_line_item_type: 'Usage',
        bill_invoice_id: '123',
      }),
      line({
        line_item_usage_account_id: A,
        line_item_line_item_type: 'Usage',
        bill_invoice_id: '  ',
      }),
      line({
        line_item_usage_account_id: A,
        line_item_line_item_type: 'Usage',
        bill_invoice_id: null,
      }),
    ];

    // Act
    const [row, ...others] = await ledgerOf(rows);

    // Assess: three lines of 1 each, one of them on a closed bill.
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      billing_period: '2025-11',
      currency_code: 'USD',
      payer_account_id: PAYER,
      usage_account_id: A,
      owner_account_id: A,
      invoice_account_id: A,
      note: null,
      usage_cost: '3.0000000000',
      invoice_cost: '3.0000000000',
      line_count: 3,
      final_line_count: 1,
    });
  });

  it('reads a parenthesised subquery as its source relation', async () => {
    const rows = await withConnection(async (connection) => {
      await createLines(connection, 'cur', [
        line({ line_item_usage_account_id: A, line_item_line_item_type: 'Usage' }),
      ]);
      await connection.run('alter table cur_lines rename to raw_lines');
      return queryRows(connection, ledgerSql('cur', '(select * from raw_lines)'));
    });

    expect(rows).toHaveLength(1);
  });

  it('refuses an empty relation', () => {
    expect(() => ledgerSql('cur', '  ')).toThrow(/invalid relation/);
  });
});
