import type { LedgerRow } from './ledger.js';
import { type Amount, formatMoney, parseMoney } from './money.js';

/**
 * Line item types whose attribution whopays knows: the CUR types of docs/CUR-REFERENCE.md §3.3 and the
 * DBR ledger's 'LineItem' and 'Rounding'. Others are carried at unblended cost, with a warning.
 */
export const KNOWN_LINE_ITEM_TYPES: ReadonlySet<string> = new Set([
  'Usage',
  'DiscountedUsage',
  'RIFee',
  'Fee',
  'SavingsPlanCoveredUsage',
  'SavingsPlanNegation',
  'SavingsPlanRecurringFee',
  'SavingsPlanUpfrontFee',
  'Tax',
  'Credit',
  'Refund',
  'Discount',
  'BundledDiscount',
  'EdpDiscount',
  'PrivateRateDiscount',
  'SppDiscount',
  'RiVolumeDiscount',
  'DistributorDiscount',
  'FlatRateSubscription',
  'LineItem',
  'Rounding',
  // FOCUS ChargeCategory (ATTRIBUTION.md, FOCUS); Usage, Tax and Credit are above.
  'Purchase',
  'Adjustment',
]);

/**
 * FOCUS ledger notes of rows that stay with their usage account although a commitment covers
 * them (focus_ledger.sql): warned with their line count and cost.
 */
const FOCUS_UNMOVED: Readonly<Record<string, string>> = {
  'focus-used-without-commitment-id':
    'FOCUS Used rows without a CommitmentDiscountId: kept with their usage accounts',
  'focus-capacity-reservation-id-not-arn':
    'FOCUS Unused capacity reservation rows whose CapacityReservationId is not an ARN: kept with their usage accounts',
};

const ACCOUNT_ID = /^\d{12}$/;
const AMBIGUOUS = 'ambiguous-subscription:';
/** The CUR ledger's note on a commitment line whose ARN names no owner (cur_ledger.sql). */
export const NO_COMMITMENT_OWNER = 'no-commitment-owner';

/** An amount exactly, without the trailing zeros of the 10-digit scale. */
const exactly = (amount: bigint): string => {
  const text = formatMoney(amount);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
};

const list = (values: Iterable<string>): string => [...values].sort().join(', ');
const lines = (n: number): string => (n === 1 ? '1 line' : `${n} lines`);
const have = (n: number): string => (n === 1 ? 'has' : 'have');

/** The warning on a file whose lines span several billing periods (`periods`: 'YYYY-MM, …'). */
export const severalPeriodsWarning = ({ path, periods }: { path: string; periods: string }) =>
  `${path} holds lines of several billing periods (${periods}); an AWS billing file holds one: check it is not several files joined.`;

/**
 * A source without resource ids: a shared Capacity Reservation's cost is found by the CR's ARN in
 * the resource id (ATTRIBUTION.md), so without them every CR stays with the account it ran in.
 */
export const resourceIdsMissing = (file: string): string =>
  `${file}: the delivery has no resource ids (line_item_resource_id), so Capacity Reservation attribution is off: CR costs stay with the account they ran in. Include resource IDs in the export (CUR 2.0 INCLUDE_RESOURCES, CUR 1 RESOURCES; docs/deploying.md)`;

/**
 * Collects the anomalies of one period and words them as short sentences for `warnings`. Each kind
 * of anomaly gives one sentence however many rows show it; the sentences come out in a fixed order.
 */
export class WarningCollector {
  private readonly ambiguous = new Map<string, Set<string>>();
  private readonly unknownTypes = new Map<string, number>();
  private readonly uncounted = new Map<string, { lines: number; cost: Amount }>();
  private readonly otherNotes = new Map<string, number>();
  private readonly ownerless = new Map<string, { lines: number; cost: bigint }>();
  private readonly unmoved = new Map<string, { lines: number; cost: bigint }>();
  private readonly badIds = new Set<string>();
  private readonly goodIds = new Set<string>();
  // The payer id checked last: rows of one payer come together.
  private lastPayer: string | null | undefined;
  private readonly missingAccount = new Map<string, number>();
  private readonly missingCurrency = new Map<string, { currency: string; lines: number }>();
  private readonly multiPayer = new Map<string, Set<string>>();
  private readonly extra = new Set<string>();

  /** Notes the anomalies a ledger row carries: its note, line item type and account ids. */
  observeRow(row: LedgerRow): void {
    if (row.note !== null && row.note !== '') {
      if (row.note.startsWith(AMBIGUOUS)) {
        const id = row.note.slice(AMBIGUOUS.length);
        const accounts = this.ambiguous.get(id) ?? new Set<string>();
        if (row.usage_account_id) accounts.add(row.usage_account_id);
        this.ambiguous.set(id, accounts);
      } else if (row.note === NO_COMMITMENT_OWNER) {
        this.commitmentWithoutOwner(row);
      } else if (FOCUS_UNMOVED[row.note] !== undefined) {
        const seen = this.unmoved.get(row.note) ?? { lines: 0, cost: 0n };
        seen.lines += row.line_count;
        seen.cost += parseMoney(row.usage_cost);
        this.unmoved.set(row.note, seen);
      } else {
        this.otherNotes.set(row.note, (this.otherNotes.get(row.note) ?? 0) + row.line_count);
      }
    }
    const type = row.line_item_type ?? '';
    if (!KNOWN_LINE_ITEM_TYPES.has(type)) {
      this.unknownTypes.set(type, (this.unknownTypes.get(type) ?? 0) + row.line_count);
    }
    // Rows come grouped: most repeat the payer of the row before, and most have owner and invoice
    // account equal to the usage account. Skipping those keeps this to one Set lookup a row.
    const payer = row.payer_account_id;
    if (payer !== this.lastPayer) {
      this.checkId(payer);
      this.lastPayer = payer;
    }
    const usage = row.usage_account_id;
    this.checkId(usage);
    if (row.owner_account_id !== usage) this.checkId(row.owner_account_id);
    if (row.invoice_account_id !== usage) this.checkId(row.invoice_account_id);
  }

