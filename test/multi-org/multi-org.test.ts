import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMoney } from '../../lambdas/core/money.js';
import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';
import { generateExamples, repoRoot } from '../examples/run-generator.js';

const GROUPS = join(repoRoot, 'examples', 'groups.json');

/** `whopays …` as a user runs it: the package's bin over the bundled CLI (built by `npm test`). */
function whopays(...args: string[]) {
  const run = spawnSync(process.execPath, [join('bin', 'whopays.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function reportOf(...args: string[]): Report {
  const run = whopays('report', ...args, '--json');
  if (run.status !== 0) throw new Error(`whopays exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

const sum = (values: readonly string[]): bigint => values.reduce((s, v) => s + parseMoney(v), 0n);

describe('two organizations and a groups file through whopays report', () => {
  let data: string;
  let consolidated: Report;
  let single: Report[];
  beforeAll(() => {
    data = generateExamples();
    consolidated = reportOf(join(data, 'cur'), join(data, 'cur2'), '--groups', GROUPS);
    single = [reportOf(join(data, 'cur')), reportOf(join(data, 'cur2'))];
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('gives one consolidated period per (billing period, currency) with both payers', () => {
    expect(consolidated.periods.map((p) => [p.billingPeriod, p.currency])).toEqual([
      ['2025-10', 'USD'],
    ]);
    expect(consolidated.periods[0]!.payerAccountIds).toEqual(['111122223333', '444455556666']);
  });

  it('keeps every account with its own payer and its own figures', () => {
    const period = consolidated.periods[0]!;
    const alone = single.flatMap((r) => r.periods.flatMap((p) => p.accounts));
    expect(period.accounts).toHaveLength(alone.length);
    for (const account of alone) {
      expect(period.accounts.find((a) => a.accountId === account.accountId)).toEqual(account);
    }
  });

  it('never moves cost across payers', () => {
    const period = consolidated.periods[0]!;
    const payerOf = new Map(period.accounts.map((a) => [a.accountId, a.payerAccountId]));
    expect(period.transfers.length).toBeGreaterThan(0);
    for (const t of period.transfers) {
      expect(payerOf.get(t.ownerAccountId)).toBe(payerOf.get(t.consumerAccountId));
    }
    // Same transfers as the two organizations alone: consolidating adds none.
    const alone = single.flatMap((r) => r.periods.flatMap((p) => p.transfers));
    expect([...period.transfers].sort(byTransfer)).toEqual([...alone].sort(byTransfer));
  });

  it('makes each group the sum of its members in every basis, every account in one group', () => {
    const period = consolidated.periods[0] as PeriodReport;
    const groups = period.groups ?? [];
    expect(groups.map((g) => g.name)).toEqual([
      'acme.shared',
      'acme.products',
      'globex.platform',
      '(ungrouped)',
    ]);
    expect(groups.find((g) => g.name === '(ungrouped)')?.accountIds).toEqual(['077788899900']);
    const members = groups.flatMap((g) => g.accountIds.filter((id) => accountIn(period, id)));
    expect([...members].sort()).toEqual(period.accounts.map((a) => a.accountId).sort());
    for (const group of groups) {
      const mine = period.accounts.filter((a) => group.accountIds.includes(a.accountId));
      for (const basis of ['usageCost', 'ownerCost', 'invoiceCost'] as const) {
        expect([group.name, basis, parseMoney(group[basis])]).toEqual([
          group.name,
          basis,
          sum(mine.map((a) => a[basis])),
        ]);
      }
    }
    for (const basis of ['usageCost', 'ownerCost', 'invoiceCost'] as const) {
      expect(sum(groups.map((g) => g[basis]))).toBe(parseMoney(period.totals[basis]));
    }
  });

  it('keeps CNY and USD apart: a DBR with the CURs gives one period per currency', () => {
    const dbr = join(
      data,
      'dbr',
      '052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip',
    );
    const mixed = reportOf(dbr, join(data, 'cur'), join(data, 'cur2'));
    expect(mixed.periods.map((p) => [p.billingPeriod, p.currency, p.payerAccountIds])).toEqual([
      ['2025-10', 'CNY', ['052601815908']],
      ['2025-10', 'USD', ['111122223333', '444455556666']],
    ]);
  });

  it('writes a report.html with every account of both organizations', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'whopays-multi-org-')), 'out');
    try {
      const run = whopays(
        'report',
        join(data, 'cur'),
        join(data, 'cur2'),
        '--groups',
        GROUPS,
        '--out',
        out,
      );
      expect(run.status).toBe(0);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      const rows = [...html.matchAll(/<tr class="account" data-account="(\d{12})"/g)].map(
        (m) => m[1],
      );
      expect(rows.sort()).toEqual(consolidated.periods[0]!.accounts.map((a) => a.accountId).sort());
      expect(html).toContain('data-group="globex.platform"');
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });

  describe('an invalid groups file', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'whopays-groups-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
      [
        'an account in two groups',
        [
          { Name: 'a', AccountGrouping: { LinkedAccountIds: ['012345678901'] } },
          { Name: 'b', AccountGrouping: { LinkedAccountIds: ['012345678901'] } },
        ],
        'group "b": account 012345678901 is already in group "a" (an account may be in one group only)',
      ],
      [
        'a name outside the API limits',
        [{ Name: 'team alpha', AccountGrouping: { LinkedAccountIds: ['012345678901'] } }],
        'group "team alpha": Name must be 1-128 characters of a-z A-Z 0-9 _ + = . - @',
      ],
      [
        'a primary account that is not a member',
        [
          {
            Name: 'acme',
            PrimaryAccountId: '111122223333',
            AccountGrouping: { LinkedAccountIds: ['012345678901'] },
          },
        ],
        'group "acme": PrimaryAccountId 111122223333 must be one of its LinkedAccountIds',
      ],
    ])('is refused with exit 2 naming the group and rule: %s', (_what, groups, rule) => {
      // Prepare
      const file = join(dir, 'groups.json');
      writeFileSync(file, JSON.stringify(groups));
      const out = join(dir, 'out');

      // Act
      const run = whopays(
        'report',
        join(data, 'cur'),
        join(data, 'cur2'),
        '--groups',
        file,
        '--out',
        out,
      );

      // Assess
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'));
      expect(lines).toEqual([`whopays: ${file}: ${rule}`]);
      expect(existsSync(out)).toBe(false);
    });
  });
});

function accountIn(period: PeriodReport, id: string): boolean {
  return period.accounts.some((a) => a.accountId === id);
}

function byTransfer(
  a: { ownerAccountId: string; consumerAccountId: string; commitment: string },
  b: { ownerAccountId: string; consumerAccountId: string; commitment: string },
): number {
  const ka = `${a.ownerAccountId}${a.consumerAccountId}${a.commitment}`;
  const kb = `${b.ownerAccountId}${b.consumerAccountId}${b.commitment}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
