import { ENV } from '../../lambdas/shared/env.js';
import { EXAMPLES, exampleConfig, synthesize } from './synth-helpers.js';

/**
 * No function of either example template carries a secret in its environment: the functions use
 * their execution roles, so no variable is named like a credential and no value looks like one.
 * Values are the template's own (tokens included), so a secret pasted into the config or the code
 * would show here.
 */

/** Names a credential would go by (AWS_SECRET_ACCESS_KEY, DB_PASSWORD, API_TOKEN, …). */
const SECRET_NAME = /SECRET|PASSW(OR)?D|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH/i;
/** Values that look like one: AWS access key ids, a 40-character secret key, PEM keys, bearer tokens. */
const SECRET_VALUES: readonly RegExp[] = [
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/,
  /(^|[^A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}([^A-Za-z0-9/+=]|$)/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bBearer\s+[A-Za-z0-9._~+/-]+=*/i,
  /"(password|secret|token)"\s*:/i,
];

describe.each(EXAMPLES)('function environments (%s)', (name) => {
  const { template } = synthesize(exampleConfig(name));
  const environments = Object.entries(template.findResources('AWS::Lambda::Function')).map(
    ([id, fn]) => ({
      id,
      variables: (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
    }),
  );

  it('has functions with environments to check', () => {
    const services = environments.map((e) => e.variables[ENV.POWERTOOLS_SERVICE_NAME]);
    expect(services).toEqual(
      expect.arrayContaining(['whopays-start-run', 'whopays-publish-report']),
    );
  });

  it('names no variable like a credential and holds no secret-looking value', () => {
    const problems: string[] = [];
    for (const { id, variables } of environments) {
      for (const [key, value] of Object.entries(variables)) {
        if (SECRET_NAME.test(key)) problems.push(`${id}: ${key} is named like a secret`);
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        for (const pattern of SECRET_VALUES) {
          if (pattern.test(text)) problems.push(`${id}: ${key} matches ${pattern}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('sets only the variables of lambdas/shared/env.ts on the pipeline functions', () => {
    const known = new Set<string>([
      ...Object.values(ENV),
      'NODE_OPTIONS',
      'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
    ]);
    for (const { variables } of environments) {
      if (!String(variables[ENV.POWERTOOLS_SERVICE_NAME] ?? '').startsWith('whopays-')) continue;
      expect(Object.keys(variables).filter((k) => !known.has(k))).toEqual([]);
    }
  });

  it('would catch a secret (the patterns bite)', () => {
    const fake = ['AKIA', 'ABCDEFGHIJKLMNOP'].join('');
    expect(SECRET_VALUES.some((p) => p.test(`{"key":"${fake}"}`))).toBe(true);
    expect(SECRET_NAME.test('DB_PASSWORD')).toBe(true);
  });
});
