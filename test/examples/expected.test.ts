import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPECTED_SETS, type ExpectedPeriod } from '../../examples/expected.js';
import { CUR_ACME } from '../../examples/scenarios/cur-acme.js';
import { CUR2_GLOBEX } from '../../examples/scenarios/cur2-globex.js';
import { DBR_CHINA } from '../../examples/scenarios/dbr-china.js';
import { type Derived, deriveCur, deriveDbr, mergeDerived, units } from './derive.js';

const root = join(__dirname, '..', '..');

interface GroupFile {
  Name: string;
  AccountGrouping: { LinkedAccountIds: string[] };
}

const derivedFor: Record<string, Derived> = {
  'AWS China DBR-RT, payer 052601815908 (CNY)': deriveDbr(DBR_CHINA),
  'CUR 1, payer 111122223333 (USD)': deriveCur(CUR_ACME),
  'CUR 2.0, payer 444455556666 (USD)': deriveCur(CUR2_GLOBEX),
  // FOCUS of the CUR 2.0 spend: the same lines, so the same derivation.
  'FOCUS 1.2 of the CUR 2.0 spend, payer 444455556666 (USD)': deriveCur(CUR2_GLOBEX),
  'Two organizations consolidated, with billing groups': mergeDerived([
    deriveCur(CUR_ACME),
    deriveCur(CUR2_GLOBEX),
  ]),
};

const sum = (values: Iterable<bigint>): bigint => [...values].reduce((t, v) => t + v, 0n);

const expectedMaps = (period: ExpectedPeriod) => ({
  usage: new Map(period.accounts.map((a) => [a.accountId, units(a.usageCost)])),
  owner: new Map(period.accounts.map((a) => [a.accountId, units(a.ownerCost)])),
  invoice: new Map(period.accounts.map((a) => [a.accountId, units(a.invoiceCost)])),
  transfers: new Map(
    period.transfers.map((t) => [
      `${t.ownerAccountId}|${t.consumerAccountId}|${t.commitment}`,
      units(t.cost),
    ]),
  ),
});

describe('examples/expected.ts', () => {
  it('covers every example set with an independent derivation', () => {
    expect(EXPECTED_SETS.map((s) => s.title).sort()).toEqual(Object.keys(derivedFor).sort());
  });

  it.each(EXPECTED_SETS.map((s) => [s.title, s] as const))(
    '%s: hand-worked accounts and transfers equal a re-derivation from the scenario lines',
    (title, set) => {
      // Prepare
      const derived = derivedFor[title]!;
      const expected = expectedMaps(set.period);
      // Assess
      expect(expected.usage).toEqual(derived.usage);
      expect(expected.owner).toEqual(derived.owner);
      expect(expected.invoice).toEqual(derived.invoice);
      expect(expected.transfers).toEqual(derived.transfers);
      expect(units(set.period.totals.rounding)).toBe(derived.rounding);
      expect(units(set.period.totals.usageCost)).toBe(sum(derived.usage.values()));
      expect(units(set.period.totals.ownerCost)).toBe(sum(derived.owner.values()));
      expect(units(set.period.totals.invoiceCost)).toBe(sum(derived.invoice.values()));
    },
  );

  it.each(EXPECTED_SETS.map((s) => [s.title, s.period] as const))(
    '%s: both identities of ATTRIBUTION.md hold on the expected figures',
    (_title, period) => {
      const { usage, owner, transfers } = expectedMaps(period);
      for (const [account, ownerCost] of owner) {
        let moved = 0n;
        for (const [key, cost] of transfers) {
          const [from, to] = key.split('|');
          if (from === account) moved += cost;
          if (to === account) moved -= cost;
        }
        expect(ownerCost).toBe((usage.get(account) ?? 0n) + moved);
      }
      expect(sum(owner.values())).toBe(sum(usage.values()));
    },
  );

  it('groups in the consolidated set are the groups file, each the sum of its members', () => {
    // Prepare
    const set = EXPECTED_SETS.find((s) => s.groups !== undefined)!;
    const file = JSON.parse(readFileSync(join(root, set.groups!), 'utf8')) as GroupFile[];
    const { usage, owner, invoice } = expectedMaps(set.period);
    const grouped = new Set(file.flatMap((g) => g.AccountGrouping.LinkedAccountIds));
    const members = new Map(file.map((g) => [g.Name, g.AccountGrouping.LinkedAccountIds]));
    members.set(
      '(ungrouped)',
      set.period.accounts.map((a) => a.accountId).filter((id) => !grouped.has(id)),
    );
    // Assess
    expect(set.period.groups!.map((g) => g.name).sort()).toEqual([...members.keys()].sort());
    for (const group of set.period.groups!) {
      const ids = members.get(group.name)!;
      expect([...group.accountIds].sort()).toEqual([...ids].sort());
      expect(units(group.usageCost)).toBe(sum(ids.map((id) => usage.get(id)!)));
      expect(units(group.ownerCost)).toBe(sum(ids.map((id) => owner.get(id)!)));
      expect(units(group.invoiceCost)).toBe(sum(ids.map((id) => invoice.get(id)!)));
    }
  });

  it('no transfer crosses organizations in the consolidated set', () => {
    const set = EXPECTED_SETS.find((s) => s.paths.length > 1)!;
    const payerOf = new Map(set.period.accounts.map((a) => [a.accountId, a.payerAccountId]));
    for (const t of set.period.transfers) {
      expect(payerOf.get(t.ownerAccountId)).toBe(payerOf.get(t.consumerAccountId));
    }
  });
});
