// publish-report's Budgets work for N accounts, through the real Budgets client (serialization,
// signing, retry middleware) over a fake HTTP layer that answers every call after `latencyMs`.
// Assumption: a Budgets call takes ~200 ms from a Lambda (the endpoint is us-east-1 /
// cn-northwest-1 whatever the function's region, so a cross-region round trip is included; AWS
// documents no latency figure). Three runs: first (every budget created), monthly (every limit
// changed: update + notifications check) and re-run (nothing changed). Prints one JSON line.
//
// usage: npx tsx bench/publish-budgets.ts [accounts=500] [latencyMs=200]
import { Readable } from 'node:stream';
import { type HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { budgetsAdapter, newBudgetsClient } from '../lambdas/adapters/budgets.js';
import type { ObjectStore, StoredObject } from '../lambdas/adapters/s3-store.js';
import { BudgetsPolicySchema, COST_TYPES } from '../lambdas/core/budget-plan.js';
import type { Report } from '../lambdas/core/report-model.js';
import { BUDGETS_CONCURRENCY, publishReport } from '../lambdas/publish-report/publish-report.js';
import { logger } from '../lambdas/shared/logger.js';
import type { PublishInput } from '../lambdas/shared/pipeline-contract.js';

const accounts = Number(process.argv[2] ?? 500);
const latencyMs = Number(process.argv[3] ?? 200);
const PAYER = '052601815908';
const partition = 'aws';
const LAMBDA_LIMIT_S = 300;
/** Kept for reading the report, SNS and the marker: far more than they take. */
const MARGIN_S = 30;

const ids = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
const reportWith = (cost: string): Report => ({
  schemaVersion: 1,
  generatedAt: '2025-12-01T00:00:00.000Z',
  sources: [],
  periods: [
    {
      billingPeriod: '2025-11',
      currency: 'USD',
      payerAccountIds: [PAYER],
      final: true,
      accounts: ids.map((accountId) => ({
        accountId,
        payerAccountId: PAYER,
        usageCost: cost,
        ownerCost: cost,
        invoiceCost: cost,
      })),
      transfers: [],
      totals: { usageCost: '0', ownerCost: '0', invoiceCost: '0', rounding: '0' },
      warnings: [],
    },
  ],
});

/** Budgets as a fake endpoint: keeps the budgets it is sent, answers after the latency. */
const budgetsStore = new Map<string, { Amount: string }>();
let calls = 0;
const respond = (body: object) => ({
  response: new HttpResponse({
    statusCode: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: Readable.from([Buffer.from(JSON.stringify(body))]),
  }),
});
const requestHandler = {
  handle: async (request: HttpRequest) => {
    calls += 1;
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const operation = String(request.headers['x-amz-target']).split('.').pop();
    const text =
      typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
    const input = JSON.parse(text) as {
      Budget?: { BudgetName: string; BudgetLimit: { Amount: string } };
      NewBudget?: { BudgetName: string; BudgetLimit: { Amount: string } };
    };
    if (operation === 'DescribeBudgets') {
      return respond({
        Budgets: [...budgetsStore].map(([name, limit]) => ({
          BudgetName: name,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: limit.Amount, Unit: 'USD' },
          CostFilters: { LinkedAccount: [name.slice(-12)] },
          CostTypes: COST_TYPES.usage,
        })),
      });
    }
    const written = input.Budget ?? input.NewBudget;
    if (written !== undefined) budgetsStore.set(written.BudgetName, written.BudgetLimit);
    if (operation === 'DescribeNotificationsForBudget') {
      // The three alerts exist already: an update checks them and creates none.
      return respond({
        Notifications: [
          { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80 },
          { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100 },
          { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100 },
        ].map((n) => ({ ...n, ThresholdType: 'PERCENTAGE' })),
      });
    }
    return respond({});
  },
};

const objects = new Map<string, StoredObject>();
const store: ObjectStore = {
  getText: async (bucket, key) => objects.get(`${bucket}/${key}`),
  exists: async (bucket, key) => objects.has(`${bucket}/${key}`),
  put: async (bucket, key, body, options) => {
    objects.set(`${bucket}/${key}`, { body, etag: 'e', metadata: options.metadata ?? {} });
    return { etag: 'e' };
  },
};

const client = newBudgetsClient('us-east-1', {
  requestHandler,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const policy = BudgetsPolicySchema.parse({
  namePrefix: 'whopays-',
  basis: 'usage',
  payerAccountId: PAYER,
  limit: { mode: 'lastCost', headroom: 0.1 },
  dryRun: false,
});
const deps = {
  store,
  budgets: {
    port: budgetsAdapter(client, PAYER, `arn:${partition}:sns:us-east-1:${PAYER}:budgets`),
    policy,
  },
  notifier: { publish: async () => 'm' },
  reportBucket: 'reports',
  reportPrefix: 'reports/',
  dryRun: false,
};

let version = 0;
const publishOnce = async (cost: string): Promise<{ seconds: number; calls: number }> => {
  version += 1;
  const reportVersion = `2025-12-0${version}T00:00:00.000Z#${'a'.repeat(32)}`;
  const key = 'reports/2025-11/report.json';
  objects.set(`reports/${key}`, {
    body: JSON.stringify(reportWith(cost)),
    etag: 'e',
    metadata: { 'whopays-version': reportVersion },
  });
  const input = {
    payerAccountId: PAYER,
    billingPeriod: '2025-11',
    assembled: {
      status: 'written',
      reportVersion,
      bucket: 'reports',
      reportKey: key,
      accountsKey: key,
      transfersKey: key,
      final: true,
    },
  } as unknown as PublishInput;
  const before = calls;
  const started = performance.now();
  await publishReport(input, deps);
  return { seconds: (performance.now() - started) / 1000, calls: calls - before };
};

// Quiet the function's log lines: the bench prints one JSON line.
logger.setLogLevel('ERROR');
const first = await publishOnce('100');
const monthly = await publishOnce('120');
const rerun = await publishOnce('120');
const perAccount = monthly.seconds / accounts;
console.log(
  JSON.stringify({
    accounts,
    latencyMs,
    concurrency: BUDGETS_CONCURRENCY,
    first: { ...first, perAccountMs: (first.seconds / accounts) * 1000 },
    monthly: { ...monthly, perAccountMs: perAccount * 1000 },
    rerun,
    maxAccountsIn300s: Math.floor((LAMBDA_LIMIT_S - MARGIN_S) / perAccount),
  }),
);
