import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { dbrLine } from '../helpers/dbr-line.js';
import { createLines, type LineRow, runLedger, withConnection } from '../helpers/duckdb.js';

// dbr_ledger.sql groups the lines on their fields as read and trims, classifies and converts the
// groups afterwards: padded and clean spellings of one value must still land in one ledger row,
// and the cost of a group must not depend on which lines took the 38-digit cast.

const line = dbrLine;

const ledgerOf = (rows: readonly LineRow[]): Promise<LedgerRow[]> =>
  withConnection(async (connection) => {
    await createLines(connection, 'dbr', rows);
    return runLedger(connection, 'dbr');
  });

const byAccount = (ledger: readonly LedgerRow[]) =>
  Object.fromEntries(
    ledger
      .filter((row) => row.line_item_type === 'LineItem')
      .map((row) => [
        row.usage_account_id,
        { owner: row.owner_account_id, usage: row.usage_cost, lines: row.line_count },
      ]),
  );

describe('dbr_ledger.sql on fields as read', () => {
  it('puts padded and clean spellings of an invoice, record type and date in one row', async () => {
    const ledger = await ledgerOf([
      line({ LinkedAccountId: '000000000011', UnBlendedCost: '1' }),
      line({
        LinkedAccountId: '000000000011',
        InvoiceID: ' 4242 ',
        RecordType: ' LineItem ',
        UsageStartDate: '  2020-08-15 00:00:00 ',
        UnBlendedCost: '2',
      }),
    ]);

    // 1 + 2 = 3, both lines final (InvoiceID 4242 once trimmed), both in August 2020.
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      billing_period: '2020-08',
      usage_account_id: '000000000011',
      usage_cost: '3.0000000000',
      line_count: 2,
      final_line_count: 2,
    });
  });

  it('lets a padded SubscriptionId claim and be claimed like the clean one', async () => {
    const ledger = await ledgerOf([
      // Account 12 bought subscription 77 (EC2 purchase marker), account 11 uses it.
      line({
        LinkedAccountId: '000000000012',
        SubscriptionId: ' 77 ',
        ItemDescription: 'CNY 0.352 每小时费用 (744 小时已认购, 649 小时已使用)',
        UnBlendedCost: '10',
      }),
      line({ LinkedAccountId: '000000000011', SubscriptionId: '77', UnBlendedCost: '5' }),
    ]);

    expect(byAccount(ledger)).toEqual({
      '000000000011': { owner: '000000000012', usage: '5.0000000000', lines: 1 },
      '000000000012': { owner: '000000000012', usage: '10.0000000000', lines: 1 },
    });
  });

  it('claims by a HeavyUsage fee of a listed service on line items only', async () => {
    const ledger = await ledgerOf([
      // Account 13 pays the RDS HeavyUsage fee of subscription 88: it owns 88.
      line({
        LinkedAccountId: '000000000013',
        ProductName: 'AmazonRDS',
        SubscriptionId: '88',
        UsageType: 'CNN1-HeavyUsage:db.m5.large',
      }),
      // A HeavyUsage EC2 line claims nothing (EC2 needs the purchase text), nor does a
      // non-line-item record of a listed service.
      line({
        LinkedAccountId: '000000000015',
        SubscriptionId: '99',
        UsageType: 'CNN1-HeavyUsage:m5.large',
      }),
      line({
        LinkedAccountId: '000000000016',
        RecordType: 'Discount',
        ProductName: 'AmazonRDS',
        SubscriptionId: '99',
        UsageType: 'CNN1-HeavyUsage:db.m5.large',
      }),
      line({ LinkedAccountId: '000000000014', ProductName: 'AmazonRDS', SubscriptionId: '88' }),
      line({ LinkedAccountId: '000000000014', SubscriptionId: '99', UnBlendedCost: '2' }),
    ]);

    // Account 14: 1 on subscription 88 (owned by 13), 2 on 99 (no owner): two rows.
    const rows14 = ledger
      .filter((row) => row.usage_account_id === '000000000014')
      .map((row) => [row.owner_account_id, row.commitment, row.usage_cost]);
    expect(rows14.sort()).toEqual([
      ['000000000013', 'ri', '1.0000000000'],
      ['000000000014', null, '2.0000000000'],
    ]);
    expect(ledger.some((row) => row.usage_account_id === '000000000016')).toBe(false);
  });

  it('sums blank, small and large amounts of one group exactly', async () => {
    const ledger = await ledgerOf([
      // 0 + 0 + 100000000.5 (past DECIMAL(18,10): 38-digit cast) + 0.25 = 100000000.75
      line({ LinkedAccountId: '000000000011', UnBlendedCost: '' }),
      line({ LinkedAccountId: '000000000011', UnBlendedCost: '  ' }),
      line({ LinkedAccountId: '000000000011', UnBlendedCost: '100000000.5' }),
      line({ LinkedAccountId: '000000000011', UnBlendedCost: '0.25' }),
      // Only blank and large: 0 + 250000000 = 250000000
      line({ LinkedAccountId: '000000000012', UnBlendedCost: '' }),
      line({ LinkedAccountId: '000000000012', UnBlendedCost: '250000000' }),
      // Only blank and missing: 0
      line({ LinkedAccountId: '000000000013', UnBlendedCost: '' }),
      line({ LinkedAccountId: '000000000013', UnBlendedCost: null }),
    ]);

    expect(byAccount(ledger)).toEqual({
      '000000000011': { owner: '000000000011', usage: '100000000.7500000000', lines: 4 },
      '000000000012': { owner: '000000000012', usage: '250000000.0000000000', lines: 2 },
      '000000000013': { owner: '000000000013', usage: '0.0000000000', lines: 2 },
    });
  });
});
