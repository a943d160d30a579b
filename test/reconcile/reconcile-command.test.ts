import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerReconcile } from '../../bin/commands/reconcile.js';
import { InputError, ReconciliationMismatchError } from '../../lambdas/core/errors.js';
import type { CurReconciliation, DbrReconciliation } from '../../lambdas/core/reconcile.js';
import { generateExamples } from '../examples/run-generator.js';

const DBR =
  'dbr/052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip';
const INVOICE = 'invoice/052601815908-aws-billing-csv-2025-10.csv';

/** Runs `whopays reconcile …` in process; bin/cli.ts maps the thrown errors to exit 1 and 2. */
async function reconcile(...args: string[]): Promise<{ stdout: string; error?: unknown }> {
  const program = new Command('whopays').exitOverride();
  registerReconcile(program);
  let stdout = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'whopays', 'reconcile', ...args]);
    return { stdout };
  } catch (error) {
    return { stdout, error };
  } finally {
    spy.mockRestore();
  }
}

describe('whopays reconcile on the example China DBR and its invoice', () => {
  let data: string;
  beforeAll(() => {
    data = generateExamples();
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('explains the Rounding row account by account and passes at the default tolerance', async () => {
    const { stdout, error } = await reconcile(
      join(data, DBR),
      '--invoice',
      join(data, INVOICE),
      '--json',
    );
    expect(error).toBeUndefined();
    const result = JSON.parse(stdout) as DbrReconciliation;
    // examples/README.md: the invoice charges ownerCost rounded to the fen; ownerCost from the DBR:
    // 003786579754 3149.7636789012 → 3149.76: −0.0036789012
    // 006671276842    9.1866666667 →    9.19: +0.0033333333
    // 052601815908  678.48         →  678.48:  0
    // Σ = −0.0003455679 = the DBR Rounding row, nothing unexplained.
    expect(result.accounts.map((a) => [a.accountId, a.difference, a.status])).toEqual([
      ['003786579754', '-0.0036789012', 'match'],
      ['006671276842', '0.0033333333', 'match'],
      ['052601815908', '0', 'match'],
    ]);
    expect(result.rounding).toEqual({
      dbrRounding: '-0.0003455679',
      sumOfDifferences: '-0.0003455679',
      unexplained: '0',
    });
    expect(result).toMatchObject({
      billingPeriod: '2025-10',
      currency: 'CNY',
      payerAccountId: '052601815908',
      invoiceBasis: 'account-totals',
      final: { detail: true, invoice: true },
      ok: true,
    });
    // 3149.76 + 9.19 + 678.48 = 3837.43 = InvoiceTotal
    expect(result.invoiceTotal).toEqual({
      stated: '3837.4300000000',
      sumOfAccounts: '3837.4300000000',
      difference: '0',
    });
  });

  it('prints where each cent went and fails (exit 1) below the rounding', async () => {
    const { stdout, error } = await reconcile(
      join(data, DBR),
      '--invoice',
      join(data, INVOICE),
      '--tolerance',
      '0.001',
    );
    expect(stdout).toContain(
      'where it went: -0.0036789012 (003786579754) + 0.0033333333 (006671276842) = -0.0003455679',
    );
    expect(stdout).toMatch(/示例集团/);
    expect(error).toBeInstanceOf(ReconciliationMismatchError);
  });

  it('reports invoiceCost = Σ unblended and no rounding for a CUR', async () => {
    const { stdout, error } = await reconcile(join(data, 'cur2'), '--json');
    expect(error).toBeUndefined();
    const result = JSON.parse(stdout) as CurReconciliation;
    expect(result.payers).toHaveLength(1);
    expect(result.payers[0]).toMatchObject({
      payerAccountId: '444455556666',
      difference: '0',
      rounding: '0',
    });
    expect(result.payers[0]!.invoiceCost).toBe(result.payers[0]!.unblendedCost);
  });

  it.each([
    [[DBR], `${DBR}: a DBR is reconciled against its invoice summary`],
    [['cur', '--invoice', INVOICE], '--invoice: compares a DBR with its invoice summary'],
    [[DBR, '--invoice', 'nope.csv'], 'nope.csv: no such file'],
    [[DBR, '--invoice', INVOICE, '--tolerance', 'x'], '--tolerance: not a non-negative decimal'],
  ])('refuses bad input (exit 2): %j', async (args, message) => {
    const paths = args.map((a) => (a.startsWith('-') || a === 'x' ? a : join(data, a)));
    const { stdout, error } = await reconcile(...paths);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.replaceAll(`${data}/`, '')).toContain(message);
    expect(stdout).toBe('');
  });
});
