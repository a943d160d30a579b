import { CommitmentTable } from './commitments.js';
import { currencyCodeReader } from './currency-code.js';
import { IdentityViolationError, InputError } from './errors.js';
import { type BillingGroup, groupTotals, groupTransfers } from './groups.js';
import { checkAccountBalances, checkCommitmentTransfers, formatChecked } from './identities.js';
import { type LedgerRow, UNCOUNTED_RECORD_NOTE } from './ledger.js';
import { formatMoney, MoneyFormatError, parseMoney } from './money.js';
import type {
  AccountTotals,
  Commitment,
  PeriodReport,
  Report,
  SourceSummary,
  Transfer,
} from './report-model.js';
import type { SourceFormat } from './source-columns.js';
import { WarningCollector } from './warnings.js';

/** The ledger rows of one source file or folder, as an engine returned them. */
export interface LedgerSource {
  readonly path: string;
  readonly format: SourceFormat;
  /** The declared currency of a DBR source (DBR has no currency column). */
  readonly currency?: string;
  readonly rows: readonly LedgerRow[];
  /** Sentences about the source itself (e.g. a column it lacks), carried by every period it fills. */
  readonly warnings?: readonly string[];
}

export interface BuildReportInput {
  readonly sources: readonly LedgerSource[];
  readonly groups?: readonly BillingGroup[];
  /** @default - now */
  readonly generatedAt?: Date;
}

interface AccountSums {
  readonly accountId: string;
  readonly payer: string;
  /** Set only when the account shows up under a second payer (rare, and warned about). */
  otherPayers?: Set<string>;
  usage: bigint;
  owner: bigint;
  invoice: bigint;
}

interface TransferSum {
  readonly owner: string;
  readonly consumer: string;
  readonly commitment: Commitment;
  cost: bigint;
}

/** `2026-11-24T10:00:00Z`, the form REPORT.md shows (no milliseconds). */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The report's order of transfers: largest cost first, then owner, consumer and commitment. */
const transferOrder = (a: TransferSum, b: TransferSum): number =>
  (a.cost < b.cost ? 1 : a.cost > b.cost ? -1 : 0) ||
  cmp(a.owner, b.owner) ||
  cmp(a.consumer, b.consumer) ||
  cmp(a.commitment, b.commitment);

/**
 * Transfers in {@link transferOrder}, sorted mostly as doubles: a Float64Array sorts natively, far
 * faster than a comparator over tens of thousands of objects. Number(cost) orders as the exact
 * amount wherever two doubles differ (the conversion never reverses an order); transfers whose
 * doubles are equal are then put in order exactly.
 */
function largestFirst(moves: readonly TransferSum[]): TransferSum[] {
  const keys = new Float64Array(moves.length);
  const byKey = new Map<number, TransferSum | TransferSum[]>();
  for (let i = 0; i < moves.length; i++) {
    const t = moves[i]!;
    const key = -Number(t.cost);
    keys[i] = key;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, t);
    else if (Array.isArray(seen)) seen.push(t);
    else byKey.set(key, [seen, t]);
  }
  keys.sort();
  const sorted: TransferSum[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i] === keys[i - 1]) continue;
    const found = byKey.get(keys[i]!)!;
    if (Array.isArray(found)) sorted.push(...found.sort(transferOrder));
    else sorted.push(found);
  }
  return sorted;
}

/**
 * Sums the figures of one (billing period, currency) as BigInt amounts, from ledger rows or from
 * the periods of other reports, and turns them into a checked {@link PeriodReport}.
 * Shared by {@link buildReport} and `mergeReports`; not part of the report contract.
 */
export class PeriodAccumulator {
  readonly warnings = new WarningCollector();
  /** The commitment detail of ATTRIBUTION.md. */
  readonly commitments = new CommitmentTable();
  // False once a merged part has no detail: the period is then written without one.
  private detailComplete = true;
  private readonly accounts = new Map<string, AccountSums>();
  // commitment -> owner -> consumer: nested maps avoid building a composite key per row.
  private readonly transfers: Record<Commitment, Map<string, Map<string, TransferSum>>> = {
    ri: new Map(),
    sp: new Map(),
    cr: new Map(),
  };
  private readonly payers = new Set<string>();
  // Rows of a payer come together: the payer just added needs no second look.
  private lastPayer: string | undefined;
  private rounding = 0n;
  private anyLine = false;
  private allFinal = true;

  constructor(
    readonly billingPeriod: string,
    readonly currency: string,
  ) {}