  /** Commitment-covered lines whose ARN names no owner: counted and costed per line item type. */
  private commitmentWithoutOwner(row: LedgerRow): void {
    const type = row.line_item_type ?? '';
    const seen = this.ownerless.get(type) ?? { lines: 0, cost: 0n };
    seen.lines += row.line_count;
    seen.cost += parseMoney(row.usage_cost);
    this.ownerless.set(type, seen);
  }

  private checkId(id: string | null): void {
    // Few distinct ids, many rows: remember the good ones instead of matching every time.
    if (!id || this.goodIds.has(id)) return;
    if (ACCOUNT_ID.test(id)) this.goodIds.add(id);
    else this.badIds.add(id);
  }

  /** DBR records the published method does not count (ledger note 'uncounted-record'). */
  uncountedRecord(recordType: string, lineCount: number, cost: Amount): void {
    const seen = this.uncounted.get(recordType) ?? { lines: 0, cost: 0n };
    seen.lines += lineCount;
    seen.cost += cost;
    this.uncounted.set(recordType, seen);
  }

  /** Lines of a payer without a usage account: whopays books them on the payer. */
  accountMissing(payerAccountId: string, lineCount: number): void {
    this.missingAccount.set(
      payerAccountId,
      (this.missingAccount.get(payerAccountId) ?? 0) + lineCount,
    );
  }

  /** Lines of a CUR source without a currency code, counted in the source's declared currency. */
  currencyMissing(sourcePath: string, assumed: string, lineCount: number): void {
    const seen = this.missingCurrency.get(sourcePath) ?? { currency: assumed, lines: 0 };
    seen.lines += lineCount;
    this.missingCurrency.set(sourcePath, seen);
  }

  /** An account seen under more than one payer (ATTRIBUTION.md: accounts are unique across payers). */
  accountUnderPayers(accountId: string, payerAccountIds: Iterable<string>): void {
    const payers = this.multiPayer.get(accountId) ?? new Set<string>();
    for (const p of payerAccountIds) payers.add(p);
    this.multiPayer.set(accountId, payers);
  }

  /** A sentence worded elsewhere (e.g. carried over from a report being merged). */
  add(message: string): void {
    this.extra.add(message);
  }

  /** The sentences, in a fixed order, without duplicates. */
  messages(): string[] {
    const out: string[] = [];
    for (const [id, accounts] of [...this.ambiguous].sort(byKey)) {
      out.push(
        `DBR subscription ${id} is claimed by more than one account: its cost stays with the accounts that used it (${list(accounts)}).`,
      );
    }
    for (const [type, n] of [...this.unknownTypes].sort(byKey)) {
      const name = type === '' ? 'no line item type' : `unknown line item type "${type}"`;
      out.push(`${lines(n)} with ${name}: kept with the usage account at unblended cost.`);
    }
    for (const [type, { lines: n, cost }] of [...this.ownerless].sort(byKey)) {
      out.push(
        `${lines(n)} of type ${type} (cost ${exactly(cost)}) ${have(n)} no commitment ARN naming its owner: kept with the usage account, no transfer.`,
      );
    }
    for (const [note, { lines: n, cost }] of [...this.unmoved].sort(byKey)) {
      out.push(`${FOCUS_UNMOVED[note]} (${lines(n)}, cost ${formatMoney(cost)}).`);
    }
    for (const [type, { lines: n, cost }] of [...this.uncounted].sort(byKey)) {
      out.push(
        `${lines(n)} of DBR record type ${JSON.stringify(type)} (${formatMoney(cost)} in all) not counted: the published method counts LineItem and Rounding records only.`,
      );
    }
    for (const [note, n] of [...this.otherNotes].sort(byKey)) {
      out.push(`${lines(n)} flagged "${note}".`);
    }
    for (const id of [...this.badIds].sort()) {
      out.push(
        `Account id "${id}" is not 12 digits (leading zeros lost, or a malformed ARN account field?).`,
      );
    }
    for (const [payer, n] of [...this.missingAccount].sort(byKey)) {
      out.push(`${lines(n)} of payer ${payer} ${have(n)} no account id: counted under the payer.`);
    }
    for (const [path, { currency, lines: n }] of [...this.missingCurrency].sort(byKey)) {
      out.push(`${lines(n)} of ${path} ${have(n)} no currency code: counted as ${currency}.`);
    }
    for (const [account, payers] of [...this.multiPayer].sort(byKey)) {
      out.push(
        `Account ${account} appears under several payers (${list(payers)}); accounts should be unique across payers.`,
      );
    }
    for (const m of this.extra) if (!out.includes(m)) out.push(m);
    return out;
  }
}

const byKey = <T>(a: readonly [string, T], b: readonly [string, T]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
