import { TrinoSQL } from 'dt-sql-parser';
import { classifyKey, matchSource } from '../../lambdas/core/delivery.js';
import { FOCUS_COLUMNS } from '../../lambdas/core/source-columns.js';
import { ENV } from '../../lambdas/shared/env.js';
import { parseDeployConfig } from '../../lib/config.js';
import { notificationFilters } from '../../lib/ingest-trigger.js';
import { EXAMPLES, type ExampleName, exampleJson, synthesize } from './synth-helpers.js';

// A `focus` source in the deploy config: a Glue table over the Data Exports FOCUS layout with
// partition projection, the trigger on its manifest, the FOCUS ledger in the views and named
// queries, and start-run's default table. Synthesized for both partitions.
type Resource = { Properties: Record<string, unknown> };
interface TableInput {
  readonly Name: string;
  readonly PartitionKeys: unknown;
  readonly Parameters: Record<string, unknown>;
  readonly StorageDescriptor: { readonly Columns: { Name: string; Type: string }[] };
}
/** Athena's projection placeholder, as the table's location template holds it. */
const PERIOD_PLACEHOLDER = ['$', '{billing_period}'].join('');

const withFocus = (name: ExampleName) => {
  const json = exampleJson(name);
  const sources = json.sources as Record<string, unknown>[];
  const payer = String(sources.find((s) => s.format !== 'dbr')?.payerAccountId ?? json.account);
  return parseDeployConfig(
    {
      ...json,
      sources: [
        ...sources,
        {
          id: 'focus',
          format: 'focus',
          prefix: 'focus-exports',
          reportName: 'whopays-focus',
          payerAccountId: payer,
        },
      ],
    },
    `examples/deploy/${name}.json + a focus source`,
  );
};

describe.each(EXAMPLES)('a focus source added to examples/deploy/%s.json', (name) => {
  const config = withFocus(name);
  const { template } = synthesize(config);
  const tables = Object.values(
    template.findResources('AWS::Glue::Table') as Record<string, Resource>,
  );
  const focusTable = tables
    .map((t) => t.Properties.TableInput as TableInput)
    .find((input) => input.Name === 'focus_focus');

  it('gets a Glue table over data/BILLING_PERIOD=YYYY-MM/ with projected billing periods', () => {
    expect(focusTable).toBeDefined();
    expect(focusTable!.PartitionKeys).toEqual([{ Name: 'billing_period', Type: 'string' }]);
    expect(focusTable!.Parameters['projection.enabled']).toBe('true');
    expect(focusTable!.Parameters['projection.billing_period.type']).toBe('date');
    expect(focusTable!.Parameters['projection.billing_period.format']).toBe('yyyy-MM');
    expect(JSON.stringify(focusTable!.Parameters['storage.location.template'])).toContain(
      `/focus-exports/whopays-focus/data/BILLING_PERIOD=${PERIOD_PLACEHOLDER}/`,
    );
    expect(focusTable!.Parameters.classification).toBe('parquet');
  });

  it('types the columns as AWS exports them: lower-case names, DOUBLE money, a timestamp period', () => {
    const columns = Object.fromEntries(
      focusTable!.StorageDescriptor.Columns.map((c) => [c.Name, c.Type]),
    );
    expect(Object.keys(columns).sort()).toEqual(
      FOCUS_COLUMNS.map((c) => c.name.toLowerCase()).sort(),
    );
    expect(columns).toMatchObject({
      billedcost: 'double',
      effectivecost: 'double',
      billingperiodstart: 'timestamp',
      commitmentdiscountid: 'string',
      subaccountid: 'string',
    });
  });

  it('installs a whopays_focus_ledger view and FOCUS period queries that are valid Trino SQL', () => {
    const views = Object.values(
      template.findResources('Custom::WhopaysView') as Record<string, Resource>,
    )
      .map((v) => String(v.Properties.QueryString))
      .filter((sql) => sql.includes('whopays_focus_ledger'));
    expect(views).toHaveLength(1);
    const queries = Object.values(
      template.findResources('AWS::Athena::NamedQuery') as Record<string, Resource>,
    ).filter((q) => String(q.Properties.Name).endsWith(': focus_focus'));
    expect(queries.map((q) => q.Properties.Name).sort()).toEqual([
      'whopays account totals: focus_focus',
      'whopays commitments: focus_focus',
      'whopays ledger: focus_focus',
      'whopays transfers: focus_focus',
    ]);
    const trino = new TrinoSQL();
    for (const q of queries) {
      expect(String(q.Properties.QueryString)).toContain('as focus_lines');
      expect(trino.validate(String(q.Properties.QueryString))).toEqual([]);
    }
  });

  it('triggers on the export manifest, and start-run gets the FOCUS table', () => {
    const source = config.sources.find((s) => s.format === 'focus')!;
    expect(notificationFilters(source)).toEqual([
      { prefix: 'focus-exports/whopays-focus/metadata/', suffix: 'whopays-focus-Manifest.json' },
    ]);
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<string, Resource>,
    );
    const env = functions
      .map((f) => (f.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables)
      .find((v) => v?.[ENV.ATHENA_TABLE_FOCUS] !== undefined);
    expect(env?.[ENV.ATHENA_TABLE_FOCUS]).toBe('focus_focus');
  });
});

describe('a FOCUS delivery', () => {
  it('is a Data Exports manifest that matches the focus source by its export name', () => {
    const key =
      'focus-exports/whopays-focus/metadata/BILLING_PERIOD=2025-11/whopays-focus-Manifest.json';
    const delivery = classifyKey(key)!;
    const sources = [
      {
        format: 'cur2' as const,
        prefix: 'focus-exports',
        reportName: 'whopays-cur2',
        payerAccountId: '1',
      },
      {
        format: 'focus' as const,
        prefix: 'focus-exports',
        reportName: 'whopays-focus',
        payerAccountId: '1',
      },
    ];
    expect(matchSource(delivery, sources)?.format).toBe('focus');
    const cur2 = classifyKey(key.replaceAll('whopays-focus', 'whopays-cur2'))!;
    expect(matchSource(cur2, sources)?.format).toBe('cur2');
  });
});
