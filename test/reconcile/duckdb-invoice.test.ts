import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInvoiceCsv } from '../../lambdas/adapters/duckdb-invoice.js';
import { summarizeInvoice } from '../../lambdas/core/reconcile.js';

const HEADER =
  'InvoiceID,PayerAccountId,LinkedAccountId,RecordType,RecordID,BillingPeriodStartDate,BillingPeriodEndDate,InvoiceDate,PayerAccountName,LinkedAccountName,TaxationAddress,PayerPONumber,ProductCode,ProductName,SellerOfRecord,UsageType,Operation,RateId,ItemDescription,UsageStartDate,UsageEndDate,UsageQuantity,BlendedRate,CurrencyCode,CostBeforeTax,Credits,TaxAmount,TaxType,TotalCost';

/** One invoice CSV line from the fields that matter; the others stay empty. */
const line = (f: Record<string, string>): string =>
  HEADER.split(',')
    .map((name) => {
      const value = f[name] ?? '';
      return /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
    })
    .join(',');

const BODY = [
  line({
    InvoiceID: 'Estimated',
    PayerAccountId: '052601815908',
    RecordType: 'PayerLineItem',
    RecordID: '100',
    BillingPeriodStartDate: '2025/10/01 00:00:00',
    ProductName: 'Amazon Elastic Compute Cloud',
    ItemDescription: '税金 VAT 类型, 宁夏',
    CurrencyCode: 'CNY',
    TotalCost: '12.34',
  }),
  line({
    InvoiceID: 'Estimated',
    PayerAccountId: '052601815908',
    LinkedAccountId: '003786579754',
    RecordType: 'LinkedLineItem',
    RecordID: '101',
    BillingPeriodStartDate: '2025/10/01 00:00:00',
    LinkedAccountName: '平台 "核心"',
    CurrencyCode: 'CNY',
    TotalCost: '0.50',
  }),
  line({
    InvoiceID: 'Estimated',
    PayerAccountId: '052601815908',
    RecordType: 'InvoiceTotal',
    RecordID: 'InvoiceTotal:Estimated',
    TotalCost: '12.84',
  }),
  line({
    RecordType: 'EstimatedDisclaimer',
    ItemDescription: 'This report reflects your estimated monthly bill',
  }),
];

describe('readInvoiceCsv', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'whopays-invoice-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a BOM-prefixed file with Chinese text and keeps account ids as text', async () => {
    // Prepare
    const file = join(dir, '052601815908-aws-billing-csv-2025-10.csv');
    writeFileSync(file, `\uFEFF${[HEADER, ...BODY].join('\r\n')}\r\n`);

    // Act
    const rows = await readInvoiceCsv(file);

    // Assess
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({
      PayerAccountId: '052601815908',
      LinkedAccountId: '003786579754',
      RecordType: 'LinkedLineItem',
      RecordID: '101',
      BillingPeriodStartDate: '2025/10/01 00:00:00',
      LinkedAccountName: '平台 "核心"',
      CurrencyCode: 'CNY',
      TotalCost: '0.50',
    });
    const summary = summarizeInvoice(rows, file);
    expect(summary).toMatchObject({
      payerAccountId: '052601815908',
      final: false,
      currency: 'CNY',
    });
    // 12.34 + 0.50 = 12.84 = InvoiceTotal
    expect(summary.invoiceTotal).toBe('12.8400000000');
  });

  it('skips the notice line of the cost-allocation variant', async () => {
    const file = join(dir, '052601815908-aws-cost-allocation-2025-10.csv');
    const notice = '"Don\'t see your tags in the report? New tags are excluded by default."';
    writeFileSync(file, `${[notice, HEADER, ...BODY].join('\n')}\n`);
    const rows = await readInvoiceCsv(file);
    expect(rows.map((r) => r.RecordType)).toEqual([
      'PayerLineItem',
      'LinkedLineItem',
      'InvoiceTotal',
      'EstimatedDisclaimer',
    ]);
  });

  it('refuses a file without the invoice columns, naming it', async () => {
    const file = join(dir, 'not-an-invoice.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    await expect(readInvoiceCsv(file)).rejects.toThrow(
      `${file}: missing required columns PayerAccountId, RecordType, TotalCost: not an AWS invoice summary (aws-billing-csv)`,
    );
  });

  it('refuses a missing file', async () => {
    const file = join(dir, 'nope.csv');
    await expect(readInvoiceCsv(file)).rejects.toThrow(`${file}: no such file`);
  });
});
