import { InputError } from '../../lambdas/core/errors.js';
import {
  type BillingGroup,
  groupTotals,
  groupTransfers,
  parseBillingGroups,
  UNGROUPED,
} from '../../lambdas/core/groups.js';
import type { AccountTotals, Transfer } from '../../lambdas/core/report-model.js';

const A = '003786579754';
const B = '006671276842';
const C = '111111111111';
const D = '222222222222';

const group = (name: string, ids: unknown[], extra: Record<string, unknown> = {}) => ({
  Name: name,
  AccountGrouping: { LinkedAccountIds: ids },
  ...extra,
});

describe('parseBillingGroups', () => {
  it('reads the CreateBillingGroup shape and ignores ComputationPreference and Tags', () => {
    // Prepare
    const json = [
      group('platform.core', [A, B], {
        Description: '平台',
        PrimaryAccountId: A,
        ComputationPreference: { PricingPlanArn: 'x' },
        Tags: { team: 'core' },
        AccountGrouping: { LinkedAccountIds: [A, B], AutoAssociate: false },
      }),
      group('data+ml=@x_y-z', [C]),
    ];
    // Act
    const groups = parseBillingGroups(json, 'groups.json');
    // Assess
    expect(groups).toEqual<BillingGroup[]>([
      { name: 'platform.core', description: '平台', primaryAccountId: A, accountIds: [A, B] },
      { name: 'data+ml=@x_y-z', accountIds: [C] },
    ]);
  });

  it('accepts an empty array and a 128-character name', () => {
    expect(parseBillingGroups([], 'g.json')).toEqual([]);
    expect(parseBillingGroups([group('n'.repeat(128), [A])], 'g.json')[0]!.name).toHaveLength(128);
  });

  it.each<[string, unknown, string]>([
    ['not an array', { Name: 'x' }, 'billing groups must be a JSON array'],
    ['a group that is not an object', [42], 'group "#1": must be an object'],
    [
      'a missing Name',
      [{ AccountGrouping: { LinkedAccountIds: [A] } }],
      'group "#1": Name is required',
    ],
    ['an empty Name', [group('', [A])], 'group "#1": Name must be 1-128 characters'],
    [
      'a space in the Name',
      [group('my team', [A])],
      'group "my team": Name must be 1-128 characters',
    ],
    [
      'a 129-character Name',
      [group('n'.repeat(129), [A])],
      `group "${'n'.repeat(129)}": Name must be 1-128 characters`,
    ],
    [
      'a duplicate Name',
      [group('ops', [A]), group('ops', [B])],
      'group "ops": Name must be unique',
    ],
    [
      'a short account id',
      [group('ops', ['3786579754'])],
      'group "ops": LinkedAccountIds must hold 12-digit account ids',
    ],
    [
      'a numeric account id',
      [group('ops', [3786579754])],
      'group "ops": LinkedAccountIds must hold strings',
    ],
    [
      'no accounts',
      [group('ops', [])],
      'group "ops": AccountGrouping.LinkedAccountIds must list at least one account',
    ],
    ['no AccountGrouping', [{ Name: 'ops' }], 'group "ops": AccountGrouping is required'],
    [
      'a misspelt LinkedAccountIds',
      [{ Name: 'ops', AccountGrouping: { LinkedAccountIds: [A], LinkedAccountID: [B] } }],
      'group "ops": unknown field LinkedAccountID',
    ],
    [
      'unknown top-level fields',
      [group('ops', [A], { Owner: 'x', Team: 'y' })],
      'group "ops": unknown fields Owner, Team',
    ],
    [
      'a bad AutoAssociate',
      [{ Name: 'ops', AccountGrouping: { LinkedAccountIds: [A], AutoAssociate: 'yes' } }],
      'group "ops": AutoAssociate must be true or false',
    ],
    [
      'a 1025-character Description',
      [group('ops', [A], { Description: 'd'.repeat(1025) })],
      'group "ops": Description must be at most 1024 characters',
    ],
    [
      'a malformed PrimaryAccountId',
      [group('ops', [A], { PrimaryAccountId: '12' })],
      'group "ops": PrimaryAccountId must be a 12-digit account id',
    ],
    [
      'a PrimaryAccountId outside the group',
      [group('ops', [A], { PrimaryAccountId: B })],
      `group "ops": PrimaryAccountId ${B} must be one of its LinkedAccountIds`,
    ],
    [
      'an account listed twice in one group',
      [group('ops', [A, A])],
      `group "ops": account ${A} is listed twice`,
    ],
    [
      'an account in two groups',
      [group('ops', [A]), group('dev', [B, A])],
      `group "dev": account ${A} is already in group "ops"`,
    ],
  ])('refuses %s, naming the file, the group and the rule', (_case, json, message) => {
    expect(() => parseBillingGroups(json, 'groups.json')).toThrow(InputError);
    expect(() => parseBillingGroups(json, 'groups.json')).toThrow(`groups.json: ${message}`);
  });
});

