import type { Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/shared/env.js';
import { parseDeployConfig } from '../../lib/config.js';
import {
  asArray,
  configDocumentOf,
  EXAMPLES,
  exampleConfig,
  exampleJson,
  synthesize,
} from './synth-helpers.js';

type Statement = { Sid?: string; Action?: string | string[]; Resource?: unknown };

/** The pipeline function of a service name, its environment and every statement of its role. */
const functionOf = (template: Template, service: string) => {
  const [entry] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, f]) => f.Properties.Environment?.Variables?.[ENV.POWERTOOLS_SERVICE_NAME] === service,
  );
  if (entry === undefined) throw new Error(`no function ${service}`);
  const roleId = entry[1].Properties.Role['Fn::GetAtt'][0] as string;
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as Array<{ Ref?: string }>;
    if (roles.some((r) => r.Ref === roleId))
      statements.push(...policy.Properties.PolicyDocument.Statement);
  }
  return {
    env: (entry[1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
    statements,
  };
};

const conductorActions = (statements: readonly Statement[]): string[] =>
  statements
    .flatMap((s) => asArray(s.Action))
    .filter((a) => a.startsWith('billingconductor:'))
    .sort();

const everyConductorAction = (template: Template): string[] => {
  const all = JSON.stringify(template.toJSON());
  return [...new Set(all.match(/billingconductor:[A-Za-z*]+/g) ?? [])];
};

describe.each(EXAMPLES)('Billing Conductor in the %s example config', (name) => {
  const config = exampleConfig(name);
  const synthesized = synthesize(config);
  const { template } = synthesized;

  it('is off: no billingconductor action anywhere, assemble-report told to use the configured groups', () => {
    expect(config.readFromBillingConductor).toBe(false);
    expect(everyConductorAction(template)).toEqual([]);
    const assemble = functionOf(template, 'whopays-assemble-report');
    expect(assemble.env[ENV.READ_BILLING_CONDUCTOR]).toBe('false');
    expect(
      configDocumentOf(synthesized).billingGroups?.map((g) => (g as { Name: string }).Name),
    ).toEqual(config.billingGroups.map((g) => g.Name));
  });
});

describe('Billing Conductor enabled', () => {
  it('grants List* on billing groups to assemble-report only, and sets its flag (aws)', () => {
    const config = { ...exampleConfig('aws'), readFromBillingConductor: true };
    const synthesized = synthesize(config);
    const { template } = synthesized;
    const assemble = functionOf(template, 'whopays-assemble-report');
    const read = assemble.statements.find((s) => s.Sid === 'ReadBillingGroups');
    expect(conductorActions(assemble.statements)).toEqual([
      'billingconductor:ListAccountAssociations',
      'billingconductor:ListBillingGroups',
    ]);
    // Scoped as before the move: billing groups of the stack account, no region (a global API).
    expect(read?.Resource).toBe(
      `arn:${config.partition}:billingconductor::${config.account}:billinggroup/*`,
    );
    expect(assemble.env[ENV.READ_BILLING_CONDUCTOR]).toBe('true');
    // Billing Conductor wins: the config's groups are not passed, so they cannot be mistaken for used.
    expect(configDocumentOf(synthesized).billingGroups).toBeUndefined();
    for (const other of ['whopays-publish-report', 'whopays-start-run', 'whopays-normalize-dbr']) {
      expect(conductorActions(functionOf(template, other).statements)).toEqual([]);
    }
  });

  it('is refused by the aws-cn config, so no aws-cn template can carry the grant', () => {
    expect(() =>
      parseDeployConfig(
        { ...exampleJson('aws-cn'), readFromBillingConductor: true },
        'examples/deploy/aws-cn.json',
      ),
    ).toThrow(/readFromBillingConductor/);
  });
});