  /**
   * Books one ledger row: usage_cost on the usage account (usage basis) and on the owner account
   * (owner basis), invoice_cost on the invoice account, and a transfer when owner and usage differ.
   * A 'Rounding' row's invoice_cost is the invoice rounding, no account's.
   *
   * @throws MoneyFormatError when an amount is not a decimal string.
   */
  addRow(row: LedgerRow): void {
    const usage = parseMoney(row.usage_cost);
    // Most rows carry the same text in both (the same SQL expression): parse it once.
    let invoice = row.invoice_cost === row.usage_cost ? usage : parseMoney(row.invoice_cost);
    const payer = row.payer_account_id;
    if (payer !== this.lastPayer) {
      this.payers.add(payer);
      this.lastPayer = payer;
    }
    if (row.note === UNCOUNTED_RECORD_NOTE) {
      this.warnings.uncountedRecord(row.line_item_type ?? '', row.line_count, invoice);
      return;
    }
    this.addLines(row.line_count, row.final_line_count);
    this.warnings.observeRow(row);
    if (row.line_item_type === 'Rounding') {
      this.rounding += invoice;
      if (usage === 0n) return;
      invoice = 0n;
    }
    let usageAccount = row.usage_account_id;
    if (!usageAccount) {
      // Keeps both identities whole: a line nobody used is the payer's, and is reported as such.
      this.warnings.accountMissing(payer, row.line_count);
      usageAccount = payer;
    }
    const ownerAccount = row.owner_account_id || usageAccount;
    const invoiceAccount = row.invoice_account_id || usageAccount;
    // Most rows name one account for all three: look it up once.
    const used = this.account(usageAccount, payer);
    used.usage += usage;
    (ownerAccount === usageAccount ? used : this.account(ownerAccount, payer)).owner += usage;
    (invoiceAccount === usageAccount ? used : this.account(invoiceAccount, payer)).invoice +=
      invoice;
    // A move without a commitment is left out of the transfers on purpose: the identity check then
    // reports the ledger bug instead of hiding it.
    if (ownerAccount !== usageAccount && row.commitment !== null) {
      this.addTransfer(ownerAccount, usageAccount, row.commitment, usage);
    }
    if (row.commitment_id) this.commitments.addRow(row, usage, usageAccount, ownerAccount);
    // A ledger without the detail's columns (not one of sql/ledger/): the period has no detail.
    else if (row.commitment_id === undefined) this.detailComplete = false;
  }

  /** A merged part without commitment detail (a report from before it): the period has none. */
  commitmentDetailMissing(): void {
    this.detailComplete = false;
  }

  /** Adds figures of an account already summed (a period of another report). */
  addAccount(a: AccountTotals): void {
    this.payers.add(a.payerAccountId);
    const sums = this.account(a.accountId, a.payerAccountId);
    sums.usage += parseMoney(a.usageCost);
    sums.owner += parseMoney(a.ownerCost);
    sums.invoice += parseMoney(a.invoiceCost);
  }

  /** Adds a transfer from owner to consumer. */
  addTransfer(owner: string, consumer: string, commitment: Commitment, cost: bigint): void {
    const byOwner = this.transfers[commitment];
    let byConsumer = byOwner.get(owner);
    if (byConsumer === undefined) {
      byConsumer = new Map();
      byOwner.set(owner, byConsumer);
    }
    const sum = byConsumer.get(consumer);
    if (sum === undefined) byConsumer.set(consumer, { owner, consumer, commitment, cost });
    else sum.cost += cost;
  }

  /** Adds invoice rounding (DBR `Rounding` records). */
  addRounding(amount: bigint): void {
    this.rounding += amount;
  }

  /** Counts lines; the period is final when it has lines and all of them are final. */
  addLines(lines: number, finalLines: number): void {
    if (lines > 0) this.anyLine = true;
    if (finalLines < lines) this.allFinal = false;
  }

  /** Records payers of the period (also those whose accounts have no figures). */
  addPayers(payerAccountIds: Iterable<string>): void {
    for (const p of payerAccountIds) this.payers.add(p);
  }

  /**
   * The period as the report writes it, in deterministic order, with groups when configured.
   *
   * @throws IdentityViolationError when the figures break an identity of ATTRIBUTION.md.
   */
  toPeriod(groups?: readonly BillingGroup[]): PeriodReport {
    const where = `period ${this.billingPeriod} ${this.currency}`;
    const moves: TransferSum[] = [];
    for (const byOwner of Object.values(this.transfers)) {
      for (const byConsumer of byOwner.values()) {
        for (const t of byConsumer.values()) if (t.cost !== 0n) moves.push(t);
      }
    }
    // The identities are checked on the exact sums; formatChecked then ties each written figure
    // to its sum, so the report as written is what was checked.
    const byId = [...this.accounts.values()].sort((a, b) => cmp(a.accountId, b.accountId));
    checkAccountBalances(where, byId, moves);
    const accounts: AccountTotals[] = [];
    let usage = 0n;
    let owner = 0n;
    let invoice = 0n;
    for (const sums of byId) {
      const { accountId } = sums;
      const payers = [sums.payer, ...(sums.otherPayers ?? [])].sort();
      if (payers.length > 1) this.warnings.accountUnderPayers(accountId, payers);
      usage += sums.usage;
      owner += sums.owner;
      invoice += sums.invoice;
      accounts.push({
        accountId,
        payerAccountId: payers[0]!,
        usageCost: formatChecked(sums.usage),
        ownerCost: formatChecked(sums.owner),
        invoiceCost: formatChecked(sums.invoice),
      });
    }
    if (owner !== usage) {
      throw new IdentityViolationError(
        `${where}: Σ ownerCost ${formatMoney(owner)} ≠ Σ usageCost ${formatMoney(usage)}`,
      );
    }
    if (this.detailComplete) {
      checkCommitmentTransfers(
        where,
        [...this.commitments.sums()].map((c) => ({ ...c, consumers: c.consumers.values() })),
        moves,
      );
    }
    const transfers: Transfer[] = largestFirst(moves).map((t) => ({
      ownerAccountId: t.owner,
      consumerAccountId: t.consumer,
      commitment: t.commitment,
      cost: formatChecked(t.cost),
    }));
    return {
      billingPeriod: this.billingPeriod,
      currency: this.currency,
      payerAccountIds: [...this.payers].sort(),
      final: this.anyLine && this.allFinal,
      accounts,
      transfers,
      ...(groups !== undefined && {
        groups: groupTotals(accounts, groups),
        groupTransfers: groupTransfers(transfers, groups),
      }),
      // Sums of the accounts by construction.
      totals: {
        usageCost: formatChecked(usage),
        ownerCost: formatChecked(owner),
        invoiceCost: formatChecked(invoice),
        rounding: formatChecked(this.rounding),
      },
      warnings: this.warnings.messages(),
      ...(this.detailComplete && { commitments: this.commitments.toDetails() }),
    };
  }

