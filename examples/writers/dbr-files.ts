import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import { formatMoney, parseMoney } from '../../lambdas/core/money.js';
import type { DbrLine, DbrScenario } from '../scenarios/scenario-types.js';
import { type Cell, type Column, copyRows } from './duckdb-copy.js';

/** The DBR-RT columns in the order of docs/CUR-REFERENCE.md §1.2 (tag columns follow them). */
export const DBR_RT_COLUMNS = [
  'InvoiceID',
  'PayerAccountId',
  'LinkedAccountId',
  'RecordType',
  'RecordId',
  'ProductName',
  'RateId',
  'SubscriptionId',
  'PricingPlanId',
  'UsageType',
  'Operation',
  'AvailabilityZone',
  'ReservedInstance',
  'ItemDescription',
  'UsageStartDate',
  'UsageEndDate',
  'UsageQuantity',
  'BlendedRate',
  'BlendedCost',
  'UnBlendedRate',
  'UnBlendedCost',
  'ResourceId',
] as const;

/** The examples' DBR-RT header: the standard columns, then the activated tag columns. */
export const DBR_HEADER = [...DBR_RT_COLUMNS, 'user:Name', 'user:project'] as const;

/** The monthly invoice CSV's 29 columns (docs/CUR-REFERENCE.md §2). */
export const INVOICE_HEADER = [
  'InvoiceID',
  'PayerAccountId',
  'LinkedAccountId',
  'RecordType',
  'RecordID',
  'BillingPeriodStartDate',
  'BillingPeriodEndDate',
  'InvoiceDate',
  'PayerAccountName',
  'LinkedAccountName',
  'TaxationAddress',
  'PayerPONumber',
  'ProductCode',
  'ProductName',
  'SellerOfRecord',
  'UsageType',
  'Operation',
  'RateId',
  'ItemDescription',
  'UsageStartDate',
  'UsageEndDate',
  'UsageQuantity',
  'BlendedRate',
  'CurrencyCode',
  'CostBeforeTax',
  'Credits',
  'TaxAmount',
  'TaxType',
  'TotalCost',
] as const;

type DbrField = (typeof DBR_HEADER)[number];
type InvoiceField = (typeof INVOICE_HEADER)[number];

const PRODUCT_CODES: Readonly<Record<string, string>> = {
  'Amazon Elastic Compute Cloud': 'AmazonEC2',
  'Amazon Relational Database Service': 'AmazonRDS',
  'Amazon Simple Storage Service': 'AmazonS3',
  AmazonCloudWatch: 'AmazonCloudWatch',
};

const CENT = 10n ** 8n;

/** Half away from zero, as invoices round to the fen/cent. */
const roundToCents = (amount: bigint): bigint => {
  const half = amount < 0n ? -CENT / 2n : CENT / 2n;
  return ((amount + half) / CENT) * CENT;
};
// The files print zero like any other amount, not as the report's bare "0".
const decimal = (amount: bigint): string => (amount === 0n ? '0.0000000000' : formatMoney(amount));
const cents = (amount: bigint): string => {
  const text = formatMoney(amount);
  return text === '0' ? '0.00' : text.slice(0, -8);
};
const sum = (values: readonly string[]): bigint =>
  values.reduce((total, v) => total + parseMoney(v), 0n);

/** `2025-10` → its first and last day as `YYYY-MM-DD`. */
export const periodDays = (billingPeriod: string): { first: string; last: string } => {
  const [year, month] = billingPeriod.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return {
    first: `${billingPeriod}-01`,
    last: `${billingPeriod}-${String(last).padStart(2, '0')}`,
  };
};

export const dbrFileName = (scenario: DbrScenario): string =>
  `${scenario.payer.id}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-${scenario.billingPeriod}.csv.zip`;

export const invoiceFileName = (scenario: DbrScenario): string =>
  `${scenario.payer.id}-aws-billing-csv-${scenario.billingPeriod}.csv`;

const accountsOf = (scenario: DbrScenario) => [scenario.payer, ...scenario.linked];

const row = <F extends string>(
  header: readonly F[],
  fields: Partial<Record<F, string>>,
): string[] => header.map((name) => fields[name] ?? '');

/**
 * The detail file rows: line items, the invoice Rounding row, then the total rows in Chinese, as
 * the tail of a real Ningxia DBR-RT lays them out. AccountTotal sums each account's own line items
 * (the detail file's "who uses pays" view); Rounding is what brings the line items to the invoice
 * total, which rounds each account's owner-basis amount to the fen.
 */
