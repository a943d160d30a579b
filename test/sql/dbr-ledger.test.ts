import { InputError } from '../../lambdas/core/errors.js';
import { UNCOUNTED_RECORD_NOTE } from '../../lambdas/core/ledger.js';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import { DEFAULT_EC2_PURCHASE_MARKERS, ledgerSql } from '../../lambdas/core/sql-catalog.js';
import { chinaPublishedMethod } from '../fixtures/scenarios/dbr-scenarios.js';
import { DBR_PAYER, dbrLine } from '../helpers/dbr-line.js';
import { createLines, queryRows, runLedger, withConnection } from '../helpers/duckdb.js';
import { accountsFromLedger } from './ledger-totals.js';

// The published method (AWS China blog, docs/CUR-REFERENCE.md 1.7-1.8), written the blog's way:
// cost1 = Σ UnBlendedCost by LinkedAccountId where the owner is unknown or the account itself,
// cost2 = Σ UnBlendedCost by owner where the owner is another account; ownerCost = cost1 + cost2.
const PUBLISHED_METHOD = `
  with owner_map as (
    select SubscriptionId as sub_id, min(LinkedAccountId) as owned_account_id
    from dbr_lines
    where RecordType = 'LineItem' and coalesce(SubscriptionId, '') <> ''
      and ((ProductName = 'Amazon Elastic Compute Cloud' and ItemDescription like '%认购%')
        or (ProductName in ('Amazon ElastiCache', 'Amazon Elasticsearch Service', 'AmazonRDS',
                            'AmazonRedshift') and UsageType like '%HeavyUsage%'))
    group by 1
  ),
  lines as (
    select d.LinkedAccountId as linked, m.owned_account_id as owner,
           cast(nullif(d.UnBlendedCost, '') as decimal(38, 10)) as ub
    from dbr_lines d left join owner_map m on d.SubscriptionId = m.sub_id
    where d.RecordType like '%LineItem%'
  ),
  cost1 as (select linked as account_id, sum(ub) as cost from lines
            where owner is null or owner = linked group by 1),
  cost2 as (select owner as account_id, sum(ub) as cost from lines
            where owner <> linked group by 1),
  both_costs as (select * from cost1 union all select * from cost2)
  select account_id, cast(sum(cost) as varchar) as owner_cost from both_costs group by 1`;

const PAYER = DBR_PAYER;
const line = dbrLine;

