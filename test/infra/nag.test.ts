import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLES, exampleConfig, synthesize } from './synth-helpers.js';

describe.each(EXAMPLES)('cdk-nag AwsSolutions on examples/deploy/%s.json', (name) => {
  it('has no unacknowledged finding', () => {
    const { app } = synthesize(exampleConfig(name));
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`,
      ),
    ).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    const { app } = synthesize(exampleConfig(name));
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
      )
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.id).toMatch(/^(Annotation::)?AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length).toBeGreaterThan(40);
      // Blanket acknowledgements of a whole rule are not allowed for IAM5: name the finding.
      if (ack.id.startsWith('AwsSolutions-IAM5'))
        expect(ack.id).toMatch(/\[(Resource|Action)::.+\]$/);
    }
  });
});
