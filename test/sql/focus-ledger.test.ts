import { TrinoSQL } from 'dt-sql-parser';
import { LedgerRowSchema } from '../../lambdas/core/ledger.js';
import { buildReport } from '../../lambdas/core/report.js';
import { ledgerSql } from '../../lambdas/core/sql-catalog.js';
import type { LineRow } from '../fixtures/scenarios/types.js';
import {
  type ColumnTyping,
  createLines,
  queryRows,
  runLedger,
  withConnection,
} from '../helpers/duckdb.js';

/** Money as the report writes it: 10 fraction digits. */
const d = (amount: string): string => Number(amount).toFixed(10);

const PAYER = '111111111111';
const OWNER = '222222222222';
const USER = '333333333333';
const RI = `arn:aws:ec2:us-east-1:${OWNER}:reserved-instances/r-1`;
const SP = `arn:aws:savingsplans::${OWNER}:savingsplan/sp-1`;
const CR = `arn:aws:ec2:us-east-1:${OWNER}:capacity-reservation/cr-1`;

const row = (fields: LineRow): LineRow => ({
  ProviderName: 'AWS',
  BillingAccountId: PAYER,
  BillingPeriodStart: '2025-11-01T00:00:00Z',
  BillingCurrency: 'USD',
  ChargeCategory: 'Usage',
  BilledCost: '0',
  EffectiveCost: '0',
  ...fields,
});

/** The worked example of docs/ATTRIBUTION.md, FOCUS, row by row. */
const WORKED_EXAMPLE: readonly LineRow[] = [
  row({
    SubAccountId: USER,
    CommitmentDiscountStatus: 'Used',
    CommitmentDiscountType: 'Reserved Instance',
    CommitmentDiscountId: RI,
    EffectiveCost: d('6.00'),
  }),
  row({
    SubAccountId: USER,
    CommitmentDiscountStatus: 'Used',
    CommitmentDiscountType: 'Savings Plan',
    CommitmentDiscountId: SP,
    EffectiveCost: d('4.00'),
  }),
  row({
    SubAccountId: OWNER,
    CommitmentDiscountStatus: 'Unused',
    CommitmentDiscountType: 'Savings Plan',
    CommitmentDiscountId: SP,
    EffectiveCost: d('1.50'),
  }),
  row({
    SubAccountId: OWNER,
    ChargeCategory: 'Purchase',
    CommitmentDiscountType: 'Savings Plan',
    CommitmentDiscountId: SP,
    BilledCost: d('5.50'),
  }),
  row({
    SubAccountId: USER,
    CapacityReservationStatus: 'Unused',
    CapacityReservationId: CR,
    BilledCost: d('2.00'),
    EffectiveCost: d('2.00'),
  }),
  row({ SubAccountId: USER, BilledCost: '3.00', EffectiveCost: '3.00' }),
  row({ SubAccountId: USER, ChargeCategory: 'Tax', BilledCost: '0.50', EffectiveCost: '0.50' }),
];

const ledgerOf = (rows: readonly LineRow[], typing: ColumnTyping = 'csv') =>
  withConnection(async (connection) => {
    await createLines(connection, 'focus', rows, typing);
    return runLedger(connection, 'focus');
  });