describe('dbr_ledger.sql', () => {
  it("equals the published method's cost1 + cost2 on the China DBR", async () => {
    // Prepare
    const { ledger, method } = await withConnection(async (connection) => {
      await createLines(connection, 'dbr', chinaPublishedMethod.rows);
      // Act
      return {
        ledger: await runLedger(connection, 'dbr'),
        method: await queryRows(connection, PUBLISHED_METHOD),
      };
    });

    // Assess
    const ownerCost = accountsFromLedger(ledger).map((a) => [a.accountId, a.ownerCost]);
    const methodCost = method.map((r) => [
      String(r.account_id),
      formatMoney(parseMoney(String(r.owner_cost))),
    ]);
    expect(ownerCost.sort()).toEqual(methodCost.sort());
    expect(ownerCost).toHaveLength(2);
  });

  it('keeps Rounding apart: no account, no usage cost, its amount as invoice cost', async () => {
    const ledger = await withConnection(async (connection) => {
      await createLines(connection, 'dbr', [
        line({ LinkedAccountId: '000000000011' }),
        line({
          RecordType: 'Rounding',
          LinkedAccountId: '',
          UsageStartDate: '',
          UnBlendedCost: '-2.5094690054',
        }),
        line({ RecordType: 'Discount', LinkedAccountId: '000000000011', UnBlendedCost: '-9' }),
        line({ RecordType: 'AccountTotal', LinkedAccountId: '000000000011', UnBlendedCost: '1' }),
      ]);
      return runLedger(connection, 'dbr');
    });

    expect(ledger.find((r) => r.line_item_type === 'Rounding')).toEqual({
      billing_period: '2020-08',
      currency_code: null,
      payer_account_id: PAYER,
      usage_account_id: null,
      owner_account_id: null,
      invoice_account_id: null,
      commitment: null,
      line_item_type: 'Rounding',
      note: null,
      usage_cost: '0.0000000000',
      invoice_cost: '-2.5094690054',
      line_count: 1,
      final_line_count: 1,
      commitment_id: null,
      on_demand_cost: null,
    });
    // One LineItem + one Rounding are counted; the AccountTotal repeats the line items; the
    // Discount, which the published method does not count, is kept apart to be named.
    const counted = ledger.filter((r) => r.note !== UNCOUNTED_RECORD_NOTE);
    expect(counted.reduce((n, r) => n + r.line_count, 0)).toBe(2);
    expect(ledger.filter((r) => r.note === UNCOUNTED_RECORD_NOTE)).toEqual([
      {
        billing_period: '2020-08',
        currency_code: null,
        payer_account_id: PAYER,
        usage_account_id: null,
        owner_account_id: null,
        invoice_account_id: null,
        commitment: null,
        line_item_type: 'Discount',
        note: UNCOUNTED_RECORD_NOTE,
        usage_cost: '0.0000000000',
        invoice_cost: '-9.0000000000',
        line_count: 1,
        final_line_count: 1,
        commitment_id: null,
        on_demand_cost: null,
      },
    ]);
  });

  it('counts a lowercase lineitem as the published method (SQLite LIKE) does', async () => {
    const ledger = await withConnection(async (connection) => {
      await createLines(connection, 'dbr', [
        line({ LinkedAccountId: '000000000011', UnBlendedCost: '2' }),
        line({ RecordType: 'lineitem', LinkedAccountId: '000000000011', UnBlendedCost: '3' }),
      ]);
      return runLedger(connection, 'dbr');
    });
    expect(ledger.map((r) => [r.usage_account_id, r.usage_cost, r.line_count])).toEqual([
      ['000000000011', '5.0000000000', 2],
    ]);
  });

  it("counts a line final unless its InvoiceID is blank or 'Estimated'", async () => {
    const ledger = await withConnection(async (connection) => {
      await createLines(connection, 'dbr', [
        line({ LinkedAccountId: '000000000011', InvoiceID: '4242' }),
        line({ LinkedAccountId: '000000000011', InvoiceID: 'Estimated' }),
        line({ LinkedAccountId: '000000000011', InvoiceID: '' }),
      ]);
      return runLedger(connection, 'dbr');
    });

    expect(ledger.map((r) => [r.line_count, r.final_line_count])).toEqual([[3, 1]]);
  });

  it('casts scientific notation exactly', async () => {
    const [row] = await withConnection(async (connection) => {
      await createLines(connection, 'dbr', [
        line({ LinkedAccountId: '000000000011', UnBlendedCost: '1.5E-7' }),
        line({ LinkedAccountId: '000000000011', UnBlendedCost: ' -2.5e-8 ' }),
      ]);
      return runLedger(connection, 'dbr');
    });

    // 0.00000015 - 0.000000025 = 0.000000125
    expect(row?.usage_cost).toBe('0.0000001250');
  });

  it('casts amounts beyond DECIMAL(18,10) exactly and still refuses text that is no number', async () => {
    const [row] = await withConnection(async (connection) => {
      await createLines(connection, 'dbr', [
        line({ LinkedAccountId: '000000000011', UnBlendedCost: '123456789012.0123456789' }),
        line({ LinkedAccountId: '000000000011', UnBlendedCost: '0.00000000005' }),
      ]);
      return runLedger(connection, 'dbr');
    });
    // 123456789012.0123456789 needs 22 digits (38-digit path); 0.00000000005 rounds half away
    // from zero to 0.0000000001: 123456789012.0123456789 + 0.0000000001 = 123456789012.0123456790
    expect(row?.usage_cost).toBe('123456789012.0123456790');

    await expect(
      withConnection(async (connection) => {
        await createLines(connection, 'dbr', [
          line({ LinkedAccountId: '000000000011', UnBlendedCost: '12,5' }),
        ]);
        return runLedger(connection, 'dbr');
      }),
    ).rejects.toThrow(/conver|cast/i);
  });

  it('uses the default markers when none are configured', () => {
    expect(ledgerSql('dbr', undefined, { ec2PurchaseMarkers: DEFAULT_EC2_PURCHASE_MARKERS })).toBe(
      ledgerSql('dbr'),
    );
  });

  it.each([
    ['no markers', []],
    ['a blank marker', ['认购', '  ']],
  ])('fails with %s', (_name, markers) => {
    expect(() => ledgerSql('dbr', undefined, { ec2PurchaseMarkers: markers })).toThrow(InputError);
  });
});
