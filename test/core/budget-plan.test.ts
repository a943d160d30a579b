import {
  type BudgetAccount,
  type BudgetsPolicy,
  BudgetsPolicySchema,
  budgetTargets,
  COST_TYPES,
  planBudgets,
} from '../../lambdas/core/budget-plan.js';

const PAYER = '111122223333';
const OTHER_PAYER = '444455556666';

// Figures chosen by hand so each basis gives a different limit:
// A: usage 15, owner 45, invoice 40; B: usage 30, owner 0, invoice 0; C (other payer): 99 everywhere.
const ACCOUNTS: BudgetAccount[] = [
  {
    accountId: '000000000001',
    payerAccountId: PAYER,
    usageCost: '15.0000000000',
    ownerCost: '45.0000000000',
    invoiceCost: '40.0000000000',
  },
  {
    accountId: '000000000002',
    payerAccountId: PAYER,
    usageCost: '30.0000000000',
    ownerCost: '0',
    invoiceCost: '0',
  },
  {
    accountId: '000000000003',
    payerAccountId: OTHER_PAYER,
    usageCost: '99',
    ownerCost: '99',
    invoiceCost: '99',
  },
];

const policy = (over: Partial<BudgetsPolicy> & Pick<BudgetsPolicy, 'basis'>): BudgetsPolicy =>
  BudgetsPolicySchema.parse({
    namePrefix: 'wp-',
    payerAccountId: PAYER,
    limit: { mode: 'lastCost', headroom: 0 },
    dryRun: false,
    ...over,
  });

const limits = (p: BudgetsPolicy) =>
  Object.fromEntries(budgetTargets(p, ACCOUNTS, 'USD').targets.map((t) => [t.accountId, t.amount]));

describe('budget basis: the limit and the measure are the same figure', () => {
  it('takes the limit from the basis field: usageCost, ownerCost or invoiceCost', () => {
    expect(limits(policy({ basis: 'usage' }))).toEqual({
      '000000000001': '15.00',
      '000000000002': '30.00',
    });
    expect(limits(policy({ basis: 'owner' }))).toEqual({ '000000000001': '45.00' });
    expect(limits(policy({ basis: 'invoice' }))).toEqual({ '000000000001': '40.00' });
  });

  it('sets every CostTypes field: usage amortized, invoice unblended with upfront, owner unblended without upfront', () => {
    // Budgets API reference, CostTypes: defaults are every Include* true, UseAmortized and
    // UseBlended false; a budget created without CostTypes measures unblended with upfront.
    const costTypes = (basis: BudgetsPolicy['basis']) =>
      budgetTargets(policy({ basis }), ACCOUNTS, 'USD').targets[0]!.costTypes;
    const charges = {
      IncludeTax: true,
      IncludeSubscription: true,
      IncludeRefund: true,
      IncludeCredit: true,
      IncludeRecurring: true,
      IncludeOtherSubscription: true,
      IncludeSupport: true,
      IncludeDiscount: true,
      UseBlended: false,
    };
    expect(costTypes('usage')).toEqual({ ...charges, UseAmortized: true, IncludeUpfront: true });
    expect(costTypes('invoice')).toEqual({
      ...charges,
      UseAmortized: false,
      IncludeUpfront: true,
    });
    expect(costTypes('owner')).toEqual({ ...charges, UseAmortized: false, IncludeUpfront: false });
  });

  it('plans budgets only for the payer the stack runs in; the other payer is skipped by name with the reason', () => {
    const { targets, skipped } = budgetTargets(policy({ basis: 'usage' }), ACCOUNTS, 'USD');
    expect(targets.map((t) => t.accountId)).not.toContain('000000000003');
    expect(skipped).toEqual([
      {
        accountId: '000000000003',
        payerAccountId: OTHER_PAYER,
        reason: expect.stringMatching(
          new RegExp(`payer ${OTHER_PAYER}.*management account.*runs in payer ${PAYER}`),
        ),
      },
    ]);
  });

  it('a fixed amount for an account the report shows under another payer is skipped, an unseen account is budgeted', () => {
    const fixed = policy({
      basis: 'invoice',
      limit: { mode: 'fixed', amounts: { '000000000003': '10', '000000000009': '5' } },
    });
    const { targets, skipped } = budgetTargets(fixed, ACCOUNTS, 'USD');
    expect(targets.map((t) => [t.accountId, t.amount])).toEqual([['000000000009', '5.00']]);
    expect(skipped.map((s) => s.accountId)).toEqual(['000000000003']);
  });

  it('refuses a policy without a basis, and names the renamed mode', () => {
    const base = { namePrefix: 'wp-', payerAccountId: PAYER, dryRun: true };
    expect(
      BudgetsPolicySchema.safeParse({ ...base, limit: { mode: 'lastCost', headroom: 0 } }).success,
    ).toBe(false);
    const old = BudgetsPolicySchema.safeParse({
      ...base,
      basis: 'owner',
      limit: { mode: 'lastOwnerCost', headroom: 0 },
    });
    expect(old.success).toBe(false);
    expect(old.error?.issues[0]?.message).toMatch(/lastOwnerCost is now lastCost/);
  });
});

describe('planBudgets compares what Budgets measures, not only the limit', () => {
  const owner = policy({ basis: 'owner' });
  const [target] = budgetTargets(owner, ACCOUNTS, 'USD').targets;

  it('an existing budget with the same limit but AWS default cost types is updated', () => {
    const [action] = planBudgets(
      'wp-',
      [target!],
      [
        {
          name: 'wp-000000000001',
          amount: '45.0',
          unit: 'USD',
          linkedAccounts: ['000000000001'],
          // AWS's defaults: unblended, upfront included (the measure of the `invoice` basis).
          costTypes: COST_TYPES.invoice,
        },
      ],
    );
    expect(action?.kind).toBe('update');
  });

  it('the same limit, unit, cost types and account is unchanged (no call needed)', () => {
    const [action] = planBudgets(
      'wp-',
      [target!],
      [
        {
          name: 'wp-000000000001',
          amount: '45.00',
          unit: 'USD',
          linkedAccounts: ['000000000001'],
          costTypes: { ...COST_TYPES.owner },
        },
      ],
    );
    expect(action?.kind).toBe('unchanged');
  });
});
