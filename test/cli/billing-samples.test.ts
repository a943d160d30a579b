import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Report } from '../../lambdas/core/report-model.js';
import { buildCli, ROOT, whopays } from '../helpers/cli.js';
import { type ComparablePeriod, fromReference, fromReport } from '../property/report-checks.js';
import { type RefLine, referenceCur, referenceDbr } from '../reference/attribution.js';

// Every file of the real-world corpus (../shared/billing-samples, see its SOURCES.md) through the
// real CLI: each is read with per-account figures worked out independently of whopays, or refused
// with exit 2 and one line. The small files are worked by hand below; the large ones by the
// independent reference (test/reference/attribution.ts) over lines read here with DuckDB and a
// header table written from AWS's data dictionary, sharing no code with whopays' reader.
// The files' licenses do not all allow copying them here: they are read where they are.
const SAMPLES = resolve(
  process.env.WHOPAYS_BILLING_SAMPLES ?? join(ROOT, '../shared/billing-samples'),
);
const present = existsSync(join(SAMPLES, 'SOURCES.md'));

/** Money in units of 1e-10, as the comparable periods hold it. */
const units = (text: string): bigint => {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(`${whole}${fraction.padEnd(10, '0')}`);
};

/** A period worked out by hand: one account that is its own payer, nothing moved. */
const ownAccount = (
  key: string,
  account: string,
  cost: string,
  final: boolean,
  invoice = cost,
): ComparablePeriod => ({
  key,
  accounts: { [account]: [units(cost), units(cost), units(invoice)] },
  transfers: {},
  commitments: {},
  rounding: 0n,
  final,
});

/**
 * CUR 1 CSV headers (AWS's data dictionary names, any case) → the column names the reference
 * reads. Parquet and CUR 2.0 already use these names.
 */
const CUR1_NAMES: Record<string, string> = {
  'bill/payeraccountid': 'bill_payer_account_id',
  'bill/invoiceid': 'bill_invoice_id',
  'bill/billingperiodstartdate': 'bill_billing_period_start_date',
  'lineitem/usageaccountid': 'line_item_usage_account_id',
  'lineitem/lineitemtype': 'line_item_line_item_type',
  'lineitem/resourceid': 'line_item_resource_id',
  'lineitem/currencycode': 'line_item_currency_code',
  'lineitem/unblendedcost': 'line_item_unblended_cost',
  'reservation/reservationarn': 'reservation_reservation_a_r_n',
  'reservation/effectivecost': 'reservation_effective_cost',
  'reservation/unusedamortizedupfrontfeeforbillingperiod':
    'reservation_unused_amortized_upfront_fee_for_billing_period',
  'reservation/unusedrecurringfee': 'reservation_unused_recurring_fee',
  'savingsplan/savingsplanarn': 'savings_plan_savings_plan_a_r_n',
  'savingsplan/savingsplaneffectivecost': 'savings_plan_savings_plan_effective_cost',
  'savingsplan/totalcommitmenttodate': 'savings_plan_total_commitment_to_date',
  'savingsplan/usedcommitment': 'savings_plan_used_commitment',
  // The commitment detail's savings: what covered lines would have cost on demand.
  'pricing/publicondemandcost': 'pricing_public_on_demand_cost',
};

