import { Readable } from 'node:stream';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { mockClient } from 'aws-sdk-client-mock';
import { budgetsAdapter, newBudgetsClient } from '../../lambdas/adapters/budgets.js';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../lambdas/adapters/sns.js';
import { BudgetsPolicySchema } from '../../lambdas/core/budget-plan.js';
import { buildReport } from '../../lambdas/core/report.js';
import { makeHandler } from '../../lambdas/publish-report/publish-report.js';
import { PublishOutputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import { assembleInput, BUCKET, LEDGER, OWNER, PAYER } from './helpers/pipeline-fixture.js';

const FOLDER = `reports/2025-10/${PAYER}/`;
const VERSION = `2025-11-03T20:00:00.000Z#${'b'.repeat(32)}`;

const json = (status: number, body: object, errorType?: string) => ({
  response: new HttpResponse({
    statusCode: status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    },
    body: Readable.from([Buffer.from(JSON.stringify(body))]),
  }),
});

/**
 * Budgets over a fake HTTP layer (not aws-sdk-client-mock, which bypasses the middleware stack), so
 * the client's real retry strategy meets a ThrottlingException.
 */
describe('publish-report against a throttling Budgets endpoint', () => {
  const sns = mockClient(SNSClient);
  let s3: MemoryS3;
  beforeEach(() => {
    s3 = new MemoryS3();
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const report = buildReport({ sources: [{ path: 's3://x/y', format: 'cur2', rows: LEDGER }] });
    s3.put(BUCKET, `${FOLDER}report.json`, JSON.stringify(report), { 'whopays-version': VERSION });
  });
  afterEach(() => s3.restore());

  it('retries the throttled call with backoff and then creates the budget', async () => {
    // Prepare
    const calls: string[] = [];
    let throttles = 2;
    const requestHandler = {
      handle: async (request: HttpRequest) => {
        const operation = String(request.headers['x-amz-target']).split('.').pop()!;
        calls.push(operation);
        if (operation === 'CreateBudget' && throttles-- > 0) {
          return json(
            400,
            { __type: 'ThrottlingException', Message: 'Rate exceeded' },
            'ThrottlingException',
          );
        }
        // No budget exists yet: the one listing call returns none.
        if (operation === 'DescribeBudgets') return json(200, { Budgets: [] });
        return json(200, {});
      },
    };
    const client = newBudgetsClient('us-east-1', {
      requestHandler,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const handler = makeHandler({
      store: s3Store(newS3Client()),
      budgets: {
        port: budgetsAdapter(client, '111122223333', undefined),
        policy: BudgetsPolicySchema.parse({
          namePrefix: 'whopays-',
          basis: 'invoice',
          payerAccountId: PAYER,
          limit: { mode: 'fixed', amounts: { [OWNER]: '10' } },
          dryRun: false,
        }),
      },
      notifier: snsNotifier(new SNSClient({}), 'topic'),
      reportBucket: BUCKET,
      reportPrefix: 'reports/',
      dryRun: false,
    });
    const input = {
      ...assembleInput('2025-11-03T20:00:00.000Z', 'b'.repeat(32)),
      assembled: {
        status: 'written' as const,
        reportVersion: VERSION,
        bucket: BUCKET,
        reportKey: `${FOLDER}report.json`,
        accountsKey: `${FOLDER}accounts.csv`,
        transfersKey: `${FOLDER}transfers.csv`,
        final: false,
      },
    };
    // Act
    const out = PublishOutputSchema.parse(await handler(input, lambdaContext));
    // Assess
    expect(out).toMatchObject({ status: 'published', budgets: { created: 1 } });
    expect(calls).toEqual(['DescribeBudgets', 'CreateBudget', 'CreateBudget', 'CreateBudget']);
  });

  it('uses cn-northwest-1 for Budgets in aws-cn and us-east-1 in aws', async () => {
    const { budgetsRegionFor } = await import('../../lambdas/shared/config.js');
    expect(budgetsRegionFor('cn-north-1')).toBe('cn-northwest-1');
    expect(budgetsRegionFor('cn-northwest-1')).toBe('cn-northwest-1');
    expect(budgetsRegionFor('eu-west-1')).toBe('us-east-1');
    expect(await newBudgetsClient(budgetsRegionFor('cn-north-1')).config.region()).toBe(
      'cn-northwest-1',
    );
  });
});
