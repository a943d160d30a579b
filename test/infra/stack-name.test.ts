import { Template } from 'aws-cdk-lib/assertions';
import { parseDeployConfig } from '../../lib/config.js';
import { WhopaysStack } from '../../lib/whopays-stack.js';
import { exampleJson, newApp, PROJECT_ROOT } from './synth-helpers.js';

/**
 * Defect 9 of issue 10: the stack name was hard-coded, so a second deploy config in the same
 * account (another organization, a test copy) replaced the first stack. The name now comes from
 * the config, and every name the stack gives a resource itself derives from it.
 */

/** Properties that hold a physical name chosen by the stack (not by CloudFormation). */
const NAMED: Record<string, (p: Record<string, unknown>) => unknown> = {
  'AWS::Glue::Database': (p) => (p.DatabaseInput as { Name: string }).Name,
  'AWS::Athena::WorkGroup': (p) => p.Name,
  'AWS::Athena::NamedQuery': (p) => `${p.WorkGroup as string}/${p.Name as string}`,
};

const physicalNames = (template: Template): string[] =>
  Object.values(
    template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >,
  )
    .filter((r) => NAMED[r.Type] !== undefined)
    .map((r) => JSON.stringify(NAMED[r.Type]!(r.Properties)));

describe('two deploy configs in one account', () => {
  const app = newApp();
  const stacks = ['Whopays-OrgA', 'Whopays-OrgB'].map((stackName) => {
    const config = parseDeployConfig({ ...exampleJson('aws'), stackName }, `${stackName}.json`);
    return new WhopaysStack(app, config.stackName, { config, projectRoot: PROJECT_ROOT });
  });
  const [a, b] = stacks.map((s) => Template.fromStack(s));

  it('deploy as two stacks named by their configs', () => {
    expect(stacks.map((s) => s.stackName)).toEqual(['Whopays-OrgA', 'Whopays-OrgB']);
  });

  it('give no resource the same physical name', () => {
    const namesA = physicalNames(a!);
    expect(namesA.length).toBeGreaterThan(3);
    expect(namesA.filter((n) => physicalNames(b!).includes(n))).toEqual([]);
  });
});