/** Every line of a CSV or Parquet file, the `wanted` columns' values as text (DOUBLE as shortest text). */
async function rawLines(
  path: string,
  wanted: (column: string) => boolean,
): Promise<Record<string, string | null>[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const literal = `'${path.replaceAll("'", "''")}'`;
  const from = path.endsWith('.parquet')
    ? `read_parquet(${literal}, hive_partitioning = false)`
    : `read_csv(${literal}, header = true, all_varchar = true, hive_partitioning = false)`;
  try {
    const columns = (await connection.runAndReadAll(`describe select * from ${from}`))
      .getRowObjectsJson()
      .map((row) => String(row.column_name))
      .filter(wanted);
    const select = columns.map((c) => `cast("${c.replaceAll('"', '""')}" as varchar)`).join(', ');
    const rows = (await connection.runAndReadAll(`select ${select} from ${from}`)).getRows();
    return rows.map((row) =>
      Object.fromEntries(columns.map((c, i) => [c, row[i] === null ? null : String(row[i])])),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** CUR lines under the reference's column names. */
async function curLines(path: string): Promise<RefLine[]> {
  const names = new Set(Object.values(CUR1_NAMES));
  const wanted = (c: string) => c.toLowerCase() in CUR1_NAMES || names.has(c);
  return (await rawLines(path, wanted)).map((raw) =>
    Object.fromEntries(
      Object.entries(raw).map(([name, value]) => [CUR1_NAMES[name.toLowerCase()] ?? name, value]),
    ),
  );
}

/** DBR lines; a DBR without consolidated billing names its unblended cost `Cost`. */
async function dbrLines(path: string): Promise<RefLine[]> {
  return (await rawLines(path, () => true)).map((raw) =>
    'UnBlendedCost' in raw ? raw : { ...raw, UnBlendedCost: raw.Cost },
  );
}

type Expected =
  | { readonly refused: RegExp }
  | {
      readonly periods: () => Promise<ComparablePeriod[]> | ComparablePeriod[];
      /** Every warning the report must give (each matched by one pattern), in order. */
      readonly warnings: readonly RegExp[];
    };

interface SampleCase {
  /** The path given to whopays, relative to the samples folder: a file or a folder. */
  readonly path: string;
  readonly expected: Expected;
}

const lostZeros = (id: string) => new RegExp(`^Account id "${id}" is not 12 digits`);
const severalPeriods = (periods: string) =>
  new RegExp(`holds lines of several billing periods \\(${periods}\\)`);
const curReference =
  (...files: string[]) =>
  async () =>
    fromReference(
      referenceCur((await Promise.all(files.map((f) => curLines(join(SAMPLES, f))))).flat()),
    );

const KOKU_LOCAL =
  'koku/test_local_bucket/koku-local/20180801-20180901/16e57707-f9e3-49be-8be6-b84e684b5194/koku-local-1.csv.gz';
const KOKU_PREFIX =
  'koku/test_local_bucket_prefix/my-prefix/my-report/20180801-20180901/861af42f-713c-4a42-9562-9158a7625630/my-report-1.csv.gz';

const CASES: readonly SampleCase[] = [
  {
    path: 'aws-billing-visualization/samplefile.csv',
    expected: { refused: /: line 2: account id "3\.57E\+11" is in scientific notation/ },
  },
  {
    path: 'aws-cur-anonymize/sample-cur20.csv',
    expected: {
      refused:
        /: missing required columns bill_billing_period_start_date, line_item_line_item_type$/,
    },
  },
  {
    path: 'aws-cur-anonymize/sample-legacy-csv.csv',
    expected: {
      refused:
        /: missing required columns bill_billing_period_start_date, line_item_line_item_type$/,
    },
  },
  {
    // By hand: 0 + 0.044 + 0.044 + 0.00000019 + 0.00000121 + 0.00000324 + 0.000035 + 0.00002.
    path: 'details/detailed_with_tags.csv',
    expected: {
      periods: () => [ownAccount('2014-09|USD', '095669871260', '0.08805964', true)],
      warnings: [],
    },
  },
  {
    path: 'focus_converters/sample-anonymous-aws-export-dataset.csv',
    expected: {
      periods: curReference('focus_converters/sample-anonymous-aws-export-dataset.csv'),
      warnings: [],
    },
  },
  {
    // By hand: 0.0108 + 0.0108 + 0.023552. The folder holds the CUR 1 manifest.
    path: 'keboola/cur_1_0',
    expected: {
      periods: () => [ownAccount('2024-01|USD', '123456789012', '0.045152', true)],
      warnings: [],
    },
  },
  {
    // By hand: 0.0216 + 0.0216 + 0.047104 + 0.018.
    path: 'keboola/cur_2_0',
    expected: {
      periods: () => [ownAccount('2024-09|USD', '123456789012', '0.108304', true)],
      warnings: [],
    },
  },
  {
    // By hand: two Usage lines at 0.
    path: 'koku/2022-07-01-alt-columns.csv',
    expected: {
      periods: () => [ownAccount('2022-07|USD', '999999', '0', true)],
      warnings: [lostZeros('999999')],
    },
  },
  {
    // By hand: 3 SavingsPlanCoveredUsage lines, SP effective cost 0.1 each (usage and owner 0.3),
    // unblended 10 each (invoice 30); no ARN, so nothing moves and the warning says so.
    path: 'koku/2023-06-01.csv',
    expected: {
      periods: () => [ownAccount('2023-06|NOK', '0099999999999', '0.3', true, '30')],
      warnings: [
        /^3 lines of type SavingsPlanCoveredUsage \(cost 0\.3\) have no commitment ARN/,
        lostZeros('0099999999999'),
      ],
    },
  },
  {
    path: 'koku/2023-06-01-not-final.csv',
    expected: {
      periods: () => [ownAccount('2023-06|NOK', '9999999999999', '0.3', false, '30')],
      warnings: [
        /^3 lines of type SavingsPlanCoveredUsage \(cost 0\.3\) have no commitment ARN/,
        lostZeros('9999999999999'),
      ],
    },
  },
  {
    path: 'koku/November-2023-None.csv',
    expected: { refused: /: malformed CSV at line 7: Expected Number of Columns: 200 Found: 194/ },
  },
  {
    path: 'koku/empty_frame.csv',
    expected: { refused: /: no billing lines \(header only\)$/ },
  },
  {
    path: 'koku/local_bucket-1.csv.gz',
    expected: {
      periods: curReference('koku/local_bucket-1.csv.gz'),
      warnings: [lostZeros('9999999999999')],
    },
  },
  {
    path: 'koku/test_cur.csv',
    expected: { refused: /: malformed CSV at line 2: Expected Number of Columns: 131 Found: 130/ },
  },
  {
    path: 'koku/test_cur.csv.gz',
    expected: { refused: /: malformed CSV at line 2: Expected Number of Columns: 131 Found: 130/ },
  },
  {
    // The delivery folder: its manifest (payer id of 13 digits) lists the one data file.
    path: 'koku/test_local_bucket',
    expected: {
      periods: curReference(KOKU_LOCAL),
      warnings: [
        lostZeros('5948062437622'),
        lostZeros('6130141942304'),
        lostZeros('6433681849691'),
        lostZeros('6568388779672'),
        lostZeros('7728565162690'),
        severalPeriods('2018-06, 2018-07, 2018-08'),
      ],
    },
  },
  {
    path: 'koku/test_local_bucket_prefix',
    expected: {
      periods: curReference(KOKU_PREFIX),
      warnings: [
        lostZeros('2480356159429'),
        lostZeros('4090136019287'),
        lostZeros('4664625010408'),
        lostZeros('9494971916841'),
        lostZeros('9500737671036'),
      ],
    },
  },
  {
    // A DBR without consolidated billing: `Cost` is the unblended cost (docs/ATTRIBUTION.md).
    path: 'usage-reports/aws-billing-detailed-line-items-with-resources-and-tags.csv',
    expected: {
      periods: async () =>
        fromReference(
          referenceDbr(
            await dbrLines(
              join(
                SAMPLES,
                'usage-reports/aws-billing-detailed-line-items-with-resources-and-tags.csv',
              ),
            ),
            'USD',
          ),
        ),
      warnings: [],
    },
  },
  {
    // Blended cost only: the unblended cost the bill is made of is not in the file.
    path: 'usage-reports/aws-billing-detailed-line-items-with-resources-and-tags-blended-linked.csv',
    expected: { refused: /: missing required column UnBlendedCost$/ },
  },
  ...['Oct', 'Nov', 'Dec'].map((month) => ({
    path: `well-architected-labs/${month}2018-WorkshopCUR-00001.snappy.parquet`,
    expected: {
      periods: curReference(`well-architected-labs/${month}2018-WorkshopCUR-00001.snappy.parquet`),
      warnings: [],
    },
  })),
];

/** Every data file of the samples folder (manifests and SOURCES.md are not data). */
function dataFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return dataFiles(path);
    return /\.(csv|csv\.gz|csv\.zip|parquet)$/i.test(name) ? [relative(SAMPLES, path)] : [];
  });
}