function dbrRows(scenario: DbrScenario): string[][] {
  const { first, last } = periodDays(scenario.billingPeriod);
  const start = `${first} 00:00:00`;
  const end = `${last} 23:59:59`;
  const common = { InvoiceID: scenario.invoiceId, PayerAccountId: scenario.payer.id };
  const lineRow = (line: DbrLine, i: number): string[] =>
    row<DbrField>(DBR_HEADER, {
      ...common,
      LinkedAccountId: line.account,
      RecordType: 'LineItem',
      RecordId: String(400000000123456000000n + BigInt(i) * 7919n),
      ProductName: line.productName,
      RateId: line.kind === 'usage' ? String(12000321 + i * 37) : '0',
      SubscriptionId: line.subscriptionId ?? '',
      PricingPlanId: line.subscriptionId ? '2195643' : line.kind === 'usage' ? '1180243' : '',
      UsageType: line.usageType,
      Operation: line.operation ?? '',
      AvailabilityZone: line.availabilityZone ?? '',
      ReservedInstance: line.reservedInstance,
      ItemDescription:
        line.kind === 'tax' ? `${line.description} (${start} - ${end})` : line.description,
      UsageStartDate: start,
      UsageEndDate: end,
      UsageQuantity: line.quantity,
      BlendedRate: line.rate,
      BlendedCost: line.cost,
      UnBlendedRate: line.rate,
      UnBlendedCost: line.cost,
      ResourceId: line.resourceId ?? '',
      'user:Name': line.tags?.Name ?? '',
      'user:project': line.tags?.project ?? '',
    });

  const usageTotals = accountsOf(scenario).map((a) => ({
    id: a.id,
    total: sum(scenario.lines.filter((l) => l.account === a.id).map((l) => l.cost)),
  }));
  const invoiceTotal = invoiceAccounts(scenario).reduce((t, a) => t + a.rounded.total, 0n);
  const lineTotal = sum(scenario.lines.map((l) => l.cost));
  const money = (amount: bigint) => ({
    BlendedCost: decimal(amount),
    UnBlendedCost: decimal(amount),
  });
  return [
    ...scenario.lines.map(lineRow),
    row<DbrField>(DBR_HEADER, {
      ...common,
      RecordType: 'Rounding',
      ItemDescription: '由于整合账单和小时行项目计算流程，该行项目包含舍入错误。',
      ...money(invoiceTotal - lineTotal),
    }),
    row<DbrField>(DBR_HEADER, {
      ...common,
      RecordType: 'InvoiceTotal',
      ItemDescription: `发票 ${scenario.invoiceId} 的总额`,
      ...money(invoiceTotal),
    }),
    ...usageTotals.map((a) =>
      row<DbrField>(DBR_HEADER, {
        ...common,
        LinkedAccountId: a.id,
        RecordType: 'AccountTotal',
        ItemDescription: `关联账户# ${a.id} 总额`,
        ...money(a.total),
      }),
    ),
    row<DbrField>(DBR_HEADER, {
      ...common,
      RecordType: 'StatementTotal',
      ItemDescription: `${start} - ${end} 期间内的账单总额`,
      ...money(invoiceTotal),
    }),
  ];
}

interface InvoiceAmounts {
  readonly costBeforeTax: bigint;
  readonly credits: bigint;
  readonly tax: bigint;
  readonly total: bigint;
}

const amountsOf = (lines: readonly DbrLine[]): InvoiceAmounts => {
  const of = (kind: DbrLine['kind']) =>
    sum(lines.filter((l) => l.kind === kind).map((l) => l.cost));
  const costBeforeTax = of('usage');
  const credits = of('credit');
  const tax = of('tax');
  return { costBeforeTax, credits, tax, total: costBeforeTax + credits + tax };
};

/**
 * What the invoice charges each account: its line items re-keyed to the subscription's owner
 * ("who owns pays"), exact per line and rounded to the fen per account.
 */
function invoiceAccounts(scenario: DbrScenario) {
  const chargedTo = (line: DbrLine) =>
    (line.subscriptionId && scenario.subscriptionOwners[line.subscriptionId]) || line.account;
  return accountsOf(scenario).map((account) => {
    const lines = scenario.lines.filter((l) => chargedTo(l) === account.id);
    const exact = amountsOf(lines);
    const rounded: InvoiceAmounts = {
      costBeforeTax: roundToCents(exact.costBeforeTax),
      credits: roundToCents(exact.credits),
      tax: roundToCents(exact.tax),
      total: roundToCents(exact.total),
    };
    return { account, lines, rounded };
  });
}

