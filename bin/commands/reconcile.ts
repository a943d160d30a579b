import type { Command } from 'commander';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { readInvoiceCsv } from '../../lambdas/adapters/duckdb-invoice.js';
import { InputError, ReconciliationMismatchError } from '../../lambdas/core/errors.js';
import { displayMoney, parseMoney } from '../../lambdas/core/money.js';
import {
  type CurReconciliation,
  type DbrReconciliation,
  parseTolerance,
  reconcileCur,
  reconcileDbr,
  summarizeInvoice,
} from '../../lambdas/core/reconcile.js';
import { buildReport } from '../../lambdas/core/report.js';
import { terminalText } from '../../lambdas/core/untrusted-text.js';

interface ReconcileOptions {
  readonly invoice?: string;
  readonly tolerance: string;
  readonly currency?: string;
  readonly json?: boolean;
}

async function runReconcile(detail: string, options: ReconcileOptions): Promise<void> {
  const tolerance = parseTolerance(options.tolerance);
  const currency = options.currency?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    throw new InputError('--currency', `not a currency code: ${options.currency}`);
  }
  // The invoice is read first: a bad invoice is refused before the (longer) detail file is read.
  const invoice =
    options.invoice === undefined
      ? undefined
      : summarizeInvoice(await readInvoiceCsv(options.invoice), options.invoice);
  const engine = await DuckDbEngine.create();
  const result = await engine.ledger({ location: detail }).finally(() => engine.close());
  let reconciliation: DbrReconciliation | CurReconciliation;
  if (result.format === 'dbr') {
    if (invoice === undefined) {
      throw new InputError(
        detail,
        'a DBR is reconciled against its invoice summary: add --invoice <payer>-aws-billing-csv-YYYY-MM.csv',
      );
    }
    const declared = currency ?? invoice.currency;
    if (declared === undefined) {
      throw new InputError(invoice.file, 'no CurrencyCode: give the currency with --currency');
    }
    const report = buildReport({
      sources: [{ path: detail, format: 'dbr', currency: declared, rows: result.rows }],
    });
    reconciliation = reconcileDbr({ detailFile: detail, report, invoice, tolerance });
  } else {
    if (invoice !== undefined) {
      throw new InputError(
        '--invoice',
        `compares a DBR with its invoice summary; ${detail} is ${result.format}: run reconcile without --invoice`,
      );
    }
    const report = buildReport({
      sources: [{ path: detail, format: result.format, rows: result.rows }],
    });
    reconciliation = reconcileCur({ detailFile: detail, report, rows: result.rows, tolerance });
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(reconciliation, null, 2)}\n`
      : // Account names and file names come from the files: control characters written out.
        terminalText(
          reconciliation.kind === 'dbr-invoice'
            ? formatDbr(reconciliation)
            : formatCur(reconciliation),
        ),
  );
  if (!reconciliation.ok) {
    throw new ReconciliationMismatchError(
      `${detail}: differences beyond tolerance ${displayMoney(reconciliation.tolerance, 4)} (details on stdout)`,
    );
  }
}

// CJK ideographs, kana, Hangul and full-width forms take two terminal columns.
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/gu;
const displayWidth = (text: string): number => text.length + (text.match(WIDE)?.length ?? 0);
const pad = (text: string, width: number, left: boolean): string => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return left ? text + fill : fill + text;
};

/** A plain text table: left-aligned first columns, right-aligned amounts; Chinese names line up. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: number,
): string {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!, i < left))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function formatDbr(r: DbrReconciliation): string {
  const state = (final: boolean) => (final ? 'final' : 'estimated');
  const basis =
    r.invoiceBasis === 'line-items'
      ? 'Σ TotalCost of its PayerLineItem/LinkedLineItem rows'
      : 'its AccountTotal rows';
  const rows = r.accounts.map((a) => [
    a.accountId,
    a.name ?? '',
    a.ownerCost,
    a.invoiced,
    a.difference,
    a.status,
  ]);
  rows.push(['total', '', r.totals.ownerCost, r.totals.invoiced, r.totals.difference, '']);
  const moved = r.accounts.filter((a) => parseMoney(a.difference) !== 0n);
  const terms = moved.map(
    (a, i) =>
      `${i === 0 ? '' : parseMoney(a.difference) < 0n ? '- ' : '+ '}${i === 0 ? a.difference : a.difference.replace(/^-/, '')} (${a.accountId})`,
  );
  const out = [
    `reconcile ${r.billingPeriod} ${r.currency}, payer ${r.payerAccountId}, tolerance ${r.tolerance}`,
    `  detail:  ${r.detailFile} (${state(r.final.detail)}): ownerCost per account`,
    `  invoice: ${r.invoiceFile} (${state(r.final.invoice)}): ${basis}`,
    '',
    table(['account', 'name', 'ownerCost', 'invoiced', 'difference', 'status'], rows, 2),
    '',
    'Rounding: the invoice rounds what the detail lines add up to; the DBR books that correction',
    'in one Rounding row without saying whose it is. The differences above say whose it is:',
    `  DBR Rounding row           ${r.rounding.dbrRounding}`,
    `  Σ per-account differences  ${r.rounding.sumOfDifferences}`,
    `  unexplained                ${r.rounding.unexplained}`,
    `  where it went: ${terms.length > 0 ? `${terms.join(' ')} = ${r.rounding.sumOfDifferences}` : 'no account differs'}`,
  ];
  if (r.invoiceTotal !== undefined) {
    out.push(
      `Invoice total ${r.invoiceTotal.stated} vs Σ of its accounts ${r.invoiceTotal.sumOfAccounts}: difference ${r.invoiceTotal.difference}`,
    );
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(
    r.ok
      ? 'OK: every difference is within tolerance or explained by the Rounding row.'
      : 'DIFFERENCES beyond tolerance.',
  );
  return `${out.join('\n')}\n`;
}

function formatCur(r: CurReconciliation): string {
  const rows = r.payers.map((p) => [
    p.billingPeriod,
    p.currency,
    p.payerAccountId,
    p.final ? 'final' : 'estimated',
    p.invoiceCost,
    p.unblendedCost,
    p.difference,
    p.rounding,
    p.amortizationGap,
  ]);
  return `${[
    `reconcile ${r.detailFile}: invoiceCost per payer against Σ line_item_unblended_cost, tolerance ${r.tolerance}`,
    '',
    table(
      [
        'period',
        'currency',
        'payer',
        'bill',
        'invoiceCost',
        'Σ unblended',
        'difference',
        'rounding',
        'amortized-cash',
      ],
      rows,
      4,
    ),
    '',
    'CUR carries no Rounding line: its rounding is 0. amortized-cash (usageCost - invoiceCost) is',
    'upfront fees and commitment timing, shown for context; it is not a difference.',
    r.ok
      ? 'OK: invoiceCost equals the unblended cost for every payer.'
      : 'DIFFERENCES beyond tolerance.',
  ].join('\n')}\n`;
}

/**
 * `whopays reconcile <detail> [--invoice SUMMARY]`: a DBR's ownerCost per account against the
 * invoice summary CSV (the Rounding row explained), or a CUR's invoiceCost per payer against its
 * unblended cost. Exit 1 when differences exceed the tolerance, 2 on bad input.
 */
export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(
      "compare a DBR's ownerCost per account with the invoice summary CSV (and explain the Rounding row), or a CUR's invoiceCost per payer with its unblended cost",
    )
    .argument('<detail>', 'DBR detail file, or a CUR 1 / CUR 2.0 file or folder')
    .option('--invoice <file>', 'invoice summary <payer>-aws-billing-csv-YYYY-MM.csv (DBR only)')
    .option('--tolerance <amount>', 'largest accepted difference per account', '0.01')
    .option('--currency <code>', "currency of the DBR (default: the invoice's CurrencyCode)")
    .option('--json', 'print the reconciliation JSON (and nothing else) on stdout')
    .action((detail: string, options: ReconcileOptions) => runReconcile(detail, options));
}