if (!present) {
  process.stderr.write(
    `billing-samples suite SKIPPED: no ${SAMPLES} (copy /work/shared beside the clone as ../shared, or set WHOPAYS_BILLING_SAMPLES)\n`,
  );
}

(present ? describe : describe.skip)('whopays report on every real billing sample', () => {
  beforeAll(buildCli, 60_000);

  it('has a case for every data file of the samples folder', () => {
    const covered = (file: string) =>
      CASES.some((c) => file === c.path || file.startsWith(`${c.path}/`));
    expect(dataFiles(SAMPLES).filter((file) => !covered(file))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.path, c] as const))(
    '%s',
    async (_path, c) => {
      const path = join(SAMPLES, c.path);
      const result = whopays('report', path, '--json');
      if ('refused' in c.expected) {
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        const lines = result.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(SAMPLES);
        expect(lines[0]).toMatch(c.expected.refused);
        return;
      }
      expect(result.stderr).not.toMatch(/^whopays:/m);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      expect(fromReport(report)).toEqual(await c.expected.periods());
      for (const period of report.periods) {
        expect(period.warnings).toHaveLength(c.expected.warnings.length);
        for (const [i, pattern] of c.expected.warnings.entries()) {
          expect(period.warnings[i]).toMatch(pattern);
        }
      }
    },
    60_000,
  );
});
