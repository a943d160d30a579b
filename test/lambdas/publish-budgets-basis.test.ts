import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  NotFoundException,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type BudgetsPort, budgetsAdapter } from '../../lambdas/adapters/budgets.js';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../lambdas/adapters/sns.js';
import {
  type BudgetAction,
  type BudgetsPolicy,
  BudgetsPolicySchema,
  COST_TYPES,
} from '../../lambdas/core/budget-plan.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { buildReport } from '../../lambdas/core/report.js';
import { makeHandler } from '../../lambdas/publish-report/publish-report.js';
import { type PublishInput, PublishOutputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import {
  assembleInput,
  BUCKET,
  CONSUMER,
  LEDGER,
  OWNER,
  PAYER,
} from './helpers/pipeline-fixture.js';

const FOLDER = `reports/2025-10/${PAYER}/`;
const VERSION = `2025-11-03T20:00:00.000Z#${'b'.repeat(32)}`;
/** A second organization replicated into the same bucket: its account has spend of 7. */
const OTHER_PAYER = '099999999999';
const OTHER_ACCOUNT = '033333333333';
const OTHER_ROW: LedgerRow = {
  ...LEDGER[1]!,
  payer_account_id: OTHER_PAYER,
  usage_account_id: OTHER_ACCOUNT,
  owner_account_id: OTHER_ACCOUNT,
  invoice_account_id: OTHER_ACCOUNT,
  usage_cost: '7.0000000000',
  invoice_cost: '7.0000000000',
};

const input: PublishInput = {
  ...assembleInput('2025-11-03T20:00:00.000Z', 'b'.repeat(32)),
  assembled: {
    status: 'written',
    reportVersion: VERSION,
    bucket: BUCKET,
    reportKey: `${FOLDER}report.json`,
    accountsKey: `${FOLDER}accounts.csv`,
    transfersKey: `${FOLDER}transfers.csv`,
    final: true,
  },
};

const policyOf = (basis: BudgetsPolicy['basis']): BudgetsPolicy =>
  BudgetsPolicySchema.parse({
    namePrefix: 'whopays-',
    basis,
    payerAccountId: PAYER,
    limit: { mode: 'lastCost', headroom: 0 },
    dryRun: false,
  });

describe('publish-report: budgets measure the basis of their limit, for the stack payer only', () => {
  const budgets = mockClient(BudgetsClient);
  const sns = mockClient(SNSClient);
  let s3: MemoryS3;

  const handler = (policy: BudgetsPolicy, port?: BudgetsPort) =>
    makeHandler({
      store: s3Store(newS3Client()),
      budgets: {
        port: port ?? budgetsAdapter(new BudgetsClient({}), '111122223333', undefined),
        policy,
      },
      notifier: snsNotifier(new SNSClient({}), 'topic'),
      reportBucket: BUCKET,
      reportPrefix: 'reports/',
      dryRun: false,
    });

  beforeEach(() => {
    s3 = new MemoryS3();
    budgets.reset();
    sns.reset();
    const report = buildReport({
      sources: [{ path: 's3://cur/x', format: 'cur2', rows: [...LEDGER, OTHER_ROW] }],
    });
    s3.put(BUCKET, `${FOLDER}report.json`, JSON.stringify(report), { 'whopays-version': VERSION });
    budgets.on(DescribeBudgetsCommand).resolves({ Budgets: [] });
    budgets.on(CreateBudgetCommand).resolves({});
    budgets.on(UpdateBudgetCommand).resolves({});
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [] });
    budgets.on(CreateNotificationCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });
  afterEach(() => s3.restore());

  const created = () =>
    budgets.commandCalls(CreateBudgetCommand).map((c) => ({
      name: c.args[0].input.Budget?.BudgetName,
      limit: c.args[0].input.Budget?.BudgetLimit?.Amount,
      costTypes: c.args[0].input.Budget?.CostTypes,
    }));

  it('usage basis: usageCost limits on amortized budgets (OWNER 15, CONSUMER 30, see LEDGER)', async () => {
    const out = PublishOutputSchema.parse(await handler(policyOf('usage'))(input, lambdaContext));
    expect(out.budgets).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 1 });
    expect(created()).toEqual([
      { name: `whopays-${OWNER}`, limit: '15.00', costTypes: COST_TYPES.usage },
      { name: `whopays-${CONSUMER}`, limit: '30.00', costTypes: COST_TYPES.usage },
    ]);
    expect(COST_TYPES.usage).toMatchObject({ UseAmortized: true, UseBlended: false });
  });

  it('invoice basis: invoiceCost limits on unblended budgets with upfront (OWNER 10 + 35 upfront)', async () => {
    await handler(policyOf('invoice'))(input, lambdaContext);
    expect(created()).toEqual([
      { name: `whopays-${OWNER}`, limit: '45.00', costTypes: COST_TYPES.invoice },
    ]);
    expect(COST_TYPES.invoice).toMatchObject({ UseAmortized: false, IncludeUpfront: true });
  });

  it('owner basis: ownerCost limits on unblended budgets without upfront', async () => {
    await handler(policyOf('owner'))(input, lambdaContext);
    expect(created()).toEqual([
      { name: `whopays-${OWNER}`, limit: '45.00', costTypes: COST_TYPES.owner },
    ]);
    expect(COST_TYPES.owner).toMatchObject({ UseAmortized: false, IncludeUpfront: false });
  });

  it("never budgets another payer's account, and says so in the summary", async () => {
    await handler(policyOf('usage'))(input, lambdaContext);
    for (const call of budgets.calls()) {
      expect(JSON.stringify(call.args[0])).not.toContain(OTHER_ACCOUNT);
    }
    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message).toContain('Budgets: 2 created, 0 updated, 0 unchanged, 1 accounts skipped');
    expect(message).toMatch(
      new RegExp(
        `skipped 1 \\(account of payer ${OTHER_PAYER}: .*management account.*runs in payer ${PAYER}\\): ${OTHER_ACCOUNT}`,
      ),
    );
  });

  it('a listed budget that already measures the basis at the same limit costs no further call', async () => {
    budgets.on(DescribeBudgetsCommand).resolves({
      Budgets: [
        {
          BudgetName: `whopays-${OWNER}`,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: '45.0', Unit: 'USD' },
          CostFilters: { LinkedAccount: [OWNER] },
          CostTypes: { ...COST_TYPES.owner },
        },
      ],
    });
    const out = PublishOutputSchema.parse(await handler(policyOf('owner'))(input, lambdaContext));
    expect(out.budgets).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(budgets.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'DescribeBudgetsCommand',
    ]);
  });

  it('an existing budget on AWS default cost types is rewritten to the basis', async () => {
    budgets.on(DescribeBudgetsCommand).resolves({
      Budgets: [
        {
          BudgetName: `whopays-${OWNER}`,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: '15.00', Unit: 'USD' },
          CostFilters: { LinkedAccount: [OWNER] },
          CostTypes: { ...COST_TYPES.invoice },
        },
      ],
    });
    await handler(policyOf('usage'))(input, lambdaContext);
    expect(budgets).toHaveReceivedCommandWith(UpdateBudgetCommand, {
      NewBudget: expect.objectContaining({
        BudgetName: `whopays-${OWNER}`,
        CostTypes: COST_TYPES.usage,
      }),
    });
  });

  it('falls back to one lookup per name when listing is denied', async () => {
    budgets
      .on(DescribeBudgetsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    budgets
      .on(DescribeBudgetCommand)
      .rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    const out = PublishOutputSchema.parse(await handler(policyOf('usage'))(input, lambdaContext));
    expect(out.budgets.created).toBe(2);
    expect(
      budgets
        .commandCalls(DescribeBudgetCommand)
        .map((c) => c.args[0].input.BudgetName)
        .sort(),
    ).toEqual([`whopays-${OWNER}`, `whopays-${CONSUMER}`]);
  });

  it('applies the plan with bounded concurrency (never more than 4 calls in flight)', async () => {
    let inFlight = 0;
    let most = 0;
    const applied: string[] = [];
    const port: BudgetsPort = {
      listManaged: async () => [],
      findExisting: async () => [],
      apply: async (action: BudgetAction) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        applied.push(action.target.accountId);
        inFlight -= 1;
      },
    };
    const many = BudgetsPolicySchema.parse({
      namePrefix: 'whopays-',
      basis: 'usage',
      payerAccountId: PAYER,
      limit: {
        mode: 'fixed',
        amounts: Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [`1000000000${String(i).padStart(2, '0')}`, '1']),
        ),
      },
      dryRun: false,
    });
    await handler(many, port)(input, lambdaContext);
    expect(applied).toHaveLength(20);
    expect(most).toBe(4);
  });
});