function invoiceRows(scenario: DbrScenario): string[][] {
  const { first, last } = periodDays(scenario.billingPeriod);
  const slash = (day: string) => day.replaceAll('-', '/');
  const period = {
    BillingPeriodStartDate: `${slash(first)} 00:00:00`,
    BillingPeriodEndDate: `${slash(last)} 23:59:59`,
    InvoiceDate: `${slash(last)} 23:59:59`,
  };
  const common = {
    InvoiceID: scenario.invoiceId,
    PayerAccountId: scenario.payer.id,
    PayerAccountName: scenario.payer.name,
    TaxationAddress: scenario.taxationAddress,
    SellerOfRecord: scenario.sellerOfRecord,
    CurrencyCode: scenario.currency,
    ...period,
  };
  const amounts = (a: InvoiceAmounts, format: (v: bigint) => string) => ({
    CostBeforeTax: format(a.costBeforeTax),
    Credits: format(a.credits),
    TaxAmount: format(a.tax),
    TotalCost: format(a.total),
  });
  const rows: string[][] = [];
  const accounts = invoiceAccounts(scenario);
  let recordId = 700000000012345000n;
  for (const { account, lines } of accounts) {
    // One invoice line per (product, usage type, kind), as the summary file groups charges.
    const groups = new Map<string, DbrLine[]>();
    for (const line of lines) {
      const key = [line.productName, line.usageType, line.kind].join('\u0000');
      groups.set(key, [...(groups.get(key) ?? []), line]);
    }
    for (const group of groups.values()) {
      const line = group[0]!;
      recordId += 1013n;
      rows.push(
        row<InvoiceField>(INVOICE_HEADER, {
          ...common,
          LinkedAccountId: account.id,
          RecordType: account.id === scenario.payer.id ? 'PayerLineItem' : 'LinkedLineItem',
          RecordID: String(recordId),
          LinkedAccountName: account.name,
          ProductCode: PRODUCT_CODES[line.productName] ?? '',
          ProductName: line.productName,
          UsageType: line.usageType,
          ItemDescription: line.description,
          UsageStartDate: period.BillingPeriodStartDate,
          UsageEndDate: period.BillingPeriodEndDate,
          UsageQuantity: decimal(sum(group.map((l) => l.quantity))),
          TaxType: line.kind === 'tax' ? 'VAT' : '',
          ...amounts(amountsOf(group), decimal),
        }),
      );
    }
  }
  for (const { account, rounded } of accounts) {
    rows.push(
      row<InvoiceField>(INVOICE_HEADER, {
        ...common,
        LinkedAccountId: account.id,
        RecordType: 'AccountTotal',
        RecordID: `AccountTotal:${account.id}`,
        LinkedAccountName: account.name,
        ItemDescription: `关联账户# ${account.id} (${account.name}) 总额`,
        ...amounts(rounded, cents),
      }),
    );
  }
  const invoice = accounts.reduce<InvoiceAmounts>(
    (t, { rounded: a }) => ({
      costBeforeTax: t.costBeforeTax + a.costBeforeTax,
      credits: t.credits + a.credits,
      tax: t.tax + a.tax,
      total: t.total + a.total,
    }),
    { costBeforeTax: 0n, credits: 0n, tax: 0n, total: 0n },
  );
  rows.push(
    row<InvoiceField>(INVOICE_HEADER, {
      ...common,
      RecordType: 'InvoiceTotal',
      RecordID: `InvoiceTotal:${scenario.invoiceId}`,
      ItemDescription: `发票 ${scenario.invoiceId} 的总额`,
      ...amounts(invoice, cents),
    }),
    row<InvoiceField>(INVOICE_HEADER, {
      ...common,
      RecordType: 'StatementTotal',
      RecordID: 'StatementTotal',
      ItemDescription: `${first} 00:00:00 - ${last} 23:59:59 期间内的账单总额`,
      ...amounts(invoice, cents),
    }),
  );
  return rows;
}

const text = (header: readonly string[]): Column[] =>
  header.map((name) => ({ name, type: 'VARCHAR' }));

// A fixed timestamp keeps the zip byte-identical between runs.
const ZIP_MTIME = new Date(2025, 10, 1, 8, 0, 0);

/**
 * Writes the China DBR-RT (`dbr/<payer>-…-ACTS-Ningxia-YYYY-MM.csv.zip`, every field quoted like
 * AWS's file) and the matching monthly invoice CSV (`invoice/<payer>-aws-billing-csv-YYYY-MM.csv`).
 * Returns both paths.
 */
export async function writeDbrFiles(
  scenario: DbrScenario,
  outDir: string,
): Promise<{ dbr: string; invoice: string }> {
  const dbrDir = join(outDir, 'dbr');
  const invoiceDir = join(outDir, 'invoice');
  await mkdir(dbrDir, { recursive: true });
  await mkdir(invoiceDir, { recursive: true });

  const dbr = join(dbrDir, dbrFileName(scenario));
  const scratch = await mkdtemp(join(tmpdir(), 'whopays-dbr-'));
  try {
    const csvName = basename(dbr, '.zip');
    const csv = join(scratch, csvName);
    await copyRows(text(DBR_HEADER), dbrRows(scenario) as Cell[][], csv, 'header, force_quote *');
    const zipped = zipSync({ [csvName]: [await readFile(csv), { mtime: ZIP_MTIME }] });
    await writeFile(dbr, zipped);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const invoice = join(invoiceDir, invoiceFileName(scenario));
  await copyRows(
    text(INVOICE_HEADER),
    invoiceRows(scenario) as Cell[][],
    invoice,
    'header, force_quote *',
  );
  return { dbr, invoice };
}
