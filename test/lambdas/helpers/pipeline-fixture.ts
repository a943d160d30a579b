import type { GetQueryResultsCommandOutput } from '@aws-sdk/client-athena';
import { athenaLedgerQuery } from '../../../lambdas/adapters/athena-ledger-query.js';
import type { LedgerRow } from '../../../lambdas/core/ledger.js';
import type { AssembleConfig } from '../../../lambdas/shared/config.js';
import type { AssembleInput, RunInput } from '../../../lambdas/shared/pipeline-contract.js';

export const PAYER = '012345678901';
/** Owns a Reserved Instance. */
export const OWNER = '011111111111';
/** Runs usage the owner's RI covers. */
export const CONSUMER = '022222222222';
export const BUCKET = 'report-bucket';

const row = (over: Partial<LedgerRow>): LedgerRow => ({
  billing_period: '2025-10',
  currency_code: 'USD',
  payer_account_id: PAYER,
  usage_account_id: null,
  owner_account_id: null,
  invoice_account_id: null,
  commitment: null,
  line_item_type: 'Usage',
  note: null,
  usage_cost: '0',
  invoice_cost: '0',
  line_count: 1,
  final_line_count: 0,
  ...over,
});

/**
 * A hand-built ledger of one month:
 * - CONSUMER's usage of 30 covered by OWNER's RI: usage basis CONSUMER, owner basis OWNER;
 * - OWNER's own usage 10 (invoiced 10) and RI fee 5 (invoiced 35: the upfront charged this month).
 * So usageCost OWNER = 10 + 5 = 15, CONSUMER = 30; ownerCost OWNER = 30 + 10 + 5 = 45,
 * CONSUMER = 0; invoiceCost OWNER = 10 + 35 = 45, CONSUMER = 0; one transfer OWNER <- CONSUMER ri 30.
 */
export const LEDGER: LedgerRow[] = [
  row({
    usage_account_id: CONSUMER,
    owner_account_id: OWNER,
    invoice_account_id: CONSUMER,
    commitment: 'ri',
    line_item_type: 'DiscountedUsage',
    usage_cost: '30.0000000000',
    invoice_cost: '0.0000000000',
  }),
  row({
    usage_account_id: OWNER,
    owner_account_id: OWNER,
    invoice_account_id: OWNER,
    usage_cost: '10.0000000000',
    invoice_cost: '10.0000000000',
  }),
  row({
    usage_account_id: OWNER,
    owner_account_id: OWNER,
    invoice_account_id: OWNER,
    line_item_type: 'RIFee',
    usage_cost: '5.0000000000',
    invoice_cost: '35.0000000000',
  }),
];

const COLUMNS = Object.keys(LEDGER[0]!) as (keyof LedgerRow)[];

/** Ledger rows as Athena pages them: header row first, every value a VarCharValue string. */
export const athenaPages = (
  rows: readonly LedgerRow[],
  pageSize: number,
): GetQueryResultsCommandOutput[] => {
  const data = [
    { Data: COLUMNS.map((c) => ({ VarCharValue: c })) },
    ...rows.map((r) => ({
      Data: COLUMNS.map((c) => (r[c] === null ? {} : { VarCharValue: String(r[c]) })),
    })),
  ];
  const pages: GetQueryResultsCommandOutput[] = [];
  for (let i = 0; i < data.length; i += pageSize) {
    const last = i + pageSize >= data.length;
    pages.push({
      $metadata: {},
      ResultSet: {
        Rows: data.slice(i, i + pageSize),
        ResultSetMetadata: { ColumnInfo: COLUMNS.map((c) => ({ Name: c, Type: 'varchar' })) },
      },
      ...(last ? {} : { NextToken: `page-${i / pageSize + 2}` }),
    });
  }
  return pages;
};

/** All of LEDGER in a single Athena page: header and rows, no NextToken. */
export const oneLedgerPage = (): GetQueryResultsCommandOutput => athenaPages(LEDGER, 10)[0]!;

export const assembleConfig: AssembleConfig = {
  reportBucket: BUCKET,
  reportPrefix: 'reports/',
  sources: [
    { format: 'cur2', prefix: 'exports', reportName: 'whopays-cur2', payerAccountId: PAYER },
  ],
  billingGroups: undefined,
};

export const runInput = (deliveredAt: string, deliveryId: string): RunInput => ({
  deliveryId,
  deliveredAt,
  format: 'cur2',
  payerAccountId: PAYER,
  billingPeriod: '2025-10',
  source: {
    bucket: 'cur-bucket',
    key: 'exports/whopays-cur2/metadata/BILLING_PERIOD=2025-10/whopays-cur2-Manifest.json',
  },
  query: {
    queryString: athenaLedgerQuery({
      format: 'cur2',
      database: 'whopays',
      table: 'cur2_data',
      payerAccountId: PAYER,
      billingPeriod: '2025-10',
    }),
    database: 'whopays',
    workGroup: 'whopays',
  },
});

export const assembleInput = (
  deliveredAt: string,
  deliveryId: string,
  queryId = 'q-1',
): AssembleInput => ({
  ...runInput(deliveredAt, deliveryId),
  athena: { QueryExecution: { QueryExecutionId: queryId, Status: { State: 'SUCCEEDED' } } },
});
