import { athenaColumnName, detectFormat } from '../../lambdas/adapters/source-headers.js';

const varchar = (...names: string[]) => names.map((name) => ({ name, type: 'VARCHAR' }));

describe('athenaColumnName', () => {
  // Expected names are the Athena/Parquet column names AWS documents (docs/CUR-REFERENCE.md §3.1).
  it.each([
    ['lineItem/UsageAccountId', 'line_item_usage_account_id'],
    ['lineItem/LineItemType', 'line_item_line_item_type'],
    ['bill/BillingPeriodStartDate', 'bill_billing_period_start_date'],
    ['reservation/ReservationARN', 'reservation_reservation_a_r_n'],
    ['savingsPlan/SavingsPlanARN', 'savings_plan_savings_plan_a_r_n'],
    [
      'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
      'reservation_unused_amortized_upfront_fee_for_billing_period',
    ],
    ['product/instanceType', 'product_instance_type'],
    ['resourceTags/user:Name', 'resource_tags_user_name'],
    ['line_item_usage_account_id', 'line_item_usage_account_id'],
  ])('maps %s to %s', (header, expected) => {
    expect(athenaColumnName(header)).toBe(expected);
  });
});

describe('detectFormat', () => {
  it('tells DBR by RecordType and LinkedAccountId, whatever its tag columns', () => {
    expect(detectFormat(varchar('InvoiceID', 'LinkedAccountId', 'RecordType', 'user:Name'))).toBe(
      'dbr',
    );
  });

  it('tells CUR 1 CSV by its category/Name headers', () => {
    expect(detectFormat(varchar('bill/PayerAccountId', 'lineItem/UsageAccountId'))).toBe('cur');
  });

  it('tells CUR 2.0 snake_case files by a 2.0-only column', () => {
    expect(detectFormat(varchar('line_item_usage_account_id', 'bill_payer_account_name'))).toBe(
      'cur2',
    );
    expect(
      detectFormat([
        { name: 'line_item_usage_account_id', type: 'VARCHAR' },
        { name: 'product', type: 'MAP(VARCHAR, VARCHAR)' },
      ]),
    ).toBe('cur2');
  });

  it('takes snake_case files without 2.0-only columns for CUR 1 Athena Parquet', () => {
    expect(detectFormat(varchar('line_item_usage_account_id', 'product_product_name'))).toBe('cur');
  });

  it('finds no format in a file that is not a billing file', () => {
    expect(detectFormat(varchar('name', 'amount'))).toBeUndefined();
  });
});
