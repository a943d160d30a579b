import { ENV } from '../../lambdas/shared/env.js';
import { parseDeployConfig } from '../../lib/config.js';
import {
  configDocumentOf,
  exampleConfig,
  exampleJson,
  type Synthesized,
  synthesize,
} from './synth-helpers.js';

/**
 * Defect 6 of issue 10: billing groups, budgets and sources were JSON in Lambda environment
 * variables, whose 4 KB limit (all variables of a function together) failed the deploy at about
 * 130 fixed budgets or 230 grouped accounts. They now live in the config object; the environment
 * must not grow with the organization.
 */

const ACCOUNTS = 2000;
const accountIds = Array.from({ length: ACCOUNTS }, (_, i) => String(100_000_000_000 + i));

/** 100 groups of 20 accounts, and a fixed budget for every account. */
const largeJson = () => {
  const json = exampleJson('aws-cn');
  return {
    ...json,
    billingGroups: Array.from({ length: ACCOUNTS / 20 }, (_, g) => ({
      Name: `team-${g}`,
      AccountGrouping: { LinkedAccountIds: accountIds.slice(g * 20, g * 20 + 20) },
    })),
    budgets: {
      ...(json.budgets as object),
      limit: {
        mode: 'fixed',
        amounts: Object.fromEntries(accountIds.map((id) => [id, '1000.00'])),
      },
      dryRun: true,
    },
  };
};

/** Bytes Lambda counts against 4 KB: every variable's name and value (tokens as rendered). */
const environmentSizes = ({ template }: Synthesized): Map<string, Record<string, unknown>> => {
  const out = new Map<string, Record<string, unknown>>();
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    const service = variables[ENV.POWERTOOLS_SERVICE_NAME];
    if (typeof service === 'string' && service.startsWith('whopays-')) out.set(service, variables);
  }
  return out;
};

const size = (variables: Record<string, unknown>): number =>
  Object.entries(variables).reduce(
    (sum, [key, value]) =>
      sum + key.length + (typeof value === 'string' ? value : JSON.stringify(value)).length,
    0,
  );

describe('a config with 2,000 grouped accounts and 2,000 fixed budgets', () => {
  const config = parseDeployConfig(largeJson(), 'large.json');
  const large = synthesize(config);
  const example = synthesize(exampleConfig('aws-cn'));

  it('synthesizes, and every function environment stays far below 4 KB', () => {
    const sizes = [...environmentSizes(large).entries()].map(([fn, v]) => [fn, size(v)] as const);
    expect(sizes).toHaveLength(5);
    for (const [fn, bytes] of sizes) {
      // Measured 2026-12: at most 569 bytes (publish-report), tokens unresolved.
      expect({ fn, bytes: bytes < 2048 }).toEqual({ fn, bytes: true });
    }
  });

  it('has the same function environments as the two-account example, but for the config key', () => {
    const strip = (v: Record<string, unknown>) => {
      const { [ENV.CONFIG_KEY]: key, ...rest } = v;
      void key;
      return rest;
    };
    const largeEnvs = environmentSizes(large);
    for (const [fn, variables] of environmentSizes(example)) {
      expect(strip(largeEnvs.get(fn)!)).toEqual(strip(variables));
    }
  });

  it('puts every group and every budget in the config object', () => {
    const document = configDocumentOf(large);
    const grouped = (
      document.billingGroups as Array<{ AccountGrouping: { LinkedAccountIds: string[] } }>
    ).flatMap((g) => g.AccountGrouping.LinkedAccountIds);
    expect(grouped).toEqual(accountIds);
    const policy = document.budgetsPolicy as { limit: { amounts: Record<string, string> } };
    expect(Object.keys(policy.limit.amounts)).toEqual(accountIds);
    expect(document.sources.map((s) => s.id)).toEqual(config.sources.map((s) => s.id));
  });
});
