import type { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES, type ExampleName, exampleConfig, synthesize } from './synth-helpers.js';

const templates = new Map<ExampleName, Template>();
const templateOf = (name: ExampleName): Template => {
  let template = templates.get(name);
  if (template === undefined) {
    template = synthesize(exampleConfig(name)).template;
    templates.set(name, template);
  }
  return template;
};

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

describe.each(EXAMPLES)('Athena catalog synthesized from examples/deploy/%s.json', (name) => {
  const config = exampleConfig(name);
  const template = () => templateOf(name);
  const views = () => template().findResources('Custom::WhopaysView') as Record<string, Resource>;
  const namedQueries = () =>
    Object.values(template().findResources('AWS::Athena::NamedQuery') as Record<string, Resource>);

  it('creates the views independently: no view installer waits for another', () => {
    const ids = Object.keys(views());
    expect(ids.length).toBeGreaterThan(0);
    for (const view of Object.values(views())) {
      expect((view.DependsOn ?? []).filter((id) => ids.includes(id))).toEqual([]);
    }
  });

  it('creates views that read no other whopays view', () => {
    const created = Object.values(views()).map((view) => {
      const sql = String(view.Properties.QueryString);
      return { sql, name: /^create or replace view "[^"]+"\."(whopays_\w+)"/.exec(sql)?.[1] };
    });
    expect(created.every((c) => c.name !== undefined)).toBe(true);
    expect(created).toHaveLength(new Set(config.sources.map((s) => s.format)).size + 4);
    for (const { sql, name } of created) {
      const others = created.map((c) => c.name!).filter((n) => n !== name);
      for (const other of others) expect(sql).not.toContain(`"${other}"`);
    }
  });

  it('installs ledger, account totals, transfers and commitments queries per table, one billing period each', () => {
    const tables = new Set(
      config.sources.map((s) => (s.format === 'dbr' ? 'dbr' : `${s.format}_${s.id}`)),
    );
    const periodQueries = namedQueries().filter(
      (q) => !String(q.Properties.Name).startsWith('whopays view'),
    );
    expect(periodQueries.map((q) => q.Properties.Name).sort()).toEqual(
      [...tables]
        .flatMap((t) =>
          ['ledger', 'account totals', 'transfers', 'commitments'].map((k) => `whopays ${k}: ${t}`),
        )
        .sort(),
    );
    for (const query of periodQueries) {
      const table = String(query.Properties.Name).split(': ')[1];
      const predicate = table?.startsWith('cur_')
        ? '"year" = substr(?, 1, 4) and "month" = cast(cast(substr(?, 6, 2) as integer) as varchar)'
        : '"billing_period" = ?';
      expect(query.Properties.QueryString).toContain(`."${table}" where ${predicate})`);
      expect(query.Properties.Description).toMatch(
        /Execution parameters: billing period \(YYYY-MM\)/,
      );
    }
  });
});
