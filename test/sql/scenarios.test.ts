import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import { buildReport } from '../../lambdas/core/report.js';
import { viewSql } from '../../lambdas/core/sql-catalog.js';
import { CUR_SCENARIOS, DBR_SCENARIOS, type Scenario } from '../fixtures/scenarios/index.js';
import type { ExpectedCommitment } from '../fixtures/scenarios/types.js';
import {
  type ColumnTyping,
  createLedgerTable,
  createLines,
  queryRows,
  runLedger,
  withConnection,
} from '../helpers/duckdb.js';
import {
  accountsFromLedger,
  accountsFromView,
  canonicalAccounts,
  canonicalRounding,
  canonicalTransfers,
  identityViolations,
  roundingFromLedger,
  transfersFromLedger,
  transfersFromView,
} from './ledger-totals.js';

// Each scenario's expectations are worked out by hand in test/fixtures/scenarios/*.ts.
const cases: [string, Scenario, ColumnTyping][] = [
  ...CUR_SCENARIOS.map((s): [string, Scenario, ColumnTyping] => [`${s.id} (csv)`, s, 'csv']),
  // CUR Parquet stores money as DOUBLE and the period start as TIMESTAMP.
  ...CUR_SCENARIOS.map((s): [string, Scenario, ColumnTyping] => [
    `${s.id} (parquet)`,
    s,
    'parquet',
  ]),
  ...DBR_SCENARIOS.map((s): [string, Scenario, ColumnTyping] => [s.id, s, 'csv']),
];

const options = (scenario: Scenario) =>
  scenario.ec2PurchaseMarkers === undefined
    ? {}
    : { ec2PurchaseMarkers: scenario.ec2PurchaseMarkers };

describe.each(cases)('scenario %s', (_name, scenario, typing) => {
  it('attributes every account and transfer as worked out by hand', async () => {
    // Prepare
    const ledger = await withConnection(async (connection) => {
      await createLines(connection, scenario.format, scenario.rows, typing);
      // Act
      return runLedger(connection, scenario.format, options(scenario));
    });

    // Assess
    expect(accountsFromLedger(ledger)).toEqual(canonicalAccounts(scenario.expected.accounts));
    expect(transfersFromLedger(ledger)).toEqual(canonicalTransfers(scenario.expected.transfers));
    expect(roundingFromLedger(ledger)).toEqual(canonicalRounding(scenario.expected.rounding ?? []));
    const notes = [...new Set(ledger.flatMap((row) => (row.note === null ? [] : [row.note])))];
    expect(notes).toEqual(scenario.expected.notes ?? []);
    expect(ledger.reduce((n, row) => n + row.line_count, 0)).toBe(
      scenario.expected.ledgerLineCount,
    );
  });

  it('keeps both identities of ATTRIBUTION.md exactly', async () => {
    const ledger = await withConnection(async (connection) => {
      await createLines(connection, scenario.format, scenario.rows, typing);
      return runLedger(connection, scenario.format, options(scenario));
    });

    expect(identityViolations(accountsFromLedger(ledger), transfersFromLedger(ledger))).toEqual([]);
  });

  it('gives the same accounts and transfers through the analyst views', async () => {
    // Prepare
    const result = await withConnection(async (connection) => {
      await createLines(connection, scenario.format, scenario.rows, typing);
      const ledger = await runLedger(connection, scenario.format, options(scenario));
      await createLedgerTable(connection, scenario.format, options(scenario));
      // Act
      const accounts = await queryRows(connection, viewSql('account_totals'));
      const transfers = await queryRows(connection, viewSql('transfers'));
      return { ledger, accounts, transfers };
    });

    // Assess
    expect(accountsFromView(result.accounts)).toEqual(accountsFromLedger(result.ledger));
    expect(transfersFromView(result.transfers)).toEqual(transfersFromLedger(result.ledger));
  });
});

/** Money as the report writes it (10 fraction digits), so hand-written '85' compares equal. */
const money = (text: string | null): string | null =>
  text === null ? null : formatMoney(parseMoney(text));

const canonicalCommitments = (list: readonly ExpectedCommitment[]) =>
  [...list]
    .map((c) => ({
      ...c,
      usedCost: money(c.usedCost),
      unusedCost: money(c.unusedCost),
      onDemandCost: money(c.onDemandCost),
      savings: money(c.savings),
      consumers: c.consumers.map(([id, cost, onDemand, savings]) => [
        id,
        money(cost),
        money(onDemand),
        money(savings),
      ]),
    }))
    .sort((a, b) => (a.commitmentId < b.commitmentId ? -1 : 1));

const withCommitments = cases.filter(([, scenario]) => scenario.expected.commitments !== undefined);

describe.each(withCommitments)('scenario %s commitments', (_name, scenario, typing) => {
  it('lists every commitment, its consumers, unused cost and savings as worked out by hand', async () => {
    // Prepare
    const ledger = await withConnection(async (connection) => {
      await createLines(connection, scenario.format, scenario.rows, typing);
      return runLedger(connection, scenario.format, options(scenario));
    });

    // Act
    const report = buildReport({
      sources: [{ path: scenario.id, format: scenario.format, currency: 'CNY', rows: ledger }],
    });

    // Assess
    const [period] = report.periods;
    const written = (period?.commitments ?? []).map((c) => ({
      ...c,
      consumers: c.consumers.map((x) => [x.accountId, x.cost, x.onDemandCost, x.savings]),
    }));
    expect(written).toEqual(canonicalCommitments(scenario.expected.commitments!));
  });

  it('gives the same commitments through the analyst view', async () => {
    // Prepare
    const rows = await withConnection(async (connection) => {
      await createLines(connection, scenario.format, scenario.rows, typing);
      await createLedgerTable(connection, scenario.format, options(scenario));
      // Act
      return queryRows(connection, viewSql('commitments'));
    });

    // Assess: one row per commitment and consumer, the commitment's figures repeated.
    const byCommitment = new Map<
      string,
      { used: unknown; unused: unknown; consumers: unknown[] }
    >();
    for (const row of rows) {
      const key = `${row.commitment}|${row.commitment_id}|${row.owner_account_id}`;
      const entry = byCommitment.get(key) ?? {
        used: money(row.used_cost as string),
        unused: money(row.unused_cost as string | null),
        consumers: [],
      };
      entry.consumers.push([
        row.consumer_account_id,
        money(row.cost as string),
        money(row.on_demand_cost as string | null),
        money(row.savings as string | null),
      ]);
      byCommitment.set(key, entry);
    }
    const expected = canonicalCommitments(scenario.expected.commitments!).map((c) => [
      `${c.commitment}|${c.commitmentId}|${c.ownerAccountId}`,
      { used: c.usedCost, unused: c.unusedCost, consumers: expect.arrayContaining(c.consumers) },
    ]);
    expect([...byCommitment].sort()).toEqual(expected.sort());
  });
});
