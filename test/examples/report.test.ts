import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXPECTED_SETS, type ExpectedSet } from '../../examples/expected.js';
import { parseMoney } from '../../lambdas/core/money.js';
import type { PeriodReport, Report } from '../../lambdas/core/report-model.js';
import { generateExamples, repoRoot } from './run-generator.js';

const DECIMAL = /^-?\d+(\.\d{1,10})?$/;

/** `whopays report … --json`, run as a user runs it: the package's bin over the bundled CLI. */
function report(out: string, set: ExpectedSet): Report {
  const args = ['report', ...set.paths.map((p) => join(out, p)), '--json'];
  if (set.groups) args.push('--groups', join(repoRoot, set.groups));
  const run = spawnSync(process.execPath, [join('bin', 'whopays.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`whopays exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

const accountsOf = (period: Pick<PeriodReport, 'accounts'>) =>
  Object.fromEntries(
    period.accounts.map((a) => [
      a.accountId,
      {
        payer: a.payerAccountId,
        usage: parseMoney(a.usageCost),
        owner: parseMoney(a.ownerCost),
        invoice: parseMoney(a.invoiceCost),
      },
    ]),
  );

const transfersOf = (period: Pick<PeriodReport, 'transfers'>) =>
  Object.fromEntries(
    period.transfers.map((t) => [
      `${t.ownerAccountId}→${t.consumerAccountId} ${t.commitment}`,
      parseMoney(t.cost),
    ]),
  );

const groupsOf = (period: Pick<PeriodReport, 'groups'>) =>
  Object.fromEntries(
    (period.groups ?? []).map((g) => [
      g.name,
      {
        accounts: [...g.accountIds].sort(),
        usage: parseMoney(g.usageCost),
        owner: parseMoney(g.ownerCost),
        invoice: parseMoney(g.invoiceCost),
      },
    ]),
  );

describe('whopays report on the example sets', () => {
  let out: string;
  const reports = new Map<string, Report>();

  beforeAll(() => {
    // `npm test` builds dist/cli.mjs first; a bare `npx jest` on a fresh clone builds it here.
    if (!existsSync(join(repoRoot, 'dist', 'cli.mjs'))) {
      spawnSync(process.execPath, [join('scripts', 'build-cli.mjs')], { cwd: repoRoot });
    }
    out = generateExamples();
    for (const set of EXPECTED_SETS) reports.set(set.title, report(out, set));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(EXPECTED_SETS.map((s) => [s.title, s] as const))(
    '%s: the report equals examples/expected.ts',
    (title, set) => {
      // Prepare
      const json = reports.get(title)!;
      const expected = set.period;
      // Act
      const [period, ...others] = json.periods;
      // Assess
      expect(others).toEqual([]);
      expect(period).toMatchObject({
        billingPeriod: expected.billingPeriod,
        currency: expected.currency,
        payerAccountIds: expected.payerAccountIds,
        final: expected.final,
      });
      expect(accountsOf(period!)).toEqual(accountsOf(expected));
      expect(transfersOf(period!)).toEqual(transfersOf(expected));
      expect(groupsOf(period!)).toEqual(groupsOf(expected));
      for (const basis of ['usageCost', 'ownerCost', 'invoiceCost', 'rounding'] as const) {
        expect(parseMoney(period!.totals[basis])).toBe(parseMoney(expected.totals[basis]));
      }
    },
  );

  it.each(EXPECTED_SETS.map((s) => [s.title] as const))(
    '%s: both identities of ATTRIBUTION.md hold exactly in the report',
    (title) => {
      for (const period of reports.get(title)!.periods) {
        const moved = new Map<string, bigint>();
        for (const t of period.transfers) {
          const cost = parseMoney(t.cost);
          moved.set(t.ownerAccountId, (moved.get(t.ownerAccountId) ?? 0n) + cost);
          moved.set(t.consumerAccountId, (moved.get(t.consumerAccountId) ?? 0n) - cost);
        }
        let usage = 0n;
        let owner = 0n;
        for (const a of period.accounts) {
          // ownerCost(a) = usageCost(a) + Σ transfers owned by a − Σ transfers consumed by a
          expect(parseMoney(a.ownerCost)).toBe(
            parseMoney(a.usageCost) + (moved.get(a.accountId) ?? 0n),
          );
          usage += parseMoney(a.usageCost);
          owner += parseMoney(a.ownerCost);
        }
        expect(owner).toBe(usage);
      }
    },
  );

  it.each(EXPECTED_SETS.map((s) => [s.title] as const))(
    '%s: money is decimal strings and account ids are 12-character strings',
    (title) => {
      for (const period of reports.get(title)!.periods) {
        for (const a of period.accounts) {
          expect(a.accountId).toMatch(/^\d{12}$/);
          for (const v of [a.usageCost, a.ownerCost, a.invoiceCost]) expect(v).toMatch(DECIMAL);
        }
        for (const t of period.transfers) expect(t.cost).toMatch(DECIMAL);
      }
    },
  );
});