describe('focus_ledger.sql', () => {
  it('is valid Trino SQL as written', () => {
    expect(new TrinoSQL().validate(ledgerSql('focus'))).toEqual([]);
  });

  it('returns exactly the ledger contract columns', async () => {
    const rows = await withConnection(async (connection) => {
      await createLines(connection, 'focus', [row({ SubAccountId: USER })]);
      return queryRows(connection, ledgerSql('focus'));
    });

    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(Object.keys(LedgerRowSchema.shape).sort());
  });

  it.each<ColumnTyping>(['csv', 'parquet'])(
    'gives the hand-worked bases and transfers of the ATTRIBUTION.md example (%s typing)',
    async (typing) => {
      // Act
      const rows = await ledgerOf(WORKED_EXAMPLE, typing);
      const report = buildReport({ sources: [{ path: 'focus.csv', format: 'focus', rows }] });

      // Assess: the figures of the worked example, by hand.
      const [period, ...others] = report.periods;
      expect(others).toEqual([]);
      expect(period).toMatchObject({ billingPeriod: '2025-11', currency: 'USD', final: false });
      const bases = Object.fromEntries(
        period!.accounts.map((a) => [a.accountId, [a.usageCost, a.ownerCost, a.invoiceCost]]),
      );
      expect(bases).toEqual({
        [OWNER]: [d('1.50'), d('13.50'), d('5.50')],
        [USER]: [d('15.50'), d('3.50'), d('5.50')],
      });
      const transfers = period!.transfers.map((t) => [
        t.ownerAccountId,
        t.consumerAccountId,
        t.commitment,
        t.cost,
      ]);
      expect(transfers.sort()).toEqual(
        [
          [OWNER, USER, 'cr', d('2.00')],
          [OWNER, USER, 'ri', d('6.00')],
          [OWNER, USER, 'sp', d('4.00')],
        ].sort(),
      );
      expect(period!.warnings).toEqual([]);
    },
  );

  it('takes the kind from CommitmentDiscountType and a covered CR row as RI/SP first', async () => {
    const ledger = await ledgerOf([
      row({
        SubAccountId: USER,
        CommitmentDiscountStatus: 'Used',
        CommitmentDiscountType: 'Savings Plan',
        CommitmentDiscountId: SP,
        CapacityReservationStatus: 'Unused',
        CapacityReservationId: CR,
        EffectiveCost: '1',
      }),
      // A CR row in use is an instance running inside it: it stays.
      row({
        SubAccountId: USER,
        CapacityReservationStatus: 'Used',
        CapacityReservationId: CR,
        EffectiveCost: '1',
      }),
    ]);

    const labels = ledger.map((r) => [r.commitment, r.owner_account_id]).sort();
    expect(labels).toEqual([
      [null, USER],
      ['sp', OWNER],
    ]);
  });

  it('counts final rows by InvoiceId and keeps the period of the UTC billing period start', async () => {
    const [line, ...others] = await ledgerOf([
      row({ SubAccountId: USER, InvoiceId: 'EUINGB25-123', BilledCost: '1', EffectiveCost: '1' }),
      row({ SubAccountId: USER, InvoiceId: null, BilledCost: '1', EffectiveCost: '1' }),
    ]);

    expect(others).toEqual([]);
    expect(line).toMatchObject({
      billing_period: '2025-11',
      payer_account_id: PAYER,
      line_item_type: 'Usage',
      line_count: 2,
      final_line_count: 1,
      note: null,
    });
  });

  it('names what the engines refuse or warn about in the note', async () => {
    const ledger = await ledgerOf([
      row({ SubAccountId: USER, ProviderName: 'Microsoft' }),
      row({
        SubAccountId: USER,
        CommitmentDiscountStatus: 'Used',
        CommitmentDiscountId: 'sp-1234',
        EffectiveCost: '2',
      }),
      row({ SubAccountId: USER, CommitmentDiscountStatus: 'Used', EffectiveCost: '3' }),
      row({
        SubAccountId: USER,
        CapacityReservationStatus: 'Unused',
        CapacityReservationId: 'cr-1',
        EffectiveCost: '4',
      }),
    ]);

    const notes = ledger.map((r) => [r.note, r.owner_account_id, r.commitment, r.usage_cost]);
    expect(notes.sort()).toEqual(
      [
        ['focus-provider:Microsoft', USER, null, '0.0000000000'],
        ['focus-commitment-id-not-arn', USER, null, '2.0000000000'],
        ['focus-used-without-commitment-id', USER, null, '3.0000000000'],
        ['focus-capacity-reservation-id-not-arn', USER, null, '4.0000000000'],
      ].sort(),
    );
  });
});