  private account(accountId: string, payer: string): AccountSums {
    let sums = this.accounts.get(accountId);
    if (sums === undefined) {
      sums = { accountId, payer, usage: 0n, owner: 0n, invoice: 0n };
      this.accounts.set(accountId, sums);
    } else if (payer !== sums.payer) {
      sums.otherPayers ??= new Set();
      sums.otherPayers.add(payer);
    }
    return sums;
  }
}

/** Periods keyed by (billing period, currency), created on first use and listed in order. */
export class PeriodTable {
  private readonly periods = new Map<string, PeriodAccumulator>();

  /** The accumulator of (billingPeriod, currency). */
  get(billingPeriod: string, currency: string): PeriodAccumulator {
    const key = `${billingPeriod}\u0000${currency}`;
    let acc = this.periods.get(key);
    if (acc === undefined) {
      acc = new PeriodAccumulator(billingPeriod, currency);
      this.periods.set(key, acc);
    }
    return acc;
  }

  /** Every period, by billing period then currency, each checked. */
  toPeriods(groups?: readonly BillingGroup[]): PeriodReport[] {
    return [...this.periods.values()]
      .sort((a, b) => cmp(a.billingPeriod, b.billingPeriod) || cmp(a.currency, b.currency))
      .map((acc) => acc.toPeriod(groups));
  }
}

/**
 * Builds the report JSON of REPORT.md from ledger rows and checks both identities of ATTRIBUTION.md
 * on every period. One period per (billing period, currency): a row's currency is its
 * `currency_code` (trimmed, upper case, ISO 4217), else its source's declared currency. Sources are added as given; deciding that
 * two sources are deliveries of the same bill is the caller's job.
 *
 * `totals.invoiceCost` is the sum of the accounts' invoice cost; the invoice rounding is apart in
 * `totals.rounding`.
 *
 * @example buildReport({ sources: [{ path: 'dbr.csv', format: 'dbr', currency: 'CNY', rows }] })
 * @throws InputError when a row has no currency and its source declares none, a currency code is not
 *   ISO 4217, or an amount is malformed.
 * @throws IdentityViolationError when the ledger breaks an identity (a bug in whopays).
 */
export function buildReport(input: BuildReportInput): Report {
  const table = new PeriodTable();
  const sources: SourceSummary[] = input.sources.map((source) => {
    const payers = new Set<string>();
    const billingPeriods = new Set<string>();
    let rows = 0;
    let acc: PeriodAccumulator | undefined;
    const currencyOf = currencyCodeReader(source.path);
    for (const row of source.rows) {
      const own = currencyOf(row.currency_code);
      const currency = own ?? source.currency;
      if (currency === undefined) {
        throw new InputError(
          source.path,
          'no currency: the rows have no currency code and none was declared for this source (a DBR needs its currency, e.g. CNY)',
        );
      }
      // Rows come grouped by period: skip the table lookup while the period stays the same.
      if (acc?.billingPeriod !== row.billing_period || acc.currency !== currency) {
        acc = table.get(row.billing_period, currency);
        for (const warning of source.warnings ?? []) acc.warnings.add(warning);
      }
      if (own === undefined && source.format !== 'dbr') {
        acc.warnings.currencyMissing(source.path, currency, row.line_count);
      }
      try {
        acc.addRow(row);
      } catch (e) {
        throw e instanceof MoneyFormatError
          ? new InputError(source.path, `ledger amount ${e.message} (${row.billing_period})`)
          : e;
      }
      payers.add(row.payer_account_id);
      billingPeriods.add(row.billing_period);
      rows += row.line_count;
    }
    return {
      path: source.path,
      format: source.format,
      payerAccountIds: [...payers].sort(),
      billingPeriods: [...billingPeriods].sort(),
      rows,
    };
  });
  return {
    schemaVersion: 1,
    generatedAt: isoSeconds(input.generatedAt ?? new Date()),
    sources,
    periods: table.toPeriods(input.groups),
  };
}
