import { viewSql } from '../../lambdas/core/sql-catalog.js';
import { CUR_SCENARIOS, DBR_SCENARIOS, type Scenario } from '../fixtures/scenarios/index.js';
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