const account = (
  accountId: string,
  usageCost: string,
  ownerCost: string,
  invoiceCost: string,
): AccountTotals => ({ accountId, payerAccountId: D, usageCost, ownerCost, invoiceCost });

describe('groupTotals', () => {
  const groups: BillingGroup[] = [
    { name: 'core', primaryAccountId: A, accountIds: [A, B] },
    { name: 'empty', accountIds: ['999999999999'] },
  ];

  it('sums every basis over the members and puts the rest in (ungrouped)', () => {
    // Prepare
    const accounts = [
      account(A, '100.5', '90.25', '90.25'),
      account(B, '10', '20.25', '0'),
      account(C, '1.1', '1.1', '-2'),
      account(D, '0', '0', '3'),
    ];
    // Act
    const totals = groupTotals(accounts, groups);
    // Assess
    expect(totals).toEqual([
      // usage 100.5 + 10 = 110.5; owner 90.25 + 20.25 = 110.5; invoice 90.25 + 0 = 90.25
      {
        name: 'core',
        primaryAccountId: A,
        accountIds: [A, B],
        usageCost: '110.5000000000',
        ownerCost: '110.5000000000',
        invoiceCost: '90.2500000000',
      },
      // a configured group with no account in the period stays visible at zero
      {
        name: 'empty',
        accountIds: ['999999999999'],
        usageCost: '0',
        ownerCost: '0',
        invoiceCost: '0',
      },
      // usage 1.1 + 0; owner 1.1 + 0; invoice -2 + 3 = 1
      {
        name: UNGROUPED,
        accountIds: [C, D],
        usageCost: '1.1000000000',
        ownerCost: '1.1000000000',
        invoiceCost: '1.0000000000',
      },
    ]);
  });

  it('leaves (ungrouped) out when every account is in a group', () => {
    expect(groupTotals([account(A, '1', '1', '1')], groups).map((g) => g.name)).toEqual([
      'core',
      'empty',
    ]);
  });
});

describe('groupTransfers', () => {
  const groups: BillingGroup[] = [
    { name: 'core', accountIds: [A, B] },
    { name: 'data', accountIds: [C] },
  ];
  const t = (
    owner: string,
    consumer: string,
    commitment: Transfer['commitment'],
    cost: string,
  ) => ({
    ownerAccountId: owner,
    consumerAccountId: consumer,
    commitment,
    cost,
  });

  it('rolls transfers up between groups, dropping those inside a group and zero sums', () => {
    // Prepare
    const transfers: Transfer[] = [
      t(A, B, 'ri', '500'), // inside core: left out
      t(A, C, 'ri', '10.5'),
      t(B, C, 'ri', '4.5'), // core -> data ri: 10.5 + 4.5 = 15
      t(A, C, 'sp', '7'),
      t(C, D, 'cr', '20'), // data -> (ungrouped) cr: 20
      t(D, A, 'sp', '3'),
      t(D, B, 'sp', '-3'), // (ungrouped) -> core sp: 3 - 3 = 0, left out
    ];
    // Act
    const rolled = groupTransfers(transfers, groups);
    // Assess
    expect(rolled).toEqual([
      { ownerGroup: 'data', consumerGroup: UNGROUPED, commitment: 'cr', cost: '20.0000000000' },
      { ownerGroup: 'core', consumerGroup: 'data', commitment: 'ri', cost: '15.0000000000' },
      { ownerGroup: 'core', consumerGroup: 'data', commitment: 'sp', cost: '7.0000000000' },
    ]);
  });

  it.each<[Transfer[], string[]]>([
    // equal costs: by owner group, then consumer group, then commitment
    [
      [t(C, A, 'sp', '5'), t(A, C, 'sp', '5'), t(A, C, 'ri', '5')],
      ['core>data:ri', 'core>data:sp', 'data>core:sp'],
    ],
    [
      [t(A, D, 'ri', '1'), t(A, C, 'ri', '1')],
      ['core>(ungrouped):ri', 'core>data:ri'],
    ],
  ])('orders equal costs by names', (transfers, order) => {
    expect(
      groupTransfers(transfers, groups).map(
        (g) => `${g.ownerGroup}>${g.consumerGroup}:${g.commitment}`,
      ),
    ).toEqual(order);
  });
});
