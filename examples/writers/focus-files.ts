import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addMoney, subtractMoney } from '../../lambdas/core/money.js';
import { arn, type CurLine, type CurScenario } from '../scenarios/scenario-types.js';
import { periodBounds } from './cur-columns.js';
import { type Cell, copyRows } from './duckdb-copy.js';

const orNull = (value: string | undefined): string | null =>
  value === undefined || value === '' ? null : value;

/** The amortized cost of a CUR line (docs/ATTRIBUTION.md, CUR table): FOCUS's EffectiveCost. */
const effectiveCost = (line: CurLine): string => {
  const zero = (value: string | undefined) => value || '0';
  switch (line.type) {
    case 'DiscountedUsage':
      return zero(line.ri?.effectiveCost);
    case 'RIFee':
      return addMoney(
        zero(line.ri?.unusedAmortizedUpfrontFeeForBillingPeriod),
        zero(line.ri?.unusedRecurringFee),
      );
    case 'Fee':
      return line.ri ? '0' : line.unblendedCost;
    case 'SavingsPlanCoveredUsage':
      return zero(line.sp?.effectiveCost);
    case 'SavingsPlanNegation':
    case 'SavingsPlanUpfrontFee':
      return '0';
    case 'SavingsPlanRecurringFee':
      return subtractMoney(zero(line.sp?.totalCommitmentToDate), zero(line.sp?.usedCommitment));
    default:
      return line.unblendedCost;
  }
};

const chargeCategory = (line: CurLine): string => {
  if (line.type === 'Fee' || line.type === 'SavingsPlanUpfrontFee') return 'Purchase';
  if (line.type === 'Tax') return 'Tax';
  if (line.type === 'Credit' || line.type === 'Refund') return 'Credit';
  return 'Usage';
};

const commitmentStatus = (line: CurLine): string | null => {
  if (line.type === 'DiscountedUsage' || line.type === 'SavingsPlanCoveredUsage') return 'Used';
  if (line.type === 'RIFee' || line.type === 'SavingsPlanRecurringFee') return 'Unused';
  return null;
};

/** The commitment discount a line names; a Savings Plan negation names none in FOCUS. */
const commitment = (line: CurLine) => {
  if (line.ri) return { id: line.ri.arn, type: 'Reserved Instance', category: 'Usage' };
  if (line.sp && line.type !== 'SavingsPlanNegation') {
    return { id: line.sp.arn, type: 'Savings Plan', category: 'Spend' };
  }
  return undefined;
};

interface FocusColumn {
  readonly name: string;
  readonly type: 'VARCHAR' | 'DOUBLE' | 'TIMESTAMP_MS';
  readonly value: (scenario: CurScenario, line: CurLine) => Cell;
}

const column = (
  name: string,
  type: FocusColumn['type'],
  value: FocusColumn['value'],
): FocusColumn => ({ name, type, value });

/**
 * The FOCUS 1.2 columns the example carries ("FOCUS 1.2 with AWS columns"), each from the CUR 2.0
 * line of the same spend, through the mapping of bench/generators/focus.ts.
 */
const FOCUS_COLUMNS: readonly FocusColumn[] = [
  column('BilledCost', 'DOUBLE', (_, line) => line.unblendedCost),
  column('BillingAccountId', 'VARCHAR', (s) => s.payer.id),
  column('BillingAccountName', 'VARCHAR', (s) => s.payer.name),
  column('BillingCurrency', 'VARCHAR', (s) => s.currency),
  column('BillingPeriodEnd', 'TIMESTAMP_MS', (s) => periodBounds(s.billingPeriod).end),
  column('BillingPeriodStart', 'TIMESTAMP_MS', (s) => periodBounds(s.billingPeriod).start),
  column('CapacityReservationId', 'VARCHAR', (_, line) => orNull(line.cr?.arn)),
  // FOCUS knows Used and Unused only: the CR's rate-0 Reservation line is its capacity in use.
  column('CapacityReservationStatus', 'VARCHAR', (_, line) =>
    line.cr === undefined ? null : line.cr.status === 'Unused' ? 'Unused' : 'Used',
  ),
  column('ChargeCategory', 'VARCHAR', (_, line) => chargeCategory(line)),
  column('ChargeDescription', 'VARCHAR', (_, line) => orNull(line.description)),
  column('CommitmentDiscountCategory', 'VARCHAR', (_, line) => commitment(line)?.category ?? null),
  column('CommitmentDiscountId', 'VARCHAR', (_, line) => commitment(line)?.id ?? null),
  column('CommitmentDiscountStatus', 'VARCHAR', (_, line) => commitmentStatus(line)),
  column('CommitmentDiscountType', 'VARCHAR', (_, line) => commitment(line)?.type ?? null),
  column('ConsumedQuantity', 'DOUBLE', (_, line) => orNull(line.usageAmount)),
  column('EffectiveCost', 'DOUBLE', (_, line) => effectiveCost(line)),
  column('InvoiceId', 'VARCHAR', (s) => orNull(s.invoiceId)),
  column('InvoiceIssuerName', 'VARCHAR', () => 'Amazon Web Services, Inc.'),
  column('ProviderName', 'VARCHAR', () => 'AWS'),
  column('PublisherName', 'VARCHAR', () => 'AWS'),
  column('RegionId', 'VARCHAR', (s, line) => (line.instanceType ? s.region : null)),
  column('ResourceId', 'VARCHAR', (_, line) => orNull(line.resourceId)),
  column('ServiceName', 'VARCHAR', (_, line) => line.productName),
  column('SubAccountId', 'VARCHAR', (_, line) => line.account),
  column(
    'SubAccountName',
    'VARCHAR',
    (s, line) => [s.payer, ...s.linked].find((a) => a.id === line.account)?.name ?? null,
  ),
  column('x_Operation', 'VARCHAR', (_, line) => orNull(line.operation)),
  column('x_ServiceCode', 'VARCHAR', (_, line) => line.productCode),
];

/**
 * FOCUS 1.2 (Data Exports) of a CUR 2.0 scenario's spend, in the Data Exports overwrite layout:
 * `focus/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet` and
 * `focus/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`. Returns the data file.
 */
export async function writeFocus(
  scenario: CurScenario,
  exportName: string,
  outDir: string,
): Promise<string> {
  const prefix = 'focus';
  const partition = `BILLING_PERIOD=${scenario.billingPeriod}`;
  const dataKey = `${prefix}/${exportName}/data/${partition}/${exportName}-00001.snappy.parquet`;
  const dataFile = join(outDir, dataKey);
  await mkdir(join(dataFile, '..'), { recursive: true });
  await copyRows(
    FOCUS_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
    scenario.lines.map((line) => FOCUS_COLUMNS.map((c) => c.value(scenario, line))),
    dataFile,
    'format parquet, compression snappy',
  );
  const bucket = `${exportName}-${scenario.payer.id}`;
  const manifest = {
    executionId: '2025-11-02T06:20:41.118Z-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    exportArn: arn(
      scenario.partition,
      'bcm-data-exports',
      'us-east-1',
      scenario.payer.id,
      `export/${exportName}-7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f`,
    ),
    billingPeriod: periodBounds(scenario.billingPeriod),
    columns: FOCUS_COLUMNS.map((c) => ({ name: c.name, type: c.type.toLowerCase() })),
    dataFiles: [`s3://${bucket}/${dataKey}`],
    additionalOutputFiles: [],
  };
  const metadataDir = join(outDir, prefix, exportName, 'metadata', partition);
  await mkdir(metadataDir, { recursive: true });
  await writeFile(
    join(metadataDir, `${exportName}-Manifest.json`),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  return dataFile;
}
