import { InputError } from '../../lambdas/core/errors.js';
import { loadDeployConfig, parseDeployConfig } from '../../lib/config.js';
import { EXAMPLES, exampleJson } from './synth-helpers.js';

const parse = (json: unknown) => () => parseDeployConfig(json, 'deploy.json');

describe('deploy config', () => {
  it.each(EXAMPLES)('accepts examples/deploy/%s.json and derives its partition facts', (name) => {
    const config = parseDeployConfig(exampleJson(name), `${name}.json`);
    expect(config.partition).toBe(name);
    expect(config.facts.billingRegion).toBe(name === 'aws' ? 'us-east-1' : 'cn-northwest-1');
    expect(config.facts.hasBillingConductor).toBe(name === 'aws');
    expect(config.lambda.runtime).toBe('nodejs22.x');
  });

  it('fills defaults for optional sections', () => {
    const { lambda, notifications, billingDeliveryPrincipals, ...rest } = exampleJson('aws-cn');
    void lambda;
    void notifications;
    void billingDeliveryPrincipals;
    const config = parseDeployConfig(rest, 'deploy.json');
    expect(config.lambda).toEqual({
      runtime: 'nodejs22.x',
      architecture: 'x86_64',
      logRetentionDays: 30,
    });
    expect(config.notifications.emails).toEqual([]);
    expect(config.billingDeliveryPrincipals).toEqual({
      cur: 'billingreports.amazonaws.com',
      dataExports: 'bcm-data-exports.amazonaws.com',
    });
  });

  it('fails when the account id is a number, naming the field', () => {
    expect(parse({ ...exampleJson('aws'), account: 111122223333 })).toThrow(
      /deploy\.json: config field account: .*/,
    );
  });

  it('fails when readFromBillingConductor is set in aws-cn', () => {
    expect(parse({ ...exampleJson('aws-cn'), readFromBillingConductor: true })).toThrow(
      /config field readFromBillingConductor: Billing Conductor does not exist in aws-cn/,
    );
  });

  it('fails when arm64 is asked for in aws-cn', () => {
    const json = exampleJson('aws-cn');
    expect(parse({ ...json, lambda: { runtime: 'nodejs22.x', architecture: 'arm64' } })).toThrow(
      /config field lambda\.architecture: arm64 is not confirmed/,
    );
  });

  it('fails when the runtime is older than nodejs22.x or unpinned', () => {
    const json = exampleJson('aws');
    expect(parse({ ...json, lambda: { runtime: 'nodejs20.x' } })).toThrow(
      /config field lambda\.runtime/,
    );
    expect(parse({ ...json, lambda: { runtime: 'nodejs.latest' } })).toThrow(
      /config field lambda\.runtime/,
    );
  });

  it('fails when a CUR 2.0 source has no export name', () => {
    const json = exampleJson('aws');
    const sources = [
      { id: 'x', format: 'cur2', prefix: 'billing', payerAccountId: '111122223333' },
    ];
    expect(parse({ ...json, sources })).toThrow(
      /config field sources\.0\.reportName: is required for format cur2/,
    );
  });

  it('fails when a prefix has a leading slash', () => {
    const json = exampleJson('aws-cn');
    const sources = [{ id: 'dbr', format: 'dbr', prefix: '/dbr', payerAccountId: '052601815908' }];
    expect(parse({ ...json, sources })).toThrow(/config field sources\.0\.prefix/);
  });

  it('fails when two sources share an id', () => {
    const json = exampleJson('aws');
    const source = { id: 'a', format: 'dbr', prefix: 'x', payerAccountId: '111122223333' };
    expect(parse({ ...json, sources: [source, { ...source, prefix: 'y' }] })).toThrow(
      /config field sources\.1\.id: is not unique/,
    );
  });

  it('fails when the partition contradicts the region', () => {
    expect(parse({ ...exampleJson('aws'), partition: 'aws-cn' })).toThrow(
      /config field partition: is aws-cn but region us-east-1 is in aws/,
    );
  });

  it('fails on an unknown field, so typos are not ignored', () => {
    expect(parse({ ...exampleJson('aws'), regoin: 'us-east-1' })).toThrow(/config field \(root\)/);
  });

  it('fails when a fixed budget amount is a JSON number (money stays a decimal string)', () => {
    const json = exampleJson('aws-cn');
    const budgets = {
      ...(json.budgets as object),
      limit: { mode: 'fixed', amounts: { '003786579754': 10 } },
    };
    expect(parse({ ...json, budgets })).toThrow(
      /config field budgets\.limit\.amounts\.003786579754/,
    );
  });

  it('refuses budgets whose payer is not the stack account: LinkedAccount budgets only work from the payer', () => {
    const json = exampleJson('aws');
    const budgets = { ...(json.budgets as object), payerAccountId: '999999999999' };
    expect(parse({ ...json, budgets })).toThrow(
      /config field budgets\.payerAccountId: is 999999999999 but the stack deploys to account 111122223333: LinkedAccount budgets only work from the payer \(management\) account/,
    );
  });

  it('refuses budgets without a basis (usage, owner or invoice)', () => {
    const json = exampleJson('aws');
    const { basis, ...budgets } = json.budgets as Record<string, unknown>;
    void basis;
    expect(parse({ ...json, budgets })).toThrow(
      /config field budgets\.basis: must be "usage", "owner" or "invoice"/,
    );
  });

  it('fails when the Athena cap is below the 10 MB minimum', () => {
    expect(parse({ ...exampleJson('aws'), athena: { bytesScannedCutoffPerQuery: 1000 } })).toThrow(
      /config field athena\.bytesScannedCutoffPerQuery/,
    );
  });

  it('fails with an InputError naming the file when the file is missing or not JSON', () => {
    expect(() => loadDeployConfig('/nonexistent/deploy.json')).toThrow(InputError);
    expect(() => loadDeployConfig('/nonexistent/deploy.json')).toThrow(
      /^\/nonexistent\/deploy\.json: cannot read/,
    );
  });

  describe('billing groups: the runtime validator (parseBillingGroups) refuses them at synth', () => {
    const group = (Name: string, ids: string[], extra: Record<string, unknown> = {}) => ({
      Name,
      AccountGrouping: { LinkedAccountIds: ids },
      ...extra,
    });
    const withGroups = (billingGroups: unknown[]) =>
      parse({ ...exampleJson('aws-cn'), billingGroups });

    it('fails when an account is in two groups', () => {
      expect(
        withGroups([group('a', ['003786579754']), group('b', ['003786579754', '006671276842'])]),
      ).toThrow(
        /config field billingGroups: group "b": account 003786579754 is already in group "a"/,
      );
    });

    it('fails on an unknown field (a misspelt field would silently empty a group)', () => {
      expect(withGroups([group('a', ['003786579754'], { Primary: '003786579754' })])).toThrow(
        /config field billingGroups: group "a": unknown field Primary/,
      );
      expect(
        withGroups([
          { Name: 'a', AccountGrouping: { LinkedAccountIds: ['003786579754'], Auto: true } },
        ]),
      ).toThrow(/config field billingGroups: group "a": unknown field Auto/);
    });

    it('fails when the primary account is outside the group', () => {
      expect(
        withGroups([group('a', ['003786579754'], { PrimaryAccountId: '006671276842' })]),
      ).toThrow(
        /config field billingGroups: group "a": PrimaryAccountId 006671276842 must be one of its LinkedAccountIds/,
      );
    });

    it('fails when two groups share a name', () => {
      expect(withGroups([group('a', ['003786579754']), group('a', ['006671276842'])])).toThrow(
        /config field billingGroups: group "a": Name must be unique/,
      );
    });

    it('accepts what the runtime accepts, and passes the requests on unchanged', () => {
      const groups = [
        group('a', ['003786579754'], { PrimaryAccountId: '003786579754', Tags: { team: 'x' } }),
      ];
      expect(
        parseDeployConfig({ ...exampleJson('aws-cn'), billingGroups: groups }, 'd.json')
          .billingGroups,
      ).toEqual(groups);
    });
  });

  it('names the stack Whopays unless the config names it, and refuses an invalid name', () => {
    expect(parseDeployConfig(exampleJson('aws'), 'd.json').stackName).toBe('Whopays');
    expect(
      parseDeployConfig({ ...exampleJson('aws'), stackName: 'Whopays-Org2' }, 'd.json').stackName,
    ).toBe('Whopays-Org2');
    expect(parse({ ...exampleJson('aws'), stackName: 'who pays' })).toThrow(
      /config field stackName/,
    );
  });
});
