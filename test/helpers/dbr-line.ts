import type { LineRow } from './duckdb.js';

/** The payer of the DBR line fixtures. */
export const DBR_PAYER = '000000000010';

/** A DBR EC2 line item of August 2020 costing 1, with `fields` overriding any column. */
export const dbrLine = (fields: LineRow): LineRow => ({
  InvoiceID: '4242',
  PayerAccountId: DBR_PAYER,
  RecordType: 'LineItem',
  ProductName: 'Amazon Elastic Compute Cloud',
  UsageStartDate: '2020-08-01 00:00:00',
  UnBlendedCost: '1',
  ...fields,
});
